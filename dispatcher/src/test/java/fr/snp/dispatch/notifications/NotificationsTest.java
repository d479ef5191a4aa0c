package fr.snp.dispatch.notifications;

import com.sun.net.httpserver.HttpServer;
import fr.snp.dispatch.Api;
import fr.snp.dispatch.sim.SimulationClock;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The outbox reaches the effector's webhook through failures; feedback links are signed and expire; reminders. */
class NotificationsTest {
    static final SimulationClock clock = new SimulationClock();
    static TestServer server;
    static HttpServer receiver;
    static final List<JsonObject> received = new CopyOnWriteArrayList<>();
    static final AtomicInteger failuresToGo = new AtomicInteger();
    static final AtomicInteger attempts = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            attempts.incrementAndGet();
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = failuresToGo.getAndDecrement() > 0 ? 500 : 204;
            if (status == 204) received.add(new JsonObject(new String(body, StandardCharsets.UTF_8))
                    .put("_delivery", exchange.getRequestHeaders().getFirst("X-SNP-Delivery")));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        // the receiver is on this machine: allowed by name, over http (WebhooksTest checks what is refused)
        server = TestServer.start(Map.of("outbox.retryBaseMs", "150", "feedback.reminderAfterHours", "24",
                "webhooks.requireHttps", "false", "webhooks.allowedHosts", "127.0.0.1"), clock);
    }

    @AfterAll
    static void stop() {
        server.close();
        receiver.stop(0);
    }

    @BeforeEach
    void reset() {
        received.clear();
        failuresToGo.set(0);
        attempts.set(0);
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(25);
        }
    }

    String effectorWithWebhook() {
        return server.effector("36044", new JsonObject().put("webhookUrl",
                "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"));
    }

    String book(String effector, int inMinutes) {
        Api.Response r = server.api.book(server.token(Role.REGULATOR), server.slot(effector, inMinutes, "AMB", "SNP"),
                server.requestId(Role.REGULATOR, "SAS_116117"), null, UUID.randomUUID().toString());
        assertThat(r.status()).isEqualTo(201);
        return r.json().getString("id");
    }

    @Test
    void aFailingWebhookIsRetriedUntilDeliveredAndTheBacklogIsVisibleMeanwhile() throws Exception {
        String effector = effectorWithWebhook();
        failuresToGo.set(2);
        String appointment = book(effector, 90);
        await("a first failed attempt", () -> attempts.get() >= 1);
        JsonObject backlog = server.api.get("/api/v1/ops/outbox?territory=36", server.token(Role.OPS)).json();
        assertThat(backlog.getLong("pending")).isGreaterThanOrEqualTo(1);

        await("delivery after two failures", () -> received.size() == 1);
        assertThat(attempts.get()).isEqualTo(3);
        JsonObject n = received.get(0);
        assertThat(n.getString("event")).isEqualTo("booked");
        assertThat(n.getJsonObject("appointment").getString("id")).isEqualTo(appointment);
        assertThat(n.getJsonObject("patient").getString("initials")).isEqualTo("TP");
        assertThat(n.getString("feedbackUrl")).contains("/feedback/" + appointment + ".");
        assertThat(n.getString("_delivery")).startsWith("36:");
        await("an empty backlog", () -> server.api.get("/api/v1/ops/outbox?territory=36", server.token(Role.OPS)).json()
                .getLong("pending") == 0);

        server.api.post("/api/v1/appointments/" + appointment + "/cancel", server.token(Role.REGULATOR), "{}");
        await("the cancellation notice", () -> received.size() == 2);
        assertThat(received.get(1).getString("event")).isEqualTo("cancelled");
        assertThat(received.get(1).getJsonObject("appointment").getString("status")).isEqualTo("cancelled");
    }

    @Test
    void theSignedLinkAnswersOneAppointmentAndRefusesTamperingAndExpiry() throws Exception {
        String effector = effectorWithWebhook();
        String appointment = book(effector, 45);
        await("the notification", () -> received.size() == 1);
        String url = received.get(0).getString("feedbackUrl");
        String token = url.substring(url.indexOf("/feedback/") + 10);

        Api.Response view = server.api.get("/api/v1/feedback/" + token, null);
        assertThat(view.status()).isEqualTo(200);
        assertThat(view.json().getJsonObject("appointment").getString("id")).isEqualTo(appointment);
        assertThat(view.json().getJsonObject("patient").containsKey("phone")).isFalse();
        assertThat(server.api.post("/api/v1/feedback/" + token, null, new JsonObject().put("answer", "seen")).code())
                .isEqualTo("FEEDBACK_TOO_EARLY");

        // altered: another appointment id, or a changed signature
        String other = book(effector, 300);
        String[] parts = token.split("\\.");
        Api.Response forged = server.api.get("/api/v1/feedback/" + other + "." + parts[1] + "." + parts[2], null);
        assertThat(forged.status()).isEqualTo(403);
        assertThat(forged.code()).isEqualTo("INVALID_LINK");
        char last = parts[2].charAt(parts[2].length() - 1);
        String flipped = parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 1) + (last == 'A' ? 'B' : 'A');
        assertThat(server.api.get("/api/v1/feedback/" + flipped, null).code()).isEqualTo("INVALID_LINK");
        assertThat(server.api.get("/api/v1/feedback/" + parts[0] + "." + (Long.parseLong(parts[1]) + 86400) + "." + parts[2],
                null).code()).isEqualTo("INVALID_LINK");

        // the page, in French, answers from a phone
        clock.advance(Duration.ofHours(2));
        Api.Response page = server.api.get("/feedback/" + token, null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("Retour sur un rendez-vous de soins non programmés").contains("Patient absent").contains("TP");
        Api.Response answered = server.api.send("POST", "/feedback/" + token, null, "answer=no-show&comment=",
                Map.of("Content-Type", "application/x-www-form-urlencoded"));
        assertThat(answered.status()).isEqualTo(200);
        assertThat(answered.body()).contains("Merci").contains("Patient absent");
        assertThat(server.api.get("/api/v1/appointments/" + appointment, server.token(Role.REGULATOR)).json()
                .getString("status")).isEqualTo("noshow");
        Api.Response again = server.api.post("/api/v1/feedback/" + token, null, new JsonObject().put("answer", "seen"));
        assertThat(again.code()).isEqualTo("FEEDBACK_CONFLICT");

        clock.advance(Duration.ofDays(8));
        Api.Response expired = server.api.get("/api/v1/feedback/" + token, null);
        assertThat(expired.status()).isEqualTo(410);
        assertThat(expired.code()).isEqualTo("LINK_EXPIRED");
        assertThat(server.api.get("/feedback/" + token, null).body()).contains("Ce lien a expiré");
    }

    @Test
    void anAppointmentWithoutFeedbackIsListedAndRemindedOnce() throws Exception {
        String effector = effectorWithWebhook();
        String silent = book(effector, 30);
        String answered = book(effector, 60);
        await("two notifications", () -> received.size() == 2);
        String coordinator = server.token(Role.COORDINATOR);

        clock.advance(Duration.ofHours(3));
        server.api.post("/api/v1/appointments/" + answered + "/feedback", coordinator, new JsonObject().put("answer", "seen"));
        server.dispatcher.sendDueReminders();
        Thread.sleep(300);
        assertThat(received).noneMatch(n -> n.getString("event").equals("reminder")
                && List.of(silent, answered).contains(n.getJsonObject("appointment").getString("id")));
        assertThat(awaiting(coordinator)).doesNotContain(silent);

        clock.advance(Duration.ofHours(24));
        assertThat(awaiting(coordinator)).contains(silent).doesNotContain(answered);
        server.dispatcher.sendDueReminders();
        await("the reminder", () -> received.stream().anyMatch(n -> n.getString("event").equals("reminder")
                && n.getJsonObject("appointment").getString("id").equals(silent)));
        assertThat(received).noneMatch(n -> n.getString("event").equals("reminder")
                && n.getJsonObject("appointment").getString("id").equals(answered));
        server.dispatcher.sendDueReminders();
        Thread.sleep(500);
        assertThat(received.stream().filter(n -> n.getString("event").equals("reminder")
                && n.getJsonObject("appointment").getString("id").equals(silent))).hasSize(1);

        server.api.post("/api/v1/appointments/" + silent + "/feedback", coordinator, new JsonObject().put("answer", "no-show"));
        assertThat(awaiting(coordinator)).doesNotContain(silent);
    }

    private static List<String> awaiting(String token) {
        return server.api.get("/api/v1/appointments?territory=36&awaitingFeedback=true", token).json()
                .getJsonArray("appointments").stream().map(o -> ((JsonObject) o).getString("id")).toList();
    }
}
