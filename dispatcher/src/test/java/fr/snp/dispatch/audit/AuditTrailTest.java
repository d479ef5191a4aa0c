package fr.snp.dispatch.audit;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every access to patient data is traced: each action below is performed, then found in the trail by the data
 * protection officer — who did it, what, on which object, with what result — and no patient value is in the trail.
 */
class AuditTrailTest {
    static TestServer server;
    static String dpo;

    @BeforeAll
    static void start() throws Exception {
        // patient messages go to the log channel here: their sending is traced too
        server = TestServer.start(Map.of("messages.sms.provider", "log", "outbox.retryBaseMs", "150"));
        dpo = server.token(Role.DPO);
    }

    @AfterAll
    static void stop() { server.close(); }

    static JsonArray trail(String query) {
        Api.Response r = server.api.get("/api/v1/audit?territory=36&from=" + OffsetDateTime.now().minusHours(1).toString()
                .replace("+", "%2B") + query, dpo);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().getJsonArray("entries");
    }

    static JsonObject find(Predicate<JsonObject> what, String describe) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5_000;
        while (System.currentTimeMillis() < deadline) {
            for (Object o : trail("")) if (what.test((JsonObject) o)) return (JsonObject) o;
            Thread.sleep(50);
        }
        throw new AssertionError("no audit entry for " + describe + " in " + trail(""));
    }

    /**
     * Behind a trusted reverse proxy the trail names the client, not the proxy; a client's own X-Forwarded-For is
     * ignored when it does not come through one (it could put any address there).
     */
    @Test
    void theClientAddressComesFromATrustedProxyOnly() throws Exception {
        String regulator = server.token(Role.REGULATOR);
        Api.Response forged = server.api.send("GET", "/api/v1/requests/36-Rforgedxff0001", regulator, null,
                Map.of("X-Forwarded-For", "203.0.113.66"));
        assertThat(forged.status()).isEqualTo(404);
        assertThat(find(entry("GET /api/v1/requests/:id", "36-Rforgedxff0001"), "the forged call").getString("client"))
                .isEqualTo("127.0.0.1");
        try (TestServer proxied = TestServer.start(Map.of("http.trustedProxies", "127.0.0.1"))) {
            String desk = proxied.token(Role.REGULATOR);
            String dpoBehind = proxied.token(Role.DPO);
            // the client wrote the first address itself; the proxy appended the one it saw
            proxied.api.send("GET", "/api/v1/requests/36-Rproxiedxff001", desk, null,
                    Map.of("X-Forwarded-For", "203.0.113.66, 198.51.100.23"));
            proxied.api.send("GET", "/api/v1/requests/36-Rproxiedxff002", desk, null,
                    Map.of("X-Forwarded-For", "not-an-address"));
            long deadline = System.currentTimeMillis() + 5_000;
            Map<String, String> clients = new java.util.HashMap<>();
            while (clients.size() < 2 && System.currentTimeMillis() < deadline) {
                Api.Response r = proxied.api.get("/api/v1/audit?territory=36", dpoBehind);
                for (Object o : r.json().getJsonArray("entries")) {
                    JsonObject e = (JsonObject) o;
                    if (e.getString("object") != null && e.getString("object").startsWith("36-Rproxiedxff")) {
                        clients.put(e.getString("object"), e.getString("client"));
                    }
                }
                Thread.sleep(50);
            }
            assertThat(clients).containsEntry("36-Rproxiedxff001", "198.51.100.23")
                    .containsEntry("36-Rproxiedxff002", "127.0.0.1");
        }
    }

    static Predicate<JsonObject> entry(String action, String object) {
        return e -> e.getString("action").equals(action) && object.equals(e.getString("object"));
    }

    @Test
    void eachAccessToPatientDataIsFoundInTheTrailWithoutAnyPatientValue() throws Exception {
        String regulator = server.token(Role.REGULATOR);
        String regulatorId = server.api.get("/api/v1/me", regulator).json().getString("name");
        String effector = server.effector("36044", null);
        String slot = server.slot(effector, 120, "AMB", "SNP");
        Api.Response filed = server.api.post("/api/v1/requests", regulator, new JsonObject().put("origin", "SAS_116117")
                .put("patient", new JsonObject().put("initials", "QZ").put("birthYear", 1931).put("phone", "0699887766")
                        .put("communeInsee", "36044")));
        String request = filed.json().getString("id");
        server.api.get("/api/v1/requests/" + request, regulator);
        Api.Response booked = server.api.send("POST", "/api/v1/appointments", regulator, new JsonObject().put("slotId", slot)
                .put("requestId", request).put("patientContact", new JsonObject().put("sms", "0677665544").put("consent", true)),
                Map.of("Idempotency-Key", UUID.randomUUID().toString()));
        String appointment = booked.json().getString("id");
        server.api.get("/api/v1/appointments/" + appointment, regulator);
        server.api.get("/api/v1/appointments/" + appointment + "/messages", regulator);
        // another pharmacy tries to read the request: refused, and traced as refused
        String intruder = server.token(Role.PHARMACIST, "autre officine", "PHARMACIE-INTRUSE", java.util.Set.of());
        assertThat(server.api.get("/api/v1/requests/" + request, intruder).status()).isEqualTo(404);
        String feedback = server.dispatcher.services().feedbackLinks().token(appointment, System.currentTimeMillis() / 1000);
        server.api.get("/feedback/" + feedback, null);
        String doctorRequest = server.api.post("/api/v1/doctor-requests", server.token(Role.PHARMACIST), new JsonObject()
                .put("patient", new JsonObject().put("initials", "QY").put("birthYear", 1932).put("phone", "0611002200")
                        .put("communeInsee", "36044").put("ald", true))).json().getString("id");
        server.api.post("/api/v1/appointments/" + appointment + "/cancel", regulator, new JsonObject().put("reason", "PATIENT"));

        JsonObject created = find(entry("POST /api/v1/requests", request), "the request filed");
        assertThat(created.getString("role")).isEqualTo("regulator");
        assertThat(created.getString("org")).isEqualTo("SAS-36");
        assertThat(created.getInteger("result")).isEqualTo(201);
        assertThat(created.getString("client")).isEqualTo("127.0.0.1");
        assertThat(created.getString("actor")).isNotBlank().isNotEqualTo(regulatorId); // a stable id, not a display name
        find(entry("GET /api/v1/requests/:id", request), "the request read");
        find(entry("POST /api/v1/appointments", appointment), "the booking");
        find(entry("GET /api/v1/appointments/:id", appointment), "the appointment read");
        find(entry("GET /api/v1/appointments/:id/messages", appointment), "the messages read");
        find(entry("POST /api/v1/appointments/:id/cancel", appointment), "the cancellation");
        find(e -> entry("GET /api/v1/requests/:id", request).test(e) && e.getInteger("result") == 404
                && e.getString("org").equals("PHARMACIE-INTRUSE"), "the refused read");
        JsonObject link = find(entry("GET /feedback/:token", appointment), "the feedback page");
        assertThat(link.getString("actor")).isEqualTo("feedback-link");
        find(entry("POST /api/v1/doctor-requests", doctorRequest), "the doctor request");
        find(entry("message.confirmation.sms", appointment), "the patient's SMS");

        // filters, and the export as JSON lines
        assertThat(trail("&object=" + appointment)).allMatch(e -> appointment.equals(((JsonObject) e).getString("object")));
        Api.Response lines = server.api.send("GET", "/api/v1/audit?territory=36&object=" + request, dpo, null,
                Map.of("Accept", "application/x-ndjson"));
        assertThat(lines.header("Content-Type")).startsWith("application/x-ndjson");
        assertThat(lines.body().lines().toList()).isNotEmpty().allMatch(l -> new JsonObject(l).getString("object").equals(request));

        // the trail names ids, never a patient value
        String all = trail("").encode();
        for (String value : List.of("0699887766", "06 99", "0677665544", "0611002200", "QZ", "QY", "1931", "1932")) {
            // as a value of its own: a year's digits may occur inside an entry id or a time, an id's letters anywhere
            assertThat(all).as(value).doesNotContainPattern("(?<![A-Za-z0-9])" + java.util.regex.Pattern.quote(value) + "(?![A-Za-z0-9])");
        }
    }

    @Test
    void onlyTheDataProtectionOfficerOfTheTerritoryReadsTheTrail() {
        for (Role r : List.of(Role.REGULATOR, Role.OPS, Role.COORDINATOR)) {
            assertThat(server.api.get("/api/v1/audit?territory=36", server.token(r)).status()).as(r.name()).isEqualTo(403);
        }
        assertThat(server.api.get("/api/v1/audit?territory=85", dpo).code()).isEqualTo("TERRITORY_NOT_SERVED");
        Api.Response bad = server.api.get("/api/v1/audit?territory=36&from=hier", dpo);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().getString("field")).isEqualTo("from");
        // the dpo reads no patient data itself
        assertThat(server.api.get("/api/v1/requests/36-Rabcdefgh1234", dpo).status()).isEqualTo(403);
    }
}
