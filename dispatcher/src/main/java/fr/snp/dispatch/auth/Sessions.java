package fr.snp.dispatch.auth;

import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.vertx.core.json.JsonObject;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The sessions of people signed in through OpenID Connect, kept server-side in Redis so that every instance sees
 * them and a logout ends them at once. The browser holds only a random id (in an HttpOnly cookie); Redis holds
 * SHA-256 of it, so a copy of Redis opens no session. A session ends after {@code idle} without a request and in
 * any case {@code absolute} after the sign-in; what it may do is read from the {@link Roster} at each request.
 * Also keeps the logins under way (state, PKCE verifier, nonce), each usable once.
 */
public final class Sessions implements CredentialCheck.Store {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long LOGIN_TTL_SECONDS = 600;

    private final RedisClusterAsyncCommands<String, String> redis;
    private final Roster roster;
    private final long idleMs;
    private final long absoluteMs;

    public Sessions(RedisClusterAsyncCommands<String, String> redis, Roster roster, long idleMs, long absoluteMs) {
        this.redis = redis;
        this.roster = roster;
        this.idleMs = idleMs;
        this.absoluteMs = absoluteMs;
    }

    /** 256 random bits, URL-safe: session ids, login states, PKCE verifiers, nonces, live tickets. */
    public static String randomId() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public long absoluteMs() { return absoluteMs; }

    /** Opens a session for a person already found on the roster; returns the id for the cookie (never stored). */
    public CompletionStage<String> open(String issuer, String subject) {
        String id = randomId();
        long now = System.currentTimeMillis();
        JsonObject s = new JsonObject().put("issuer", issuer).put("subject", subject).put("createdAt", now)
                .put("endsAt", now + absoluteMs);
        return redis.set(Keys.session(TokenStore.hash(id)), s.encode(), SetArgs.Builder.px(Math.min(idleMs, absoluteMs)))
                .thenApply(ok -> id);
    }

    /**
     * The principal of a session id, or null (unknown, idle too long, past its absolute end, or the person is no
     * longer on the roster). Each use pushes the idle end back, never past the absolute end.
     */
    public CompletionStage<Principal> lookup(String id) {
        if (id == null || id.isBlank() || id.length() > 100) return CompletableFuture.completedFuture(null);
        String key = Keys.session(TokenStore.hash(id));
        return redis.get(key).thenCompose(json -> {
            if (json == null) return CompletableFuture.completedFuture(null);
            JsonObject s = new JsonObject(json);
            long left = s.getLong("endsAt") - System.currentTimeMillis();
            if (left <= 0) return redis.del(key).thenApply(n -> (Principal) null);
            redis.pexpire(key, Math.min(idleMs, left));
            return roster.find(s.getString("issuer"), s.getString("subject"));
        });
    }

    @Override
    public Credential.Kind kind() { return Credential.Kind.SESSION; }

    /**
     * The principal of each session (by the hash of its id) still open, not past its absolute end, whose person is
     * still on the roster: one GET per session, sent together (Lettuce pipelines them; not an MGET, since session
     * keys carry no common hash tag), then one HMGET of the roster. Read only: a check neither pushes the idle end
     * back (only the person's requests do) nor uses the roster's cache.
     */
    @Override
    public CompletionStage<Map<String, Principal>> current(Collection<String> hashes) {
        List<String> all = List.copyOf(hashes);
        List<CompletableFuture<String>> reads = new ArrayList<>(all.size());
        for (String h : all) reads.add(redis.get(Keys.session(h)).toCompletableFuture());
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenCompose(done -> {
            long now = System.currentTimeMillis();
            Map<String, String> fieldOf = new HashMap<>();
            for (int i = 0; i < all.size(); i++) {
                String json = reads.get(i).join();
                if (json == null) continue; // logged out, or idle too long (the key's TTL)
                JsonObject s = new JsonObject(json);
                if (s.getLong("endsAt") <= now) continue;
                fieldOf.put(all.get(i), Roster.field(s.getString("issuer"), s.getString("subject")));
            }
            return roster.current(fieldOf.values()).thenApply(people -> {
                Map<String, Principal> out = new HashMap<>();
                fieldOf.forEach((hash, field) -> {
                    Principal p = people.get(field);
                    if (p != null) out.put(hash, p);
                });
                return out;
            });
        });
    }

    /** Ends a session (logout); harmless for an unknown id. */
    public CompletionStage<Void> close(String id) {
        if (id == null || id.isBlank() || id.length() > 100) return CompletableFuture.completedFuture(null);
        return redis.del(Keys.session(TokenStore.hash(id))).thenApply(n -> null);
    }

    /** Keeps a login under way for ten minutes; returns its state (what the provider sends back). */
    public CompletionStage<String> startLogin(JsonObject login) {
        String state = randomId();
        return redis.set(Keys.login(TokenStore.hash(state)), login.encode(), SetArgs.Builder.ex(LOGIN_TTL_SECONDS))
                .thenApply(ok -> state);
    }

    /** The login of a state, once (a replayed callback finds nothing), or null. */
    public CompletionStage<JsonObject> takeLogin(String state) {
        if (state == null || state.isBlank() || state.length() > 100) return CompletableFuture.completedFuture(null);
        return redis.getdel(Keys.login(TokenStore.hash(state))).thenApply(json -> json == null ? null : new JsonObject(json));
    }
}
