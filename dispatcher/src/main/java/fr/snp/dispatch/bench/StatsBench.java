package fr.snp.dispatch.bench;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Origin;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The statistics read (issue 14): a year of history for the 1,000 effectors of territory 36, written straight into
 * the day hashes as the counting scripts write them (stats.lua's fields, the revision keys beside them), then
 * GET /api/v1/stats/noshow?groupBy=effector over the 365 days ending today, over HTTP: p50/p99 at concurrency 1
 * after a warm-up, then closed-loop throughput and p99 at concurrency 16.
 * <p>
 * The history is plausible for a 1,000-effector territory: each effector has about 2.5 appointments a week (so ~360
 * appointments a day in all), ~85 % seen, ~8 % no-shows, ~5 % cancelled, ~2 % closed without feedback; the
 * requests, offered slots and waits that go with them. Its caller is an OPS principal of 36: regulators do not read
 * statistics (ApiRouter), so the bench makes its own token.
 */
public final class StatsBench {
    private static final String TERRITORY = "36";
    private static final int EFFECTORS = 1_000;
    private static final String[] LEADS = {"lt1h", "1-4h", "4-24h", "24-48h", "gt48h"};
    private static final String[] CPTS = {"CPTS-BENCH", "CPTS-BOISCHAUT", "CPTS-BRENNE"};
    private static final String[] REASONS = {"PATIENT", "EFFECTOR", "REGULATOR", "DUPLICATE", "OTHER"};

    private StatsBench() {}

    /** The report measured and the token that reads it: the bench then loads it from its load generator's process. */
    public record Report(String path, String token) {}

    /**
     * {@code redisUrl}: the dispatcher's Redis, written to directly (the bench only). Asks the report once here (it
     * loads the territory's statistics) and checks it lists the effectors; {@link Benchmark} measures it from its load
     * generator's process, with the server's CPU, at concurrency 1, 16 and at a fixed rate.
     */
    public static Report run(Services s, String redisUrl, HttpClientAgent http) throws Exception {
        LocalDate today = s.stats().today(s.nowMs());
        LocalDate from = today.minusDays(364);
        long t0 = System.nanoTime();
        int fields = writeHistory(s, redisUrl, from, today);
        System.out.printf("%nStatistics: a year of history for %,d effectors of %s written (%,d fields over 365 day hashes) in "
                + "%.1f s%n", EFFECTORS, TERRITORY, fields, (System.nanoTime() - t0) / 1e9);

        Principal ops = new Principal("bench-ops", Role.OPS, "bench ops", Set.of(TERRITORY), "OPS-BENCH", Set.of());
        String token = s.tokens().create(ops).toCompletableFuture().get(10, TimeUnit.SECONDS).getKey();
        String path = "/api/v1/stats/noshow?territory=" + TERRITORY + "&groupBy=effector&from=" + from + "&to=" + today;
        int rows = first(http, path, token);
        if (rows < EFFECTORS / 2) throw new IllegalStateException("the report has " + rows + " rows");

        System.out.printf("Stats GET /api/v1/stats/noshow groupBy=effector, 365 days: %d rows%n", rows);
        return new Report(path, token);
    }

    /** The day hashes of [from, to] as the counting scripts would have left them; answers the number of fields. */
    static int writeHistory(Services s, String redisUrl, LocalDate from, LocalDate to) throws Exception {
        List<String> effectors = new ArrayList<>(s.index().territory(TERRITORY).allEffectors().stream().map(Effector::id).toList());
        for (int i = effectors.size(); i < EFFECTORS; i++) effectors.add(String.format("36-BENCH-%04d", i));
        Random r = new Random(14);
        RedisClient client = RedisClient.create(redisUrl);
        int fields = 0;
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            RedisAsyncCommands<String, String> redis = c.async();
            List<RedisFuture<?>> writes = new ArrayList<>();
            for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
                Map<String, Long> day = new HashMap<>();
                for (int e = 0; e < EFFECTORS; e++) {
                    String effector = effectors.get(e);
                    // ~2.5 appointments a week, ~3.5 slots offered
                    int offered = r.nextDouble() < 0.5 ? 1 : 0;
                    if (offered > 0) {
                        day.merge("offered|all|-", (long) offered, Long::sum);
                        day.merge("offered|effector|" + effector, (long) offered, Long::sum);
                    }
                    if (r.nextDouble() >= 0.36) continue;
                    String origin = Origin.values()[r.nextInt(Origin.values().length)].name();
                    String hour = String.valueOf(8 + r.nextInt(12));
                    String lead = LEADS[r.nextInt(LEADS.length)];
                    String cpts = CPTS[e % CPTS.length];
                    String[] dims = {"all", "-", "effector", effector, "origin", origin, "hour", hour, "lead", lead, "cpts", cpts};
                    bump(day, "booked", dims);
                    day.merge("requests|all|-", 1L, Long::sum);
                    day.merge("requests|origin|" + origin, 1L, Long::sum);
                    day.merge("outcome.SNP_SLOT|all|-", 1L, Long::sum);
                    day.merge("outcome.SNP_SLOT|origin|" + origin, 1L, Long::sum);
                    day.merge("wait|5min|" + r.nextInt(200), 1L, Long::sum);
                    double outcome = r.nextDouble();
                    if (outcome < 0.85) bump(day, "fulfilled", dims);
                    else if (outcome < 0.93) bump(day, "noshow", dims);
                    else if (outcome < 0.98) {
                        bump(day, "cancelled", dims);
                        day.merge("cancelled." + REASONS[r.nextInt(REASONS.length)] + "|all|-", 1L, Long::sum);
                    } else bump(day, "closed", dims);
                }
                Map<String, String> hash = new HashMap<>(day.size() * 2);
                day.forEach((k, v) -> hash.put(k, Long.toString(v)));
                fields += hash.size();
                String yyyymmdd = d.format(DateTimeFormatter.BASIC_ISO_DATE);
                writes.add(redis.del(Keys.stats(TERRITORY, yyyymmdd)));
                writes.add(redis.hset(Keys.stats(TERRITORY, yyyymmdd), hash));
                // the change noted as stats.lua's bump notes it: the read model rereads this day
                writes.add(redis.hincrby(Keys.statsRevision(TERRITORY), yyyymmdd, 1));
                writes.add(redis.hincrby(Keys.statsRevision(TERRITORY), "*", 1));
                writes.add(redis.hsetnx(Keys.statsRevision(TERRITORY), "gen", "bench." + System.nanoTime()));
            }
            if (!LettuceFutures.awaitAll(Duration.ofMinutes(2), writes.toArray(RedisFuture[]::new))) {
                throw new IllegalStateException("writing the history timed out");
            }
        } finally {
            client.shutdown();
        }
        return fields;
    }

    private static void bump(Map<String, Long> day, String metric, String[] dims) {
        for (int i = 0; i < dims.length; i += 2) day.merge(metric + '|' + dims[i] + '|' + dims[i + 1], 1L, Long::sum);
    }

    /** The first report loads what the later ones reuse: a few tries, should it time out on a busy machine. */
    private static int first(HttpClientAgent http, String path, String token) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setURI(path)
                        .putHeader("Authorization", "Bearer " + token);
                return http.request(o).compose(req -> req.send()).compose(resp -> resp.body().map(b -> {
                    if (resp.statusCode() != 200) throw new IllegalStateException("status " + resp.statusCode() + ": " + b);
                    return b.toJsonObject().getJsonArray("rows").size();
                })).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (attempt == 5) throw e;
                System.out.println("  first report failed (" + e.getCause().getMessage() + "), trying again");
            }
        }
    }
}
