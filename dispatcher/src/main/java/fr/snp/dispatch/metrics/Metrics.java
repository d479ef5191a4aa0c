package fr.snp.dispatch.metrics;

import fr.snp.dispatch.domain.Audience;
import fr.snp.dispatch.matching.TerritoryIndex;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The service's own metrics, with the names the dashboards and alert rules use. Labels stay bounded: origin,
 * result, outcome, territory, audience; never a slot, a request or a patient. Histograms are published as
 * buckets so that histogram_quantile works.
 */
public final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer match;
    private final Timer booking;
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Counter> bookings = new ConcurrentHashMap<>();
    private final Map<String, Counter> feedback = new ConcurrentHashMap<>();
    private final Map<String, Counter> sasPushes = new ConcurrentHashMap<>();
    /** Per territory: SAS pushes waiting, age of the oldest (INT_R03). */
    private final Map<String, double[]> sasValues = new ConcurrentHashMap<>();
    private final Set<String> territories = ConcurrentHashMap.newKeySet();
    /** Per territory: the last count of its slots (free by audience, free SNP within 24 h, held). */
    private final Map<String, TerritoryIndex.SlotFigures> slotFigures = new ConcurrentHashMap<>();
    /** The source of dispatch_embedded_redis_restarts_total, when this server supervises an embedded Redis. */
    private volatile LongSupplier embeddedRedisRestarts;
    private final Map<String, double[]> territoryValues = new ConcurrentHashMap<>(); // noshow ratio, outbox pending, oldest age
    /** Per territory: outbox lag (unread by the group), outbox dead letters, sas-outbox lag. */
    private final Map<String, double[]> streamValues = new ConcurrentHashMap<>();

    public Metrics() {
        // every timer and distribution summary, ours and the libraries' (Vert.x, Lettuce, JVM), is a histogram with
        // buckets and no client-side percentiles: one exposition type per family (a family mixing summaries and
        // histograms fails the scrape), and histogram_quantile works on all of them
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return DistributionStatisticConfig.builder().percentilesHistogram(true).percentiles().build().merge(config);
            }
        });
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        match = Timer.builder("dispatch_match").description("Ranking the candidates of a request (in memory)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofMillis(100))
                // the targets' own bounds as buckets (quiet p99 0.5 ms, under load 2 ms): a quantile read from the
                // histogram is then exact at the target, not the next generated bucket ~40 % above it
                .serviceLevelObjectives(Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
                        Duration.ofMillis(2), Duration.ofMillis(5))
                .register(registry);
        booking = Timer.builder("dispatch_booking").description("A booking: the Lua script round trip to Redis")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(2)).register(registry);
        // every label value is known: registered at zero, so that no panel or rule starts empty
        for (fr.snp.dispatch.domain.Origin o : fr.snp.dispatch.domain.Origin.values()) counter(requests, "dispatch_requests",
                "origin", o.name(), "Care requests filed");
        for (String r : new String[]{"booked", "conflict", "expired_hold", "idempotent_replay", "refused", "error"}) {
            counter(bookings, "dispatch_bookings", "result", r, "Booking attempts by result");
        }
        for (String o : new String[]{"seen", "noshow", "cancelled", "reoriented"}) {
            counter(feedback, "dispatch_feedback", "outcome", o, "Effector feedback by outcome");
        }
        for (String r : new String[]{"ok", "refused", "unreachable"}) {
            counter(sasPushes, "dispatch_sas_pushes", "result", r, "Pushes to the national SAS platform by result");
        }
    }

    private Counter counter(Map<String, Counter> family, String name, String tag, String value, String description) {
        return family.computeIfAbsent(value, v -> Counter.builder(name).tag(tag, v).description(description).register(registry));
    }

    public MeterRegistry registry() { return registry; }

    public String scrape() { return registry.scrape(); }

    public Timer match() { return match; }

    public Timer booking() { return booking; }

    /** dispatch_demo_mode: 1 while the demo's public tokens are enabled (an alert outside a trial machine). */
    public void demoMode(boolean on) {
        Gauge.builder("dispatch_demo_mode", () -> on ? 1 : 0).description("1 when the demo's public tokens are enabled")
                .register(registry);
    }

    public void request(String origin) {
        counter(requests, "dispatch_requests", "origin", origin, "Care requests filed").increment();
    }

    /** result: booked, conflict, expired_hold, idempotent_replay, refused, error. */
    public void bookingResult(String result) {
        counter(bookings, "dispatch_bookings", "result", result, "Booking attempts by result").increment();
    }

    /** outcome: seen, noshow, cancelled, reoriented. */
    public void feedback(String outcome) {
        counter(feedback, "dispatch_feedback", "outcome", outcome, "Effector feedback by outcome").increment();
    }

    /**
     * The index's anti-entropy: per territory, 1 when the last comparison with Redis found them equal, 0 when it
     * found a difference (the index is then rebuilt), -1 before any comparison; and the rebuilds by reason.
     */
    public void indexChecks(fr.snp.dispatch.sync.IndexChecks checks) {
        for (String reason : fr.snp.dispatch.sync.IndexChecks.REASONS) {
            io.micrometer.core.instrument.FunctionCounter.builder("dispatch_index_reloads", checks, c -> c.reloads(reason))
                    .tag("reason", reason).description("Rebuilds of the in-memory index from Redis, by reason").register(registry);
        }
        this.indexChecks = checks;
    }

    private volatile fr.snp.dispatch.sync.IndexChecks indexChecks;

    /**
     * Registers the gauges of a territory once: free slots by audience and active holds (from the last count, see
     * {@link #slotFigures}), no-show ratio and outbox backlog (refreshed by {@link #territoryFigures}).
     */
    public void watch(String territory) {
        if (!territories.add(territory)) return;
        Gauge.builder("dispatch_index_in_sync", () -> {
            fr.snp.dispatch.sync.IndexChecks c = indexChecks;
            fr.snp.dispatch.sync.IndexChecks.Check last = c == null ? null : c.last(territory);
            return last == null ? -1 : last.inSync() ? 1 : 0;
        }).tag("territory", territory).description("1: the index equalled Redis at the last comparison; 0: it did not "
                + "(rebuilt); -1: not compared yet").register(registry);
        // read from the last count (slotFigures), not counted at the scrape: a scrape costs the same at any number of slots
        for (Audience a : Audience.values()) {
            Gauge.builder("dispatch_free_slots", () -> figures(territory).free(a))
                    .tags("territory", territory, "audience", a.name())
                    .description("Slots that could be taken, by audience, at the last count (every 15 s)").register(registry);
        }
        Gauge.builder("dispatch_free_snp_slots_24h", () -> figures(territory).freeSnpWithin24h())
                .tag("territory", territory).description("Free SNP slots starting within 24 hours of the last count (every 15 s)")
                .register(registry);
        Gauge.builder("dispatch_holds_active", () -> figures(territory).held()).tag("territory", territory)
                .description("Slots held by a caller at the last count (every 15 s)").register(registry);
        double[] values = territoryValues.computeIfAbsent(territory, t -> new double[]{Double.NaN, 0, 0});
        Gauge.builder("dispatch_noshow_ratio", values, v -> v[0]).tag("territory", territory)
                .description("No-shows / (fulfilled + no-shows) over the last 30 days").register(registry);
        Gauge.builder("dispatch_outbox_pending", values, v -> v[1]).tag("territory", territory)
                .description("Notifications not yet delivered").register(registry);
        Gauge.builder("dispatch_outbox_oldest_age_seconds", values, v -> v[2]).tag("territory", territory)
                .description("Age of the oldest notification not yet delivered").register(registry);
        double[] streams = streamValues.computeIfAbsent(territory, t -> new double[]{0, 0, 0});
        Gauge.builder("dispatch_stream_group_lag", streams, v -> v[0]).tags("territory", territory, "stream", "outbox")
                .description("Entries of the stream its consumer group has not read yet (not counted as pending)").register(registry);
        Gauge.builder("dispatch_stream_group_lag", streams, v -> v[2]).tags("territory", territory, "stream", "sas-outbox")
                .description("Entries of the stream its consumer group has not read yet (not counted as pending)").register(registry);
        Gauge.builder("dispatch_outbox_dead_letters", streams, v -> v[1]).tag("territory", territory)
                .description("Notifications set aside as dead letters (not delivered in outbox.deadLetterAfterHours), kept 30 days")
                .register(registry);
        double[] sas = sasValues.computeIfAbsent(territory, t -> new double[]{0, 0, 0});
        Gauge.builder("dispatch_sas_push_backlog", sas, v -> v[0]).tag("territory", territory)
                .description("Appointment changes not yet taken by the national SAS platform (INT_R03)").register(registry);
        Gauge.builder("dispatch_sas_push_oldest_age_seconds", sas, v -> v[1]).tag("territory", territory)
                .description("Age of the oldest push the SAS platform has not taken yet").register(registry);
        // read from Redis (what every instance sees alike), so a rise is a new dead letter wherever it was set aside
        Gauge.builder("dispatch_sas_push_dead_letters", sas, v -> v[2]).tag("territory", territory)
                .description("Pushes to the SAS platform set aside as dead letters (refused for good), kept 30 days")
                .register(registry);
    }

    /** The SAS push backlog of a territory (refreshed with the other territory figures). */
    public void sasBacklog(String territory, long pending, long oldestAgeSeconds, long deadLetters) {
        double[] v = sasValues.get(territory);
        if (v == null) return;
        v[0] = pending;
        v[1] = oldestAgeSeconds;
        v[2] = deadLetters;
    }

    /** result: ok, refused (the platform answered something else than expected), unreachable (no answer, TLS refused). */
    public void sasPush(String result) {
        counter(sasPushes, "dispatch_sas_pushes", "result", result, "Pushes to the national SAS platform by result").increment();
    }

    /** The outbox's lag and dead letters, and the sas-outbox's lag, of a territory (refreshed with the other figures). */
    public void streamFigures(String territory, long outboxLag, long outboxDeadLetters, long sasLag) {
        double[] v = streamValues.get(territory);
        if (v == null) return;
        v[0] = outboxLag;
        v[1] = outboxDeadLetters;
        v[2] = sasLag;
    }

    /**
     * dispatch_loop_last_tick_seconds{loop}: when a background loop (the outbox worker, the SAS push worker, the index
     * follower) last went round, epoch seconds; a loop dead or stuck stops it (alert LoopStalled).
     */
    public void loop(String name, LongSupplier lastTickMs) {
        Gauge.builder("dispatch_loop_last_tick_seconds", () -> lastTickMs.getAsLong() / 1000.0).tag("loop", name)
                .description("When a background loop last went round (epoch seconds)").register(registry);
    }

    public void territoryFigures(String territory, double noshowRatio, long outboxPending, long oldestAgeSeconds) {
        double[] v = territoryValues.get(territory);
        if (v == null) return;
        v[0] = noshowRatio;
        v[1] = outboxPending;
        v[2] = oldestAgeSeconds;
    }

    /**
     * dispatch_outcome_unknown_total: state changes (bookings, cancellations, feedback, requests and their outcomes)
     * answered 503 OUTCOME_UNKNOWN, not confirmed kept in time under redis.durability=strict (a replica lagging or
     * gone, a master away between the script and its WAIT). Each is settled by its caller's retry; many say the
     * replicas cannot keep up.
     */
    public void outcomesUnknown(LongSupplier count) {
        io.micrometer.core.instrument.FunctionCounter.builder("dispatch_outcome_unknown", count, c -> c.getAsLong())
                .description("State changes answered 503 OUTCOME_UNKNOWN (not confirmed kept in time)").register(registry);
    }

    /** dispatch_embedded_redis_restarts_total: how many times the embedded Redis died unasked and was started again. */
    public void embeddedRedisRestarts(LongSupplier restarts) {
        embeddedRedisRestarts = restarts; // held here: a function counter keeps only a weak reference to its source
        io.micrometer.core.instrument.FunctionCounter.builder("dispatch_embedded_redis_restarts", restarts, r -> r.getAsLong())
                .description("Restarts of the embedded Redis after it died without being asked to").register(registry);
    }

    public void liveConnections(LongSupplier connections) {
        Gauge.builder("dispatch_live_connections", connections::getAsLong).description("Open live-feed connections")
                .register(registry);
    }

    /**
     * The slot figures of a territory as counted at {@link TerritoryIndex.SlotFigures#countedAtMs} (the count is a
     * pass over the territory's slots: the caller runs it off the event loop, every 15 s).
     */
    public void slotFigures(String territory, TerritoryIndex.SlotFigures figures) { slotFigures.put(territory, figures); }

    private TerritoryIndex.SlotFigures figures(String territory) {
        return slotFigures.getOrDefault(territory, TerritoryIndex.SlotFigures.NONE);
    }

    /** 1 while Redis answers, 0 when it does not (refreshed with the territory figures). */
    public void redisUp(boolean up) { redisUp[0] = up ? 1 : 0; }

    private final double[] redisUp = registerRedisUp();

    private double[] registerRedisUp() {
        double[] v = {1};
        Gauge.builder("dispatch_redis_up", v, x -> x[0]).description("1 while Redis answers a PING").register(registry);
        return v;
    }
}
