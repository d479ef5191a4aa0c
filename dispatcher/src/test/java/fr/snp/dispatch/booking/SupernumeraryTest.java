package fr.snp.dispatch.booking;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.sim.SimulationClock;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Surnuméraire": a regulator books an effector outside their published slots, when the effector accepts it, up to
 * their daily cap; it counts against the weekly SAS cap and apart in the statistics, and a refusal leaves nothing.
 */
class SupernumeraryTest {
    static final SimulationClock clock = new SimulationClock();
    static TestServer server;
    static String regulator;

    @BeforeAll
    static void start() throws Exception {
        clock.set(OffsetDateTime.parse("2026-12-08T08:00:00+01:00").toInstant());
        server = TestServer.start(Map.of(), clock);
        regulator = server.token(Role.REGULATOR);
    }

    @AfterAll
    static void stop() { server.close(); }

    Api.Response book(String token, String effector, String request, String start, String key) {
        return server.api.send("POST", "/api/v1/appointments/supernumerary", token, new JsonObject().put("effectorId", effector)
                .put("requestId", request).put("start", start).put("minutes", 15), Map.of("Idempotency-Key", key));
    }

    String request() { return server.requestId(Role.REGULATOR, "SAS_116117"); }

    int slotKeys() { return server.redis.keys("snp:{36}:slot:*").size(); }

    /** As a booking in a slot: with the patient's contact, the answer says by which channels they will be told. */
    @Test
    void theAnswerSaysHowThePatientWillBeTold() {
        String effector = server.effector("36044", new JsonObject().put("supernumeraryDailyCap", 1));
        Api.Response booked = server.api.send("POST", "/api/v1/appointments/supernumerary", regulator, new JsonObject()
                .put("effectorId", effector).put("requestId", request()).put("start", "2026-12-09T12:10:00+01:00")
                .put("patientContact", new JsonObject().put("email", "patient@example.org").put("consent", true)),
                Map.of("Idempotency-Key", UUID.randomUUID().toString()));
        assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
        JsonObject told = booked.json().getJsonObject("patientMessages");
        assertThat(told).as(booked.toString()).isNotNull();
        List<Object> channels = new java.util.ArrayList<>(told.getJsonArray("channels").getList());
        channels.addAll(told.getJsonArray("unavailable").getList());
        assertThat(channels).containsExactly("email");
    }

    @Test
    void anEffectorWhoAcceptsItIsBookedOutsideTheirSlotsUpToTheDailyCap() {
        String effector = server.effector("36044", new JsonObject().put("supernumeraryDailyCap", 1));
        String request = request();
        String key = UUID.randomUUID().toString();
        Api.Response booked = book(regulator, effector, request, "2026-12-08T12:10:00+01:00", key);
        assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
        JsonObject a = booked.json();
        assertThat(a.getBoolean("supernumerary")).isTrue();
        assertThat(a.getJsonObject("slot").getString("start")).isEqualTo("2026-12-08T12:10:00+01:00");
        assertThat(a.getJsonObject("slot").getString("end")).isEqualTo("2026-12-08T12:25:00+01:00");
        // a retry answers the same appointment
        Api.Response again = book(regulator, effector, request, "2026-12-08T12:10:00+01:00", key);
        assertThat(again.json().getString("id")).isEqualTo(a.getString("id"));
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");

        // the day's cap is reached: refused, and no slot is left behind
        int before = slotKeys();
        Api.Response second = book(regulator, effector, request(), "2026-12-08T16:00:00+01:00", UUID.randomUUID().toString());
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.code()).isEqualTo("SUPERNUMERARY_CAP_REACHED");
        assertThat(slotKeys()).isEqualTo(before);
        // another day is another cap
        assertThat(book(regulator, effector, request(), "2026-12-09T09:00:00+01:00", UUID.randomUUID().toString()).status())
                .isEqualTo(201);

        JsonObject stats = server.api.get("/api/v1/stats/noshow?territory=36&from=2026-12-08&to=2026-12-09&groupBy=effector",
                server.token(Role.OPS)).json();
        JsonObject row = stats.getJsonArray("rows").stream().map(r -> (JsonObject) r)
                .filter(r -> r.getString("key").equals(effector)).findFirst().orElseThrow();
        assertThat(row.getLong("supernumerary")).isEqualTo(2);
        assertThat(row.getLong("booked")).isEqualTo(2);

        // cancelled: the made slot is not offered to anyone
        String id = a.getString("id");
        assertThat(server.api.post("/api/v1/appointments/" + id + "/cancel", regulator, new JsonObject().put("reason", "PATIENT"))
                .json().getBoolean("slotReleased")).isFalse();
        assertThat(server.api.get("/api/v1/slots/" + a.getJsonObject("slot").getString("id"), regulator).json().getString("status"))
                .isEqualTo("cancelled"); // the API name of a withdrawn slot
    }

    @Test
    void itIsRefusedWhenNotAcceptedAtThePublishedSlotsTimeOverTheWeeklyCapOrNotByARegulator() {
        String never = server.effector("36044", null);
        Api.Response r = book(regulator, never, request(), "2026-12-08T13:00:00+01:00", UUID.randomUUID().toString());
        assertThat(r.code()).isEqualTo("SUPERNUMERARY_NOT_ACCEPTED");

        String capped = server.effector("36044", new JsonObject().put("supernumeraryDailyCap", 3).put("weeklySasCap", 1));
        String published = server.slot(capped, 180, "AMB", "SNP"); // 11:00
        assertThat(book(regulator, capped, request(), "2026-12-08T11:00:00+01:00", UUID.randomUUID().toString()).code())
                .as("book the published slot instead").isEqualTo("SUPERNUMERARY_SLOT_EXISTS");
        assertThat(server.api.book(regulator, published, request(), null, UUID.randomUUID().toString()).status()).isEqualTo(201);
        int before = slotKeys();
        Api.Response overCap = book(regulator, capped, request(), "2026-12-08T14:00:00+01:00", UUID.randomUUID().toString());
        assertThat(overCap.code()).as("it counts against the weekly SAS cap").isEqualTo("EFFECTOR_CAP_REACHED");
        assertThat(slotKeys()).isEqualTo(before);
        assertThat(server.redis.hget(Keys.load("36"), "2026-12-08:" + capped + ":x")).isNull();

        Api.Response osnp = book(server.token(Role.OSNP), capped, request(), "2026-12-08T15:00:00+01:00", UUID.randomUUID().toString());
        assertThat(osnp.status()).isEqualTo(403);
        Api.Response past = book(regulator, capped, request(), "2026-12-08T07:00:00+01:00", UUID.randomUUID().toString());
        assertThat(past.code()).isEqualTo("SLOT_STARTED");
    }
}
