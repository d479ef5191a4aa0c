package fr.snp.dispatch.booking;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.SseStream;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A request holds one slot at a time: holding another gives the first back, in the same Lua step. */
class OneHoldPerRequestTest {
    static TestServer server;

    @BeforeAll
    static void start() throws Exception { server = TestServer.start(Map.of()); }

    @AfterAll
    static void stop() { server.close(); }

    private static Api.Response hold(String token, String slot, String request) {
        return server.api.post("/api/v1/slots/" + slot + "/hold", token, new JsonObject().put("requestId", request));
    }

    private static String status(String slot) {
        return server.api.get("/api/v1/slots/" + slot, server.token(Role.OSNP)).json().getString("status");
    }

    @Test
    void holdingASecondSlotGivesTheFirstBackWithItsReleasedEventAndAnotherRequestMayTakeIt() throws Exception {
        String effector = server.effector("36044", null);
        String first = server.slot(effector, 90, "AMB", "SNP");
        String second = server.slot(effector, 130, "AMB", "SNP");
        String request = server.requestId(Role.REGULATOR, "SAS_116117");
        String token = server.token(Role.REGULATOR);

        Api.Response h1;
        try (SseStream live = new SseStream("http://127.0.0.1:" + server.dispatcher.port(), server.token(Role.OSNP), null)) {
            live.next("ready");
            h1 = hold(token, first, request);
            assertThat(h1.status()).isEqualTo(201);
            assertThat(status(first)).isEqualTo("held");

            Api.Response h2 = hold(token, second, request);
            assertThat(h2.status()).isEqualTo(201);
            assertThat(h2.json().getString("holdId")).isNotEqualTo(h1.json().getString("holdId"));
            assertThat(status(second)).isEqualTo("held");
            assertThat(status(first)).as("the first slot is given back").isEqualTo("free");
            assertThat(server.redis.exists(Keys.hold("36", first))).isZero();

            // the desks' live feeds hear it free, like a hold given back by hand
            boolean heard = false;
            for (int i = 0; i < 6 && !heard; i++) {
                JsonObject e = new JsonObject(live.next("slot").data());
                heard = e.getString("slotId").equals(first) && e.getString("type").equals("released");
            }
            assertThat(heard).as("a 'released' live event for the first slot").isTrue();
        }
        String h1Id = h1.json().getString("holdId");
        // and on the change stream every instance follows, right after the first slot's hold
        List<StreamMessage<String, String>> changes = server.redis.xrange(Keys.events("36"), Range.create("-", "+"));
        List<String> ofFirst = changes.stream().filter(m -> first.equals(m.getBody().get("id")))
                .map(m -> m.getBody().get("type")).toList();
        assertThat(ofFirst).endsWith("held", "released");

        // the first hold is gone: its id no longer books, and another request takes the slot
        Api.Response stale = server.api.book(token, first, request, h1Id, "one-hold-1");
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.code()).isEqualTo("HOLD_EXPIRED");
        String other = server.requestId(Role.OSNP, "OSNP");
        Api.Response taken = hold(server.token(Role.OSNP), first, other);
        assertThat(taken.status()).isEqualTo(201);
        // the first request still books its current hold
        Api.Response booked = server.api.book(token, second, request, h2HoldId(second), "one-hold-2");
        assertThat(booked.status()).isEqualTo(201);
    }

    private static String h2HoldId(String slot) {
        String v = server.redis.get(Keys.hold("36", slot));
        return v.substring(0, v.indexOf('|'));
    }

    @Test
    void holdingTheSameSlotAgainKeepsTheHoldAndAGivenBackHoldDoesNotBlockTheNext() {
        String effector = server.effector("36044", null);
        String first = server.slot(effector, 95, "AMB", "SNP");
        String second = server.slot(effector, 135, "AMB", "SNP");
        String request = server.requestId(Role.REGULATOR, "SAS_116117");
        String token = server.token(Role.REGULATOR);
        String holdId = hold(token, first, request).json().getString("holdId");
        assertThat(hold(token, first, request).json().getString("holdId")).isEqualTo(holdId);
        assertThat(server.api.delete("/api/v1/slots/" + first + "/hold?holdId=" + holdId, token).status()).isEqualTo(200);
        // someone else holds the first slot meanwhile: moving on must not take their hold away
        String other = server.requestId(Role.OSNP, "OSNP");
        assertThat(hold(server.token(Role.OSNP), first, other).status()).isEqualTo(201);
        assertThat(hold(token, second, request).status()).isEqualTo(201);
        assertThat(status(first)).isEqualTo("held");
        assertThat(server.redis.get(Keys.hold("36", first))).endsWith("|" + other);
    }

    @Test
    void concurrentHoldsForOneRequestLeaveExactlyOneSlotHeld() throws Exception {
        String effector = server.effector("36044", null);
        List<String> slots = List.of(server.slot(effector, 100, "AMB", "SNP"), server.slot(effector, 140, "AMB", "SNP"),
                server.slot(effector, 180, "AMB", "SNP"), server.slot(effector, 220, "AMB", "SNP"));
        String request = server.requestId(Role.REGULATOR, "SAS_116117");
        String token = server.token(Role.REGULATOR);
        List<java.util.concurrent.CompletableFuture<Api.Response>> racing = slots.stream()
                .map(s -> server.api.sendAsync("POST", "/api/v1/slots/" + s + "/hold", token,
                        new JsonObject().put("requestId", request), Map.of())).toList();
        racing.forEach(f -> assertThat(f.join().status()).isEqualTo(201));
        long held = slots.stream().filter(s -> status(s).equals("held")).count();
        assertThat(held).isEqualTo(1);
        assertThat(slots.stream().filter(s -> server.redis.exists(Keys.hold("36", s)) == 1).count()).isEqualTo(1);
    }
}
