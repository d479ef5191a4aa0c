package fr.snp.dispatch.auth;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The widget holds no long-lived secret: a site's back end trades its organisation's API key for a widget session
 * of at most 15 minutes, bound to the organisation and to the origins it registered; the API answers CORS for those
 * origins only; a key sent from another site's page is refused; revoking the key ends its sessions.
 */
class WidgetSessionTest {
    static final String SITE = "https://pharmacie-w1.example";
    static final String OTHER_PHARMACY_SITE = "https://pharmacie-w2.example";
    static final String NOBODY_SITE = "https://evil.example";
    static TestServer server;
    static String key;
    static String keyOfW2;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        key = server.token(Role.PHARMACIST, "Pharmacie W1", "PHARMA-W1", Set.of());
        keyOfW2 = server.token(Role.PHARMACIST, "Pharmacie W2", "PHARMA-W2", Set.of());
        widgets().addOrigin("PHARMA-W1", SITE).toCompletableFuture().get(5, TimeUnit.SECONDS);
        widgets().addOrigin("PHARMA-W2", OTHER_PHARMACY_SITE).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() { server.close(); }

    static WidgetSessions widgets() { return server.dispatcher.services().people().widgets(); }

    /** A store on a connection of its own, as the CLI has: this instance's caches are not told of its changes. */
    static <T> T likeTheCli(java.util.function.Function<io.lettuce.core.api.async.RedisAsyncCommands<String, String>, java.util.concurrent.CompletionStage<T>> f)
            throws Exception {
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(server.redisServer.url());
        try (var c = client.connect()) {
            return f.apply(c.async()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        } finally {
            client.shutdown();
        }
    }

    static Api.Response call(String method, String path, String token, Object body, String origin) {
        return server.api.send(method, path, token, body, origin == null ? Map.of() : Map.of("Origin", origin));
    }

    static JsonObject requestBody() {
        return new JsonObject().put("origin", "PHARMACIST").put("patient", new JsonObject().put("initials", "WS")
                .put("birthYear", 1951).put("phone", "0612345670").put("communeInsee", "36044"))
                .put("need", new JsonObject().put("within", "P2D"));
    }

    static int sessionsStored() { return server.redis.keys("snp:widget-session:*").size(); }

    @Test
    void theKeyBuysAQuarterOfAnHourFromTheRegisteredSitesOnly() {
        Api.Response opened = server.api.post("/api/v1/widget/sessions", key, new JsonObject());
        assertThat(opened.status()).as("%s", opened).isEqualTo(201);
        String session = opened.json().getString("token");
        assertThat(session).startsWith("wst_");
        assertThat(opened.json().getLong("expiresInSeconds")).isEqualTo(900);
        assertThat(opened.json().getJsonArray("origins").getList()).containsExactly(SITE);
        assertThat(opened.header("Cache-Control")).isEqualTo("no-store");
        // Redis keeps its hash only, and forgets it by itself after 15 minutes
        String stored = "snp:widget-session:" + TokenStore.hash(session);
        assertThat(server.redis.pttl(stored)).isBetween(1L, 900_000L);
        assertThat(server.redis.keys("*" + session.substring(4) + "*")).isEmpty();

        // from the pharmacy's site, it files a request as the pharmacy (its organisation, its territory)
        Api.Response filed = call("POST", "/api/v1/requests", session, requestBody(), SITE);
        assertThat(filed.status()).as("%s", filed).isEqualTo(201);
        assertThat(filed.header("Access-Control-Allow-Origin")).isEqualTo(SITE);
        JsonObject me = call("GET", "/api/v1/me", session, null, SITE).json();
        assertThat(me.getString("org")).isEqualTo("PHARMA-W1");
        assertThat(me.getString("role")).isEqualTo("pharmacist");

        // from a site nobody registered: refused before anything runs, with no CORS grant
        Api.Response foreign = call("POST", "/api/v1/requests", session, requestBody(), NOBODY_SITE);
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.code()).isEqualTo("WEB_ORIGIN_NOT_ALLOWED");
        assertThat(foreign.header("Access-Control-Allow-Origin")).isNull();
        // from another pharmacy's registered site: CORS passes, the session does not
        Api.Response elsewhere = call("POST", "/api/v1/requests", session, requestBody(), OTHER_PHARMACY_SITE);
        assertThat(elsewhere.status()).isEqualTo(403);
        assertThat(elsewhere.code()).isEqualTo("WEB_ORIGIN_NOT_ALLOWED");

        // one origin asked for: the session is bound to it alone
        Api.Response one = server.api.post("/api/v1/widget/sessions", key, new JsonObject().put("origin", SITE + ":443"));
        assertThat(one.status()).as("%s", one).isEqualTo(201);
        assertThat(one.json().getJsonArray("origins").getList()).containsExactly(SITE);
    }

    @Test
    void everyWrongExchangeIsRefusedClearlyAndStoresNothing() throws Exception {
        String session = server.api.post("/api/v1/widget/sessions", key, null).json().getString("token");
        String regulator = server.token(Role.REGULATOR);
        String lonePharmacy = server.token(Role.PHARMACIST, "Pharmacie sans site", "PHARMA-NOSITE", Set.of());
        record Case(Supplier<Api.Response> call, int status, String code, String field) {}
        Case[] cases = {
                new Case(() -> server.api.post("/api/v1/widget/sessions", key, new JsonObject().put("ttlSeconds", 901)), 400, "INVALID_FIELD", "ttlSeconds"),
                new Case(() -> server.api.post("/api/v1/widget/sessions", key, new JsonObject().put("ttlSeconds", 0)), 400, "INVALID_FIELD", "ttlSeconds"),
                new Case(() -> server.api.post("/api/v1/widget/sessions", key, new JsonObject().put("origin", "http://pharmacie-w1.example")), 400, "INVALID_FIELD", "origin"),
                new Case(() -> server.api.post("/api/v1/widget/sessions", key, new JsonObject().put("origin", SITE + "/page")), 400, "INVALID_FIELD", "origin"),
                new Case(() -> server.api.post("/api/v1/widget/sessions", key, new JsonObject().put("origin", OTHER_PHARMACY_SITE)), 400, "ORIGIN_NOT_REGISTERED", "origin"),
                new Case(() -> server.api.post("/api/v1/widget/sessions", key, "[1]"), 400, "INVALID_JSON", null),
                new Case(() -> server.api.post("/api/v1/widget/sessions", lonePharmacy, null), 409, "NO_REGISTERED_ORIGIN", null),
                new Case(() -> server.api.post("/api/v1/widget/sessions", regulator, null), 403, "FORBIDDEN", null),
                // a session cannot prolong itself, even from its own site
                new Case(() -> call("POST", "/api/v1/widget/sessions", session, null, SITE), 403, "API_KEY_REQUIRED", null),
                // the key itself, from a web page (even the pharmacy's registered one): refused
                new Case(() -> call("POST", "/api/v1/widget/sessions", key, null, SITE), 403, "API_KEY_IN_WEB_PAGE", null),
                new Case(() -> server.api.post("/api/v1/widget/sessions", "wst_forged", null), 401, "WIDGET_SESSION_ENDED", null),
        };
        int before = sessionsStored();
        for (Case c : cases) {
            Api.Response r = c.call.get();
            assertThat(r.status()).as("%s", r).isEqualTo(c.status);
            assertThat(r.code()).as("%s", r).isEqualTo(c.code);
            assertThat(r.json().getString("field")).as("%s", r).isEqualTo(c.field);
            assertThat(r.json().getString("message")).isNotBlank();
        }
        assertThat(sessionsStored()).as("a refused exchange stores no session").isEqualTo(before);
    }

    @Test
    void anApiKeyIsRefusedFromAnotherSitesPageButNotFromSoftwareOrOurOwnPages() {
        Api.Response fromPage = call("GET", "/api/v1/me", key, null, SITE);
        assertThat(fromPage.status()).isEqualTo(403);
        assertThat(fromPage.code()).isEqualTo("API_KEY_IN_WEB_PAGE");
        assertThat(call("GET", "/api/v1/me", key, null, null).status()).isEqualTo(200);
        String own = "http://127.0.0.1:" + server.dispatcher.port();
        assertThat(call("GET", "/api/v1/me", key, null, own).status()).isEqualTo(200);
    }

    @Test
    void corsAnswersOnlyTheRegisteredOriginsAndForgetsARemovedOneWithinFiveSeconds() throws Exception {
        Map<String, String> preflight = Map.of("Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "authorization,content-type,idempotency-key");
        Api.Response granted = server.api.send("OPTIONS", "/api/v1/appointments", null, null, with(preflight, "Origin", SITE));
        assertThat(granted.status()).isEqualTo(204);
        assertThat(granted.header("Access-Control-Allow-Origin")).isEqualTo(SITE);
        assertThat(granted.header("Access-Control-Allow-Headers")).contains("Authorization", "Idempotency-Key");
        assertThat(granted.header("Access-Control-Allow-Credentials")).isNull();
        assertThat(granted.header("Vary")).contains("Origin");

        Api.Response refused = server.api.send("OPTIONS", "/api/v1/appointments", null, null, with(preflight, "Origin", NOBODY_SITE));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.header("Access-Control-Allow-Origin")).isNull();
        assertThat(server.api.send("OPTIONS", "/api/v1/appointments", null, null, with(preflight, "Origin", "null")).status())
                .as("a sandboxed frame's origin").isEqualTo(403);

        // the widget's script is public code any site may load (module scripts are fetched in CORS mode)
        Api.Response script = server.api.send("GET", "/widget/snp-widget.js", null, null, Map.of("Origin", NOBODY_SITE));
        assertThat(script.status()).isEqualTo(200);
        assertThat(script.header("Access-Control-Allow-Origin")).isEqualTo("*");

        String gone = "https://ancien-site.example";
        widgets().addOrigin("PHARMA-W1", gone).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(server.api.send("OPTIONS", "/api/v1/appointments", null, null, with(preflight, "Origin", gone)).status()).isEqualTo(204);
        // removed through a store of its own, as the CLI does (this instance's cache is not told)
        likeTheCli(redis -> new WidgetSessions(redis, new TokenStore(redis)).removeOrigin("PHARMA-W1", gone));
        long removedAt = System.nanoTime();
        while (server.api.send("OPTIONS", "/api/v1/appointments", null, null, with(preflight, "Origin", gone)).status() == 204) {
            assertThat(System.nanoTime() - removedAt).as("still answered").isLessThan(TimeUnit.SECONDS.toNanos(6));
            Thread.sleep(100);
        }
    }

    @Test
    void aSessionEndsWithItsTimeAndWithItsKey() throws Exception {
        Api.Response shortOne = server.api.post("/api/v1/widget/sessions", key, new JsonObject().put("ttlSeconds", 1));
        String brief = shortOne.json().getString("token");
        assertThat(call("GET", "/api/v1/me", brief, null, SITE).status()).isEqualTo(200);
        Thread.sleep(1_200);
        Api.Response ended = call("GET", "/api/v1/me", brief, null, SITE);
        assertThat(ended.status()).isEqualTo(401);
        assertThat(ended.code()).isEqualTo("WIDGET_SESSION_ENDED");

        // a key of its own, revoked as `token revoke` does: its sessions stop within five seconds
        String doomed = server.token(Role.PHARMACIST, "Pharmacie W1 (ancienne clé)", "PHARMA-W1", Set.of());
        String session = server.api.post("/api/v1/widget/sessions", doomed, null).json().getString("token");
        assertThat(call("GET", "/api/v1/me", session, null, SITE).status()).isEqualTo(200);
        String id = likeTheCli(redis -> new TokenStore(redis).describe()).stream()
                .filter(j -> j.getString("name").equals("Pharmacie W1 (ancienne clé)")).findFirst().orElseThrow().getString("id");
        long revoked = likeTheCli(redis -> new TokenStore(redis).revoke(id));
        assertThat(revoked).isEqualTo(1);
        long revokedAt = System.nanoTime();
        Api.Response seen;
        while ((seen = call("GET", "/api/v1/me", session, null, SITE)).status() == 200) {
            assertThat(System.nanoTime() - revokedAt).as("still working").isLessThan(TimeUnit.SECONDS.toNanos(6));
            Thread.sleep(100);
        }
        assertThat(seen.status()).as("%s", seen).isEqualTo(401);
        Api.Response after = call("GET", "/api/v1/me", session, null, SITE);
        assertThat(after.code()).as("%s", after).isEqualTo("WIDGET_SESSION_ENDED");
        assertThat(call("GET", "/api/v1/me", key, null, null).status()).as("the other key is untouched").isEqualTo(200);
    }

    static Map<String, String> with(Map<String, String> m, String k, String v) {
        Map<String, String> out = new java.util.HashMap<>(m);
        out.put(k, v);
        return out;
    }
}
