package fr.snp.dispatch;

import fr.snp.dispatch.api.HttpVerticle;
import fr.snp.dispatch.auth.CredentialCheck;
import fr.snp.dispatch.auth.LiveTickets;
import fr.snp.dispatch.auth.People;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.auth.Roster;
import fr.snp.dispatch.auth.Sessions;
import fr.snp.dispatch.auth.TokenStore;
import fr.snp.dispatch.availability.AvailabilityPlanner;
import fr.snp.dispatch.booking.Bookings;
import fr.snp.dispatch.booking.FeedbackFollowUp;
import fr.snp.dispatch.booking.Publishing;
import fr.snp.dispatch.coordination.DoctorRequests;
import fr.snp.dispatch.domain.ServerClock;
import fr.snp.dispatch.live.LiveFeed;
import fr.snp.dispatch.notifications.Outbox;
import fr.snp.dispatch.redis.RedisHealth;
import fr.snp.dispatch.requests.Requests;
import fr.snp.dispatch.config.DemoGuard;
import fr.snp.dispatch.config.Settings;
import fr.snp.dispatch.demo.DemoTerritory;
import fr.snp.dispatch.directory.EffectorStore;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.geo.CommuneDirectory;
import fr.snp.dispatch.matching.Matcher;
import fr.snp.dispatch.matching.RankingWeights;
import fr.snp.dispatch.matching.SlotIndex;
import fr.snp.dispatch.notifications.LinkKeys;
import fr.snp.dispatch.notifications.SignedLinks;
import fr.snp.dispatch.notifications.WebhookPolicy;
import fr.snp.dispatch.booking.Appointment;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.PatientContact;
import fr.snp.dispatch.messages.LogSender;
import fr.snp.dispatch.waiting.WaitingList;
import fr.snp.dispatch.waiting.WaitingWatcher;
import fr.snp.dispatch.messages.PatientMessages;
import fr.snp.dispatch.messages.PatientMessenger;
import fr.snp.dispatch.messages.PatientSender;
import fr.snp.dispatch.messages.PatientTexts;
import fr.snp.dispatch.messages.SmsHttpSender;
import fr.snp.dispatch.messages.SmtpSender;
import fr.snp.dispatch.notifications.NotificationBuilder;
import fr.snp.dispatch.notifications.OutboxWorker;
import fr.snp.dispatch.redis.DiskRetention;
import fr.snp.dispatch.redis.EmbeddedRedis;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.stats.StatsReader;
import fr.snp.dispatch.sync.IndexSync;
import io.lettuce.core.metrics.MicrometerCommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerOptions;
import io.lettuce.core.resource.ClientResources;
import fr.snp.dispatch.metrics.Metrics;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The running server, wired in one place: Redis (given, or a private embedded one), the stores, the in-memory
 * index loaded from Redis and kept in step by the change streams, the HTTP verticles, and housekeeping timers
 * (materialise due audience releases; reminders; metrics; drop ended slots from memory; the daily retention pass).
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());

    private final EmbeddedRedis embedded;
    private final fr.snp.dispatch.redis.RedisConnections connections;
    private final IndexSync sync;
    private final OutboxWorker outbox;
    /** The push of SAS desks' appointments to the national SAS platform; null when sas.baseUrl is empty. */
    private final fr.snp.dispatch.sas.SasPushWorker sasPush;
    private final WaitingWatcher waitingWatcher;
    private final Vertx vertx;
    private final Services services;
    private final int port;
    private final DiskRetention diskRetention;
    /** The SAS platform's mutual-TLS FHIR listener, null when fhir.port is 0. */
    private fr.snp.dispatch.fhir.FhirListener fhir;

    private Dispatcher(EmbeddedRedis embedded, fr.snp.dispatch.redis.RedisConnections connections,
                       IndexSync sync, OutboxWorker outbox, fr.snp.dispatch.sas.SasPushWorker sasPush,
                       WaitingWatcher waitingWatcher, Vertx vertx, Services services, int port, DiskRetention diskRetention) {
        this.sasPush = sasPush;
        this.diskRetention = diskRetention;
        this.waitingWatcher = waitingWatcher;
        this.embedded = embedded;
        this.connections = connections;
        this.sync = sync;
        this.outbox = outbox;
        this.vertx = vertx;
        this.services = services;
        this.port = port;
    }

    /** Starts everything; {@code demo} loads the demo territory and enables the demo tokens. */
    public static Dispatcher start(Settings settings, boolean demo, Clock clock) throws Exception {
        if (demo) DemoGuard.checkBind(settings.string("http.host"));
        // read and checked before anything starts: a bad key store, CA bundle or allow-list is a startup error
        fr.snp.dispatch.fhir.FhirListener.Config fhirConfig = fr.snp.dispatch.fhir.FhirListener.config(settings);
        fr.snp.dispatch.fhir.CptsCatalog.parse(settings.string("fhir.cpts"));
        fr.snp.dispatch.sas.SasPush.checkSettings(settings);
        EmbeddedRedis embedded = null;
        String url = settings.string("redis.url");
        boolean demoTokens = demo && DemoGuard.tokensAllowed(settings.string("http.host"), url);
        if (url.isEmpty()) {
            // strict on the embedded Redis: every write fsynced before it is answered
            boolean strict = fr.snp.dispatch.redis.Durability.level(settings.string("redis.durability"), true)
                    == fr.snp.dispatch.redis.Durability.Level.STRICT;
            embedded = EmbeddedRedis.start(Path.of(settings.string("redis.embedded.dataDir")), true, strict ? "always" : "everysec");
            url = embedded.url();
        }
        try {
            return assemble(settings, demo, clock, embedded, url, demoTokens, fhirConfig);
        } catch (Exception | Error failed) {
            // a start that fails half-way (Redis too slow while loading the demo…) leaves no redis-server behind
            if (embedded != null) embedded.close();
            throw failed;
        }
    }

    private static Dispatcher assemble(Settings settings, boolean demo, Clock clock, EmbeddedRedis embedded, String url,
                                       boolean demoTokens, fr.snp.dispatch.fhir.FhirListener.Config fhirConfig)
            throws Exception {
        Metrics metrics = new Metrics();
        // Lettuce's own command latency, as histograms (the default summaries have no buckets)
        ClientResources.Builder resourcesBuilder = ClientResources.builder().commandLatencyRecorder(new MicrometerCommandLatencyRecorder(
                metrics.registry(), MicrometerOptions.builder().histogram(true).build()));
        // the embedded Redis is started again within a second or so of its death (EmbeddedRedis): reconnection attempts
        // stay close together (at most a second apart), so that the server comes back with it rather than seconds later
        if (embedded != null) resourcesBuilder.reconnectDelay(io.lettuce.core.resource.Delay.exponential(
                java.time.Duration.ofMillis(50), java.time.Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS));
        ClientResources resources = resourcesBuilder.build();
        boolean cluster = embedded == null && Boolean.parseBoolean(settings.string("redis.cluster"));
        fr.snp.dispatch.redis.RedisConnections connections;
        try {
            connections = fr.snp.dispatch.redis.RedisConnections.open(url, cluster, resources);
        } catch (RuntimeException unreachable) {
            resources.shutdown();
            throw unreachable;
        }
        RedisClusterAsyncCommands<String, String> redis = connections.async();

        fr.snp.dispatch.redis.Durability durability;
        try {
            durability = durability(settings, embedded != null, connections);
        } catch (RuntimeException refused) {
            connections.close();
            resources.shutdown();
            throw refused;
        }

        TokenStore tokens = new TokenStore(redis);
        List<String> unscoped = tokens.unscoped().toCompletableFuture().get(30, TimeUnit.SECONDS);
        if (!unscoped.isEmpty()) {
            connections.close();
            resources.shutdown();
            if (embedded != null) embedded.close();
            throw new IllegalStateException("refusing to start: every token must serve named territories and belong to an "
                    + "organisation, and " + unscoped.size() + " do not (they would reach every territory):\n  "
                    + String.join("\n  ", unscoped));
        }

        int streamMaxLen = settings.integer("redis.streamMaxLen");
        ServerClock serverClock = new ServerClock(clock);
        SlotIndex index = new SlotIndex();
        EffectorStore effectors = new EffectorStore(redis, index, streamMaxLen);
        AvailabilityPlanner planner = new AvailabilityPlanner(settings);
        int port = settings.integer("http.port");
        if (port == 0) port = freePort();
        // the links' keys: configuration or a key file, never Redis (see LinkKeys)
        LinkKeys linkKeys = LinkKeys.load(settings.string("links.keys"), settings.string("links.keyFile"),
                embedded == null ? null : Path.of(settings.string("redis.embedded.dataDir")));
        SignedLinks links = new SignedLinks(linkKeys, publicBaseUrl(settings, port),
                settings.integer("feedback.linkTtlDays") * 86_400L);
        Bookings bookings = new Bookings(redis, index, serverClock, planner, metrics, streamMaxLen,
                settings.integer("hold.ttlSeconds"), settings.integer("booking.idempotencyTtlSeconds"),
                settings.integer("feedback.reminderAfterHours"), patientChannels(settings, demo),
                settings.integer("limits.activeHoldsPerPrincipal"));
        long requestRetentionSeconds = settings.isSet("requests.retentionSeconds")
                ? settings.integer("requests.retentionSeconds") : settings.integer("requests.retentionDays") * 86_400L;
        Requests requests = new Requests(redis, index, new Matcher(RankingWeights.from(settings)), metrics, serverClock,
                planner, requestRetentionSeconds);
        // follow-up of a "médecin traitant" request takes weeks: kept three times as long as a care request
        DoctorRequests doctorRequests = new DoctorRequests(redis, serverClock, requestRetentionSeconds * 3);
        fr.snp.dispatch.sas.RegulatorAccounts regulators = new fr.snp.dispatch.sas.RegulatorAccounts(redis, serverClock::nowMs);
        People people = people(settings, redis, port, tokens, regulators);
        // the live feed checks its streams' credentials again while they stay open: every kind's store takes part
        LiveFeed live = new LiveFeed(redis, new CredentialCheck(tokens, people.sessions(), people.widgets()));
        Services services = new Services(settings, serverClock, index, bookings,
                new Publishing(redis, index, serverClock, planner, streamMaxLen), requests, doctorRequests, effectors,
                tokens, CommuneDirectory.loadDefault(), planner, new StatsReader(redis, planner), links,
                live, new Outbox(redis), new RedisHealth(connections), metrics,
                new FeedbackFollowUp(redis, bookings, serverClock, planner, settings.integer("feedback.undoMinutes"),
                        settings.integer("feedback.reminderIntervalMinutes"), settings.integer("feedback.reminderAfterHours")),
                new PatientMessages(redis), new WaitingList(redis, requests, serverClock),
                new WebhookPolicy(!demo && Boolean.parseBoolean(settings.string("webhooks.requireHttps")),
                        java.util.Arrays.stream(settings.string("webhooks.allowedHosts").split(","))
                                .map(h -> h.strip().toLowerCase(java.util.Locale.ROOT)).filter(h -> !h.isEmpty())
                                .collect(java.util.stream.Collectors.toSet())),
                new fr.snp.dispatch.audit.AuditTrail(redis, settings.integer("audit.retentionDays"), serverClock::nowMs),
                people,
                new fr.snp.dispatch.limits.WriteLimits(redis, settings.integer("limits.writesPerMinute")),
                new fr.snp.dispatch.sas.SasOutbox(redis, settings.isSet("sas.baseUrl")),
                regulators, new fr.snp.dispatch.sync.IndexChecks());
        bookings.durability(durability);
        requests.durability(durability);
        metrics.outcomesUnknown(durability::unknownOutcomes);
        // INT_R03: a SAS desk's booking is queued for the national platform in the booking's own step, when configured
        bookings.pushToSas(settings.isSet("sas.baseUrl"));

        metrics.liveConnections(() -> services.live().connections());

        IndexSync sync = new IndexSync(connections, index, effectors, services.live(), serverClock::nowMs,
                services.indexChecks(), settings.integer("index.checkSeconds") * 1000L);
        metrics.indexChecks(services.indexChecks());
        int loaded = sync.loadAll(clock.millis());
        LOG.info(() -> "index loaded: " + loaded + " slots from Redis");
        if (demo) {
            Map<String, Principal> publicTokens = new HashMap<>();
            for (DemoTerritory.Spec spec : DemoTerritory.ALL) {
                String effectorId = new DemoTerritory(services, spec).load();
                publicTokens.putAll(demoTokens(spec, effectorId));
            }
            if (demoTokens) tokens.enableDemoTokens(publicTokens);
            else LOG.warning("demo territory loaded, demo tokens NOT enabled: Redis is not on this machine");
        }
        metrics.demoMode(demo && demoTokens);
        // desks are told when a slot that appears fits a waiting request (each instance tells its own connections)
        WaitingWatcher waitingWatcher = new WaitingWatcher(services.waiting(), services.live(), services::nowMs, planner.zone(), 200);
        sync.follow();
        if (embedded != null) {
            // Redis started again from its AOF may lack its last writes, which the index still holds: rebuilt from Redis
            embedded.onRestart(sync::reloadSoon);
            metrics.embeddedRedisRestarts(embedded::restarts);
        }

        int instances = settings.integer("http.instances");
        if (instances <= 0) instances = Runtime.getRuntime().availableProcessors();
        // Vert.x HTTP server metrics with the route label and histogram buckets, in the same registry
        // Linux's epoll through Netty's native transport when its library loads (x86_64, aarch64): fewer system calls
        // and cheaper wake-ups than the JDK selector for every HTTP exchange; Lettuce picks it up by itself. Elsewhere
        // the JDK's NIO, as before.
        Vertx vertx = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(Math.max(instances, 1))
                        .setPreferNativeTransport(true)
                        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
                                // each dispatcher its own backend (Vert.x keeps them in a JVM-wide table by name)
                                .setRegistryName("snp-dispatch-" + java.util.UUID.randomUUID())
                                .addLabels(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE)
                                .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true))))
                .withMetrics(new MicrometerMetricsFactory(metrics.registry())).build();
        OutboxWorker outbox = new OutboxWorker(connections, services,
                new NotificationBuilder(services, redis, links, fr.snp.dispatch.api.Views::appointment),
                patientMessenger(settings, demo, vertx, services, links), demo);
        outbox.start();
        fr.snp.dispatch.sas.SasPushWorker sasPush = sasPushWorker(settings, connections, vertx, services, redis, port);
        if (sasPush != null) sasPush.start();
        metrics.loop(outbox.loopName(), outbox::lastTickMs);
        if (sasPush != null) metrics.loop(sasPush.loopName(), sasPush::lastTickMs);
        metrics.loop("index-follower", sync::lastTickMs);
        live.watchCredentials(vertx);
        String host = settings.string("http.host");
        int listenPort = port;
        vertx.deployVerticle(() -> new HttpVerticle(services, host, listenPort), new DeploymentOptions().setInstances(instances))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        Dispatcher d = new Dispatcher(embedded, connections, sync, outbox, sasPush, waitingWatcher, vertx, services, port,
                new DiskRetention(connections, Boolean.parseBoolean(settings.string("retention.rewriteAof"))));
        d.startHousekeeping();
        if (fhirConfig != null) d.startFhir(fhirConfig);
        LOG.info("SNP dispatcher listening on http://" + host + ":" + port + (demo ? " (demo mode)" : ""));
        return d;
    }

    /** The FHIR listener for the SAS platform; a failure to listen (port taken) stops the whole server. */
    private void startFhir(fr.snp.dispatch.fhir.FhirListener.Config config) throws Exception {
        // the SAS platform's FHIR routes (INT_R04), as the certificate's principal; the CPTS with their FINESS: the demo
        // territories' in demo mode, fhir.cpts otherwise (a CPTS not listed: no CPTS reference, which the IG allows)
        fr.snp.dispatch.fhir.CptsCatalog cpts = services.tokens().demo() ? fr.snp.dispatch.api.ApiRouter.demoCptsCatalog()
                : fr.snp.dispatch.fhir.CptsCatalog.parse(services.settings().string("fhir.cpts"));
        io.vertx.ext.web.Router fhirRoutes = new fr.snp.dispatch.fhir.FhirRoutes(services.index(), cpts, services.communes(),
                services.people().baseUrl(), services::nowMs).accounts(services.regulators()).router(vertx);
        try {
            fhir = fr.snp.dispatch.fhir.FhirListener.start(vertx, config, fhirRoutes)
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception failed) {
            close();
            Throwable cause = failed instanceof java.util.concurrent.ExecutionException && failed.getCause() != null
                    ? failed.getCause() : failed;
            throw new IllegalStateException("the FHIR listener (fhir.host, fhir.port) cannot listen on " + config.host()
                    + ":" + config.port() + ": " + cause, cause);
        }
    }

    /** The FHIR listener's port, or 0 when there is none. */
    public int fhirPort() { return fhir == null ? 0 : fhir.port(); }

    /**
     * The SAS push (INT_R03), or null when sas.baseUrl is empty: the mutual-TLS client, the regulators' identities
     * (roster, tokens and the SAS platform's accounts), our appointment identifier system ({publicBaseUrl}/fhir/appointment-id unless set).
     */
    private static fr.snp.dispatch.sas.SasPushWorker sasPushWorker(Settings settings, fr.snp.dispatch.redis.RedisConnections connections, Vertx vertx,
                                                                   Services services, RedisClusterAsyncCommands<String, String> redis,
                                                                   int port) {
        fr.snp.dispatch.sas.SasPush push = fr.snp.dispatch.sas.SasPush.from(vertx, settings);
        if (push == null) return null;
        String system = settings.isSet("sas.appointmentIdentifierSystem") ? settings.string("sas.appointmentIdentifierSystem")
                : publicBaseUrl(settings, port).replaceAll("/+$", "") + "/fhir/appointment-id";
        LOG.info("appointments of SAS desks are pushed to " + push.baseUrl() + " (identifier system " + system + ")");
        return new fr.snp.dispatch.sas.SasPushWorker(connections, services, push,
                new fr.snp.dispatch.sas.StoredRegulatorIdentity(redis, services.regulators()), system, settings.string("sas.orientationCategory"));
    }

    private void startHousekeeping() {
        // a pass over every slot: on a worker thread, not in an event loop's way (at 50,000 slots it held one for
        // milliseconds every 30 s, a latency spike for whatever request waited behind it)
        vertx.setPeriodic(30_000, id -> vertx.executeBlocking(() -> {
            releaseDueAudiences();
            return null;
        }, false));
        vertx.setPeriodic(60_000, id -> sendDueReminders());
        // checked hourly, run once a day across instances and restarts (a daily timer would never fire on a server
        // restarted every day)
        vertx.setPeriodic(3_600_000, id -> retentionPassIfDue());
        refreshMetrics();
        vertx.setPeriodic(15_000, id -> refreshMetrics());
        vertx.setPeriodic(600_000, id -> {
            long cutoff = services.nowMs() / 1000 - 3600;
            services.index().territories().forEach(t -> services.index().territory(t).pruneEndedBefore(cutoff));
        });
    }

    /** Pseudonymises the appointments older than appointments.pseudonymiseAfterDays (statistics stay as they are). */
    public void pseudonymiseOldAppointments() { pseudonymise(); }

    private CompletableFuture<Void> pseudonymise() {
        long now = services.nowMs();
        int days = services.settings().integer("appointments.pseudonymiseAfterDays");
        return CompletableFuture.allOf(services.index().territories().stream().map(t -> services.bookings()
                .pseudonymise(t, now, days).thenAccept(n -> { if (n > 0) LOG.info("pseudonymised " + n + " appointments of " + t); })
                .toCompletableFuture()).toArray(CompletableFuture[]::new));
    }

    /**
     * The retention pass: appointments pseudonymised, then every key whose time-to-live has passed deleted from Redis,
     * then its append-only file rewritten (retention.rewriteAof), so that neither stays on disk in the AOF. Answers
     * once the rewrite is asked for (Redis does it in the background).
     */
    public CompletionStage<DiskRetention.Rewrite> retentionPass() {
        // withdrawn SAS accounts go before the rewrite, so that their names leave the disk in the same pass
        long accountsBefore = services.nowMs() - services.settings().integer("sas.accountRetentionDays") * 86_400_000L;
        return pseudonymise().thenCompose(v -> services.regulators().forgetWithdrawnBefore(accountsBefore))
                .thenCompose(v -> diskRetention.expireDue()).thenCompose(v -> diskRetention.rewriteAof());
    }

    /** Runs the retention pass if no instance ran it in the last day; a pass that fails is given back for the next check. */
    private void retentionPassIfDue() {
        diskRetention.claimDailyPass(services.nowMs())
                .thenCompose(mine -> mine ? retentionPass() : CompletableFuture.<DiskRetention.Rewrite>completedFuture(null))
                .whenComplete((rewrite, error) -> {
                    if (error == null) return;
                    LOG.warning("retention pass failed, tried again within the hour: " + error.getMessage());
                    diskRetention.releaseDailyPass();
                });
    }

    /** Writes down the audience releases that are due (matching already honours them without this). */
    public void releaseDueAudiences() {
        long now = services.nowMs();
        for (String t : services.index().territories()) {
            for (String slotId : services.index().territory(t).dueReleases(now)) services.publishing().releaseAudience(slotId);
        }
    }

    /**
     * The slot gauges' figures, counted on a worker thread: a pass over every slot of each territory, which the event
     * loop should not run (a scrape then reads the last count, at any number of slots).
     */
    private void countSlotFigures(Metrics m) {
        vertx.executeBlocking(() -> {
            long now = services.nowMs();
            for (String t : services.index().territories()) m.slotFigures(t, services.index().territory(t).countFigures(now));
            return null;
        }, false);
    }

    /** Per-territory gauges: registered once, figures refreshed from Redis (30-day no-show ratio, outbox backlog). */
    public void refreshMetrics() {
        Metrics m = services.metrics();
        services.health().up().thenAccept(m::redisUp);
        countSlotFigures(m);
        for (String t : services.index().territories()) {
            m.watch(t);
            java.time.LocalDate today = services.stats().today(services.nowMs());
            // the outbox's backlog read once per round: it feeds both the backlog and the stream figures
            var backlog = services.outbox().backlog(t);
            services.stats().read(t, today.minusDays(29), today,
                    stats -> new long[] {stats.sum("fulfilled|all|-"), stats.sum("noshow|all|-")}).thenCombine(backlog,
                    (figures, b) -> {
                        long fulfilled = figures[0];
                        long noshow = figures[1];
                        m.territoryFigures(t, fulfilled + noshow == 0 ? 0 : (double) noshow / (fulfilled + noshow),
                                b.pending(), b.oldestAgeSeconds());
                        return null;
                    });
            services.sasOutbox().backlog(t).thenAccept(b -> m.sasBacklog(t, b.pending(), b.oldestAgeSeconds(), b.deadLetters()));
            backlog.thenCombine(fr.snp.dispatch.redis.StreamGroups.lag(connections.async(),
                    fr.snp.dispatch.redis.Keys.sasOutbox(t), fr.snp.dispatch.sas.SasPushWorker.GROUP),
                    (b, sasLag) -> { m.streamFigures(t, b.unread(), b.deadLetters(), sasLag.unread()); return null; });
        }
    }

    /** Puts the feedback reminders that are due in the outboxes (each appointment gets one). */
    public void sendDueReminders() {
        long now = services.nowMs();
        services.index().territories().forEach(t -> services.bookings().sendDueReminders(t, now));
    }

    /**
     * The channels patients can be told by: each with a provider configured, or (demo) the log. A channel left at
     * "none" is not offered: the booking then says the patient was not told by it.
     */
    static java.util.Set<PatientContact.Channel> patientChannels(Settings settings, boolean demo) {
        java.util.Set<PatientContact.Channel> on = java.util.EnumSet.noneOf(PatientContact.Channel.class);
        if (demo || !"none".equals(settings.string("messages.sms.provider"))) on.add(PatientContact.Channel.SMS);
        if (demo || !"none".equals(settings.string("messages.email.provider"))) on.add(PatientContact.Channel.EMAIL);
        return on;
    }

    private static PatientMessenger patientMessenger(Settings settings, boolean demo, Vertx vertx, Services services,
                                                     SignedLinks links) {
        java.util.Map<PatientContact.Channel, PatientSender> senders = new java.util.EnumMap<>(PatientContact.Channel.class);
        java.time.Duration timeout = java.time.Duration.ofMillis(settings.integer("messages.timeoutMs"));
        switch (settings.string("messages.sms.provider")) {
            case "http" -> senders.put(PatientContact.Channel.SMS, new SmsHttpSender(settings.string("messages.sms.url"),
                    settings.string("messages.sms.token"), settings.string("messages.sms.sender"), timeout));
            case "log" -> senders.put(PatientContact.Channel.SMS, new LogSender());
            case "none" -> { if (demo) senders.put(PatientContact.Channel.SMS, new LogSender()); }
            default -> throw new IllegalArgumentException("messages.sms.provider must be none, http or log");
        }
        switch (settings.string("messages.email.provider")) {
            case "smtp" -> senders.put(PatientContact.Channel.EMAIL, new SmtpSender(vertx, settings.string("messages.smtp.host"),
                    settings.integer("messages.smtp.port"), settings.string("messages.smtp.username"),
                    settings.string("messages.smtp.password"), settings.string("messages.smtp.starttls"),
                    settings.string("messages.smtp.from"), timeout.toMillis()));
            case "log" -> senders.put(PatientContact.Channel.EMAIL, new LogSender());
            case "none" -> { if (demo) senders.put(PatientContact.Channel.EMAIL, new LogSender()); }
            default -> throw new IllegalArgumentException("messages.email.provider must be none, smtp or log");
        }
        PatientMessenger.Appointments appointments = new PatientMessenger.Appointments() {
            @Override
            public Appointment read(String territory, String appointmentId) throws Exception {
                return services.bookings().read(Principal.server(territory), appointmentId).toCompletableFuture()
                        .handle((a, notFound) -> a).get(5, TimeUnit.SECONDS);
            }

            @Override
            public Effector effector(String territory, String effectorId) throws Exception {
                Effector e = services.index().effector(effectorId);
                return e != null ? e : services.effectors().load(territory, effectorId).toCompletableFuture().get(5, TimeUnit.SECONDS);
            }
        };
        return new PatientMessenger(services.patientMessages(), appointments, new PatientTexts(services.planner().zone()),
                links.patientLinks()::urlUntil, senders, settings.integer("messages.maxAttempts"), services::nowMs);
    }

    /**
     * People's sign-in: the roster (then, unless oidc.sasAccounts=false, the SAS platform's regulator accounts),
     * sessions with the configured timeouts, live tickets, the redirect base.
     */
    private static People people(Settings settings, RedisClusterAsyncCommands<String, String> redis, int port, TokenStore tokens,
                                 fr.snp.dispatch.sas.RegulatorAccounts regulators) {
        Roster roster = new Roster(redis, Boolean.parseBoolean(settings.string("oidc.sasAccounts")) ? regulators : null);
        Sessions sessions = new Sessions(redis, roster, settings.integer("oidc.session.idleMinutes") * 60_000L,
                settings.integer("oidc.session.absoluteHours") * 3_600_000L);
        String base = settings.isSet("oidc.redirectBase") ? settings.string("oidc.redirectBase") : publicBaseUrl(settings, port);
        return new People(roster, sessions, new LiveTickets(redis), new fr.snp.dispatch.auth.WidgetSessions(redis, tokens), base.replaceAll("/+$", ""));
    }

    private static String publicBaseUrl(Settings settings, int port) {
        if (settings.isSet("http.publicBaseUrl")) return settings.string("http.publicBaseUrl");
        return "http://" + settings.string("http.host") + ":" + port;
    }

    /**
     * The demo tokens of a demo territory: Indre's are the plain names (demo-regulator…), another territory's carry
     * its code (demo-regulator-85…). Each serves its territory only; the coordinator is that of the territory's
     * first CPTS, the pharmacy and the emergency department belong to it, the effector is its first doctor.
     */
    static Map<String, Principal> demoTokens(DemoTerritory.Spec spec, String effectorId) {
        String t = spec.territory();
        String suffix = t.equals(DemoTerritory.INDRE.territory()) ? "" : "-" + t;
        Set<String> territories = Set.of(t);
        String cpts = spec.cpts().get(0).id();
        String cptsName = spec.cpts().get(0).name();
        Map<String, Principal> m = new HashMap<>();
        m.put("demo-regulator" + suffix, new Principal("demo-regulator" + suffix, Role.REGULATOR,
                "SAS " + t + " - médecin régulateur (démo)", territories, "SAS-" + t, Set.of()));
        m.put("demo-osnp" + suffix, new Principal("demo-osnp" + suffix, Role.OSNP, "SAS " + t + " - OSNP (démo)", territories,
                "SAS-" + t, Set.of()));
        m.put("demo-pharmacist" + suffix, new Principal("demo-pharmacist" + suffix, Role.PHARMACIST,
                "Pharmacie du Marché (démo, " + t + ")", territories, "PHARMACIE-DEMO-" + t, Set.of(cpts)));
        m.put("demo-emergency" + suffix, new Principal("demo-emergency" + suffix, Role.EMERGENCY,
                "Urgences du centre hospitalier (démo, " + t + ")", territories, "CH-DEMO-" + t, Set.of(cpts)));
        m.put("demo-effector" + suffix, new Principal("demo-effector" + suffix, Role.EFFECTOR, "Médecin effecteur (démo, " + t + ")",
                territories, effectorId, Set.of(cpts)));
        m.put("demo-coordinator" + suffix, new Principal("demo-coordinator" + suffix, Role.COORDINATOR,
                "Coordination " + cptsName + " (démo)", territories, cpts, Set.of(cpts)));
        m.put("demo-ops" + suffix, new Principal("demo-ops" + suffix, Role.OPS, "Exploitation (démo, " + t + ")", territories,
                "OPS-" + t, Set.of()));
        m.put("demo-dpo" + suffix, new Principal("demo-dpo" + suffix, Role.DPO, "Délégué à la protection des données (démo, " + t + ")",
                territories, "DPO-" + t, Set.of()));
        return m;
    }

    public int port() { return port; }

    /** The embedded Redis this server started and supervises (redis.url empty), or null. */
    public EmbeddedRedis embeddedRedis() { return embedded; }

    /** The index's follower of the change streams (its reloads after a restart of the embedded Redis, its supervision). */
    public IndexSync indexSync() { return sync; }

    public Services services() { return services; }

    public Vertx vertx() { return vertx; }

    @Override
    public void close() {
        if (sasPush != null) sasPush.close(); // before Vert.x, whose client it uses
        try {
            if (fhir != null) fhir.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warning("closing the FHIR listener: " + e.getMessage());
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warning("closing Vert.x: " + e.getMessage());
        }
        outbox.close();
        waitingWatcher.close();
        sync.close();
        connections.close();
        connections.resources().shutdown();
        if (embedded != null) embedded.close();
    }

    /**
     * redis.durability, redis.replicas, redis.waitTimeoutMs; an external Redis is checked first (AOF, eviction, fsync
     * for strict without replicas) and refused unless redis.allowUnsafe. With WAIT, the durable scripts get a
     * connection of their own (WAIT blocks the connection it runs on; closed with the client).
     */
    private static fr.snp.dispatch.redis.Durability durability(Settings settings, boolean embedded,
                                                               fr.snp.dispatch.redis.RedisConnections connections) {
        RedisClusterAsyncCommands<String, String> redis = connections.async();
        fr.snp.dispatch.redis.Durability.Level level =
                fr.snp.dispatch.redis.Durability.level(settings.string("redis.durability"), embedded);
        int replicas = settings.integer("redis.replicas");
        long waitTimeoutMs = settings.integer("redis.waitTimeoutMs");
        if (waitTimeoutMs < 1 || waitTimeoutMs > 1500) {
            throw new IllegalArgumentException("redis.waitTimeoutMs must be 1 to 1500 (the store's command time-out is 2 s), not "
                    + waitTimeoutMs);
        }
        if (embedded) {
            if (replicas > 0) LOG.warning("redis.replicas is ignored with the embedded Redis (it has no replica)");
            LOG.info("durability " + level.name().toLowerCase(java.util.Locale.ROOT) + " on the embedded Redis (appendfsync "
                    + (level == fr.snp.dispatch.redis.Durability.Level.STRICT ? "always" : "everysec") + ")");
            return new fr.snp.dispatch.redis.Durability(level, 0, waitTimeoutMs, redis, null);
        }
        fr.snp.dispatch.redis.Durability.check(connections.mastersNow(), level, replicas,
                Boolean.parseBoolean(settings.string("redis.allowUnsafe")));
        boolean waits = level == fr.snp.dispatch.redis.Durability.Level.STRICT && replicas > 0;
        LOG.info("durability " + level.name().toLowerCase(java.util.Locale.ROOT)
                + (waits ? ": each booking, cancellation, feedback and outcome waits for " + replicas + " replica(s), up to "
                + waitTimeoutMs + " ms (WAIT)" : ""));
        return new fr.snp.dispatch.redis.Durability(level, replicas, waitTimeoutMs, redis, waits ? connections.connect() : null);
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) { return s.getLocalPort(); }
    }
}
