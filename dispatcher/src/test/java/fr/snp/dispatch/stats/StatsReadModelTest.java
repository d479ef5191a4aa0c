package fr.snp.dispatch.stats;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.sim.SimulationClock;
import fr.snp.dispatch.stats.StatsReader.GroupBy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The statistics read model in memory answers what a recount of the day hashes in Redis gives, after any sequence of
 * bookings, cancellations, feedback, undos and closings (it rereads only the days whose revision moved), and a report
 * asked right after a change counts it.
 */
class StatsReadModelTest {
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    static final SimulationClock clock = new SimulationClock();
    static TestServer server;

    @BeforeAll
    static void start() throws Exception { server = TestServer.start(Map.of(), clock); }

    @AfterAll
    static void stop() { server.close(); }

    static LocalDate today() { return Instant.ofEpochMilli(clock.millis()).atZone(PARIS).toLocalDate(); }

    @Test
    void theModelEqualsARecountOfTheDayHashesAfterRandomChanges() throws Exception {
        Random random = new Random(14);
        List<String> effectors = new ArrayList<>();
        for (String commune : List.of("36044", "36088", "36046")) {
            effectors.add(server.effector(commune, new JsonObject().put("cpts", new JsonArray().add("CPTS-TEST").add("CPTS-M"))));
        }
        String regulator = server.token(Role.REGULATOR);
        String coordinator = server.token(Role.COORDINATOR);
        List<String> booked = new ArrayList<>();
        List<String> answered = new ArrayList<>();
        LocalDate from = today().minusDays(2);
        LocalDate to = today().plusDays(3);
        assertModelEqualsRecount(from, to); // the model built on an empty territory, then kept in step
        for (int step = 0; step < 60; step++) {
            int roll = random.nextInt(10);
            if (step < 25 || roll < 3) {
                String effector = effectors.get(random.nextInt(effectors.size()));
                // slots spread over today and the next days (other day hashes), some already over by the later steps
                String slot = server.slot(effector, 20 + random.nextInt(3 * 24 * 60), "AMB", "SNP");
                Api.Response r = server.api.book(regulator, slot, server.requestId(Role.REGULATOR, "SAS_116117"), null,
                        UUID.randomUUID().toString());
                if (r.status() == 201) booked.add(r.json().getString("id"));
            } else if (roll < 4 && !booked.isEmpty()) {
                server.api.post("/api/v1/appointments/" + booked.remove(random.nextInt(booked.size())) + "/cancel",
                        coordinator, "{}");
            } else if (roll < 7 && !booked.isEmpty()) {
                String a = booked.get(random.nextInt(booked.size()));
                String[] answers = {"seen", "no-show", "cancelled-by-patient", "reoriented"};
                String link = server.dispatcher.services().feedbackLinks().token(a, clock.millis() / 1000);
                if (server.api.post("/api/v1/feedback/" + link, null,
                        new JsonObject().put("answer", answers[random.nextInt(answers.length)])).status() == 200) {
                    answered.add(a);
                }
            } else if (roll < 8 && !answered.isEmpty()) {
                // taken back within the window: negative bumps
                String a = answered.remove(random.nextInt(answered.size()));
                server.api.post("/api/v1/feedback/" + server.dispatcher.services().feedbackLinks().token(a, clock.millis() / 1000)
                        + "/undo", null, "{}");
            } else if (!booked.isEmpty()) {
                server.api.post("/api/v1/appointments/" + booked.get(random.nextInt(booked.size())) + "/close", coordinator, "{}");
            }
            if (step == 25) clock.advance(Duration.ofHours(20)); // the first days' slots are over: feedback is due
            if (step % 5 == 4) assertModelEqualsRecount(from, to);
        }
        assertModelEqualsRecount(from, to);
        // a period far from the window (another window, the model rebuilt), then the recent one again
        assertModelEqualsRecount(today().minusDays(400), today().minusDays(40));
        assertModelEqualsRecount(from, to);
        assertModelEqualsRecount(today(), today());

        // the statistics dropped from Redis (a flush, a restore): the model of the old data is not patched but rebuilt
        for (String key : server.redis.keys("snp:{36}:stats*")) server.redis.del(key);
        String slot = server.slot(effectors.get(0), 45, "AMB", "SNP");
        assertThat(server.api.book(regulator, slot, server.requestId(Role.REGULATOR, "SAS_116117"), null,
                UUID.randomUUID().toString()).status()).isEqualTo(201);
        assertModelEqualsRecount(from, to);
        assertThat(StatsReadModelTest.<Long>model(from, to, s -> s.sum("booked|all|-"))).isEqualTo(1L);
    }

    @Test
    void aReportRightAfterAChangeCountsIt() throws Exception {
        String effector = server.effector("36044", null);
        String regulator = server.token(Role.REGULATOR);
        String ops = server.token(Role.OPS);
        String range = "/api/v1/stats/noshow?territory=36&groupBy=effector&from=" + today().minusDays(1) + "&to=" + today().plusDays(1);
        assertThat(row(server.api.get(range, ops).json(), effector)).isNull();

        String a = server.api.book(regulator, server.slot(effector, 30, "AMB", "SNP"), server.requestId(Role.REGULATOR, "SAS_116117"),
                null, UUID.randomUUID().toString()).json().getString("id");
        assertThat(row(server.api.get(range, ops).json(), effector).getLong("booked")).isEqualTo(1);

        clock.advance(Duration.ofHours(1));
        String link = server.dispatcher.services().feedbackLinks().token(a, clock.millis() / 1000);
        assertThat(server.api.post("/api/v1/feedback/" + link, null, new JsonObject().put("answer", "no-show")).status()).isEqualTo(200);
        assertThat(row(server.api.get(range, ops).json(), effector).getLong("noshow")).isEqualTo(1);

        assertThat(server.api.post("/api/v1/feedback/" + link + "/undo", null, "{}").status()).isEqualTo(200);
        JsonObject undone = row(server.api.get(range, ops).json(), effector);
        assertThat(undone.getLong("noshow")).isZero();
        assertThat(undone.getLong("booked")).isEqualTo(1);

        // another instance on the same Redis counted it too: the revisions are in Redis, not in this process
        try (var second = server.secondInstance()) {
            JsonObject there = second.services().stats().read("36", today().minusDays(1), today().plusDays(1),
                    s -> new JsonObject().put("booked", s.sum("booked|effector|" + effector))).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(there.getLong("booked")).isEqualTo(1);
        }
    }

    @Test
    void theRevisionHashIsTheOneStatsLuaDerivesFromTheDayHash() {
        String effector = server.effector("36088", null);
        String day = today().format(DateTimeFormatter.BASIC_ISO_DATE);
        long before = Long.parseLong(server.redis.hget(Keys.statsRevision("36"), "*") == null ? "0"
                : server.redis.hget(Keys.statsRevision("36"), "*"));
        // a slot published today is a bump of today's hash ('offered')
        server.slot(effector, 30, "AMB", "SNP");
        Map<String, String> revisions = server.redis.hgetall(Keys.statsRevision("36"));
        assertThat(Long.parseLong(revisions.get("*"))).isGreaterThan(before);
        assertThat(revisions).containsKey(day).containsKey("gen");
    }

    @Test
    void weeksSplitAPeriodAsGroupingItsDaysByIsoWeekDid() {
        Random random = new Random(5);
        for (int round = 0; round < 200; round++) {
            LocalDate from = LocalDate.of(2024, 12, 1).plusDays(random.nextInt(800));
            LocalDate to = from.plusDays(random.nextInt(366));
            Map<String, List<LocalDate>> byWeek = new TreeMap<>();
            for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
                byWeek.computeIfAbsent(String.format("%d-W%02d", d.get(java.time.temporal.IsoFields.WEEK_BASED_YEAR),
                        d.get(java.time.temporal.IsoFields.WEEK_OF_WEEK_BASED_YEAR)), w -> new ArrayList<>()).add(d);
            }
            List<StatsReader.Week> expected = new ArrayList<>();
            byWeek.forEach((w, days) -> expected.add(new StatsReader.Week(w, days.get(0), days.get(days.size() - 1))));
            assertThat(StatsReader.weeks(from, to)).as("%s..%s", from, to).isEqualTo(expected);
        }
    }

    private static JsonObject row(JsonObject report, String key) {
        for (Object o : report.getJsonArray("rows")) if (((JsonObject) o).getString("key").equals(key)) return (JsonObject) o;
        return null;
    }

    private static <T> T model(LocalDate from, LocalDate to, java.util.function.Function<Stats, T> f) throws Exception {
        return server.dispatcher.services().stats().read("36", from, to, f).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Every grouping and the totals, from the model and recounted from the day hashes as the reports once did. */
    private static void assertModelEqualsRecount(LocalDate from, LocalDate to) throws Exception {
        LocalDate today = today();
        List<Map.Entry<LocalDate, Map<String, String>>> days = new ArrayList<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            days.add(Map.entry(d, server.redis.hgetall(Keys.stats("36", d.format(DateTimeFormatter.BASIC_ISO_DATE)))));
        }
        for (GroupBy by : GroupBy.values()) {
            Map<String, List<Long>> expected = new TreeMap<>();
            Map<String, Map<String, Long>> past = recount(days.stream().filter(d -> d.getKey().isBefore(today)).toList(), by);
            recount(days, by).forEach((key, m) -> {
                List<Long> v = new ArrayList<>();
                for (String metric : StatsReader.APPOINTMENT_METRICS) v.add(m.getOrDefault(metric, 0L));
                for (String metric : StatsReader.APPOINTMENT_METRICS) v.add(past.getOrDefault(key, Map.of()).getOrDefault(metric, 0L));
                expected.put(key, v);
            });
            Map<String, List<Long>> actual = model(from, to, s -> {
                Map<String, List<Long>> out = new LinkedHashMap<>();
                for (Stats.Row r : s.appointments(by, today)) {
                    List<Long> v = new ArrayList<>();
                    for (long c : r.counts()) v.add(c);
                    for (long c : r.past()) v.add(c);
                    out.put(r.key(), v);
                }
                return out;
            });
            assertThat(actual).as("groupBy %s over %s..%s", by, from, to).containsExactlyEntriesOf(expected);
        }
        Map<String, Long> total = new HashMap<>();
        days.forEach(d -> d.getValue().forEach((field, v) -> total.merge(field, Long.parseLong(v), Long::sum)));
        total.values().removeIf(v -> v == 0);
        assertThat(model(from, to, Stats::total)).as("totals over %s..%s", from, to).isEqualTo(total);
    }

    /** The recount the reports did before the read model: every field of every day hash split and merged. */
    private static Map<String, Map<String, Long>> recount(List<Map.Entry<LocalDate, Map<String, String>>> days, GroupBy by) {
        Map<String, Map<String, Long>> rows = new TreeMap<>();
        for (Map.Entry<LocalDate, Map<String, String>> day : days) {
            for (Map.Entry<String, String> f : day.getValue().entrySet()) {
                String[] parts = f.getKey().split("\\|", 3);
                if (parts.length != 3 || !StatsReader.APPOINTMENT_METRICS.contains(parts[0])) continue;
                String key = switch (by) {
                    case TERRITORY -> parts[1].equals("all") ? "all" : null;
                    case WEEKDAY -> parts[1].equals("all") ? StatsReader.weekday(day.getKey().getDayOfWeek()) : null;
                    default -> parts[1].equals(by.name().toLowerCase()) ? parts[2] : null;
                };
                if (key == null) continue;
                rows.computeIfAbsent(key, k -> new HashMap<>()).merge(parts[0], Long.parseLong(f.getValue()), Long::sum);
            }
        }
        return rows;
    }
}
