package fr.snp.dispatch.limits;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.Dispatcher;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.redis.Keys;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nobody floods or hoards: a cap of holds per principal and a rate limit on writes, both counted in Redis (so two
 * instances share them), answered 429 with Retry-After, and a refused call changes nothing stored.
 */
class FloodLimitsTest {
    static final Map<String, String> LIMITS = Map.of("limits.activeHoldsPerPrincipal", "3", "limits.writesPerMinute", "40");
    static TestServer server;
    static Dispatcher second;
    static Api secondApi;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(LIMITS);
        second = server.secondInstance(LIMITS);
        secondApi = new Api("http://127.0.0.1:" + second.port());
    }

    @AfterAll
    static void stop() {
        second.close();
        server.close();
    }

    /** A regulator desk of its own (its own counters), serving Indre. */
    private static String desk() throws Exception { return server.token(Role.REGULATOR, "desk", "SAS-36", Set.of()); }

    private static String request(String token) {
        Api.Response r = server.api.post("/api/v1/requests", token, requestBody());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().getString("id");
    }

    private static JsonObject requestBody() {
        return new JsonObject().put("origin", "SAS_116117").put("patient", new JsonObject().put("initials", "TP")
                .put("birthYear", 1960).put("phone", "0612345678").put("communeInsee", "36044"));
    }

    private static Api.Response hold(Api api, String token, String slot, String request) {
        return api.post("/api/v1/slots/" + slot + "/hold", token, new JsonObject().put("requestId", request));
    }

    /** Every key with its content: what "changes nothing stored" is checked against (TestServer.stored). */
    private static Map<String, String> snapshot() { return server.stored(true); }

    /** The same without the write counters, which count every attempted write (a refused input too). */
    private static Map<String, String> snapshot(boolean withRateCounters) { return server.stored(withRateCounters); }

    private static void assertTooManyHolds(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(429);
        assertThat(r.code()).isEqualTo("TOO_MANY_HOLDS");
        assertThat(r.json().getString("message")).isNotBlank();
        assertThat(r.json().containsKey("field")).isTrue();
        assertThat(r.json().getValue("field")).isNull();
        long retry = Long.parseLong(r.header("Retry-After"));
        assertThat(retry).isBetween(1L, 120L); // the oldest hold ends within the hold time (120 s)
    }

    @Test
    void aPrincipalHoldsAtMostTheCapAndARefusedHoldChangesNothing() throws Exception {
        String token = desk();
        String effector = server.effector("36044", null);
        List<String> slots = new ArrayList<>();
        for (int i = 0; i < 5; i++) slots.add(server.slot(effector, 90 + 30 * i, "AMB", "SNP"));
        List<String> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) requests.add(request(token));
        String firstHold = null;
        for (int i = 0; i < 3; i++) {
            Api.Response h = hold(server.api, token, slots.get(i), requests.get(i));
            assertThat(h.status()).as(h.toString()).isEqualTo(201);
            if (i == 0) firstHold = h.json().getString("holdId");
        }

        Map<String, String> before = snapshot(false);
        Api.Response refused = hold(server.api, token, slots.get(3), requests.get(3));
        assertTooManyHolds(refused);
        assertThat(snapshot(false)).as("a refused hold changes nothing stored").isEqualTo(before);
        // the other instance counts the same holds
        assertTooManyHolds(hold(secondApi, token, slots.get(3), requests.get(3)));
        assertThat(server.api.get("/api/v1/slots/" + slots.get(3), token).json().getString("status")).isEqualTo("free");
        // another desk is not held back by this one
        String other = desk();
        assertThat(hold(server.api, other, slots.get(4), request(other)).status()).isEqualTo(201);

        // moving a request's hold to another slot does not count twice
        assertThat(hold(server.api, token, slots.get(3), requests.get(0)).status()).isEqualTo(201);
        // a hold given back, or booked, stops counting
        String fourth = request(token);
        assertTooManyHolds(hold(server.api, token, slots.get(0), fourth));
        String movedHold = server.redis.get(Keys.hold("36", slots.get(3))).split("\\|")[0];
        assertThat(server.api.delete("/api/v1/slots/" + slots.get(3) + "/hold?holdId=" + movedHold, token).status())
                .isEqualTo(200);
        Api.Response afterRelease = hold(server.api, token, slots.get(0), fourth);
        assertThat(afterRelease.status()).as(afterRelease.toString()).isEqualTo(201);
        assertTooManyHolds(hold(server.api, token, slots.get(3), requests.get(3)));
        String heldId = server.redis.get(Keys.hold("36", slots.get(1))).split("\\|")[0];
        assertThat(server.api.book(token, slots.get(1), requests.get(1), heldId, "flood-book-1").status()).isEqualTo(201);
        assertThat(hold(server.api, token, slots.get(3), requests.get(3)).status()).isEqualTo(201);
        assertThat(firstHold).isNotNull();
    }

    @Test
    void racingHoldsOnTwoInstancesGetExactlyTheCap() throws Exception {
        String token = desk();
        String effector = server.effector("36063", null);
        List<String> slots = new ArrayList<>();
        List<String> requests = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            slots.add(server.slot(effector, 100 + 25 * i, "AMB", "SNP"));
            requests.add(request(token));
        }
        List<CompletableFuture<Api.Response>> racing = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Api api = i % 2 == 0 ? server.api : secondApi;
            racing.add(api.sendAsync("POST", "/api/v1/slots/" + slots.get(i) + "/hold", token,
                    new JsonObject().put("requestId", requests.get(i)), Map.of()));
        }
        List<Api.Response> answers = racing.stream().map(CompletableFuture::join).toList();
        assertThat(answers.stream().filter(r -> r.status() == 201).count()).isEqualTo(3);
        answers.stream().filter(r -> r.status() != 201).forEach(FloodLimitsTest::assertTooManyHolds);
        assertThat(slots.stream().filter(s -> server.redis.exists(Keys.hold("36", s)) == 1).count()).isEqualTo(3);
    }

    @Test
    void writesBeyondTheRateAreRefusedOnEveryInstanceAndStoreNothing() throws Exception {
        String token = desk();
        int before = server.redis.keys("snp:{36}:req:*").size();
        List<CompletableFuture<Api.Response>> flood = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Api api = i % 2 == 0 ? server.api : secondApi;
            flood.add(api.sendAsync("POST", "/api/v1/requests", token, requestBody(), Map.of()));
        }
        List<Api.Response> answers = flood.stream().map(CompletableFuture::join).toList();
        assertThat(answers.stream().filter(r -> r.status() == 201).count()).isEqualTo(40);
        List<Api.Response> limited = answers.stream().filter(r -> r.status() != 201).toList();
        assertThat(limited).hasSize(10);
        for (Api.Response r : limited) {
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.code()).isEqualTo("RATE_LIMITED");
            assertThat(r.json().getValue("field")).isNull();
            assertThat(Long.parseLong(r.header("Retry-After"))).isBetween(1L, 60L);
        }
        assertThat(server.redis.keys("snp:{36}:req:*")).hasSize(before + 40);

        // holds and bookings count in the same window; a refused one changes nothing stored
        String effector = server.effector("36044", null);
        String slot = server.slot(effector, 120, "AMB", "SNP");
        String filed = answers.stream().filter(r -> r.status() == 201).findFirst().orElseThrow().json().getString("id");
        Map<String, String> snapshot = snapshot();
        Api.Response h = hold(server.api, token, slot, filed);
        assertThat(h.code()).isEqualTo("RATE_LIMITED");
        assertThat(server.api.book(token, slot, filed, null, "flood-2").code())
                .isEqualTo("RATE_LIMITED");
        assertThat(snapshot()).isEqualTo(snapshot);
        // reads are not writes: the desk still sees its requests
        assertThat(server.api.get("/api/v1/requests/" + filed, token)
                .status()).isEqualTo(200);
        // another desk of the same SAS has its own count
        String other = desk();
        assertThat(server.api.post("/api/v1/requests", other, requestBody()).status()).isEqualTo(201);
    }

    @Test
    void theNewCodesHaveTheirFrenchSentences() {
        JsonObject codes = server.api.get("/api/v1/codes", null).json().getJsonObject("codes");
        for (String code : List.of("TOO_MANY_HOLDS", "RATE_LIMITED")) {
            assertThat(codes.getJsonObject(code).getInteger("status")).isEqualTo(429);
            assertThat(codes.getJsonObject(code).getString("fr")).isNotBlank();
        }
    }
}
