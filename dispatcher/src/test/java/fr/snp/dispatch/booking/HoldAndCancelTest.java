package fr.snp.dispatch.booking;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.Dispatcher;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Holds hide a slot and end by themselves; cancel and withdraw give slots back or take them away. */
class HoldAndCancelTest {
    static TestServer server;

    @BeforeAll
    static void start() throws Exception { server = TestServer.start(Map.of("hold.ttlSeconds", "2")); }

    @AfterAll
    static void stop() { server.close(); }

    private static List<String> candidateSlots(Api.Response request) {
        return request.json().getJsonArray("candidates").stream().map(c -> ((JsonObject) c).getString("slotId")).toList();
    }

    private static List<String> candidatesOf(String requestId, Role role) {
        Api.Response r = server.api.get("/api/v1/requests/" + requestId, server.token(role));
        assertThat(r.status()).isEqualTo(200);
        return candidateSlots(r);
    }

    @Test
    void aHeldSlotLeavesOtherCandidateListsAndComesBackWhenTheHoldExpires() throws Exception {
        String effector = server.effector("36202", null); // Saint-Maur
        String slot = server.slot(effector, 95, "AMB", "SNP");
        Api.Response first = server.request(Role.REGULATOR, "SAS_116117", "36202", null);
        String other = server.requestId(Role.OSNP, "OSNP");
        assertThat(candidateSlots(first)).contains(slot);

        Api.Response hold = server.api.post("/api/v1/slots/" + slot + "/hold", server.token(Role.REGULATOR),
                new JsonObject().put("requestId", first.json().getString("id")));
        assertThat(hold.status()).isEqualTo(201);
        assertThat(hold.json().getString("holdId")).isNotBlank();
        assertThat(OffsetDateTime.parse(hold.json().getString("expiresAt"))).isAfter(OffsetDateTime.now());
        assertThat(candidatesOf(other, Role.OSNP)).doesNotContain(slot);
        assertThat(server.api.get("/api/v1/slots/" + slot, server.token(Role.OSNP)).json().getString("status")).isEqualTo("held");

        // someone else cannot book it, nor hold it
        Api.Response stolen = server.api.book(server.token(Role.OSNP), slot, other, null, "steal-1");
        assertThat(stolen.status()).isEqualTo(409);
        assertThat(stolen.code()).isEqualTo("SLOT_HELD");
        Api.Response secondHold = server.api.post("/api/v1/slots/" + slot + "/hold", server.token(Role.OSNP),
                new JsonObject().put("requestId", other));
        assertThat(secondHold.code()).isEqualTo("SLOT_HELD");

        // the hold ends when Redis expires its key: no job involved
        Thread.sleep(2300);
        assertThat(candidatesOf(other, Role.OSNP)).contains(slot);
        Api.Response late = server.api.book(server.token(Role.REGULATOR), slot, first.json().getString("id"),
                hold.json().getString("holdId"), "late-1");
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.code()).isEqualTo("HOLD_EXPIRED");
        Api.Response taken = server.api.book(server.token(Role.OSNP), slot, other, null, "steal-2");
        assertThat(taken.status()).isEqualTo(201);
    }

    @Test
    void theHolderBooksWithItsHoldAndCanGiveAHoldBack() {
        String effector = server.effector("36159", null);
        String slot = server.slot(effector, 100, "AMB", "SNP");
        String request = server.requestId(Role.REGULATOR, "SAS_116117");
        String token = server.token(Role.REGULATOR);
        JsonObject hold = server.api.post("/api/v1/slots/" + slot + "/hold", token,
                new JsonObject().put("requestId", request)).json();
        // holding again for the same request gives the same hold back
        JsonObject again = server.api.post("/api/v1/slots/" + slot + "/hold", token,
                new JsonObject().put("requestId", request)).json();
        assertThat(again.getString("holdId")).isEqualTo(hold.getString("holdId"));

        Api.Response released = server.api.delete("/api/v1/slots/" + slot + "/hold?holdId=" + hold.getString("holdId"), token);
        assertThat(released.status()).isEqualTo(200);
        assertThat(released.json().getString("status")).isEqualTo("free");
        assertThat(server.api.delete("/api/v1/slots/" + slot + "/hold?holdId=" + hold.getString("holdId"), token).code())
                .isEqualTo("HOLD_NOT_FOUND");

        JsonObject hold2 = server.api.post("/api/v1/slots/" + slot + "/hold", token, new JsonObject().put("requestId", request)).json();
        Api.Response booked = server.api.book(token, slot, request, hold2.getString("holdId"), "holder-1");
        assertThat(booked.status()).isEqualTo(201);
        assertThat(booked.json().getString("status")).isEqualTo("booked");
        assertThat(booked.json().getJsonObject("effector").getString("id")).isEqualTo(effector);
        assertThat(server.api.get("/api/v1/requests/" + request, token).json().getString("status")).isEqualTo("booked");
        // a request takes one appointment
        String another = server.slot(effector, 160, "AMB", "SNP");
        assertThat(server.api.book(token, another, request, null, "holder-2").code()).isEqualTo("REQUEST_ALREADY_BOOKED");
    }

    @Test
    void cancellingGivesAFutureSlotBackAndTheRequestCanBeBookedAgain() {
        String effector = server.effector("36063", null); // Déols
        String slot = server.slot(effector, 110, "AMB", "SNP");
        String request = server.requestId(Role.REGULATOR, "SAS_116117");
        String token = server.token(Role.REGULATOR);
        JsonObject appointment = server.api.book(token, slot, request, null, "cancel-1").json();
        String other = server.requestId(Role.OSNP, "OSNP");
        assertThat(candidatesOf(other, Role.OSNP)).doesNotContain(slot);

        Api.Response cancelled = server.api.post("/api/v1/appointments/" + appointment.getString("id") + "/cancel", token,
                new JsonObject().put("reason", "PATIENT"));
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().getString("status")).isEqualTo("cancelled");
        assertThat(cancelled.json().getBoolean("slotReleased")).isTrue();
        assertThat(candidatesOf(other, Role.OSNP)).contains(slot);
        assertThat(server.api.get("/api/v1/slots/" + slot, token).json().getString("status")).isEqualTo("free");
        // cancelling twice is harmless, and the body may be left out (the reason has a default)
        assertThat(server.api.post("/api/v1/appointments/" + appointment.getString("id") + "/cancel", token, "{}").status())
                .isEqualTo(200);
        assertThat(server.api.post("/api/v1/appointments/" + appointment.getString("id") + "/cancel", token, null).status())
                .isEqualTo(200);
        // the request is open again and can be booked on another slot
        assertThat(server.api.book(token, slot, request, null, "cancel-2").status()).isEqualTo(201);
    }

    @Test
    void withdrawIsRefusedWhileBookedOrHeldAndRemovesAFreeSlot() {
        String effector = server.effector("36005", null); // Ardentes
        String booked = server.slot(effector, 120, "AMB", "SNP");
        String held = server.slot(effector, 150, "AMB", "SNP");
        String free = server.slot(effector, 180, "AMB", "SNP");
        String token = server.token(Role.REGULATOR);
        server.api.book(token, booked, server.requestId(Role.REGULATOR, "SAS_116117"), null, "withdraw-1");
        server.api.post("/api/v1/slots/" + held + "/hold", token,
                new JsonObject().put("requestId", server.requestId(Role.REGULATOR, "SAS_116117")));
        String coordinator = server.token(Role.COORDINATOR);

        Api.Response r1 = server.api.delete("/api/v1/slots/" + booked, coordinator);
        assertThat(r1.status()).isEqualTo(409);
        assertThat(r1.code()).isEqualTo("SLOT_BOOKED");
        assertThat(server.api.get("/api/v1/slots/" + booked, coordinator).json().getString("status")).isEqualTo("booked");
        assertThat(server.api.delete("/api/v1/slots/" + held, coordinator).code()).isEqualTo("SLOT_HELD");
        Api.Response r3 = server.api.delete("/api/v1/slots/" + free, coordinator);
        assertThat(r3.status()).isEqualTo(200);
        assertThat(r3.json().getString("status")).isEqualTo("cancelled");
        assertThat(candidatesOf(server.requestId(Role.OSNP, "OSNP"), Role.OSNP)).doesNotContain(free);
        assertThat(server.api.book(token, free, server.requestId(Role.REGULATOR, "SAS_116117"), null, "withdraw-2").code())
                .isEqualTo("SLOT_WITHDRAWN");
        // publishing it again brings it back
        Api.Response again = server.api.post("/api/v1/slots", coordinator, new JsonObject().put("effectorId", effector)
                .put("start", server.api.get("/api/v1/slots/" + free, coordinator).json().getString("start"))
                .put("end", server.api.get("/api/v1/slots/" + free, coordinator).json().getString("end"))
                .put("audiences", new JsonArray().add("SNP")));
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.json().getString("id")).isEqualTo(free);
        assertThat(again.json().getString("status")).isEqualTo("free");
    }

    @Test
    void aReservedSlotWidensItsAudienceAtItsReleaseTime() throws Exception {
        String effector = server.effector("36044", null);
        OffsetDateTime start = OffsetDateTime.now(ZoneId.of("Europe/Paris")).truncatedTo(ChronoUnit.MINUTES).plusMinutes(200);
        OffsetDateTime releaseAt = OffsetDateTime.now(ZoneId.of("Europe/Paris")).plusSeconds(2);
        Api.Response published = server.api.post("/api/v1/slots", server.token(Role.COORDINATOR), new JsonObject()
                .put("effectorId", effector).put("start", start.toString()).put("end", start.plusMinutes(15).toString())
                .put("audiences", new JsonArray().add("SNP")).put("releaseAt", releaseAt.toString())
                .put("releaseTo", new JsonArray().add("PRO").add("PUBLIC")));
        assertThat(published.status()).isEqualTo(201);
        String slot = published.json().getString("id");
        String pharmacy = server.token(Role.PHARMACIST);
        Api.Response request = server.request(Role.PHARMACIST, "PHARMACIST", "36044", new JsonObject().put("within", "PT6H"));
        String requestId = request.json().getString("id");
        assertThat(candidateSlots(request)).doesNotContain(slot);
        assertThat(server.api.book(pharmacy, slot, requestId, null, "reserved-1").code()).isEqualTo("SLOT_NOT_VISIBLE");

        Thread.sleep(2200);
        assertThat(candidatesOf(requestId, Role.PHARMACIST)).contains(slot);
        Dispatcher d = server.dispatcher;
        d.releaseDueAudiences();
        Thread.sleep(200);
        JsonObject stored = server.api.get("/api/v1/slots/" + slot, pharmacy).json();
        assertThat(stored.getJsonArray("audiences").getList()).contains("PUBLIC", "PRO", "SNP");
        assertThat(stored.getBoolean("released")).isTrue();
        Api.Response booked = server.api.book(pharmacy, slot, requestId, null, "reserved-2");
        assertThat(booked.status()).isEqualTo(201);
    }

    @Test
    void aSecondInstanceSeesHoldsAndBookingsOfTheFirstThroughTheChangeStream() throws Exception {
        try (Dispatcher second = server.secondInstance()) {
            Api api2 = new Api("http://127.0.0.1:" + second.port());
            String effector = server.effector("36093", null); // Levroux
            String slot = server.slot(effector, 130, "AMB", "SNP");
            String request = server.requestId(Role.REGULATOR, "SAS_116117");
            String token = server.token(Role.REGULATOR);
            long deadline = System.currentTimeMillis() + 2000;
            while (second.services().index().slot(slot) == null && System.currentTimeMillis() < deadline) Thread.sleep(20);
            assertThat(second.services().index().slot(slot)).as("published slot reaches the second instance").isNotNull();

            Api.Response viaSecond = api2.post("/api/v1/requests", token, new JsonObject().put("origin", "SAS_116117")
                    .put("patient", new JsonObject().put("initials", "AB").put("birthYear", 1970).put("phone", "0611223344")
                            .put("communeInsee", "36093")));
            assertThat(candidateSlots(viaSecond)).contains(slot);

            server.api.post("/api/v1/slots/" + slot + "/hold", token, new JsonObject().put("requestId", request));
            deadline = System.currentTimeMillis() + 1000;
            while (!second.services().index().slot(slot).heldAt(System.currentTimeMillis())
                    && System.currentTimeMillis() < deadline) Thread.sleep(10);
            assertThat(candidatesOfVia(api2, viaSecond.json().getString("id"), token)).doesNotContain(slot);
            // and the second instance refuses to double-book it: Redis decides, not the index
            assertThat(api2.book(token, slot, viaSecond.json().getString("id"), null, "second-1").code()).isEqualTo("SLOT_HELD");
        }
    }

    private static List<String> candidatesOfVia(Api api, String requestId, String token) {
        return candidateSlots(api.get("/api/v1/requests/" + requestId, token));
    }
}
