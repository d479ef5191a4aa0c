package fr.snp.dispatch.waiting;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.SseStream;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.sim.SimulationClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The waiting list: a request nothing fitted waits; a slot that appears and fits it (published, freed by a
 * cancellation) is told live to the SAS desks, the most urgent request first; it leaves the list when booked (counted),
 * closed, or when its window passes. A server per test: each starts with no slot at all.
 */
class WaitingListTest {
    final SimulationClock clock = new SimulationClock();
    TestServer server;
    String regulator;

    @BeforeEach
    void start() throws Exception {
        clock.set(OffsetDateTime.parse("2026-12-07T09:00:00+01:00").toInstant());
        server = TestServer.start(Map.of(), clock);
        regulator = server.token(Role.REGULATOR);
    }

    @AfterEach
    void stop() { server.close(); }

    String base() { return "http://127.0.0.1:" + server.dispatcher.port(); }

    /** A request of the regulator for a patient of Châteauroux, needing a GP within {@code within}. */
    String request(String initials, String within) {
        Api.Response r = server.api.post("/api/v1/requests", regulator, new JsonObject().put("origin", "SAS_116117")
                .put("patient", new JsonObject().put("initials", initials).put("birthYear", 1950).put("phone", "0612345678")
                        .put("communeInsee", "36044"))
                .put("need", new JsonObject().put("within", within).put("modes", new JsonArray().add("AMB"))));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().getJsonArray("candidates")).as("nothing fits yet").isEmpty();
        return r.json().getString("id");
    }

    Api.Response putOnList(String requestId) { return server.api.post("/api/v1/requests/" + requestId + "/wait", regulator, null); }

    JsonArray list() {
        Api.Response r = server.api.get("/api/v1/waiting?territory=36", regulator);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().getJsonArray("waiting");
    }

    List<String> listed() { return list().stream().map(w -> ((JsonObject) w).getJsonObject("request").getString("id")).toList(); }

    static List<String> requestsOf(SseStream.Event notice) {
        return new JsonObject(notice.data()).getJsonArray("requests").stream().map(r -> ((JsonObject) r).getString("id")).toList();
    }

    @Test
    void aSlotThatAppearsIsToldToTheDesksMostUrgentFirstAndTheServedRequestLeavesTheList() throws Exception {
        String patient24h = request("BB", "PT24H");
        assertThat(putOnList(patient24h).json().getString("waitingSince")).startsWith("2026-12-07T09:00");
        clock.advance(Duration.ofMinutes(5));
        String patient4h = request("AA", "PT4H");
        Api.Response put = putOnList(patient4h);
        assertThat(put.status()).isEqualTo(200);
        assertThat(putOnList(patient4h).status()).as("twice is harmless").isEqualTo(200);
        assertThat(listed()).as("the earliest end of window first").containsExactly(patient4h, patient24h);
        assertThat(list().getJsonObject(0).getJsonArray("fits")).isEmpty();

        String effector = server.effector("36044", null);
        String slot;
        try (SseStream desk = new SseStream(base(), regulator, null);
             SseStream pharmacy = new SseStream(base(), server.token(Role.PHARMACIST), null)) {
            desk.next("ready");
            pharmacy.next("ready");
            slot = server.slot(effector, 120, "AMB", "SNP");
            SseStream.Event notice = desk.next("waiting");
            JsonObject n = new JsonObject(notice.data());
            assertThat(n.getJsonObject("slot").getString("slotId")).isEqualTo(slot);
            assertThat(n.getJsonObject("slot").getString("effector")).startsWith("Dr Test");
            assertThat(requestsOf(notice)).containsExactly(patient4h, patient24h);
            assertThat(n.getJsonArray("requests").getJsonObject(0).getString("initials")).isEqualTo("AA");
            assertThat(notice.id()).as("a notice is not a change: no id, not replayed").isNull();
            assertThat(pharmacy.poll("waiting", 1000)).as("the waiting list is the SAS desks'").isNull();
        }
        assertThat(list().getJsonObject(0).getJsonArray("fits").getJsonObject(0).getString("slotId")).isEqualTo(slot);

        // the desk calls the most urgent patient back and books: served from the list
        Api.Response booked = server.api.book(regulator, slot, patient4h, null, UUID.randomUUID().toString());
        assertThat(booked.status()).isEqualTo(201);
        assertThat(listed()).containsExactly(patient24h);
        assertThat(outcomes().getLong("servedFromWaitingList")).isEqualTo(1);

        // cancelled (the patient called back): the slot is free again and fits the one still waiting
        try (SseStream desk = new SseStream(base(), regulator, null)) {
            desk.next("ready");
            assertThat(server.api.post("/api/v1/appointments/" + booked.json().getString("id") + "/cancel", regulator,
                    new JsonObject().put("reason", "PATIENT")).status()).isEqualTo(200);
            assertThat(requestsOf(desk.next("waiting"))).containsExactly(patient24h);
        }
        assertThat(outcomes().getLong("servedFromWaitingList")).as("a cancelled appointment served no one").isZero();

        // closed another way: it leaves the list
        assertThat(server.api.post("/api/v1/requests/" + patient24h + "/outcome", regulator,
                new JsonObject().put("type", "ADVICE")).status()).isEqualTo(200);
        assertThat(listed()).isEmpty();
    }

    @Test
    void aSlotThatDoesNotFitTellsNoOne() throws Exception {
        String patient = request("CC", "PT3H");
        putOnList(patient);
        String effector = server.effector("36044", null);
        try (SseStream desk = new SseStream(base(), regulator, null)) {
            desk.next("ready");
            server.slot(effector, 60, "VR", "SNP");      // a teleconsultation: the patient needs to be seen
            server.slot(effector, 5 * 60, "AMB", "SNP"); // after the patient's window
            assertThat(desk.poll("waiting", 1500)).isNull();
            String fits = server.slot(effector, 90, "AMB", "SNP");
            assertThat(new JsonObject(desk.next("waiting").data()).getJsonObject("slot").getString("slotId")).isEqualTo(fits);
        }
    }

    @Test
    void aRequestLeavesWhenItsWindowPassesAndOnlyAnOpenRequestOfOnesOwnCanWait() throws Exception {
        String patient = request("DD", "PT1H");
        putOnList(patient);
        assertThat(listed()).containsExactly(patient);
        clock.advance(Duration.ofMinutes(61));
        assertThat(listed()).isEmpty();
        Api.Response late = putOnList(patient);
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.code()).isEqualTo("WINDOW_PASSED");

        String closed = request("EE", "PT4H");
        server.api.post("/api/v1/requests/" + closed + "/outcome", regulator, new JsonObject().put("type", "ADVICE"));
        assertThat(putOnList(closed).code()).isEqualTo("REQUEST_CLOSED");
        assertThat(server.api.delete("/api/v1/requests/" + closed + "/wait", regulator).json().getString("result"))
                .isEqualTo("NOT_WAITING");

        String open = request("FF", "PT4H");
        Api.Response pharmacist = server.api.post("/api/v1/requests/" + open + "/wait", server.token(Role.PHARMACIST), null);
        assertThat(pharmacist.status()).isEqualTo(403);
        assertThat(server.api.get("/api/v1/waiting?territory=85", regulator).code()).isEqualTo("TERRITORY_NOT_SERVED");
        assertThat(server.api.delete("/api/v1/requests/" + open + "/wait", regulator).status()).isEqualTo(200);
        assertThat(listed()).isEmpty();
    }

    JsonObject outcomes() {
        Api.Response r = server.api.get("/api/v1/stats/outcomes?territory=36&from=2026-12-07&to=2026-12-07&groupBy=territory",
                server.token(Role.OPS));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }
}
