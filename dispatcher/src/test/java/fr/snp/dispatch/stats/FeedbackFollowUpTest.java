package fr.snp.dispatch.stats;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.sim.SimulationClock;
import io.lettuce.core.Range;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.IsoFields;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What follows missing or mistaken feedback: the doctor takes an answer back within the undo window (statistics
 * counted back), the coordinator sends one more reminder (once per interval) or closes the appointment without
 * feedback (counted apart); and the coordinator's figures by period, by CPTS and by week.
 */
class FeedbackFollowUpTest {
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    static final SimulationClock clock = new SimulationClock();
    static TestServer server;
    static String effector;
    static String coordinator;

    @BeforeAll
    static void start() throws Exception {
        // a Wednesday at 10:00 in Paris: the hours moved below stay in one ISO week and one month
        clock.set(LocalDate.of(2026, 11, 18).atTime(10, 0).atZone(PARIS).toInstant());
        server = TestServer.start(Map.of(), clock);
        effector = server.effector("36044", null);
        coordinator = server.token(Role.COORDINATOR);
    }

    @AfterAll
    static void stop() { server.close(); }

    static String book(int inMinutes) {
        Api.Response r = server.api.book(server.token(Role.REGULATOR), server.slot(effector, inMinutes, "AMB", "SNP"),
                server.requestId(Role.REGULATOR, "SAS_116117"), null, UUID.randomUUID().toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().getString("id");
    }

    static String link(String appointment) {
        return server.dispatcher.services().feedbackLinks().token(appointment, clock.millis() / 1000);
    }

    static LocalDate today() { return Instant.ofEpochMilli(clock.millis()).atZone(PARIS).toLocalDate(); }

    /** The CPTS-TEST figures of the days around now, as its coordinator reads them. */
    static JsonObject figures() {
        String range = "&from=" + today().minusDays(3) + "&to=" + today().plusDays(1);
        JsonArray rows = server.api.get("/api/v1/stats/noshow?territory=36" + range, coordinator).json().getJsonArray("rows");
        return rows.isEmpty() ? new JsonObject() : rows.getJsonObject(0);
    }

    static long n(JsonObject figures, String metric) { return figures.getLong(metric, 0L); }

    static boolean awaiting(String appointment) {
        return server.redis.zscore(Keys.awaitingFeedback("36"), appointment) != null;
    }

    @Test
    void aDoctorTakesAnAnswerBackWithinTheWindowAndTheFiguresFollow() {
        String a = book(30);
        clock.advance(Duration.ofHours(1)); // over
        String token = link(a);
        JsonObject before = figures();

        Api.Response noshow = server.api.post("/api/v1/feedback/" + token, null, new JsonObject().put("answer", "no-show"));
        assertThat(noshow.status()).as(noshow.toString()).isEqualTo(200);
        assertThat(noshow.json().getString("status")).isEqualTo("noshow");
        assertThat(noshow.json().getJsonObject("undo").getLong("remainingSeconds")).isEqualTo(300);
        assertThat(noshow.json().getJsonObject("undo").getString("until")).endsWith("+01:00"); // Paris time, in November
        assertThat(n(figures(), "noshow")).isEqualTo(n(before, "noshow") + 1);
        assertThat(awaiting(a)).isFalse();

        clock.advance(Duration.ofMinutes(4));
        Api.Response undone = server.api.post("/api/v1/feedback/" + token + "/undo", null, "{}");
        assertThat(undone.status()).as(undone.toString()).isEqualTo(200);
        assertThat(undone.json().getString("status")).isEqualTo("booked");
        assertThat(undone.json().containsKey("feedback")).isFalse();
        assertThat(undone.json().containsKey("undo")).isFalse();
        JsonObject after = figures();
        for (String m : List.of("booked", "fulfilled", "noshow", "cancelled", "closedWithoutFeedback")) {
            assertThat(n(after, m)).as(m).isEqualTo(n(before, m));
        }
        assertThat(awaiting(a)).isTrue();
        assertThat(server.redis.zscore(Keys.reminders("36"), a)).as("its one reminder is due again").isNotNull();
        assertThat(server.redis.hget(Keys.appointment("36", a), "feedbackUndoneAt")).isNotNull();
        // nothing left to take back
        assertThat(server.api.post("/api/v1/feedback/" + token + "/undo", null, "{}").code()).isEqualTo("NOTHING_TO_UNDO");

        // the right answer, then too late to take it back: refused, nothing changes
        assertThat(server.api.post("/api/v1/feedback/" + token, null, new JsonObject().put("answer", "seen")).status()).isEqualTo(200);
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        Map<String, String> stored = server.redis.hgetall(Keys.appointment("36", a));
        JsonObject counted = figures();
        Api.Response late = server.api.post("/api/v1/feedback/" + token + "/undo", null, "{}");
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.code()).isEqualTo("UNDO_WINDOW_PASSED");
        assertThat(late.json().getString("message")).isNotBlank();
        assertThat(server.redis.hgetall(Keys.appointment("36", a))).isEqualTo(stored);
        assertThat(figures()).isEqualTo(counted);
        assertThat(n(counted, "fulfilled")).isEqualTo(n(before, "fulfilled") + 1);
    }

    @Test
    void onlyItsAuthorTakesAnAnswerBackAndACancellationThatFreedTheSlotStays() {
        // the coordinator answered: the doctor's link has nothing of its own to take back
        String a = book(30);
        clock.advance(Duration.ofHours(1));
        assertThat(server.api.post("/api/v1/appointments/" + a + "/feedback", coordinator, new JsonObject().put("answer", "seen"))
                .status()).isEqualTo(200);
        Api.Response notMine = server.api.post("/api/v1/feedback/" + link(a) + "/undo", null, "{}");
        assertThat(notMine.status()).isEqualTo(409);
        assertThat(notMine.code()).isEqualTo("NOTHING_TO_UNDO");
        assertThat(server.redis.hget(Keys.appointment("36", a), "status")).isEqualTo("fulfilled");

        // the patient cancelled ahead: the slot went back to the pool, and the answer is not taken back
        String slot = server.slot(effector, 180, "AMB", "SNP");
        String b = server.api.book(server.token(Role.REGULATOR), slot, server.requestId(Role.REGULATOR, "SAS_116117"), null,
                UUID.randomUUID().toString()).json().getString("id");
        Api.Response cancelled = server.api.post("/api/v1/feedback/" + link(b), null, new JsonObject().put("answer", "cancelled-by-patient"));
        assertThat(cancelled.json().getString("status")).isEqualTo("cancelled");
        assertThat(cancelled.json().containsKey("undo")).isFalse();
        Api.Response refused = server.api.post("/api/v1/feedback/" + link(b) + "/undo", null, "{}");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.code()).isEqualTo("UNDO_NOT_POSSIBLE");
        assertThat(server.api.get("/api/v1/slots/" + slot, server.token(Role.REGULATOR)).json().getString("status")).isEqualTo("free");
        assertThat(server.api.post("/api/v1/feedback/" + link(b).replace(b, a) + "/undo", null, "{}").code()).isEqualTo("INVALID_LINK");
    }

    @Test
    void theCoordinatorSendsOneMoreReminderOncePerInterval() {
        String a = book(30);
        String upcoming = book(600);
        assertThat(server.api.post("/api/v1/appointments/" + a + "/reminder", coordinator, "{}").code())
                .as("not over yet").isEqualTo("NOT_AWAITING_FEEDBACK");
        clock.advance(Duration.ofHours(1));
        long sentBefore = reminders(a);

        Api.Response sent = server.api.post("/api/v1/appointments/" + a + "/reminder", coordinator, "{}");
        assertThat(sent.status()).as(sent.toString()).isEqualTo(200);
        assertThat(sent.json().getBoolean("reminderSent")).isTrue();
        assertThat(sent.json().getJsonObject("reminder").getInteger("count")).isEqualTo(1);
        assertThat(reminders(a)).isEqualTo(sentBefore + 1);
        Map<String, String> stored = server.redis.hgetall(Keys.appointment("36", a));
        assertThat(stored.get("remindedBy")).isNotBlank(); // who sent it, for the record

        // a second click (or a colleague) within the hour: not sent again, told when the next one may go
        Api.Response again = server.api.post("/api/v1/appointments/" + a + "/reminder", coordinator, "{}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().getBoolean("reminderSent")).isFalse();
        assertThat(again.json().getString("nextReminderFrom")).isNotBlank();
        assertThat(reminders(a)).isEqualTo(sentBefore + 1);
        assertThat(server.redis.hgetall(Keys.appointment("36", a))).isEqualTo(stored);

        clock.advance(Duration.ofMinutes(61));
        assertThat(server.api.post("/api/v1/appointments/" + a + "/reminder", coordinator, "{}").json().getBoolean("reminderSent")).isTrue();
        assertThat(reminders(a)).isEqualTo(sentBefore + 2);

        // answered, upcoming, malformed: refused, nothing sent
        assertThat(server.api.post("/api/v1/appointments/" + a + "/feedback", coordinator, new JsonObject().put("answer", "seen")).status())
                .isEqualTo(200);
        assertThat(server.api.post("/api/v1/appointments/" + a + "/reminder", coordinator, "{}").code()).isEqualTo("NOT_AWAITING_FEEDBACK");
        assertThat(server.api.post("/api/v1/appointments/" + upcoming + "/reminder", coordinator, "{}").code()).isEqualTo("NOT_AWAITING_FEEDBACK");
        Api.Response malformed = server.api.post("/api/v1/appointments/nope/reminder", coordinator, "{}");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.code()).isEqualTo("INVALID_ID");
        assertThat(reminders(a)).isEqualTo(sentBefore + 2);
        assertThat(reminders(upcoming)).isZero();
    }

    /** Reminders of an appointment in the territory's outbox. */
    static long reminders(String appointment) {
        return server.redis.xrange(Keys.outbox("36"), Range.create("-", "+")).stream()
                .filter(m -> "reminder".equals(m.getBody().get("type")) && appointment.equals(m.getBody().get("appt"))).count();
    }

    @Test
    void theCoordinatorClosesAnAppointmentWithoutFeedbackAndItIsCountedApart() {
        String a = book(30);
        clock.advance(Duration.ofHours(26)); // listed as awaiting feedback once feedback.reminderAfterHours have passed
        assertThat(awaitingList()).contains(a);
        JsonObject before = figures();

        Api.Response closed = server.api.post("/api/v1/appointments/" + a + "/close", coordinator, "{}");
        assertThat(closed.status()).as(closed.toString()).isEqualTo(200);
        assertThat(closed.json().getString("status")).isEqualTo("closed");
        assertThat(closed.json().getString("closedAt")).isNotBlank();
        assertThat(awaitingList()).doesNotContain(a);
        assertThat(server.redis.zscore(Keys.reminders("36"), a)).isNull();
        JsonObject after = figures();
        assertThat(n(after, "closedWithoutFeedback")).isEqualTo(n(before, "closedWithoutFeedback") + 1);
        assertThat(n(after, "awaitingFeedback")).isEqualTo(n(before, "awaitingFeedback") - 1);
        assertThat(n(after, "noshow")).isEqualTo(n(before, "noshow"));
        assertThat(n(after, "fulfilled")).isEqualTo(n(before, "fulfilled"));
        // closing again is harmless; a reminder is no longer sent
        assertThat(server.api.post("/api/v1/appointments/" + a + "/close", coordinator, "{}").status()).isEqualTo(200);
        assertThat(figures()).isEqualTo(after);
        assertThat(server.api.post("/api/v1/appointments/" + a + "/reminder", coordinator, "{}").code()).isEqualTo("NOT_AWAITING_FEEDBACK");

        // the doctor answers late: the answer replaces the closure; taken back, the closure stands again
        String token = link(a);
        assertThat(server.api.post("/api/v1/feedback/" + token, null, new JsonObject().put("answer", "seen")).json()
                .getString("status")).isEqualTo("fulfilled");
        JsonObject answered = figures();
        assertThat(n(answered, "closedWithoutFeedback")).isEqualTo(n(before, "closedWithoutFeedback"));
        assertThat(n(answered, "fulfilled")).isEqualTo(n(before, "fulfilled") + 1);
        assertThat(server.api.post("/api/v1/feedback/" + token + "/undo", null, "{}").json().getString("status")).isEqualTo("closed");
        assertThat(figures()).isEqualTo(after);
        assertThat(awaitingList()).doesNotContain(a);
    }

    static List<String> awaitingList() {
        return server.api.get("/api/v1/appointments?territory=36&awaitingFeedback=true", coordinator).json()
                .getJsonArray("appointments").stream().map(o -> ((JsonObject) o).getString("id")).toList();
    }

    @Test
    void figuresByCalendarPeriodByCpstAndByWeek() throws Exception {
        String ops = server.token(Role.OPS);
        LocalDate today = today();
        Map<String, LocalDate[]> periods = Map.of(
                "week", new LocalDate[]{today.with(DayOfWeek.MONDAY), today.with(DayOfWeek.SUNDAY)},
                "month", new LocalDate[]{today.withDayOfMonth(1), today.withDayOfMonth(today.lengthOfMonth())},
                "quarter", new LocalDate[]{LocalDate.of(today.getYear(), (today.get(IsoFields.QUARTER_OF_YEAR) - 1) * 3 + 1, 1),
                        LocalDate.of(today.getYear(), (today.get(IsoFields.QUARTER_OF_YEAR) - 1) * 3 + 1, 1).plusMonths(3).minusDays(1)},
                "year", new LocalDate[]{LocalDate.of(today.getYear(), 1, 1), LocalDate.of(today.getYear(), 12, 31)});
        periods.forEach((name, d) -> {
            JsonObject r = server.api.get("/api/v1/stats/indicators?territory=36&period=" + name, coordinator).json();
            assertThat(r.getString("from")).as(name).isEqualTo(d[0].toString());
            assertThat(r.getString("to")).as(name).isEqualTo(d[1].toString());
        });

        // bad periods: 400 with the field named
        Map<String, String[]> bad = Map.of(
                "period=decade", new String[]{"INVALID_ENUM", "period"},
                "period=week&from=2026-11-01", new String[]{"INVALID_FIELD", "period"},
                "from=2026-11-30&to=2026-11-01", new String[]{"INVALID_FIELD", "to"},
                "from=2026-01-01&to=2027-06-01", new String[]{"PERIOD_TOO_LONG", "to"},
                "from=30/11/2026", new String[]{"INVALID_DATE", "from"},
                "cpts=pas une cpts", new String[]{"INVALID_ID", "cpts"});
        bad.forEach((query, expected) -> {
            Api.Response r = server.api.get("/api/v1/stats/weekly?territory=36&" + query.replace(" ", "%20"), ops);
            assertThat(r.status()).as(query).isEqualTo(400);
            assertThat(r.code()).as(query).isEqualTo(expected[0]);
            assertThat(r.json().getString("field")).as(query).isEqualTo(expected[1]);
        });

        // one CPTS among the territory's: ops picks it, its coordinator has it anyway, another coordinator does not see it
        String other = server.effector("36088", new JsonObject().put("cpts", new JsonArray().add("CPTS-TEST").add("CPTS-VAL-DE-CREUSE")));
        String regulator = server.token(Role.REGULATOR);
        String x = server.api.book(regulator, server.slot(other, 30, "AMB", "SNP"), server.requestId(Role.REGULATOR, "SAS_116117"),
                null, UUID.randomUUID().toString()).json().getString("id");
        server.api.book(regulator, server.slot(effector, 40, "AMB", "SNP"), server.requestId(Role.REGULATOR, "SAS_116117"),
                null, UUID.randomUUID().toString());
        clock.advance(Duration.ofHours(1));
        assertThat(server.api.post("/api/v1/appointments/" + x + "/feedback", coordinator, new JsonObject().put("answer", "no-show"))
                .status()).isEqualTo(200);
        JsonArray cpts = server.api.get("/api/v1/territories/36/cpts", ops).json().getJsonArray("cpts");
        assertThat(cpts.stream().map(o -> ((JsonObject) o).getString("name")).toList()).contains("CPTS Val de Creuse", "CPTS Test");
        String range = "&from=" + today().minusDays(7) + "&to=" + today().plusDays(1);
        JsonObject valDeCreuse = server.api.get("/api/v1/stats/noshow?territory=36&cpts=CPTS-VAL-DE-CREUSE" + range, ops).json()
                .getJsonArray("rows").getJsonObject(0);
        assertThat(valDeCreuse.getString("key")).isEqualTo("CPTS-VAL-DE-CREUSE");
        assertThat(valDeCreuse.getLong("booked")).isEqualTo(1);
        assertThat(valDeCreuse.getLong("noshow")).isEqualTo(1);
        JsonObject territory = server.api.get("/api/v1/stats/noshow?territory=36" + range, ops).json().getJsonArray("rows").getJsonObject(0);
        assertThat(territory.getLong("booked")).isGreaterThan(valDeCreuse.getLong("booked"));
        String valCoordinator = server.token(Role.COORDINATOR, "CPTS Val de Creuse", "CPTS-VAL-DE-CREUSE", Set.of("CPTS-VAL-DE-CREUSE"));
        assertThat(server.api.get("/api/v1/stats/noshow?territory=36" + range, valCoordinator).json().getJsonArray("rows")
                .getJsonObject(0).getLong("booked")).isEqualTo(1);
        Api.Response hidden = server.api.get("/api/v1/stats/noshow?territory=36&cpts=CPTS-TEST" + range, valCoordinator);
        assertThat(hidden.status()).isEqualTo(404);
        assertThat(hidden.code()).isEqualTo("CPTS_NOT_FOUND");
        assertThat(server.api.get("/api/v1/stats/noshow?territory=36&cpts=CPTS-NOWHERE" + range, ops).code()).isEqualTo("CPTS_NOT_FOUND");
        Api.Response byOrigin = server.api.get("/api/v1/stats/noshow?territory=36&groupBy=origin&cpts=CPTS-VAL-DE-CREUSE" + range, ops);
        assertThat(byOrigin.status()).isEqualTo(400);
        assertThat(byOrigin.json().getString("field")).isEqualTo("cpts");
        JsonObject indicators = server.api.get("/api/v1/stats/indicators?territory=36&cpts=CPTS-VAL-DE-CREUSE" + range, ops).json()
                .getJsonArray("rows").getJsonObject(0);
        assertThat(indicators.getLong("effectors")).isEqualTo(1);
        assertThat(indicators.getLong("participatingEffectors")).isEqualTo(1);

        // by ISO week: the weeks add up to the period's totals, for the territory and for one CPTS
        for (String scope : List.of("", "&cpts=CPTS-VAL-DE-CREUSE", "&cpts=CPTS-TEST")) {
            JsonObject weekly = server.api.get("/api/v1/stats/weekly?territory=36" + scope + range, ops).json();
            JsonObject total = server.api.get("/api/v1/stats/noshow?territory=36" + scope + range, ops).json().getJsonArray("rows").getJsonObject(0);
            JsonArray weeks = weekly.getJsonArray("rows");
            assertThat(weeks.size()).as(scope).isBetween(2, 3);
            assertThat(weeks.getJsonObject(0).getString("from")).isEqualTo(today().minusDays(7).toString());
            assertThat(weeks.getJsonObject(0).getString("key")).matches("\\d{4}-W\\d{2}");
            for (String m : List.of("booked", "fulfilled", "noshow", "cancelled", "closedWithoutFeedback")) {
                long sum = weeks.stream().mapToLong(o -> ((JsonObject) o).getLong(m)).sum();
                assertThat(sum).as(scope + " " + m).isEqualTo(total.getLong(m));
            }
            long requests = weeks.stream().mapToLong(o -> ((JsonObject) o).getLong("requests")).sum();
            assertThat(requests).isEqualTo(server.api.get("/api/v1/stats/outcomes?territory=36&groupBy=territory" + range, ops).json()
                    .getJsonArray("rows").getJsonObject(0).getLong("requests"));
        }
    }
}
