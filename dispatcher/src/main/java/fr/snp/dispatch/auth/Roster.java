package fr.snp.dispatch.auth;

import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may sign in, and as what: a person, named by their identity provider (issuer) and their subject there (for
 * Pro Santé Connect the RPPS, read from the configured claim), gets a role, territories and an organisation. The
 * provider only proves who someone is; what they may do is decided here, by whoever runs the server
 * ({@code user add|list|remove}). Read at every request of a session (cached a few seconds), so that removing a
 * person ends their sessions' access within that time.
 * <p>
 * A person the roster does not name may still be vouched for by another register ({@link Accounts}): the regulator
 * accounts the national SAS platform creates (INT_R02), found by the person's national id. Those are read at every
 * request without a cache, since the platform's {@code active=false} must withdraw the right at once.
 */
public final class Roster {
    /**
     * How long a person's entry is cached, and so how long a removal (on any instance, or by the command line) still
     * lets their sessions open requests on another instance: at most this, since an entry's end counts from before
     * the read that filled it. Open live streams are checked apart, without the cache (see {@link CredentialCheck}).
     */
    private static final long CACHE_MS = 5_000;

    /**
     * Another register of people who may sign in, asked only for those the roster does not name (the roster, kept
     * by whoever runs the server, always wins). Its answers are not cached here.
     */
    public interface Accounts {
        /** The principal of a subject the register vouches for now, or null. */
        CompletionStage<Principal> find(String subject);

        /** The principal of each subject it vouches for now (absent: not, or no longer), in a few batched reads. */
        CompletionStage<Map<String, Principal>> current(java.util.Collection<String> subjects);
    }

    private final RedisClusterAsyncCommands<String, String> redis;
    private final Accounts accounts;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Principal principal, long untilMs) {}

    /** Only the roster (the command line's {@code user} sub-command). */
    public Roster(RedisClusterAsyncCommands<String, String> redis) { this(redis, null); }

    /** The roster, then {@code accounts} (null: none) for the people it does not name. */
    public Roster(RedisClusterAsyncCommands<String, String> redis, Accounts accounts) {
        this.redis = redis;
        this.accounts = accounts;
    }

    /** The roster's field of a person: issuer and subject, a space between (neither may hold one). */
    static String field(String issuer, String subject) { return issuer + " " + subject; }

    /** The principal of a person, or null when neither the roster nor the other register names them. */
    public CompletionStage<Principal> find(String issuer, String subject) {
        return listed(issuer, subject).thenCompose(p -> p != null || accounts == null
                ? java.util.concurrent.CompletableFuture.completedFuture(p) : accounts.find(subject));
    }

    /** The principal the roster itself gives a person (cached), or null. */
    private CompletionStage<Principal> listed(String issuer, String subject) {
        String field = field(issuer, subject);
        long now = System.currentTimeMillis();
        Cached c = cache.get(field);
        if (c != null && c.untilMs > now) return java.util.concurrent.CompletableFuture.completedFuture(c.principal);
        return redis.hget(Keys.ROSTER, field).thenApply(json -> {
            Principal p = json == null ? null : TokenStore.fromJson(new JsonObject(json));
            if (cache.size() > 10_000) cache.clear();
            cache.put(field, new Cached(p, now + CACHE_MS));
            return p;
        });
    }

    /** The principal of each person (by roster field) still on the roster, in one HMGET, without the cache. */
    CompletionStage<Map<String, Principal>> current(java.util.Collection<String> fields) {
        if (fields.isEmpty()) return java.util.concurrent.CompletableFuture.completedFuture(Map.of());
        return redis.hmget(Keys.ROSTER, fields.toArray(String[]::new)).thenCompose(values -> {
            Map<String, Principal> out = new java.util.HashMap<>();
            for (io.lettuce.core.KeyValue<String, String> kv : values) {
                if (kv.hasValue()) out.put(kv.getKey(), TokenStore.fromJson(new JsonObject(kv.getValue())));
            }
            // the others may be the other register's: asked by subject, answered back by roster field
            Map<String, String> fieldOfSubject = new java.util.HashMap<>();
            for (String f : fields) if (!out.containsKey(f)) fieldOfSubject.put(f.substring(f.indexOf(' ') + 1), f);
            if (accounts == null || fieldOfSubject.isEmpty()) return java.util.concurrent.CompletableFuture.completedFuture(out);
            return accounts.current(fieldOfSubject.keySet()).thenApply(found -> {
                found.forEach((subject, p) -> out.put(fieldOfSubject.get(subject), p));
                return out;
            });
        });
    }

    /**
     * Puts a person on the roster (or changes what they may do). Their principal id is a stable prefix of
     * SHA-256(issuer, subject): the audit trail and the idempotency keys name it, never the RPPS.
     */
    public CompletionStage<Principal> add(String issuer, String subject, Principal template) {
        if (issuer.isBlank() || subject.isBlank() || issuer.contains(" ") || subject.contains(" ")) {
            throw new IllegalArgumentException("issuer and subject are required and hold no space");
        }
        String field = field(issuer, subject);
        Principal p = new Principal(TokenStore.hash(field).substring(0, 16), template.role(), template.name(),
                template.territories(), template.org(), template.cpts());
        JsonObject j = TokenStore.toJson(p).put("issuer", issuer).put("subject", subject);
        cache.remove(field);
        return redis.hset(Keys.ROSTER, field, j.encode()).thenApply(ok -> p);
    }

    /** Every person on the roster, as JSON (what {@code user list} prints). */
    public CompletionStage<Map<String, String>> list() { return redis.hgetall(Keys.ROSTER); }

    /** Takes a person off the roster: true when they were on it. */
    public CompletionStage<Boolean> remove(String issuer, String subject) {
        String field = field(issuer, subject);
        cache.remove(field);
        return redis.hdel(Keys.ROSTER, field).thenApply(n -> n > 0);
    }
}
