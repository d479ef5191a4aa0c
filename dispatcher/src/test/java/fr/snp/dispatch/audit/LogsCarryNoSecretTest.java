package fr.snp.dispatch.audit;

import com.sun.net.httpserver.HttpServer;
import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole flow — a refused token, a request, a booking with the patient told by SMS and e-mail (log channel), a
 * webhook that fails once, the doctor's and the patient's link pages, a cancellation from the patient's link — while
 * every log record of the server is captured: none carries a token, a working link, a phone number, an address or a
 * patient's initials and year of birth.
 */
class LogsCarryNoSecretTest {
    @Test
    void noLogCarriesATokenALinkOrAPatientValue() throws Exception {
        List<String> logged = new CopyOnWriteArrayList<>();
        SimpleFormatter format = new SimpleFormatter();
        Handler capture = new Handler() {
            @Override public void publish(LogRecord r) {
                logged.add(format.format(r));
            }

            @Override public void flush() {}

            @Override public void close() {}
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        AtomicInteger failures = new AtomicInteger(1);
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", x -> {
            x.getRequestBody().readAllBytes();
            x.sendResponseHeaders(failures.getAndDecrement() > 0 ? 500 : 204, -1);
            x.close();
        });
        receiver.start();
        try (TestServer server = TestServer.start(Map.of("messages.sms.provider", "log", "messages.email.provider", "log",
                "outbox.logChannel", "true", "outbox.retryBaseMs", "150", "webhooks.requireHttps", "false",
                "webhooks.allowedHosts", "127.0.0.1"))) {
            String regulator = server.token(Role.REGULATOR);
            assertThat(server.api.get("/api/v1/requests/36-Rabcdefgh1234", "sekrit-token-4242").status()).isEqualTo(401);
            String effector = server.api.post("/api/v1/effectors", server.token(Role.COORDINATOR), new JsonObject()
                    .put("rpps", fr.snp.dispatch.domain.Rpps.withCheckDigit("1777777777")).put("firstName", "L").put("lastName", "Og")
                    .put("webhookUrl", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook")
                    .put("cpts", new JsonArray().add("CPTS-TEST"))
                    .put("locations", new JsonArray().add(new JsonObject().put("communeInsee", "36044").put("accessible", true))))
                    .json().getString("id");
            String request = server.api.post("/api/v1/requests", regulator, new JsonObject().put("origin", "SAS_116117")
                    .put("patient", new JsonObject().put("initials", "ZX").put("birthYear", 1937).put("phone", "06 55 44 33 22")
                            .put("communeInsee", "36044"))).json().getString("id");
            Api.Response booked = server.api.send("POST", "/api/v1/appointments", regulator, new JsonObject()
                    .put("slotId", server.slot(effector, 180, "AMB", "SNP")).put("requestId", request)
                    .put("patientContact", new JsonObject().put("sms", "06 44 33 22 11").put("email", "zx.patient@example.org")
                            .put("consent", true)), Map.of("Idempotency-Key", UUID.randomUUID().toString()));
            String appointment = booked.json().getString("id");
            var services = server.dispatcher.services();
            String feedback = services.feedbackLinks().token(appointment, System.currentTimeMillis() / 1000);
            String patient = services.feedbackLinks().patientLinks().tokenUntil(appointment, System.currentTimeMillis() / 1000 + 3600);
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline && logged.stream().noneMatch(l -> l.contains("by email to"))) Thread.sleep(50);
            server.api.get("/feedback/" + feedback, null);
            server.api.get("/rdv/" + patient, null);
            server.api.send("POST", "/rdv/" + patient, null, "step=cancel", Map.of("Content-Type", "application/x-www-form-urlencoded"));
            deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline && failures.get() >= 0) Thread.sleep(50); // the webhook retried
            Thread.sleep(500);

            String all = String.join("\n", logged);
            assertThat(all).as("the flow was logged at all").contains("patient confirmation by sms").contains("webhook answered 500");
            for (String secret : List.of(regulator, server.token(Role.COORDINATOR), "sekrit-token-4242",
                    feedback.substring(feedback.lastIndexOf('.') + 1), patient.substring(patient.lastIndexOf('.') + 1),
                    "0655443322", "06 55 44 33 22", "+33655443322", "0644332211", "06 44 33 22 11", "+33644332211",
                    "zx.patient@example.org", "\"initials\":\"ZX\"", "1937")) {
                // as a value of its own: a year's digits may occur inside a time or an id
                assertThat(all).as("a log line carries " + secret)
                        .doesNotContainPattern("(?<![A-Za-z0-9])" + java.util.regex.Pattern.quote(secret) + "(?![A-Za-z0-9])");
            }
        } finally {
            root.removeHandler(capture);
            receiver.stop(0);
        }
    }
}
