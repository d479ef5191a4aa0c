package fr.snp.dispatch.booking;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.Dispatcher;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.domain.SlotStatus;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A slot hash and its change-stream entries leave out what the slot id tells (issue 14): the effector "e" always,
 * the start "s" when it is on the minute the id names. Every script and reader takes them from the id then; a hash
 * written by an earlier version (with both) is read, held, booked, cancelled and withdrawn as before; a start off
 * the minute keeps its seconds. Real redis-server and dispatchers.
 */
class SlotHashFormTest {
    static TestServer server;

    @BeforeAll
    static void start() throws Exception { server = TestServer.start(Map.of("http.instances", "1")); }

    @AfterAll
    static void stop() { server.close(); }

    @Test
    void aNewSlotStoresNeitherItsEffectorNorItsStartAndIsBookedAndCancelledAsBefore() {
        String effector = server.effector("36044", null);
        String slot = server.slot(effector, 120, "AMB", "SNP");
        Map<String, String> h = server.redis.hgetall(Keys.slot("36", slot));
        assertThat(h).doesNotContainKeys("e", "s").containsKeys("l", "n", "st", "w", "v");
        Map<String, String> entry = lastEvent();
        assertThat(entry).containsEntry("id", slot).doesNotContainKeys("e", "s");
        assertThat(SlotState.fromHash(slot, h).effectorId()).isEqualTo(effector);
        assertThat(SlotState.fromHash(slot, h).start()).isEqualTo(Ids.slotStart(slot));

        bookThenCancel(effector, slot);
    }

    @Test
    void aSlotHashOfTheEarlierFormIsReadAndBookedAsBefore() throws Exception {
        String effector = server.effector("36044", null);
        String slot = server.slot(effector, 150, "AMB", "SNP");
        // as the previous version stored it: effector and start in the hash too
        server.redis.hset(Keys.slot("36", slot), Map.of("e", effector, "s", String.valueOf(Ids.slotStart(slot))));
        JsonObject read = server.api.get("/api/v1/slots/" + slot, server.token(Role.REGULATOR)).json();
        assertThat(read.getString("effectorId")).isEqualTo(effector);
        try (Dispatcher second = server.secondInstance()) {
            SlotState loaded = second.services().index().slot(slot);
            assertThat(loaded.effectorId()).isEqualTo(effector);
            assertThat(loaded.start()).isEqualTo(Ids.slotStart(slot));
        }
        bookThenCancel(effector, slot);
    }

    @Test
    void aStartOffTheMinuteKeepsItsSeconds() throws Exception {
        String effector = server.effector("36044", null);
        OffsetDateTime start = OffsetDateTime.now(ZoneId.of("Europe/Paris")).truncatedTo(ChronoUnit.MINUTES).plusHours(3)
                .plusSeconds(30);
        Api.Response r = server.api.post("/api/v1/slots", server.token(Role.COORDINATOR), new JsonObject()
                .put("effectorId", effector).put("start", start.toString()).put("end", start.plusMinutes(20).toString())
                .put("audiences", new JsonArray().add("SNP")));
        assertThat(r.status()).isEqualTo(201);
        String slot = r.json().getString("id");
        assertThat(server.redis.hget(Keys.slot("36", slot), "s")).isEqualTo(String.valueOf(start.toEpochSecond()));
        assertThat(server.redis.hexists(Keys.slot("36", slot), "e")).isFalse();
        try (Dispatcher second = server.secondInstance()) {
            assertThat(second.services().index().slot(slot).start()).isEqualTo(start.toEpochSecond());
        }
    }

    @Test
    void aNewSlotIsWithdrawnAndPublishedAgainInTheNewForm() {
        String effector = server.effector("36044", null);
        String slot = server.slot(effector, 180, "AMB", "SNP");
        server.redis.hset(Keys.slot("36", slot), Map.of("e", effector, "s", String.valueOf(Ids.slotStart(slot))));
        String coordinator = server.token(Role.COORDINATOR);
        assertThat(server.api.delete("/api/v1/slots/" + slot, coordinator).status()).isEqualTo(200);
        assertThat(server.redis.hget(Keys.slot("36", slot), "st")).isEqualTo("c");
        assertThat(server.dispatcher.services().index().slot(slot)).isNull();
        OffsetDateTime start = java.time.Instant.ofEpochSecond(Ids.slotStart(slot))
                .atZone(ZoneId.of("Europe/Paris")).toOffsetDateTime();
        Api.Response again = server.api.post("/api/v1/slots", coordinator, new JsonObject().put("effectorId", effector)
                .put("start", start.toString()).put("end", start.plusMinutes(20).toString())
                .put("audiences", new JsonArray().add("SNP")));
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.json().getString("id")).isEqualTo(slot);
        assertThat(server.redis.hgetall(Keys.slot("36", slot))).doesNotContainKeys("e", "s").containsEntry("st", "f");
        assertThat(server.dispatcher.services().index().slot(slot).status()).isEqualTo(SlotStatus.FREE);
    }

    /** Held, booked (the appointment and the weekly load name the effector and the start), cancelled: free again. */
    private static void bookThenCancel(String effector, String slot) {
        String token = server.token(Role.REGULATOR);
        String request = server.requestId(Role.REGULATOR, "SAS_116117");
        JsonObject hold = server.api.post("/api/v1/slots/" + slot + "/hold", token, new JsonObject().put("requestId", request)).json();
        assertThat(hold.getString("holdId")).isNotBlank();
        Api.Response booked = server.api.book(token, slot, request, hold.getString("holdId"), "form-" + slot);
        assertThat(booked.status()).isEqualTo(201);
        String appointment = booked.json().getString("id");
        Map<String, String> a = server.redis.hgetall(Keys.appointment("36", appointment));
        assertThat(a).containsEntry("effector", effector).containsEntry("start", String.valueOf(Ids.slotStart(slot)));
        String week = server.redis.hget(Keys.slot("36", slot), "w");
        assertThat(server.redis.hget(Keys.load("36"), week + ":" + effector + ":a")).isEqualTo("1");
        assertThat(server.dispatcher.services().index().slot(slot).status()).isEqualTo(SlotStatus.BOOKED);
        Api.Response cancelled = server.api.post("/api/v1/appointments/" + appointment + "/cancel", token,
                new JsonObject().put("reason", "PATIENT"));
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().getBoolean("slotReleased")).as("a future slot is given back").isTrue();
        assertThat(server.redis.hget(Keys.load("36"), week + ":" + effector + ":a")).isEqualTo("0");
        assertThat(server.dispatcher.services().index().slot(slot).status()).isEqualTo(SlotStatus.FREE);
        assertThat(server.dispatcher.services().index().slot(slot).effectorId()).isEqualTo(effector);
    }

    private static Map<String, String> lastEvent() {
        var last = server.redis.xrevrange(Keys.events("36"), Range.create("-", "+"), Limit.create(0, 1));
        return new HashMap<>(last.get(0).getBody());
    }
}
