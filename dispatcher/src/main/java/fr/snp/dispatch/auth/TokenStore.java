package fr.snp.dispatch.auth;

import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens. Redis keeps only SHA-256(token) -> principal; the token is shown once, when created. Lookups are
 * cached a few seconds so that a request costs no Redis round trip; a revoked token stops working within that time.
 * Demo tokens exist only in memory and only when the server runs in demo mode. A token expires ({@code expiresAt},
 * 90 days by default; tokens made before expiry existed have none), and when it was last used is kept to the minute
 * so that unused ones can be found and revoked.
 */
public final class TokenStore implements CredentialCheck.Store {
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * How long a lookup is cached, and so how long a token revoked (on any instance, or by the command line) still
     * opens requests on another instance: at most this, since an entry's end counts from before the read that
     * filled it. Open live streams are checked apart, without the cache (see {@link CredentialCheck}).
     */
    private static final long CACHE_MS = 5_000;
    private static final long USE_WRITE_MS = 60_000;
    public static final java.time.Duration DEFAULT_VALIDITY = java.time.Duration.ofDays(90);

    private final RedisClusterAsyncCommands<String, String> redis;
    private volatile Map<String, Principal> demoTokens;
    /** The demo tokens by hash: what a live stream opened with one is checked against (they are never in Redis). */
    private volatile Map<String, Principal> demoByHash = Map.of();
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    /** When this instance last wrote each token's use: one write a minute at most, whatever the traffic. */
    private final Map<String, Long> useWritten = new ConcurrentHashMap<>();

    private record Cached(Principal principal, long expiresAtMs, long untilMs) {}

    public TokenStore(RedisClusterAsyncCommands<String, String> redis) {
        this.redis = redis;
        this.demoTokens = Map.of();
    }

    /** Demo mode only: fixed, well-known tokens, kept in memory and never written to Redis. */
    public void enableDemoTokens(Map<String, Principal> tokens) {
        Map<String, Principal> byHash = new java.util.HashMap<>();
        tokens.forEach((token, p) -> byHash.put(hash(token), p));
        this.demoByHash = Map.copyOf(byHash);
        this.demoTokens = Map.copyOf(tokens);
    }

    /** Whether the demo tokens work (demo mode): the pages then keep their token field, the live feed ?access_token=. */
    public boolean demo() { return !demoTokens.isEmpty(); }

    /** The principal of a token, or null. */
    public CompletionStage<Principal> lookup(String token) {
        Principal demo = demoTokens.get(token);
        if (demo != null) return CompletableFuture.completedFuture(demo);
        return lookupHash(hash(token));
    }

    /**
     * The principal of a token known by its hash (what a widget session keeps of the API key it came from), or
     * null: a revoked or expired key ends its widget sessions within the cache's five seconds.
     */
    public CompletionStage<Principal> lookupHash(String hash) {
        Principal demo = demoByHash.get(hash);
        if (demo != null) return CompletableFuture.completedFuture(demo);
        long now = System.currentTimeMillis();
        Cached c = cache.get(hash);
        if (c != null && c.untilMs > now) return CompletableFuture.completedFuture(used(hash, c, now));
        return redis.hget(Keys.TOKENS, hash).thenApply(json -> {
            JsonObject j = json == null ? null : new JsonObject(json);
            Principal p = j == null ? null : fromJson(j);
            String expires = j == null ? null : j.getString("expiresAt");
            Cached fresh = new Cached(p, expires == null ? Long.MAX_VALUE : java.time.Instant.parse(expires).toEpochMilli(),
                    now + CACHE_MS);
            if (cache.size() > 10_000) cache.clear();
            cache.put(hash, fresh);
            return used(hash, fresh, now);
        });
    }

    /** The principal of a cached token still valid at {@code now} (its use noted), else null. */
    private Principal used(String hash, Cached c, long now) {
        if (c.principal == null || c.expiresAtMs <= now) return null;
        Long last = useWritten.get(hash);
        if (last == null || now - last >= USE_WRITE_MS) {
            if (useWritten.size() > 10_000) useWritten.clear();
            useWritten.put(hash, now);
            redis.hset(Keys.TOKENS_USED, hash, String.valueOf(now)); // best effort: a lost write only ages the figure
        }
        return c.principal;
    }

    @Override
    public Credential.Kind kind() { return Credential.Kind.API_TOKEN; }

    /** The principal of each token (by hash) still stored and not expired, in one HMGET: no cache, no use noted. */
    @Override
    public CompletionStage<Map<String, Principal>> current(java.util.Collection<String> hashes) {
        Map<String, Principal> out = new java.util.HashMap<>();
        List<String> stored = new ArrayList<>();
        for (String h : hashes) {
            Principal demo = demoByHash.get(h);
            if (demo != null) out.put(h, demo);
            else stored.add(h);
        }
        if (stored.isEmpty()) return CompletableFuture.completedFuture(out);
        return redis.hmget(Keys.TOKENS, stored.toArray(String[]::new)).thenApply(values -> {
            long now = System.currentTimeMillis();
            for (io.lettuce.core.KeyValue<String, String> kv : values) {
                if (!kv.hasValue()) continue;
                JsonObject j = new JsonObject(kv.getValue());
                String expires = j.getString("expiresAt");
                if (expires != null && java.time.Instant.parse(expires).toEpochMilli() <= now) continue;
                out.put(kv.getKey(), fromJson(j));
            }
            return out;
        });
    }

    /** Creates a token valid {@link #DEFAULT_VALIDITY}; returns the token (shown once) and the principal. */
    public CompletionStage<Map.Entry<String, Principal>> create(Principal template) { return create(template, DEFAULT_VALIDITY); }

    /** Creates a token for a principal described without id, valid for {@code validity}. */
    public CompletionStage<Map.Entry<String, Principal>> create(Principal template, java.time.Duration validity) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = "snp_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String hash = hash(token);
        Principal p = new Principal(hash.substring(0, 16), template.role(), template.name(), template.territories(),
                template.org(), template.cpts());
        java.time.Instant now = java.time.Instant.ofEpochMilli(System.currentTimeMillis()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        JsonObject j = toJson(p).put("createdAt", now.toString()).put("expiresAt", now.plus(validity).toString());
        return redis.hset(Keys.TOKENS, hash, j.encode()).thenApply(ok -> Map.entry(token, p));
    }

    /** Every stored token's principal, as JSON (what `token list` prints). */
    public CompletionStage<Map<String, String>> list() { return redis.hgetall(Keys.TOKENS); }

    /** Every stored token as {@code token list} prints it: the principal, createdAt, expiresAt, lastUsedAt. */
    public CompletionStage<List<JsonObject>> describe() {
        return redis.hgetall(Keys.TOKENS).thenCombine(redis.hgetall(Keys.TOKENS_USED), (all, used) -> {
            List<JsonObject> out = new ArrayList<>();
            all.forEach((hash, json) -> {
                JsonObject j = new JsonObject(json);
                String at = used.get(hash);
                j.put("lastUsedAt", at == null ? null : java.time.Instant.ofEpochMilli(Long.parseLong(at)).toString());
                out.add(j);
            });
            out.sort(java.util.Comparator.comparing(j -> j.getString("id")));
            return out;
        });
    }

    /**
     * Revokes the token whose id is exactly the one given (the 16 characters {@code token list} shows): a prefix
     * revokes nothing, so that a typo cannot take several tokens at once.
     */
    public CompletionStage<Long> revoke(String principalId) {
        return redis.hgetall(Keys.TOKENS).thenCompose(all -> {
            String[] hashes = all.entrySet().stream()
                    .filter(e -> principalId.equals(new JsonObject(e.getValue()).getString("id")))
                    .map(Map.Entry::getKey).toArray(String[]::new);
            if (hashes.length == 0) return CompletableFuture.completedFuture(0L);
            cache.keySet().removeAll(List.of(hashes));
            redis.hdel(Keys.TOKENS_USED, hashes);
            return redis.hdel(Keys.TOKENS, hashes);
        });
    }

    /** Gives an existing token its territories and organisation (the fix for tokens made before tenancy). */
    public CompletionStage<Long> scope(String principalId, Set<String> territories, String org) {
        return redis.hgetall(Keys.TOKENS).thenCompose(all -> {
            List<CompletableFuture<Boolean>> writes = new ArrayList<>();
            all.forEach((hash, json) -> {
                if (!hash.startsWith(principalId)) return;
                JsonObject j = new JsonObject(json).put("territories", new JsonArray(List.copyOf(territories))).put("org", org);
                writes.add(redis.hset(Keys.TOKENS, hash, j.encode()).toCompletableFuture());
            });
            return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).thenApply(done -> (long) writes.size());
        });
    }

    /**
     * Stored tokens that serve no territory or have no organisation (made before tenancy): the server refuses to
     * start with them rather than let them reach every territory. Each line says how to fix it.
     */
    public CompletionStage<List<String>> unscoped() {
        return list().thenApply(all -> {
            List<String> problems = new ArrayList<>();
            all.forEach((hash, json) -> {
                JsonObject j = new JsonObject(json);
                JsonArray territories = j.getJsonArray("territories");
                if (territories == null || territories.isEmpty() || j.getString("org", "").isBlank()) {
                    problems.add("token " + j.getString("id") + " (" + j.getString("role") + ", \"" + j.getString("name")
                            + "\") has no territory or organisation: run `java -jar dispatcher.jar token scope "
                            + j.getString("id") + " --territory 36 --org <organisation>` (its département codes and its "
                            + "SAS, CPTS, pharmacy or hospital), or `token revoke " + j.getString("id") + "`");
                }
            });
            return problems;
        });
    }

    static JsonObject toJson(Principal p) {
        return new JsonObject().put("id", p.id()).put("role", p.role().wireName()).put("name", p.name())
                .put("territories", new JsonArray(List.copyOf(new java.util.TreeSet<>(p.territories())))).put("org", p.org())
                .put("cpts", new JsonArray(List.copyOf(new java.util.TreeSet<>(p.cpts()))));
    }

    /** A principal as stored; one without territories serves none (and the server does not start with it). */
    static Principal fromJson(JsonObject j) {
        // tokens made before tenancy kept the effector in "effectorId"
        String org = j.getString("org", j.getString("effectorId", ""));
        return new Principal(j.getString("id"), Role.ofWireName(j.getString("role")), j.getString("name"),
                strings(j.getJsonArray("territories")), org == null ? "" : org, strings(j.getJsonArray("cpts")));
    }

    private static Set<String> strings(JsonArray a) {
        if (a == null) return Set.of();
        Set<String> out = new java.util.HashSet<>();
        a.forEach(x -> out.add((String) x));
        return out;
    }

    /** SHA-256 of a token, in hex: what Redis keeps of tokens, session ids and tickets. */
    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
