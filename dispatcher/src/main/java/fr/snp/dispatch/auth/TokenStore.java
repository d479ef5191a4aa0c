package fr.snp.dispatch.auth;

import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.api.async.RedisAsyncCommands;
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
 * Demo tokens exist only in memory and only when the server runs in demo mode.
 */
public final class TokenStore {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long CACHE_MS = 5_000;

    private final RedisAsyncCommands<String, String> redis;
    private volatile Map<String, Principal> demoTokens;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Principal principal, long untilMs) {}

    public TokenStore(RedisAsyncCommands<String, String> redis) {
        this.redis = redis;
        this.demoTokens = Map.of();
    }

    /** Demo mode only: fixed, well-known tokens, kept in memory and never written to Redis. */
    public void enableDemoTokens(Map<String, Principal> tokens) { this.demoTokens = Map.copyOf(tokens); }

    /** Whether the demo tokens work (demo mode): the pages then keep their token field, the live feed ?access_token=. */
    public boolean demo() { return !demoTokens.isEmpty(); }

    /** The principal of a token, or null. */
    public CompletionStage<Principal> lookup(String token) {
        Principal demo = demoTokens.get(token);
        if (demo != null) return CompletableFuture.completedFuture(demo);
        String hash = hash(token);
        long now = System.currentTimeMillis();
        Cached c = cache.get(hash);
        if (c != null && c.untilMs > now) return CompletableFuture.completedFuture(c.principal);
        return redis.hget(Keys.TOKENS, hash).thenApply(json -> {
            Principal p = json == null ? null : fromJson(new JsonObject(json));
            if (cache.size() > 10_000) cache.clear();
            cache.put(hash, new Cached(p, now + CACHE_MS));
            return p;
        });
    }

    /** Creates a token for a principal described without id; returns the token (shown once) and the principal. */
    public CompletionStage<Map.Entry<String, Principal>> create(Principal template) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = "snp_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String hash = hash(token);
        Principal p = new Principal(hash.substring(0, 16), template.role(), template.name(), template.territories(),
                template.org(), template.cpts());
        return redis.hset(Keys.TOKENS, hash, toJson(p).encode()).thenApply(ok -> Map.entry(token, p));
    }

    /** Every stored token's principal, as JSON (what `token list` prints). */
    public CompletionStage<Map<String, String>> list() { return redis.hgetall(Keys.TOKENS); }

    /** Revokes the tokens whose principal id (hash prefix) is given. */
    public CompletionStage<Long> revoke(String principalId) {
        return redis.hgetall(Keys.TOKENS).thenCompose(all -> {
            String[] hashes = all.keySet().stream().filter(h -> h.startsWith(principalId)).toArray(String[]::new);
            if (hashes.length == 0) return CompletableFuture.completedFuture(0L);
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

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
