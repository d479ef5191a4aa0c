package fr.snp.dispatch;

import fr.snp.dispatch.api.HttpVerticle;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.auth.TokenStore;
import fr.snp.dispatch.availability.AvailabilityPlanner;
import fr.snp.dispatch.booking.AppointmentStore;
import fr.snp.dispatch.booking.SlotCommands;
import fr.snp.dispatch.config.Settings;
import fr.snp.dispatch.demo.DemoTerritory;
import fr.snp.dispatch.directory.EffectorStore;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.geo.CommuneDirectory;
import fr.snp.dispatch.matching.Matcher;
import fr.snp.dispatch.matching.RankingWeights;
import fr.snp.dispatch.matching.SlotIndex;
import fr.snp.dispatch.notifications.FeedbackLinks;
import fr.snp.dispatch.notifications.NotificationBuilder;
import fr.snp.dispatch.notifications.OutboxWorker;
import fr.snp.dispatch.redis.EmbeddedRedis;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.requests.RequestStore;
import fr.snp.dispatch.stats.StatsReader;
import fr.snp.dispatch.sync.IndexSync;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.metrics.MicrometerCommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerOptions;
import io.lettuce.core.resource.ClientResources;
import fr.snp.dispatch.metrics.Metrics;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The running server, wired in one place: Redis (given, or a private embedded one), the stores, the in-memory
 * index loaded from Redis and kept in step by the change streams, the HTTP verticles, and two housekeeping
 * timers (materialise due audience releases; drop ended slots from memory).
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());

    private final EmbeddedRedis embedded;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final IndexSync sync;
    private final OutboxWorker outbox;
    private final Vertx vertx;
    private final Services services;
    private final int port;
    private final String demoEffectorId;

    private Dispatcher(EmbeddedRedis embedded, RedisClient client, StatefulRedisConnection<String, String> connection,
                       IndexSync sync, OutboxWorker outbox, Vertx vertx, Services services, int port,
                       String demoEffectorId) {
        this.embedded = embedded;
        this.client = client;
        this.connection = connection;
        this.sync = sync;
        this.outbox = outbox;
        this.vertx = vertx;
        this.services = services;
        this.port = port;
        this.demoEffectorId = demoEffectorId;
    }

    /** Starts everything; {@code demo} loads the demo territory and enables the demo tokens. */
    public static Dispatcher start(Settings settings, boolean demo, Clock clock) throws Exception {
        EmbeddedRedis embedded = null;
        String url = settings.string("redis.url");
        if (url.isEmpty()) {
            embedded = EmbeddedRedis.start(Path.of(settings.string("redis.embedded.dataDir")), true);
            url = embedded.url();
        }
        Metrics metrics = new Metrics();
        // Lettuce's own command latency, as histograms (the default summaries have no buckets)
        ClientResources resources = ClientResources.builder().commandLatencyRecorder(new MicrometerCommandLatencyRecorder(
                metrics.registry(), MicrometerOptions.builder().histogram(true).build())).build();
        RedisClient client = RedisClient.create(resources, url);
        // fail fast while Redis is unreachable (503 to the caller) rather than queue commands for a minute
        client.setOptions(ClientOptions.builder().autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(java.time.Duration.ofSeconds(2))).build());
        StatefulRedisConnection<String, String> connection = client.connect();
        RedisAsyncCommands<String, String> redis = connection.async();

        int streamMaxLen = settings.integer("redis.streamMaxLen");
        SlotIndex index = new SlotIndex();
        EffectorStore effectors = new EffectorStore(redis, index, streamMaxLen);
        TokenStore tokens = new TokenStore(redis);
        AvailabilityPlanner planner = new AvailabilityPlanner(settings);
        int port = settings.integer("http.port");
        if (port == 0) port = freePort();
        FeedbackLinks links = new FeedbackLinks(feedbackKey(settings, redis), publicBaseUrl(settings, port),
                settings.integer("feedback.linkTtlDays") * 86_400L);
        Services services = new Services(settings, clock, redis, index, new Matcher(RankingWeights.from(settings)),
                new SlotCommands(redis, index, streamMaxLen, planner,
                        settings.integer("feedback.reminderAfterHours")), effectors,
                new RequestStore(redis, settings.integer("requests.retentionDays"), planner), new AppointmentStore(redis),
                tokens, CommuneDirectory.loadDefault(), planner, new StatsReader(redis, planner), links, new fr.snp.dispatch.live.LiveFeed(), metrics);
        metrics.liveConnections(() -> services.live().connections());

        IndexSync sync = new IndexSync(client, redis, index, effectors, services.live());
        int loaded = sync.loadAll(clock.millis());
        LOG.info(() -> "index loaded: " + loaded + " slots from Redis");
        String demoEffector = null;
        if (demo) {
            demoEffector = new DemoTerritory(services).load();
            tokens.enableDemoTokens(demoTokens(demoEffector));
        }
        sync.follow();
        OutboxWorker outbox = new OutboxWorker(client, services,
                new NotificationBuilder(services, links, fr.snp.dispatch.api.Views::appointment), demo);
        outbox.start();

        int instances = settings.integer("http.instances");
        if (instances <= 0) instances = Runtime.getRuntime().availableProcessors();
        // Vert.x HTTP server metrics with the route label and histogram buckets, in the same registry
        Vertx vertx = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(Math.max(instances, 1))
                        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
                                // each dispatcher its own backend (Vert.x keeps them in a JVM-wide table by name)
                                .setRegistryName("snp-dispatch-" + java.util.UUID.randomUUID())
                                .addLabels(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE)
                                .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true))))
                .withMetrics(new MicrometerMetricsFactory(metrics.registry())).build();
        String host = settings.string("http.host");
        int listenPort = port;
        vertx.deployVerticle(() -> new HttpVerticle(services, host, listenPort), new DeploymentOptions().setInstances(instances))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        Dispatcher d = new Dispatcher(embedded, client, connection, sync, outbox, vertx, services, port, demoEffector);
        d.startHousekeeping();
        LOG.info("SNP dispatcher listening on http://" + host + ":" + port + (demo ? " (demo mode)" : ""));
        return d;
    }

    private void startHousekeeping() {
        vertx.setPeriodic(30_000, id -> releaseDueAudiences());
        vertx.setPeriodic(60_000, id -> sendDueReminders());
        refreshMetrics();
        vertx.setPeriodic(15_000, id -> refreshMetrics());
        vertx.setPeriodic(600_000, id -> {
            long cutoff = services.nowMs() / 1000 - 3600;
            services.index().territories().forEach(t -> services.index().territory(t).pruneEndedBefore(cutoff));
        });
    }

    /** Writes down the audience releases that are due (matching already honours them without this). */
    public void releaseDueAudiences() {
        long now = services.nowMs();
        for (String t : services.index().territories()) {
            for (String slotId : services.index().territory(t).dueReleases(now)) services.slots().releaseAudience(slotId, now);
        }
    }

    /** Per-territory gauges: registered once, figures refreshed from Redis (30-day no-show ratio, outbox backlog). */
    public void refreshMetrics() {
        Metrics m = services.metrics();
        services.redis().ping().toCompletableFuture().orTimeout(1, java.util.concurrent.TimeUnit.SECONDS)
                .whenComplete((pong, error) -> m.redisUp(error == null && "PONG".equals(pong)));
        for (String t : services.index().territories()) {
            m.watch(t, services.index(), services::nowMs);
            java.time.LocalDate today = services.stats().today(services.nowMs());
            services.stats().days(t, today.minusDays(29), today).thenCombine(OutboxWorker.backlog(services.redis(), t),
                    (days, backlog) -> {
                        var total = StatsReader.total(days);
                        long fulfilled = total.getOrDefault("fulfilled|all|-", 0L);
                        long noshow = total.getOrDefault("noshow|all|-", 0L);
                        m.territoryFigures(t, fulfilled + noshow == 0 ? 0 : (double) noshow / (fulfilled + noshow),
                                backlog.pending(), backlog.oldestAgeSeconds());
                        return null;
                    });
        }
    }

    /** Puts the feedback reminders that are due in the outboxes (each appointment gets one). */
    public void sendDueReminders() {
        long now = services.nowMs();
        services.index().territories().forEach(t -> services.slots().sendDueReminders(t, now));
    }

    /** The configured feedback-link key, or one made once and shared through Redis by every instance. */
    private static byte[] feedbackKey(Settings settings, RedisAsyncCommands<String, String> redis) throws Exception {
        if (settings.isSet("feedback.linkSecret")) return settings.string("feedback.linkSecret").getBytes(StandardCharsets.UTF_8);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        redis.hsetnx(Keys.SECRETS, "feedbackLinks", Base64.getEncoder().encodeToString(random)).get(10, TimeUnit.SECONDS);
        return Base64.getDecoder().decode(redis.hget(Keys.SECRETS, "feedbackLinks").get(10, TimeUnit.SECONDS));
    }

    private static String publicBaseUrl(Settings settings, int port) {
        if (settings.isSet("http.publicBaseUrl")) return settings.string("http.publicBaseUrl");
        return "http://" + settings.string("http.host") + ":" + port;
    }

    static Map<String, Principal> demoTokens(String demoEffectorId) {
        return Map.of(
                "demo-regulator", new Principal("demo-regulator", Role.REGULATOR, "SAS 36 - médecin régulateur (démo)", null, Set.of()),
                "demo-osnp", new Principal("demo-osnp", Role.OSNP, "SAS 36 - OSNP (démo)", null, Set.of()),
                "demo-pharmacist", new Principal("demo-pharmacist", Role.PHARMACIST, "Pharmacie du Marché, Châteauroux (démo)",
                        null, Set.of("CPTS-CASTELROUSSINE")),
                "demo-emergency", new Principal("demo-emergency", Role.EMERGENCY, "Urgences CH Châteauroux (démo)", null,
                        Set.of("CPTS-CASTELROUSSINE")),
                "demo-effector", new Principal("demo-effector", Role.EFFECTOR, "Médecin effecteur (démo)", demoEffectorId,
                        Set.of("CPTS-CASTELROUSSINE")),
                "demo-coordinator", new Principal("demo-coordinator", Role.COORDINATOR, "Coordination interCPTS 36 (démo)",
                        null, Set.of()),
                "demo-ops", new Principal("demo-ops", Role.OPS, "Exploitation (démo)", null, Set.of()));
    }

    public int port() { return port; }

    public Services services() { return services; }

    public String demoEffectorId() { return demoEffectorId; }

    public Vertx vertx() { return vertx; }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warning("closing Vert.x: " + e.getMessage());
        }
        outbox.close();
        sync.close();
        connection.close();
        client.shutdown();
        client.getResources().shutdown();
        if (embedded != null) embedded.close();
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) { return s.getLocalPort(); }
    }
}
