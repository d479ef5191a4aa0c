package fr.snp.dispatch.stats;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.sim.SimulationClock;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The feedback state machine, and statistics that equal a brute-force recount of the same events. */
class FeedbackAndStatsTest {
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    static final SimulationClock clock = new SimulationClock();
    static TestServer server;

    @BeforeAll
    static void start() throws Exception { server = TestServer.start(Map.of(), clock); }

    @AfterAll
    static void stop() { server.close(); }

    static Api.Response feedback(String token, String appointment, String answer) {
        return server.api.post("/api/v1/appointments/" + appointment + "/feedback", token,
                new JsonObject().put("answer", answer).put("comment", "vu au cabinet"));
    }

    @Test
    void feedbackFollowsTheSasVocabularyAndTheFirstAnswerStands() throws Exception {
        String effector = server.effector("36044", null);
        String doctor = server.token(Role.EFFECTOR, "Dr", effector, Set.of());
        String regulator = server.token(Role.REGULATOR);
        String a = server.api.book(regulator, server.slot(effector, 60, "AMB", "SNP"),
                server.requestId(Role.REGULATOR, "SAS_116117"), null, UUID.randomUUID().toString()).json().getString("id");

        Api.Response early = feedback(doctor, a, "seen");
        assertThat(early.status()).isEqualTo(409);
        assertThat(early.code()).isEqualTo("FEEDBACK_TOO_EARLY");
        assertThat(feedback(doctor, a, "maybe").code()).isEqualTo("INVALID_ENUM");

        clock.advance(Duration.ofHours(2));
        Api.Response seen = feedback(doctor, a, "seen");
        assertThat(seen.status()).isEqualTo(200);
        assertThat(seen.json().getString("status")).isEqualTo("fulfilled");
        assertThat(seen.json().getJsonObject("feedback").getString("answer")).isEqualTo("seen");
        assertThat(feedback(doctor, a, "seen").status()).isEqualTo(200); // the same answer again is harmless
        Api.Response conflict = feedback(doctor, a, "no-show");
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.code()).isEqualTo("FEEDBACK_CONFLICT");
        assertThat(server.api.get("/api/v1/appointments/" + a, regulator).json().getString("status")).isEqualTo("fulfilled");
        assertThat(server.api.post("/api/v1/appointments/" + a + "/cancel", regulator, "{}").code())
                .isEqualTo("APPOINTMENT_NOT_CANCELLABLE");

        String otherDoctor = server.token(Role.EFFECTOR, "Dr autre", server.effector("36088", null), Set.of());
        assertThat(feedback(otherDoctor, a, "seen").status()).isEqualTo(404);

        // cancelled through the API: no feedback on it
        String b = server.api.book(regulator, server.slot(effector, 60, "AMB", "SNP"),
                server.requestId(Role.REGULATOR, "SAS_116117"), null, UUID.randomUUID().toString()).json().getString("id");
        server.api.post("/api/v1/appointments/" + b + "/cancel", regulator, "{}");
        assertThat(feedback(doctor, b, "seen").code()).isEqualTo("APPOINTMENT_CANCELLED");

        // the patient cancels ahead: the doctor says so before the start, and the slot goes back to the pool
        String slot = server.slot(effector, 180, "AMB", "SNP");
        String c = server.api.book(regulator, slot, server.requestId(Role.REGULATOR, "SAS_116117"), null,
                UUID.randomUUID().toString()).json().getString("id");
        Api.Response cancelled = feedback(server.token(Role.COORDINATOR), c, "cancelled-by-patient");
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().getString("status")).isEqualTo("cancelled");
        assertThat(server.api.get("/api/v1/slots/" + slot, regulator).json().getString("status")).isEqualTo("free");
    }

    @Test
    void statisticsEqualABruteForceRecountAndExportAsCsv() throws Exception {
        Random random = new Random(7);
        String[] communes = {"36044", "36088", "36046", "36018", "36006", "36228"};
        List<String> slots = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            JsonArray cpts = new JsonArray().add("CPTS-TEST");
            if (i % 2 == 0) cpts.add("CPTS-" + (char) ('A' + i));
            String effector = server.effector(communes[i], new JsonObject().put("cpts", cpts));
            for (int k = 0; k < 8; k++) {
                slots.add(server.slot(effector, 30 + 40 * k + 7 * i, "AMB", "SNP", "PRO", "PUBLIC", "CPTS"));
            }
        }
        Map<String, Role> origins = Map.of("SAS_116117", Role.REGULATOR, "SAMU_15", Role.REGULATOR, "OSNP", Role.OSNP,
                "PHARMACIST", Role.PHARMACIST, "EMERGENCY_DEPT", Role.EMERGENCY, "NURSE", Role.COORDINATOR,
                "SECRETARIAT", Role.COORDINATOR);
        List<String> originNames = new ArrayList<>(new TreeMap<>(origins).keySet());
        List<String> appointments = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            String origin = originNames.get(random.nextInt(originNames.size()));
            String token = server.token(origins.get(origin));
            String request = server.requestId(origins.get(origin), origin);
            int roll = random.nextInt(10);
            if (roll < 6) {
                Api.Response r = server.api.book(token, slots.get(random.nextInt(slots.size())), request, null,
                        UUID.randomUUID().toString());
                if (r.status() == 201) appointments.add(r.json().getString("id"));
            } else if (roll < 9) {
                String[] outcomes = {"ADVICE", "PRESCRIPTION", "REDIRECTED_15", "NO_ANSWER", "OTHER"};
                String outcome = outcomes[random.nextInt(outcomes.length)];
                JsonObject body = new JsonObject().put("type", outcome);
                if (outcome.equals("PRESCRIPTION")) body.put("pharmacy", new JsonObject().put("name", "Pharmacie"));
                assertThat(server.api.post("/api/v1/requests/" + request + "/outcome", token, body).status()).isEqualTo(200);
            }
        }
        String coordinator = server.token(Role.COORDINATOR);
        for (String a : appointments) {
            if (random.nextInt(5) == 0) server.api.post("/api/v1/appointments/" + a + "/cancel", coordinator, "{}");
        }
        clock.advance(Duration.ofHours(8)); // every slot has ended
        String[] answers = {"seen", "no-show", "cancelled-by-patient", "reoriented"};
        for (String a : appointments) {
            if (random.nextInt(6) > 0) feedback(coordinator, a, answers[random.nextInt(answers.length)]);
        }

        // the territory's figures, as ops (and the SAS) see them; a CPTS coordinator sees its own CPTS' (TenancyTest)
        String ops = server.token(Role.OPS);
        LocalDate today = Instant.ofEpochMilli(clock.millis()).atZone(PARIS).toLocalDate();
        String range = "&from=" + today.minusDays(2) + "&to=" + today.plusDays(1);
        Map<String, Map<String, Map<String, Long>>> expected = recountAppointments();
        for (String groupBy : List.of("territory", "effector", "cpts", "origin", "weekday", "hour", "lead")) {
            JsonObject report = server.api.get("/api/v1/stats/noshow?territory=36&groupBy=" + groupBy + range, ops).json();
            Map<String, Map<String, Long>> actual = new TreeMap<>();
            for (Object o : report.getJsonArray("rows")) {
                JsonObject row = (JsonObject) o;
                Map<String, Long> m = new TreeMap<>();
                for (String metric : List.of("booked", "fulfilled", "noshow", "cancelled")) m.put(metric, row.getLong(metric));
                actual.put(row.getString("key"), m);
            }
            assertThat(actual).as("groupBy=%s", groupBy).isEqualTo(expected.get(groupBy));
        }
        JsonObject all = server.api.get("/api/v1/stats/noshow?territory=36" + range, ops).json()
                .getJsonArray("rows").getJsonObject(0);
        long fulfilled = all.getLong("fulfilled");
        long noshow = all.getLong("noshow");
        assertThat(noshow).isPositive();
        // every slot has ended and a sixth of the appointments got no answer: they await feedback, none is upcoming
        long unanswered = all.getLong("booked") - all.getLong("cancelled") - fulfilled - noshow;
        assertThat(all.getLong("awaitingFeedback") + all.getLong("upcoming")).isEqualTo(unanswered);
        assertThat(all.getDouble("noshowRate")).isCloseTo((double) noshow / (fulfilled + noshow), org.assertj.core.data.Offset.offset(1e-4));

        // request outcomes against the requests themselves
        Map<String, Long> outcomeCounts = new TreeMap<>();
        for (String key : server.redis.keys("snp:{36}:req:*")) {
            Map<String, String> r = server.redis.hgetall(key);
            String outcome = r.containsKey("appointment") ? "SNP_SLOT" : r.get("outcome");
            outcomeCounts.merge("requests", 1L, Long::sum);
            if (outcome != null) outcomeCounts.merge(outcome, 1L, Long::sum);
        }
        JsonObject outcomes = server.api.get("/api/v1/stats/outcomes?territory=36&groupBy=territory" + range, ops).json();
        JsonObject row = outcomes.getJsonArray("rows").getJsonObject(0);
        outcomeCounts.forEach((k, v) -> assertThat(row.getLong(k)).as(k).isEqualTo(v));
        assertThat(outcomes.getLong("medianWaitMinutes")).isBetween(0L, 600L);

        // CSV, for the coordinator's spreadsheet: the same rows as the JSON
        Api.Response csv = server.api.send("GET", "/api/v1/stats/noshow?territory=36&groupBy=effector" + range, ops,
                null, Map.of("Accept", "text/csv"));
        assertThat(csv.header("Content-Type")).startsWith("text/csv");
        String[] lines = csv.body().split("\r\n");
        assertThat(lines[0]).isEqualTo("key,booked,fulfilled,noshow,cancelled,awaitingFeedback,upcoming,noshowRate,closedWithoutFeedback,supernumerary");
        assertThat(lines).hasSize(expected.get("effector").size() + 1);
        for (int i = 1; i < lines.length; i++) {
            String[] cells = lines[i].split(",", -1);
            Map<String, Long> m = expected.get("effector").get(cells[0]);
            assertThat(Long.parseLong(cells[1])).isEqualTo(m.get("booked"));
            assertThat(Long.parseLong(cells[3])).isEqualTo(m.get("noshow"));
        }

        // an effector sees only its own figures; indicators count what was offered and used
        String someEffector = expected.get("effector").keySet().iterator().next();
        String doctor = server.token(Role.EFFECTOR, "Dr", someEffector, Set.of());
        JsonArray own = server.api.get("/api/v1/stats/noshow?territory=36&groupBy=cpts" + range, doctor).json().getJsonArray("rows");
        assertThat(own).hasSize(1);
        assertThat(own.getJsonObject(0).getString("key")).isEqualTo(someEffector);
        assertThat(server.api.get("/api/v1/stats/indicators?territory=36" + range, doctor).status()).isEqualTo(403);
        JsonObject indicators = server.api.get("/api/v1/stats/indicators?territory=36" + range, ops).json()
                .getJsonArray("rows").getJsonObject(0);
        assertThat(indicators.getLong("slotsOffered")).isGreaterThanOrEqualTo(48);
        assertThat(indicators.getLong("participatingEffectors")).isGreaterThanOrEqualTo(6);
        assertThat(indicators.getLong("sasRequestsWithAppointment")).isEqualTo(outcomeCountsBySas());
        assertThat(server.api.get("/api/v1/stats/noshow?territory=36&window=12d", ops).code()).isEqualTo("INVALID_ENUM");
        assertThat(server.api.get("/api/v1/stats/noshow?territory=36&from=2026-01-01&to=2027-06-01", ops).code())
                .isEqualTo("PERIOD_TOO_LONG");
    }

    private static long outcomeCountsBySas() {
        long n = 0;
        for (String key : server.redis.keys("snp:{36}:req:*")) {
            Map<String, String> r = server.redis.hgetall(key);
            if (r.containsKey("appointment") && "1".equals(r.get("sas"))) n++;
        }
        return n;
    }

    /** groupBy -> key -> metric -> count, straight from the appointment hashes. */
    private static Map<String, Map<String, Map<String, Long>>> recountAppointments() {
        Map<String, Map<String, Map<String, Long>>> out = new HashMap<>();
        for (String key : server.redis.keys("snp:{36}:appt:*")) {
            Map<String, String> a = server.redis.hgetall(key);
            ZonedDateTime start = Instant.ofEpochSecond(Long.parseLong(a.get("start"))).atZone(PARIS);
            long leadMin = (Long.parseLong(a.get("start")) * 1000 - Long.parseLong(a.get("createdAt"))) / 60000;
            String lead = leadMin < 60 ? "lt1h" : leadMin < 240 ? "1-4h" : leadMin < 1440 ? "4-24h" : leadMin < 2880 ? "24-48h" : "gt48h";
            Map<String, List<String>> keys = new HashMap<>();
            keys.put("territory", List.of("all"));
            keys.put("effector", List.of(a.get("effector")));
            keys.put("origin", List.of(a.get("origin")));
            keys.put("weekday", List.of(start.getDayOfWeek().name().substring(0, 3)));
            keys.put("hour", List.of(String.valueOf(start.getHour())));
            keys.put("lead", List.of(lead));
            keys.put("cpts", server.dispatcher.services().index().effector(a.get("effector")).cpts().stream().toList());
            String status = a.get("status");
            keys.forEach((groupBy, values) -> {
                for (String v : values) {
                    Map<String, Long> m = out.computeIfAbsent(groupBy, g -> new TreeMap<>())
                            .computeIfAbsent(v, x -> new TreeMap<>(Map.of("booked", 0L, "fulfilled", 0L, "noshow", 0L, "cancelled", 0L)));
                    m.merge("booked", 1L, Long::sum);
                    if (!status.equals("booked")) m.merge(status, 1L, Long::sum);
                }
            });
        }
        return out;
    }
}
