package fr.snp.dispatch.auth;

import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
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

    /** The principal of a token, or null. */
    public CompletionStage<Principal> lookup(String token) {
        Principal demo = demoTokens.get(token);
        if (demo != null) return CompletableFuture.completedFuture(demo);
        String hash = hash(token);
        long now = System.currentTimeMillis();
        Cached c = cache.get(hash);
        if (c != null && c.untilMs > now) return CompletableFuture.completedFuture(c.principal);
        return redis.hget(Keys.TOKENS, hash).thenApply(json -> {
            Principal p = json == null ? null : Principal.fromJson(new JsonObject(json));
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
        Principal p = new Principal(hash.substring(0, 16), template.role(), template.name(), template.effectorId(),
                template.cpts());
        return redis.hset(Keys.TOKENS, hash, p.toJson().encode()).thenApply(ok -> Map.entry(token, p));
    }

    public CompletionStage<Map<String, String>> list() { return redis.hgetall(Keys.TOKENS); }

    /** Revokes the tokens whose principal id (hash prefix) is given. */
    public CompletionStage<Long> revoke(String principalId) {
        return redis.hgetall(Keys.TOKENS).thenCompose(all -> {
            String[] hashes = all.keySet().stream().filter(h -> h.startsWith(principalId)).toArray(String[]::new);
            if (hashes.length == 0) return CompletableFuture.completedFuture(0L);
            return redis.hdel(Keys.TOKENS, hashes);
        });
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
