package fr.snp.dispatch.auth;

import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What an embedded widget works with instead of its organisation's API key. A pharmacy (or a hospital) registers
 * the origins of the sites that embed the widget ({@code origin add}); its web site's back end exchanges the
 * organisation's API key, server to server, for a <em>widget session</em>: a random {@code wst_} token valid at most
 * 15 minutes, bound to the organisation (it acts as the key's principal, within its limits) and to those origins.
 * The page hands it to the widget; whoever copies it from the page gets a quarter of an hour from those origins, not
 * the key. Redis keeps SHA-256 of the token under a key whose TTL is the session's life (SET EX: one write), with
 * the hash of the API key it came from, so that revoking the key ends its sessions too.
 * The registered origins are also what the API's CORS answers; they are read from Redis and cached five seconds.
 */
public final class WidgetSessions implements CredentialCheck.Store {
    /** The longest a widget session lives: a copy taken from a page is worth a quarter of an hour at most. */
    public static final Duration MAX_VALIDITY = Duration.ofMinutes(15);
    public static final String PREFIX = "wst_";
    private static final long ORIGINS_CACHE_MS = 5_000;

    private final RedisClusterAsyncCommands<String, String> redis;
    private final TokenStore keys;
    private volatile CachedOrigins origins = new CachedOrigins(Map.of(), 0);

    /** A widget session: who it acts as, the API key it came from (its hash) and the origins it may be used from. */
    public record Session(Principal principal, String keyHash, Set<String> origins) {
        public Session { origins = Set.copyOf(origins); }
    }

    /** Origin -> the organisations that registered it (a shared host, e.g. a group of pharmacies, may serve several). */
    private record CachedOrigins(Map<String, Set<String>> orgsByOrigin, long untilMs) {}

    /** {@code keys}: where the API keys the sessions were traded for are checked. */
    public WidgetSessions(RedisClusterAsyncCommands<String, String> redis, TokenStore keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /**
     * An origin as browsers write it in an Origin header ({@code https://host[:port]}, lower case, no path), or null
     * when the text is not one: https only, except http on a loopback host (demo and tests).
     */
    public static String normalise(String text) {
        if (text == null || text.isBlank() || text.length() > 200) return null;
        URI u;
        try {
            u = new URI(text.strip());
        } catch (java.net.URISyntaxException e) {
            return null;
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        String host = u.getHost() == null ? null : u.getHost().toLowerCase(Locale.ROOT);
        if (host == null || u.getUserInfo() != null || u.getQuery() != null || u.getFragment() != null
                || !(u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/"))) {
            return null;
        }
        boolean loopback = host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
        if (!scheme.equals("https") && !(scheme.equals("http") && loopback)) return null;
        int port = u.getPort();
        boolean defaultPort = port < 0 || (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
        return scheme + "://" + host + (defaultPort ? "" : ":" + port);
    }

    // --- registered origins --------------------------------------------------------------------------------------

    /** The organisation's registered origins, sorted. */
    public CompletionStage<Set<String>> originsOf(String org) {
        return redis.hget(Keys.ORG_ORIGINS, org).thenApply(WidgetSessions::parse);
    }

    /** Registers an origin (already normalised) for an organisation; answers its origins after the change. */
    public CompletionStage<Set<String>> addOrigin(String org, String origin) {
        return originsOf(org).thenCompose(current -> {
            Set<String> next = new TreeSet<>(current);
            next.add(origin);
            origins = new CachedOrigins(Map.of(), 0);
            return redis.hset(Keys.ORG_ORIGINS, org, new JsonArray(List.copyOf(next)).encode()).thenApply(ok -> next);
        });
    }

    /** Takes an origin off an organisation's list; its widget sessions stop working from there within 5 s. */
    public CompletionStage<Set<String>> removeOrigin(String org, String origin) {
        return originsOf(org).thenCompose(current -> {
            Set<String> next = new TreeSet<>(current);
            next.remove(origin);
            origins = new CachedOrigins(Map.of(), 0);
            CompletionStage<?> write = next.isEmpty() ? redis.hdel(Keys.ORG_ORIGINS, org)
                    : redis.hset(Keys.ORG_ORIGINS, org, new JsonArray(List.copyOf(next)).encode());
            return write.thenApply(ok -> next);
        });
    }

    /** Every organisation's registered origins (what {@code origin list} prints). */
    public CompletionStage<Map<String, String>> listOrigins() { return redis.hgetall(Keys.ORG_ORIGINS); }

    /**
     * Whether some organisation registered this origin: what the API's CORS answers. Cached five seconds on each
     * instance, so that a preflight costs no Redis round trip.
     */
    public CompletionStage<Boolean> registered(String origin) {
        CachedOrigins c = origins;
        long now = System.currentTimeMillis();
        if (c.untilMs > now) return CompletableFuture.completedFuture(c.orgsByOrigin.containsKey(origin));
        return redis.hgetall(Keys.ORG_ORIGINS).thenApply(all -> {
            Map<String, Set<String>> byOrigin = new HashMap<>();
            all.forEach((org, json) -> parse(json).forEach(o -> byOrigin.computeIfAbsent(o, x -> new TreeSet<>()).add(org)));
            origins = new CachedOrigins(byOrigin, now + ORIGINS_CACHE_MS);
            return byOrigin.containsKey(origin);
        });
    }

    // --- sessions ------------------------------------------------------------------------------------------------

    /**
     * Opens a widget session for the principal of an API key (its hash given), usable from {@code allowed} (a
     * non-empty subset of the organisation's registered origins, checked by the caller); returns the token, shown
     * once.
     */
    public CompletionStage<String> open(Principal p, String keyHash, Set<String> allowed, Duration validity) {
        if (allowed.isEmpty() || validity.isNegative() || validity.isZero() || validity.compareTo(MAX_VALIDITY) > 0) {
            throw new IllegalArgumentException("a widget session has origins and lives at most " + MAX_VALIDITY);
        }
        String token = PREFIX + Sessions.randomId();
        JsonObject j = new JsonObject().put("principal", TokenStore.toJson(p)).put("key", keyHash)
                .put("origins", new JsonArray(List.copyOf(new TreeSet<>(allowed))));
        return redis.set(Keys.widgetSession(TokenStore.hash(token)), j.encode(), SetArgs.Builder.px(validity.toMillis()))
                .thenApply(ok -> token);
    }

    /** The session of a token, or null when unknown or expired (Redis dropped it with its TTL). */
    public CompletionStage<Session> lookup(String token) {
        if (token == null || !token.startsWith(PREFIX) || token.length() > 100) return CompletableFuture.completedFuture(null);
        return redis.get(Keys.widgetSession(TokenStore.hash(token))).thenApply(json -> {
            if (json == null) return null;
            JsonObject j = new JsonObject(json);
            return new Session(TokenStore.fromJson(j.getJsonObject("principal")), j.getString("key"), origins(j.getJsonArray("origins")));
        });
    }

    @Override
    public Credential.Kind kind() { return Credential.Kind.WIDGET_SESSION; }

    /**
     * The sessions (by token hash) still alive whose API key still holds, read from Redis (a GET each, sent
     * together, then one HMGET of the keys): what the live feed checks its open streams against.
     */
    @Override
    public CompletionStage<Map<String, Principal>> current(java.util.Collection<String> hashes) {
        List<String> asked = List.copyOf(hashes);
        List<CompletableFuture<String>> reads = asked.stream()
                .map(h -> redis.get(Keys.widgetSession(h)).toCompletableFuture()).toList();
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenCompose(done -> {
            Map<String, JsonObject> alive = new HashMap<>();
            for (int i = 0; i < asked.size(); i++) {
                String json = reads.get(i).join();
                if (json != null) alive.put(asked.get(i), new JsonObject(json));
            }
            Set<String> keyHashes = new TreeSet<>();
            alive.values().forEach(j -> keyHashes.add(j.getString("key")));
            return keys.current(keyHashes).thenApply(validKeys -> {
                Map<String, Principal> out = new HashMap<>();
                alive.forEach((hash, j) -> {
                    if (validKeys.containsKey(j.getString("key"))) out.put(hash, TokenStore.fromJson(j.getJsonObject("principal")));
                });
                return out;
            });
        });
    }

    private static Set<String> parse(String json) { return json == null ? new TreeSet<>() : origins(new JsonArray(json)); }

    private static Set<String> origins(JsonArray array) {
        Set<String> out = new TreeSet<>();
        array.forEach(o -> out.add((String) o));
        return out;
    }
}
