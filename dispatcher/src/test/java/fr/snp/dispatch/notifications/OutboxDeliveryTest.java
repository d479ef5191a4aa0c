package fr.snp.dispatch.notifications;

import fr.snp.dispatch.Await;
import com.sun.net.httpserver.HttpServer;
import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outbox keeps its promise with real local receivers: a slow receiver delays no other and gets its own in order;
 * a crowd of entries to a dead receiver does not starve a healthy one pending behind them; an Error in a delivery
 * costs that attempt only; a notification never delivered is set aside as a dead letter after outbox.deadLetterAfterHours.
 */
class OutboxDeliveryTest {
    static TestServer server;
    static HttpServer receiver;
    /** Per path: the appointment ids received (2xx only), in the order received, and when. */
    static final Map<String, List<String>> received = new ConcurrentHashMap<>();
    static final Map<String, Long> receivedAt = new ConcurrentHashMap<>();
    static final AtomicInteger deadAttempts = new AtomicInteger();
    static final AtomicBoolean deadIsDead = new AtomicBoolean(true);
    /** Paths that answer 500 to their next N requests. */
    static final Map<String, AtomicInteger> failuresToGo = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(Executors.newCachedThreadPool()); // receivers answer at once, each at its own pace
        receiver.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status = 204;
            if (path.startsWith("/slow")) {
                try { Thread.sleep(700); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
            }
            if (path.startsWith("/dead")) {
                deadAttempts.incrementAndGet();
                if (deadIsDead.get()) status = 500;
            }
            AtomicInteger failures = failuresToGo.get(path);
            if (failures != null && failures.getAndDecrement() > 0) status = 500;
            if (status == 204) {
                String appointment = new JsonObject(body).getJsonObject("appointment").getString("id");
                received.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>()).add(appointment);
                receivedAt.put(appointment, System.currentTimeMillis());
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        server = TestServer.start(Map.of("outbox.retryBaseMs", "150", "outbox.retryMaxMs", "1000",
                "outbox.concurrency", "8", "webhooks.requireHttps", "false", "webhooks.allowedHosts", "127.0.0.1"));
    }

    @AfterAll
    static void stop() {
        OutboxWorker.beforeDelivery = null;
        server.close();
        receiver.stop(0);
    }

    static String effector(String path) {
        return server.effector("36044", new JsonObject().put("webhookUrl",
                "http://127.0.0.1:" + receiver.getAddress().getPort() + path));
    }

    static String book(String effector, int inMinutes) {
        Api.Response r = server.api.book(server.token(Role.REGULATOR), server.slot(effector, inMinutes, "AMB", "SNP"),
                server.requestId(Role.REGULATOR, "SAS_116117"), null, UUID.randomUUID().toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().getString("id");
    }

    static List<String> at(String path) { return received.getOrDefault(path, List.of()); }


    @Test
    void aSlowReceiverDelaysNoOtherAndGetsItsOwnInOrder() throws Exception {
        String slow = effector("/slow");
        String fast = effector("/fast");
        List<String> toSlow = List.of(book(slow, 60), book(slow, 80), book(slow, 100), book(slow, 120));
        long booked = System.currentTimeMillis();
        String toFast = book(fast, 140);
        Await.until("the fast receiver's notification", 10_000, () -> at("/fast").contains(toFast));
        // the slow one takes 0.7 s per notification: one after the other, the fast one would come after 2.8 s
        assertThat(receivedAt.get(toFast) - booked).as("ms before the fast receiver got its notification").isLessThan(1_000);
        assertThat(at("/slow").size()).as("the slow receiver's, meanwhile").isLessThan(toSlow.size());
        Await.until("the slow receiver's notifications", 10_000, () -> at("/slow").size() == toSlow.size());
        assertThat(at("/slow")).as("in the order they were written").containsExactlyElementsOf(toSlow);
    }

    /** A group Redis lost (its last second before a crash, a failover to a replica without it) is made again. */
    @Test
    void aLostConsumerGroupIsMadeAgainAndDeliveryGoesOn() throws Exception {
        String effector = effector("/regrouped");
        String first = book(effector, 400);
        Await.until("a first notification", 10_000, () -> at("/regrouped").contains(first));
        String outbox = fr.snp.dispatch.redis.Keys.outbox("36");
        assertThat(server.redis.xgroupDestroy(outbox, OutboxWorker.GROUP)).isTrue();
        String second = book(effector, 420);
        Await.until("the notification written after the group was lost", 15_000, () -> at("/regrouped").contains(second));
    }

    @Test
    void sixtyFiveEntriesToADeadReceiverDoNotStarveAHealthyOnePendingBehindThem() throws Exception {
        String dead = effector("/dead");
        String appointment = book(dead, 200);
        // 65 more for the dead receiver (the same appointment's notification again: as many pending entries)
        String outbox = Keys.outbox("36");
        for (int i = 0; i < 65; i++) server.redis.xadd(outbox, Map.of("type", "booked", "appt", appointment, "e", dead));
        Await.until("every one tried once", 10_000, () -> deadAttempts.get() >= 66);

        String healthy = effector("/healthy");
        failuresToGo.put("/healthy", new AtomicInteger(1)); // its first attempt fails: pending, behind the 66
        String toHealthy = book(healthy, 220);
        Await.until("a first failed attempt", 10_000, () -> failuresToGo.get("/healthy").get() <= 0 || at("/healthy").contains(toHealthy));
        long pendingBefore = server.redis.xpending(outbox, OutboxWorker.GROUP).getCount();
        assertThat(pendingBefore).as("the dead receiver's and the healthy one's").isGreaterThanOrEqualTo(67);
        assertThat(server.redis.xpending(outbox, OutboxWorker.GROUP, Range.create("-", "+"), io.lettuce.core.Limit.from(66)))
                .as("the first 66 pending entries are all the dead receiver's")
                .allSatisfy(p -> assertThat(server.redis.xrange(outbox, Range.create(p.getId(), p.getId())).get(0).getBody().get("e"))
                        .isEqualTo(dead));
        Await.until("the healthy receiver's notification, retried", 10_000, () -> at("/healthy").contains(toHealthy));

        // the dead receiver comes back: all of its 66 go through
        deadIsDead.set(false);
        Await.until("the dead receiver's backlog delivered", 15_000, () -> at("/dead").size() >= 66);
    }

    @Test
    void anErrorInADeliveryCostsThatAttemptOnly() throws Exception {
        String doctor = effector("/error");
        AtomicInteger thrown = new AtomicInteger();
        OutboxWorker.beforeDelivery = m -> {
            if (doctor.equals(m.getBody().get("e")) && thrown.getAndIncrement() == 0) {
                throw new StackOverflowError("injected by the test");
            }
        };
        try {
            String first = book(doctor, 240);
            Await.until("the injected Error", 10_000, () -> thrown.get() > 0);
            String second = book(doctor, 260);
            String third = book(doctor, 280);
            Await.until("every notification delivered", 10_000, () -> at("/error").containsAll(List.of(first, second, third)));
        } finally {
            OutboxWorker.beforeDelivery = null;
        }
        String scrape = server.dispatcher.services().metrics().scrape();
        double tick = Double.parseDouble(scrape.lines().filter(l -> l.startsWith("dispatch_loop_last_tick_seconds{loop=\"outbox-worker\"}"))
                .findFirst().orElseThrow().split(" ")[1]);
        assertThat(System.currentTimeMillis() / 1000.0 - tick).as("seconds since the outbox loop went round").isLessThan(5);
        assertThat(scrape).contains("dispatch_loop_last_tick_seconds{loop=\"index-follower\"}");
    }

    @Test
    void aNotificationNeverDeliveredIsSetAsideAfterTheConfiguredAgeIdsOnly() throws Exception {
        // 0.0005 h = 1.8 s
        try (TestServer short_ = TestServer.start(Map.of("outbox.retryBaseMs", "150", "outbox.retryMaxMs", "300",
                "outbox.deadLetterAfterHours", "0.0005", "webhooks.requireHttps", "false", "webhooks.allowedHosts", "127.0.0.1"))) {
            String lost = short_.effector("36044", new JsonObject().put("webhookUrl",
                    "http://127.0.0.1:" + receiver.getAddress().getPort() + "/never"));
            failuresToGo.put("/never", new AtomicInteger(Integer.MAX_VALUE));
            Api.Response r = short_.api.book(short_.token(Role.REGULATOR), short_.slot(lost, 300, "AMB", "SNP"),
                    short_.requestId(Role.REGULATOR, "SAS_116117"), null, UUID.randomUUID().toString());
            assertThat(r.status()).isEqualTo(201);
            String appointment = r.json().getString("id");
            String ops = short_.token(Role.OPS);
            assertThat(short_.api.get("/api/v1/ops/outbox?territory=36", ops).json().getLong("deadLetters")).isZero();

            Await.until("the dead letter", 10_000, () -> short_.api.get("/api/v1/ops/outbox?territory=36", ops).json()
                    .getLong("deadLetters") == 1);
            JsonObject backlog = short_.api.get("/api/v1/ops/outbox?territory=36", ops).json();
            assertThat(backlog.getLong("pending")).as("acknowledged: nothing retries it").isZero();
            JsonObject letter = backlog.getJsonArray("latestDeadLetters").getJsonObject(0);
            assertThat(letter.getString("appointmentId")).isEqualTo(appointment);
            assertThat(letter.getString("effectorId")).isEqualTo(lost);
            assertThat(letter.getString("type")).isEqualTo("booked");
            assertThat(letter.getLong("attempts")).isGreaterThanOrEqualTo(2);
            // ids only: what the dead letter holds is what the outbox entry held, and our reason
            List<StreamMessage<String, String>> stored = short_.redis.xrange(Keys.outboxDeadLetters("36"), Range.create("-", "+"));
            assertThat(stored).hasSize(1);
            assertThat(stored.get(0).getBody().keySet()).containsExactlyInAnyOrder("entry", "type", "appt", "e", "channel",
                    "attempts", "reason");
            assertThat(stored.get(0).getBody().values().toString()).doesNotContain("0612345678").doesNotContain("TP").doesNotContain("1960");

            short_.dispatcher.refreshMetrics();
            Await.until("the gauge", 5_000, () -> short_.dispatcher.services().metrics().scrape()
                    .contains("dispatch_outbox_dead_letters{territory=\"36\"} 1.0"));
        } finally {
            failuresToGo.remove("/never");
        }
    }

    @Test
    void aBodyOverTheLimitIsSetAsideAtOnceWithItsSizeLoggedNotItsContent() throws Exception {
        List<String> logged = new CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override public void publish(java.util.logging.LogRecord r) { logged.add(String.valueOf(r.getMessage())); }
            @Override public void flush() {}
            @Override public void close() {}
        };
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("fr.snp.dispatch.notifications");
        log.addHandler(capture);
        // every notification's body is larger than 300 bytes
        try (TestServer small = TestServer.start(Map.of("outbox.maxBodyBytes", "300", "webhooks.requireHttps", "false",
                "webhooks.allowedHosts", "127.0.0.1"))) {
            String doctor = small.effector("36044", new JsonObject().put("webhookUrl",
                    "http://127.0.0.1:" + receiver.getAddress().getPort() + "/big"));
            Api.Response r = small.api.book(small.token(Role.REGULATOR), small.slot(doctor, 300, "AMB", "SNP"),
                    small.requestId(Role.REGULATOR, "SAS_116117"), null, UUID.randomUUID().toString());
            assertThat(r.status()).isEqualTo(201);
            String ops = small.token(Role.OPS);
            Await.until("the dead letter", 10_000, () -> small.api.get("/api/v1/ops/outbox?territory=36", ops).json()
                    .getLong("deadLetters") == 1);
            JsonObject backlog = small.api.get("/api/v1/ops/outbox?territory=36", ops).json();
            assertThat(backlog.getLong("pending")).isZero();
            JsonObject letter = backlog.getJsonArray("latestDeadLetters").getJsonObject(0);
            assertThat(letter.getString("appointmentId")).isEqualTo(r.json().getString("id"));
            assertThat(letter.getString("reason")).contains("over outbox.maxBodyBytes (300)");
            assertThat(at("/big")).as("nothing sent").isEmpty();
            assertThat(logged).anyMatch(l -> l.contains("over outbox.maxBodyBytes"));
            assertThat(logged).noneMatch(l -> l.contains("0612345678") || l.contains("\"phone\""));
        } finally {
            log.removeHandler(capture);
        }
    }
}
