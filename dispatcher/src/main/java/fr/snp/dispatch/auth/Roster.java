package fr.snp.dispatch.auth;

import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.api.async.RedisAsyncCommands;
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
 */
public final class Roster {
    /**
     * How long a person's entry is cached, and so how long a removal (on any instance, or by the command line) still
     * lets their sessions open requests on another instance: at most this, since an entry's end counts from before
     * the read that filled it. Open live streams are checked apart, without the cache (see {@link CredentialCheck}).
     */
    private static final long CACHE_MS = 5_000;

    private final RedisAsyncCommands<String, String> redis;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Principal principal, long untilMs) {}

    public Roster(RedisAsyncCommands<String, String> redis) { this.redis = redis; }

    /** The roster's field of a person: issuer and subject, a space between (neither may hold one). */
    static String field(String issuer, String subject) { return issuer + " " + subject; }

    /** The principal of a person, or null when they are not on the roster. */
    public CompletionStage<Principal> find(String issuer, String subject) {
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
        return redis.hmget(Keys.ROSTER, fields.toArray(String[]::new)).thenApply(values -> {
            Map<String, Principal> out = new java.util.HashMap<>();
            for (io.lettuce.core.KeyValue<String, String> kv : values) {
                if (kv.hasValue()) out.put(kv.getKey(), TokenStore.fromJson(new JsonObject(kv.getValue())));
            }
            return out;
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
