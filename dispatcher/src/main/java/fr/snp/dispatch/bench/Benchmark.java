package fr.snp.dispatch.bench;

import fr.snp.dispatch.Dispatcher;
import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.booking.Publishing;
import fr.snp.dispatch.domain.NewSlot;
import fr.snp.dispatch.config.Settings;
import fr.snp.dispatch.domain.Audience;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Mode;
import fr.snp.dispatch.domain.Origin;
import fr.snp.dispatch.domain.PracticeLocation;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.domain.Rpps;
import fr.snp.dispatch.matching.MatchQuery;
import fr.snp.dispatch.matching.Matcher;
import fr.snp.dispatch.matching.RankingWeights;
import fr.snp.dispatch.domain.Viewer;
import fr.snp.dispatch.redis.EmbeddedRedis;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.requests.Need;
import fr.snp.dispatch.requests.Patient;
import fr.snp.dispatch.requests.Requests;
import io.lettuce.core.RedisClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * One command, one run, baselines side by side (java -jar dispatcher.jar bench [--concurrency 32]):
 * <ol>
 *   <li>a territory of 1,000 effectors and 50,000 free slots in a private Redis; Redis memory per slot;</li>
 *   <li>the raw ceiling of the booking Lua script: EVALSHA through Lettuce at the given concurrency;</li>
 *   <li>booking over HTTP through the dispatcher at the same concurrency, and the ratio HTTP / raw;</li>
 *   <li>matching over HTTP (POST /api/v1/requests) with the server-side match time;</li>
 *   <li>the waiting list: from publishing a slot that fits waiting requests to the notice on a desk's live feed;</li>
 *   <li>the match cost on indexes of 1k, 10k, 100k and 1M slots (same 1,000 effectors);</li>
 *   <li>(after 1) the SAS platform's INT_R04 slot search over FHIR, the ANS kit's query with 25 RPPS, 2-day window,
 *   every include, closed loop at concurrency 1 and 50 (saturation), then open loop at the target rate of 420/s and at
 *   840/s over up to 50 connections ({@code bench --fhir-only} stops after it).</li>
 * </ol>
 * {@code bench --durability [--durability-bookings 3000]} runs only the cost of redis.durability instead: booking (raw
 * and over HTTP) on a Redis with appendfsync everysec, with appendfsync always, and with a local replica with and
 * without WAIT 1 (see {@link #durability}).
 * Everything runs on this machine, client and server sharing its cores, as a one-machine deployment would.
 */
public final class Benchmark {
    private static final int EFFECTORS = 1_000;
    private static final int SLOTS = 50_000;

    public static int run(Settings settings, List<String> args) throws Exception {
        int concurrency = Integer.parseInt(option(args, "--concurrency", "32"));
        if (args.contains("--durability")) {
            durability(settings, concurrency, Integer.parseInt(option(args, "--durability-bookings", "3000")));
            return 0;
        }
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("SNP dispatch benchmark: %d effectors, %d free slots, concurrency %d, %d cores%n", EFFECTORS, SLOTS,
                concurrency, cores);
        Figures f = new Figures();
        f.put("date", java.time.LocalDate.now().toString()).put("machine", cpuModel()).put("java", Runtime.version().toString())
                .put("cores", cores).put("concurrency", concurrency)
                .put("slots", SLOTS).put("effectors", EFFECTORS);
        long[] ticksAtStart = ServerCpu.machineTicks();
        BenchClock clock = new BenchClock();
        try (EmbeddedRedis redis = EmbeddedRedis.start(Files.createTempDirectory("snp-bench"), false);
             Dispatcher d = Dispatcher.start(settings.with("redis.url", redis.url()).with("http.port", "0")
                     .with("requests.retentionDays", "1")
                     // the benchmark drives one token at full speed: the per-principal limits would measure themselves
                     .with("limits.writesPerMinute", "0").with("limits.activeHoldsPerPrincipal", "0")
                     // a throw-away Redis without an append-only file: the durability phase measures strict apart
                     .with("redis.allowUnsafe", "true").with("redis.durability", "relaxed"), false, clock)) {
            Services s = d.services();
            RedisClient admin = RedisClient.create(redis.url());
            var sync = admin.connect().sync();
            List<Effector> effectors = effectors(s);
            long before = Long.parseLong(info(sync.info("memory"), "used_memory"));
            List<String> slots = publish(s, effectors);
            long after = Long.parseLong(info(sync.info("memory"), "used_memory"));
            long sampleHash = 0;
            for (int i = 0; i < 200; i++) sampleHash += sync.memoryUsage(Keys.slot("36", slots.get(i * 7)));
            long stream = sync.memoryUsage(Keys.events("36"));
            System.out.printf("%nRedis memory for %,d slots: %,d bytes = %d B/slot in all; %d B/slot without the change stream "
                            + "(slot hash ~%d B + start index + key overhead). The stream (%,d B here) is capped at %s entries "
                            + "whatever the number of slots (target <= 300 B/slot)%n", slots.size(), after - before,
                    (after - before) / slots.size(), (after - before - stream) / slots.size(), sampleHash / 200, stream,
                    s.settings().string("redis.streamMaxLen"));
            f.put("redis_bytes_per_slot", (double) (after - before) / slots.size())
                    .put("redis_bytes_per_slot_without_stream", (double) (after - before - stream) / slots.size())
                    .put("redis_slot_hash_bytes", sampleHash / 200.0);

            // --- 1b. the SAS platform's slot search over FHIR (INT_R04), before the bookings take slots ---------
            if (!args.contains("--skip-fhir")) fhirSearch(s, effectors, f);
            if (args.contains("--fhir-only")) {
                admin.shutdown();
                System.out.println(f.line());
                return 0;
            }

            // a regional desk: the random patients of the matching run fall in Indre and its neighbours (those outside
            // Indre find no slot, as they did before tenancy; a desk of Indre alone would refuse them)
            Principal regulator = new Principal("bench", Role.REGULATOR, "bench",
                    Set.of("36", "18", "23", "37", "41", "86", "87"), "SAS-BENCH", Set.of());
            String token = s.tokens().create(regulator).toCompletableFuture().get(10, TimeUnit.SECONDS).getKey();
            Principal principal = s.tokens().lookup(token).toCompletableFuture().get();
            int bookings = RAW_WARMUP + RAW + HTTP_WARMUP + HTTP_BOOKINGS + OPEN_SLOW * (1 + OPEN_SECONDS) + OPEN_FAST * (1 + OPEN_SECONDS);
            if (bookings > slots.size()) throw new IllegalStateException(bookings + " bookings, " + slots.size() + " slots");
            List<String> requests = requests(s, bookings, principal);
            java.util.function.IntFunction<String> pair = k -> slots.get(k) + " " + requests.get(k);

            // --- 2. the raw ceiling: the booking use case in process, its Lua script by EVALSHA, no HTTP ------------
            AtomicInteger next = new AtomicInteger();
            Load.drive(RAW_WARMUP, concurrency, i -> { // the JIT's warm-up, as the HTTP phases have theirs
                int k = next.getAndIncrement();
                return s.bookings().book(principal, slots.get(k), requests.get(k), null, "warm-" + k)
                        .handle((booked, error) -> error == null).toCompletableFuture();
            });
            List<String> appointments = java.util.Collections.synchronizedList(new ArrayList<>());
            ServerCpu rawCpu = ServerCpu.start(sync);
            Load.Result raw = Load.drive(RAW, concurrency, i -> {
                int k = next.getAndIncrement();
                // the booking use case called in process: the same Java checks and script as over HTTP, no HTTP
                return s.bookings().book(principal, slots.get(k), requests.get(k), null, "raw-" + k)
                        .handle((booked, error) -> {
                            if (error == null) appointments.add(booked.appointment().id());
                            return error == null;
                        }).toCompletableFuture();
            });
            ServerCpu.drain(sync, OUTBOXES);
            ServerCpu.PerOp rawPer = rawCpu.per(sync, RAW);
            System.out.printf("%nBooking, raw Lua script (the use case in process, EVALSHA via Lettuce): %s%n", raw);
            System.out.printf("  CPU per booking: %s (this JVM drives the load too)%n", rawPer);
            record(f, "booking_raw", raw);
            f.put("booking_raw_redis_cpu_us", rawPer.redisUs());

            // --- 3. the same over HTTP, the load from its own process ------------------------------------------
            int at = RAW_WARMUP + RAW;
            Path pairs = Files.createTempFile("snp-bench-pairs", ".txt");
            Files.write(pairs, java.util.stream.IntStream.range(at, at + HTTP_WARMUP + HTTP_BOOKINGS).mapToObj(pair).toList());
            at += HTTP_WARMUP + HTTP_BOOKINGS;
            Phase http = phase(sync, new JsonObject().put("port", d.port()).put("token", token).put("op", "book")
                    .put("file", pairs.toString()).put("concurrency", concurrency).put("warmup", HTTP_WARMUP)
                    .put("count", HTTP_BOOKINGS).put("keyPrefix", "http"), HTTP_BOOKINGS);
            Load.Result overHttp = Load.Result.of(http.result());
            System.out.printf("Booking over HTTP (POST /api/v1/appointments, load from another process): %s%n", overHttp);
            System.out.printf("  CPU per booking: %s; the load generator's own JVM %.0f us%n", http.cpu(),
                    http.result().getDouble("clientCpuUs"));
            double ratio = overHttp.perSecond() / raw.perSecond();
            // the same ratio in CPU: what a booking costs the server and Redis in process against over HTTP, leaving out
            // the load generator, which shares this machine's cores here and would run elsewhere in production
            double cpuRatio = (rawPer.serverUs() + rawPer.redisUs()) / (http.cpu().serverUs() + http.cpu().redisUs());
            System.out.printf("Ratio HTTP / raw: %.2f in throughput on this machine, %.2f in server and Redis CPU per booking "
                    + "(the load generator's CPU left out) (target >= 0.60)%n", ratio, cpuRatio);
            record(f, "booking_http", overHttp);
            f.put("booking_http_server_cpu_us", http.cpu().serverUs()).put("booking_http_redis_cpu_us", http.cpu().redisUs())
                    .put("booking_http_client_cpu_us", http.result().getDouble("clientCpuUs"))
                    .put("booking_http_raw_ratio", ratio).put("booking_http_raw_cpu_ratio", cpuRatio);

            // --- 3a. the floor: what an HTTP exchange alone costs the server on this machine (GET /ping, no handler
            // work, same client, same concurrency): the part of a booking's cost no change to the booking path can remove
            Phase ping = phase(sync, new JsonObject().put("port", d.port()).put("op", "get").put("path", "/ping")
                    .put("concurrency", concurrency).put("warmup", 3_000).put("count", 20_000), 20_000);
            Load.Result pings = Load.Result.of(ping.result());
            System.out.printf("  the HTTP floor, GET /ping at the same concurrency: %s; CPU per exchange: %s; the load "
                    + "generator's own JVM %.0f us%n", pings, ping.cpu(), ping.result().getDouble("clientCpuUs"));
            record(f, "ping_http", pings);
            f.put("ping_http_server_cpu_us", ping.cpu().serverUs())
                    .put("ping_http_client_cpu_us", ping.result().getDouble("clientCpuUs"));

            // --- 3b. bookings at a constant arrival rate (open loop), as desks and the SAS platform send them ------
            for (int rate : new int[]{OPEN_SLOW, OPEN_FAST}) {
                Files.write(pairs, java.util.stream.IntStream.range(at, at + rate * (1 + OPEN_SECONDS)).mapToObj(pair).toList());
                at += rate * (1 + OPEN_SECONDS);
                Phase open = phase(sync, new JsonObject().put("port", d.port()).put("token", token).put("op", "book")
                        .put("file", pairs.toString()).put("open", true).put("rate", rate).put("warmupSeconds", 1)
                        .put("seconds", OPEN_SECONDS).put("concurrency", 128).put("keyPrefix", "open" + rate), rate * OPEN_SECONDS);
                Load.OpenResult r = Load.OpenResult.of(open.result());
                System.out.printf("  open loop at %,d bookings/s: %s; CPU per booking: %s (target p99 <= %d ms)%n", rate, r,
                        open.cpu(), rate == OPEN_SLOW ? 5 : 10);
                recordOpen(f, "booking_open_" + rate, r);
                f.put("booking_open_" + rate + "_server_cpu_us", open.cpu().serverUs());
            }
            Files.delete(pairs);
            if (args.contains("--bookings-only")) { // a shorter run while working on the booking path
                admin.shutdown();
                steal(f, ticksAtStart);
                System.out.println(f.line());
                return 0;
            }

            // --- 4. matching over HTTP ----------------------------------------------------------------------
            Random random = new Random(1);
            long matchBefore = s.metrics().match().count();
            double matchSumBefore = s.metrics().match().totalTime(TimeUnit.NANOSECONDS);
            var histogramBefore = s.metrics().match().takeSnapshot();
            // beside the HTTP load, a sampler matches on the same index every millisecond and times each match twice:
            // by the wall clock (what the histogram sees) and by its thread's CPU clock (what the match itself costs).
            // On two cores shared by client, server and Redis, the difference is the time the thread waited for a core
            MatchSampler sampler = MatchSampler.start(s, RankingWeights.from(s.settings()));
            Phase matchPhase = phase(sync, new JsonObject().put("port", d.port()).put("token", token).put("op", "match")
                    .put("concurrency", concurrency).put("warmup", 2_000).put("count", MATCHES), MATCHES);
            MatchSampler.Times sampled = sampler.stop();
            Load.Result matching = Load.Result.of(matchPhase.result());
            var histogram = s.metrics().match().takeSnapshot();
            long n = s.metrics().match().count() - matchBefore;
            System.out.printf("%nMatching over HTTP (POST /api/v1/requests: filing the request and ranking, 50k slots): %s%n",
                    matching);
            System.out.printf("  CPU per request: %s%n", matchPhase.cpu());
            double loadedP50 = bucketBound(histogramBefore, histogram, 0.50);
            double loadedP99 = bucketBound(histogramBefore, histogram, 0.99);
            System.out.printf("  server side under that load (dispatch_match_seconds): mean %.1f us, p50 <= %.0f us, p99 <= %.0f us "
                            + "over %d matches (histogram bucket bounds; target p99 <= 2 ms)%n",
                    (s.metrics().match().totalTime(TimeUnit.NANOSECONDS) - matchSumBefore) / n / 1000, loadedP50, loadedP99, n);
            record(f, "request_http", matching);
            f.put("request_http_server_cpu_us", matchPhase.cpu().serverUs())
                    .put("request_http_redis_cpu_us", matchPhase.cpu().redisUs())
                    .put("match_loaded_p50_us", loadedP50).put("match_loaded_p99_us", loadedP99)
                    .put("match_loaded_sampled_wall_p99_us", sampled.wallP99Us())
                    .put("match_loaded_sampled_cpu_p99_us", sampled.cpuP99Us());
            System.out.printf("  sampled beside that load (%,d matches, one a millisecond): wall clock p50 %.0f us, p99 %.0f us; "
                            + "the thread's CPU time p50 %.0f us, p99 %.0f us (the rest is waiting for a core)%n", sampled.count(),
                    sampled.wallP50Us(), sampled.wallP99Us(), sampled.cpuP50Us(), sampled.cpuP99Us());
            Phase openMatch = phase(sync, new JsonObject().put("port", d.port()).put("token", token).put("op", "match")
                    .put("open", true).put("rate", OPEN_MATCHES).put("warmupSeconds", 2).put("seconds", 10)
                    .put("concurrency", 128), OPEN_MATCHES * 10);
            Load.OpenResult openMatches = Load.OpenResult.of(openMatch.result());
            System.out.printf("  open loop at %d requests/s: %s (target p99 <= 10 ms)%n", OPEN_MATCHES, openMatches);
            recordOpen(f, "request_open_" + OPEN_MATCHES, openMatches);
            // the same index, the same matcher, nothing else running: the cost of a match itself
            long[] quiet = new long[20_000];
            Viewer viewer = new Viewer(Role.REGULATOR, Set.of());
            Matcher quietMatcher = new Matcher(RankingWeights.from(s.settings()));
            for (int i = 0; i < 25_000; i++) {
                long nowMs = s.nowMs();
                MatchQuery q = MatchSampler.query(random, nowMs / 1000, EnumSet.allOf(Mode.class), viewer);
                long t0 = System.nanoTime();
                quietMatcher.match(s.index().territory("36"), q, nowMs);
                if (i >= 5_000) quiet[i - 5_000] = System.nanoTime() - t0;
            }
            Arrays.sort(quiet);
            System.out.printf("  server side, same 50k-slot index, no concurrent load: p50 %.1f us, p99 %.1f us (target p99 <= 0.5 ms)%n",
                    quiet[10_000] / 1000.0, quiet[19_800] / 1000.0);
            f.put("match_quiet_p50_us", quiet[10_000] / 1000.0).put("match_quiet_p99_us", quiet[19_800] / 1000.0);
            // --- 5. the waiting list: from a publication to the desks' notice ---------------------------------
            waitingNotice(s, principal, f);

            // --- 5b. statistics: a year of a 1,000-effector territory, the no-show report by effector ------------
            Vertx vertx = Vertx.vertx();
            HttpClientAgent local = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
                    .setDefaultPort(d.port()), new PoolOptions().setHttp1MaxSize(4));
            StatsBench.Report report = StatsBench.run(s, redis.url(), local);
            vertx.close();
            // one at a time, after a warm-up (the JIT, the territory's statistics loaded)
            Load.Result one = Load.Result.of(phase(sync, new JsonObject().put("port", d.port()).put("token", report.token())
                    .put("op", "get").put("path", report.path()).put("concurrency", 1).put("warmup", 3_000)
                    .put("count", 5_000), 5_000).result());
            System.out.printf("  concurrency 1 (from another process): %s (target p99 <= 5 ms)%n", one);
            f.put("stats_noshow_effector_365d_p50_us", one.p50ms() * 1000).put("stats_noshow_effector_365d_p99_us", one.p99ms() * 1000);
            Phase stats = phase(sync, new JsonObject().put("port", d.port()).put("token", report.token()).put("op", "get")
                    .put("path", report.path()).put("concurrency", 16).put("warmup", 2_000).put("count", 20_000), 20_000);
            Load.Result reports = Load.Result.of(stats.result());
            System.out.printf("  the same at concurrency 16 (closed loop, from another process): %s; CPU per report: %s "
                    + "(target p99 <= 5 ms and >= 2,000/s)%n", reports, stats.cpu());
            f.put("stats_noshow_effector_365d_per_s", reports.perSecond())
                    .put("stats_noshow_effector_365d_c16_p99_us", reports.p99ms() * 1000)
                    .put("stats_noshow_effector_365d_c16_failed", reports.total() - reports.ok())
                    .put("stats_noshow_effector_365d_server_cpu_us", stats.cpu().serverUs());
            // the target's rate as an open loop: a closed loop of 16 at saturation only measures 16 / throughput
            Phase statsOpen = phase(sync, new JsonObject().put("port", d.port()).put("token", report.token()).put("op", "get")
                    .put("path", report.path()).put("open", true).put("rate", 2_000).put("warmupSeconds", 1)
                    .put("seconds", 5).put("concurrency", 64), 10_000);
            Load.OpenResult reportsOpen = Load.OpenResult.of(statsOpen.result());
            System.out.printf("  open loop at 2,000 reports/s: %s (target p99 <= 5 ms)%n", reportsOpen);
            recordOpen(f, "stats_noshow_effector_365d_open_2000", reportsOpen);

            // --- 6. feedback: a week on, the doctors answer for the appointments booked in process ------------------
            clock.set(java.time.Instant.now().plus(java.time.Duration.ofDays(8)));
            Principal coordinator = new Principal("bench-cpts", Role.COORDINATOR, "bench CPTS", Set.of("36"), "CPTS-BENCH",
                    Set.of("CPTS-BENCH"));
            String cptsToken = s.tokens().create(coordinator).toCompletableFuture().get(10, TimeUnit.SECONDS).getKey();
            Path answered = Files.createTempFile("snp-bench-feedback", ".txt");
            Files.write(answered, appointments);
            int closedFeedback = appointments.size() / 2;
            Phase feedback = phase(sync, new JsonObject().put("port", d.port()).put("token", cptsToken).put("op", "feedback")
                    .put("file", answered.toString()).put("concurrency", concurrency).put("warmup", 500)
                    .put("count", closedFeedback - 500), closedFeedback - 500);
            Load.Result feedbackClosed = Load.Result.of(feedback.result());
            System.out.printf("%nFeedback over HTTP (POST /api/v1/appointments/:id/feedback, seen or no-show): %s%n", feedbackClosed);
            System.out.printf("  CPU per answer: %s; feedback / HTTP booking throughput: %.2f (target >= 1)%n", feedback.cpu(),
                    feedbackClosed.perSecond() / overHttp.perSecond());
            record(f, "feedback_http", feedbackClosed);
            f.put("feedback_http_server_cpu_us", feedback.cpu().serverUs())
                    .put("feedback_to_booking_ratio", feedbackClosed.perSecond() / overHttp.perSecond());
            Files.write(answered, appointments.subList(closedFeedback, appointments.size()));
            int feedbackRate = Math.min(1_000, (appointments.size() - closedFeedback) / 5);
            Phase openFeedback = phase(sync, new JsonObject().put("port", d.port()).put("token", cptsToken)
                    .put("op", "feedback").put("file", answered.toString()).put("open", true).put("rate", feedbackRate)
                    .put("warmupSeconds", 1).put("seconds", 4).put("concurrency", 128), feedbackRate * 4);
            Load.OpenResult feedbackOpen = Load.OpenResult.of(openFeedback.result());
            System.out.printf("  open loop at %d answers/s: %s (target p99 <= 5 ms)%n", feedbackRate, feedbackOpen);
            recordOpen(f, "feedback_open", feedbackOpen);
            Files.delete(answered);
            admin.shutdown();
        }
        MatchGrowth.run(f);
        steal(f, ticksAtStart);
        System.out.println();
        System.out.println(f.line());
        String record = option(args, "--record", null);
        if (record != null) {
            // the history of the runs, one JSON line each: what the README's table and a regression check read
            Files.writeString(Path.of(record), f.line().substring("BENCH ".length()) + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
        return 0;
    }

    private static final int RAW = 10_000;
    /** What a phase leaves to do after its last answer: its CPU is the phase's (see ServerCpu.drain). */
    private static final String[] OUTBOXES = {Keys.outbox("36"), Keys.sasOutbox("36")};
    private static final int HTTP_WARMUP = 3_000;
    private static final int HTTP_BOOKINGS = 10_000;
    private static final int OPEN_SLOW = 1_000;
    private static final int OPEN_FAST = 2_000;
    private static final int OPEN_SECONDS = 7;
    private static final int RAW_WARMUP = 1_000;
    private static final int MATCHES = 10_000;
    private static final int OPEN_MATCHES = 500;

    private static void record(Figures f, String name, Load.Result r) {
        f.put(name + "_per_s", r.perSecond()).put(name + "_p50_us", r.p50ms() * 1000).put(name + "_p99_us", r.p99ms() * 1000)
                .put(name + "_failed", r.total() - r.ok());
    }

    /** The share of the machine's CPU time the hypervisor gave to other guests during the run (a noisy run shows it). */
    private static void steal(Figures f, long[] atStart) {
        long[] now = ServerCpu.machineTicks();
        if (now[0] <= atStart[0]) return;
        double pct = 100.0 * (now[1] - atStart[1]) / (now[0] - atStart[0]);
        System.out.printf("%nCPU time stolen by the hypervisor during the run: %.1f %%%n", pct);
        f.put("cpu_steal_pct", pct);
    }

    private static void recordOpen(Figures f, String name, Load.OpenResult r) {
        f.put(name + "_rate_per_s", r.rate()).put(name + "_achieved_per_s", r.perSecond())
                .put(name + "_p50_us", r.p50ms() * 1000).put(name + "_p99_us", r.p99ms() * 1000)
                .put(name + "_max_us", r.maxMs() * 1000).put(name + "_failed", r.total() - r.ok());
    }

    /** A phase driven by a {@link LoadGenerator} in its own process: its result and the server's CPU over it. */
    private record Phase(JsonObject result, ServerCpu.PerOp cpu) {}

    private static Phase phase(io.lettuce.core.api.sync.RedisCommands<String, String> redis, JsonObject spec, int measuredOps)
            throws Exception {
        ServerCpu[] start = new ServerCpu[1];
        ServerCpu.PerOp[] per = new ServerCpu.PerOp[1];
        // the counters are read from this thread while the child runs: it only prints, the server works
        JsonObject result = LoadGenerator.run(spec, mark -> {
            if (mark.equals("MEASURING")) {
                start[0] = ServerCpu.start(redis);
            } else {
                try {
                    ServerCpu.drain(redis, OUTBOXES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                per[0] = start[0].per(redis, measuredOps);
            }
        });
        return new Phase(result, per[0]);
    }

    /**
     * The ANS test kit's INT_R04 query (launch 2: the four includes, Paris times without offset, now to the end of the
     * day after tomorrow) for 25 random RPPS of the 1,000, against the FHIR router mounted as the mutual-TLS listener
     * mounts it (its own HTTP server, the SAS platform's principal put in the context), on the same in-memory index:
     * p50 at concurrency 1, throughput and p99 at concurrency 50 (closed loops), p50, p99 and max at a fixed arrival rate of
     * 420/s and 840/s (open loops, latency from the scheduled send), bytes per response, and the server's time split
     * between matching, building the Bundle and serialising it.
     */
    static void fhirSearch(Services s, List<Effector> effectors, Figures f) throws Exception {
        fr.snp.dispatch.fhir.CptsCatalog catalog = new fr.snp.dispatch.fhir.CptsCatalog(List.of(
                new fr.snp.dispatch.fhir.CptsCatalog.Entry("CPTS-BENCH", "CPTS du banc d'essai", "36", "369000001")));
        Vertx vertx = Vertx.vertx();
        fr.snp.dispatch.fhir.FhirRoutes fhir = new fr.snp.dispatch.fhir.FhirRoutes(s.index(), catalog, s.communes(),
                "http://127.0.0.1", s::nowMs);
        Principal platform = new Principal("sas-platform", Role.REGULATOR, "SAS platform", Set.of("36"), "SAS-PLATFORM", Set.of());
        io.vertx.ext.web.Router router = io.vertx.ext.web.Router.router(vertx);
        router.route("/fhir/*").handler(ctx -> {
            ctx.put(fr.snp.dispatch.fhir.FhirRoutes.PRINCIPAL, platform);
            ctx.next();
        });
        router.route("/fhir/*").subRouter(fhir.router(vertx));
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        // as many server verticles as cores, sharing the port, as the dispatcher deploys its own
        vertx.deployVerticle(() -> new io.vertx.core.AbstractVerticle() {
            @Override
            public void start(io.vertx.core.Promise<Void> started) {
                vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1").onComplete(ar -> {
                    if (ar.succeeded()) started.complete(); else started.fail(ar.cause());
                });
            }
        }, new io.vertx.core.DeploymentOptions().setInstances(instances)).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        try {
            fhirSearch(vertx, fhir, effectors, port, f);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static void fhirSearch(Vertx vertx, fr.snp.dispatch.fhir.FhirRoutes fhir, List<Effector> effectors, int port, Figures f)
            throws Exception {
        HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
                .setDefaultPort(port), new PoolOptions().setHttp1MaxSize(50));
        java.time.ZoneId paris = java.time.ZoneId.of("Europe/Paris");
        java.time.format.DateTimeFormatter kit = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
        Random r = new Random(12);
        IntFunction<String> query = i -> {
            java.time.ZonedDateTime now = java.time.ZonedDateTime.now(paris);
            StringBuilder ids = new StringBuilder();
            for (int k = 0; k < 25; k++) {
                if (k > 0) ids.append(',');
                ids.append("urn:oid:1.2.250.1.71.4.2.1|8").append(effectors.get(r.nextInt(effectors.size())).rpps());
            }
            return "/fhir/Slot?_include=Slot:schedule&_include=Slot:service-type-reference&_include:iterate=Schedule:actor"
                    + "&_include:iterate=HealthcareService:organization&schedule.actor:Practitioner.identifier=" + ids
                    + "&start=ge" + kit.format(now) + ".000&start=le" + kit.format(now.plusDays(2).with(java.time.LocalTime.of(23, 59, 59)))
                    + ".000&status=free";
        };
        java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
        IntFunction<CompletableFuture<Boolean>> search = i -> http.request(HttpMethod.GET, query.apply(i))
                .compose(req -> req.send()).compose(resp -> resp.body().map(b -> {
                    bytes.addAndGet(b.length());
                    return resp.statusCode() == 200;
                })).toCompletionStage().toCompletableFuture();
        Load.drive(2_000, 8, search); // warm-up (JIT)
        // one response looked at: what it holds
        String sample = http.request(HttpMethod.GET, query.apply(0)).compose(req -> req.send()).compose(resp -> resp.body())
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).toString();
        JsonObject b = new JsonObject(sample);
        long[] before = fhir.phaseNanos();
        bytes.set(0);
        int quietRuns = 2_000;
        Load.Result one = Load.drive(quietRuns, 1, search);
        long[] after = fhir.phaseNanos();
        long quietBytes = bytes.get();
        System.out.printf("%nSAS slot search over FHIR (INT_R04, the ANS kit's query: 25 RPPS, 2-day window, 4 includes; "
                        + "a response holds ~%d Slots of %d entries, %,d bytes on average)%n", b.getInteger("total"),
                b.getJsonArray("entry", new io.vertx.core.json.JsonArray()).size(), quietBytes / quietRuns);
        System.out.printf("  concurrency 1:  %s (target p50 <= 5 ms)%n", one);
        System.out.printf("  server time per search at concurrency 1: match %.2f ms, build %.2f ms, serialise %.2f ms%n",
                (after[0] - before[0]) / 1e6 / quietRuns, (after[1] - before[1]) / 1e6 / quietRuns, (after[2] - before[2]) / 1e6 / quietRuns);
        Load.Result fifty = Load.drive(20_000, 50, search);
        System.out.printf("  concurrency 50: %s (saturation, closed loop; target >= 420/s; a generic FHIR server: 9/s at c=1, "
                + "21/s at c=50)%n", fifty);
        // the latency target holds at the target load, not at saturation: 50 clients in a closed loop wait 50 / throughput
        // on average whatever the server does (Little's law); an open loop sends at a fixed rate instead
        Load.OpenResult target = Load.openLoop(420, 3, 12, 50, search);
        System.out.printf("  open loop at 420/s (the target rate): %s (target p99 <= 50 ms)%n", target);
        Load.OpenResult twice = Load.openLoop(840, 3, 12, 50, search);
        System.out.printf("  open loop at 840/s (2x the target):   %s%n", twice);
        f.put("fhir_search_c1_p50_us", one.p50ms() * 1000).put("fhir_search_c50_per_s", fifty.perSecond())
                .put("fhir_search_open_420_p99_us", target.p99ms() * 1000).put("fhir_search_open_840_p99_us", twice.p99ms() * 1000);
    }

    /**
     * The upper bound (us) of the histogram bucket holding the given quantile of what was recorded between two
     * snapshots (the counts are cumulative since the start: their differences are the phase's own).
     */
    static double bucketBound(io.micrometer.core.instrument.distribution.HistogramSnapshot before,
                              io.micrometer.core.instrument.distribution.HistogramSnapshot after, double quantile) {
        var b = before.histogramCounts();
        var a = after.histogramCounts();
        double target = (after.count() - before.count()) * quantile;
        for (int i = 0; i < a.length; i++) {
            if (a[i].count() - b[i].count() >= target) return a[i].bucket(TimeUnit.MICROSECONDS);
        }
        return Double.NaN;
    }

    /**
     * Ten requests wait for a specialty no bench effector has (medical gynaecology); thirty times, a gynaecologist who
     * joined publishes a slot that fits them: the time from the publication to the notice reaching a desk's live
     * connection (change stream, the watcher's 200 ms gathering, matching of the list, the notice), on this instance.
     */
    static void waitingNotice(Services s, Principal desk, Figures f) throws Exception {
        Effector joined = new Effector("__ID__", "36", Rpps.withCheckDigit("1899999999"), "Bench", "Gyn", "SM20",
                List.of(new PracticeLocation(0, "Cabinet", "", "36044", "Châteauroux", 46.81, 1.69, "PRACTICE", true)),
                Set.of("CPTS-BENCH"), 1000, 0, null, null);
        s.effectors().create(Principal.server("36"), joined).toCompletableFuture().get(10, TimeUnit.SECONDS);
        String gyn = s.index().territory("36").allEffectors().stream().filter(e -> e.specialty().equals("SM20")).findFirst()
                .orElseThrow().id();
        java.time.OffsetDateTime now = java.time.OffsetDateTime.now();
        Patient patient = new Patient("WL", 1980, "0612345678", "36044", "Châteauroux", 46.81, 1.69, false, false, false,
                false, false);
        for (int i = 0; i < 10; i++) {
            String id = s.requests().file(desk, "36", Origin.SAS_116117, patient,
                    new Need(now, now.plusHours(48), EnumSet.of(Mode.AMB), "SM20", 30, 10)).toCompletableFuture().get().request().id();
            s.waiting().put(desk, id).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        java.util.concurrent.BlockingQueue<String> notices = new java.util.concurrent.LinkedBlockingQueue<>();
        fr.snp.dispatch.live.LiveFeed.Subscriber connection = new fr.snp.dispatch.live.LiveFeed.Subscriber() {
            @Override public void onEvent(String id, java.util.Map<String, String> entry) {}

            @Override public void onNotice(fr.snp.dispatch.live.LiveFeed.Notice n) { notices.add(n.json()); }
        };
        s.live().subscribe("36", connection);
        long[] ms = new long[30];
        for (int i = 0; i < ms.length; i++) {
            // each earlier than the last: the new slot ranks first among the slots that fit (a request ranks its 10 best)
            long start = now.toEpochSecond() + 2 * 3600 + (ms.length - i) * 1200L;
            start -= start % 60;
            NewSlot slot = new NewSlot(gyn, 0, start, start + 900, 3600, "AMB", Audience.SNP.bit | Audience.CPTS.bit, 0, 0,
                    s.planner().week(java.time.Instant.ofEpochSecond(start)));
            long t0 = System.nanoTime();
            s.publishing().publish(Principal.server("36"), slot).toCompletableFuture().get(10, TimeUnit.SECONDS);
            while (true) {
                String n = notices.poll(5, TimeUnit.SECONDS);
                if (n == null) throw new IllegalStateException("no notice for " + slot.id() + " within 5 s");
                if (n.contains(slot.id()) && n.split("\"id\"").length > 10) break; // all ten requests are named
            }
            ms[i] = (System.nanoTime() - t0) / 1_000_000;
        }
        s.live().unsubscribe("36", connection);
        Arrays.sort(ms);
        System.out.printf("%nWaiting list (10 requests waiting, 30 publications that fit them): publication to the desks' notice "
                + "p50 %d ms, p95 %d ms, max %d ms (the watcher gathers changes for 200 ms)%n", ms[15], ms[28], ms[29]);
        f.put("waiting_notice_p50_ms", ms[15]).put("waiting_notice_max_ms", ms[29]);
    }

    private static List<Effector> effectors(Services s) throws Exception { return effectors(s, EFFECTORS); }

    private static List<Effector> effectors(Services s, int count) throws Exception {
        Random r = new Random(36);
        List<CompletableFuture<?>> created = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (count < EFFECTORS && i % 50 == 0 && i > 0) created.get(i - 1).get(60, TimeUnit.SECONDS); // gentle, small runs
            Effector e = new Effector("__ID__", "36", Rpps.withCheckDigit(String.format("18%08d", i)), "Bench", "E" + i, "SM54",
                    List.of(new PracticeLocation(0, "Cabinet", "", "36044", "Châteauroux", 46.3 + r.nextDouble() * 0.9,
                            1.0 + r.nextDouble() * 1.2, "PRACTICE", true)), Set.of("CPTS-BENCH"), 1000, 0, null, null);
            created.add(s.effectors().create(Principal.server("36"), e).toCompletableFuture());
        }
        CompletableFuture.allOf(created.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        return s.index().territory("36").allEffectors();
    }

    private static List<String> publish(Services s, List<Effector> effectors) throws Exception {
        return publish(s, effectors, SLOTS, 5_000);
    }

    /** {@code batch}: publications in flight at most (a loaded machine times out with many). */
    private static List<String> publish(Services s, List<Effector> effectors, int count, int batch) throws Exception {
        long now = s.nowMs() / 1000;
        List<CompletableFuture<Publishing.Published>> replies = new ArrayList<>(count);
        List<String> ids = new ArrayList<>(count);
        int perEffector = count / effectors.size();
        for (Effector e : effectors) {
            for (int k = 0; k < perEffector; k++) {
                long start = now + 3600 + k * 3 * 3600L; // every 3 hours over about a week
                start -= start % 60;
                NewSlot slot = new NewSlot(e.id(), 0, start, start + 900, 3600, "AMB", Audience.SNP.bit | Audience.CPTS.bit, 0, 0,
                        s.planner().week(java.time.Instant.ofEpochSecond(start)));
                ids.add(slot.id());
                replies.add(s.publishing().publish(Principal.server("36"), slot).toCompletableFuture());
                if (replies.size() % batch == 0) replies.get(replies.size() - 1).get(60, TimeUnit.SECONDS);
            }
        }
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        java.util.Collections.shuffle(ids, new Random(5));
        return ids;
    }

    private static List<String> requests(Services s, int count, Principal principal) throws Exception {
        return requests(s, count, principal, 5_000);
    }

    private static List<String> requests(Services s, int count, Principal principal, int batch) throws Exception {
        List<String> ids = new ArrayList<>(count);
        List<CompletableFuture<Requests.Filed>> stored = new ArrayList<>();
        Patient patient = new Patient("BE", 1960, "0612345678", "36044", "Châteauroux", 46.81, 1.69, false, false, false,
                false, false);
        java.time.OffsetDateTime now = java.time.OffsetDateTime.now();
        // a window in the past: nothing to match, only the request is stored
        Need need = new Need(now.minusHours(2), now.minusHours(1), EnumSet.of(Mode.AMB), "SM54", 30, 10);
        for (int i = 0; i < count; i++) {
            stored.add(s.requests().file(principal, "36", Origin.OSNP, patient, need).toCompletableFuture());
            if (stored.size() % batch == 0) stored.get(stored.size() - 1).get(60, TimeUnit.SECONDS);
        }
        CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        for (CompletableFuture<Requests.Filed> f : stored) ids.add(f.join().request().id());
        return ids;
    }

    // --- the cost of durability ------------------------------------------------------------------------------------

    /** One set-up of {@link #durability}: the master's fsync policy, a replica or not, the dispatcher's durability. */
    private record DurableSetUp(String name, String appendfsync, boolean replica, String durability, int replicas) {}

    /**
     * The price of redis.durability, on this machine: for each set-up a fresh Redis with its append-only file (and,
     * for two of them, a local replica), a dispatcher on it, {@code bookings} bookings through the use case in process
     * (raw: the book script by EVALSHA, plus WAIT when strict with replicas) and as many over HTTP, at the concurrency.
     * Client, dispatcher, Redis and replica share the machine's cores.
     */
    static void durability(Settings settings, int concurrency, int bookings) throws Exception {
        System.out.printf("SNP dispatch benchmark, durability: %d bookings raw and %d over HTTP per set-up, concurrency %d, "
                + "%d cores (client, dispatcher, Redis and replica on this machine)%n", bookings, bookings, concurrency,
                Runtime.getRuntime().availableProcessors());
        List<DurableSetUp> setUps = List.of(
                // the first set-up run pays the JIT's warm-up: run once, printed apart, not a figure to compare
                new DurableSetUp("warm-up (JIT; relaxed, everysec; not a figure)", "everysec", false, "relaxed", 0),
                new DurableSetUp("relaxed, appendfsync everysec (today)", "everysec", false, "relaxed", 0),
                new DurableSetUp("strict, appendfsync always, no replica", "always", false, "strict", 0),
                new DurableSetUp("relaxed, everysec + local replica, no WAIT", "everysec", true, "relaxed", 1),
                new DurableSetUp("strict, everysec + local replica, WAIT 1", "everysec", true, "strict", 1));
        for (DurableSetUp u : setUps) {
            java.nio.file.Path dir = Files.createTempDirectory("snp-bench-durable");
            Process replica = null;
            try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("master"), true, u.appendfsync())) {
                if (u.replica()) replica = replica(redis, dir.resolve("replica"));
                try (Dispatcher d = Dispatcher.start(settings.with("redis.url", redis.url()).with("http.port", "0")
                        .with("requests.retentionDays", "1").with("limits.writesPerMinute", "0")
                        .with("limits.activeHoldsPerPrincipal", "0").with("redis.durability", u.durability())
                        .with("redis.replicas", String.valueOf(u.replicas())).with("redis.waitTimeoutMs", "1000")
                        .with("redis.allowUnsafe", "false"), false, Clock.systemUTC())) {
                    Services s = d.services();
                    List<String> slots = publish(s, effectors(s, 100), 2 * bookings, 200);
                    Principal regulator = new Principal("bench", Role.REGULATOR, "bench", Set.of("36"), "SAS-BENCH", Set.of());
                    String token = s.tokens().create(regulator).toCompletableFuture().get(10, TimeUnit.SECONDS).getKey();
                    Principal principal = s.tokens().lookup(token).toCompletableFuture().get();
                    List<String> requests = requests(s, 2 * bookings, principal, 200);
                    AtomicInteger next = new AtomicInteger();
                    Load.Result raw = Load.drive(bookings, concurrency, i -> {
                        int k = next.getAndIncrement();
                        return s.bookings().book(principal, slots.get(k), requests.get(k), null, "raw-" + k)
                                .handle((booked, error) -> error == null).toCompletableFuture();
                    });
                    Vertx vertx = Vertx.vertx();
                    HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
                            .setDefaultPort(d.port()), new PoolOptions().setHttp1MaxSize(concurrency));
                    AtomicInteger nextHttp = new AtomicInteger(bookings);
                    Load.Result overHttp = Load.drive(bookings, concurrency, i -> {
                        int k = nextHttp.getAndIncrement();
                        JsonObject body = new JsonObject().put("slotId", slots.get(k)).put("requestId", requests.get(k));
                        return LoadGenerator.send(http, HttpMethod.POST, "/api/v1/appointments", token, body, "http-" + k, 201);
                    });
                    vertx.close();
                    System.out.printf("%n%s:%n  raw (use case, EVALSHA%s): %s%n  over HTTP:%s %s%n", u.name(),
                            u.durability().equals("strict") && u.replicas() > 0 ? " + WAIT" : "", raw,
                            u.durability().equals("strict") && u.replicas() > 0 ? "                    " : "             ", overHttp);
                }
            } finally {
                if (replica != null) {
                    replica.destroy();
                    replica.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
        System.out.println("\n(ok = 201; a booking not confirmed in time answers 503 OUTCOME_UNKNOWN and is not counted ok)");
    }

    /** A redis-server replicating {@code master} on a free loopback port, AOF on; returns once in sync. */
    private static Process replica(EmbeddedRedis master, java.nio.file.Path dir) throws Exception {
        Files.createDirectories(dir);
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        String password = master.url().substring("redis://:".length(), master.url().indexOf('@'));
        java.nio.file.Path conf = dir.resolve("replica.conf");
        Files.writeString(conf, "masterauth " + password + "\n"); // not on the command line
        Process p = new ProcessBuilder(master.executable(), conf.toString(), "--port", String.valueOf(port),
                "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "", "--appendonly", "yes",
                "--replicaof", "127.0.0.1", String.valueOf(master.port()), "--logfile", dir.resolve("redis.log").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        RedisClient client = RedisClient.create(master.url());
        try (var c = client.connect()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!c.sync().info("replication").contains("state=online")) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("bench replica not in sync after 20 s");
                Thread.sleep(50);
            }
        } finally {
            client.shutdown();
        }
        return p;
    }

    private static String info(String info, String field) {
        for (String line : info.split("\r?\n")) if (line.startsWith(field + ":")) return line.substring(field.length() + 1).strip();
        throw new IllegalStateException(field + " not in INFO");
    }

    /** The processor's model (Linux), so that a figure read later says what it was measured on. */
    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
            }
        } catch (java.io.IOException | RuntimeException unknown) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private static String option(List<String> args, String name, String otherwise) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : otherwise;
    }
}
