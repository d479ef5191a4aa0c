package fr.snp.dispatch.notifications;

import com.sun.net.httpserver.HttpServer;
import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Webhooks carry a patient's phone: refused towards this machine, private networks and the metadata service (unless
 * allow-listed), https only, visible to coordinators only, and every body signed per Standard Webhooks, which a
 * receiver written like the spec's reference libraries verifies (and a tampered body or an old timestamp fails).
 */
class WebhooksTest {
    static TestServer server;
    static HttpServer receiver;
    /** Each delivery as received: headers and the raw body. */
    record Delivery(String id, String timestamp, String signature, String body) {}
    static final List<Delivery> received = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            var h = exchange.getRequestHeaders();
            received.add(new Delivery(h.getFirst("webhook-id"), h.getFirst("webhook-timestamp"), h.getFirst("webhook-signature"),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        // only 127.0.0.1 is allow-listed (a trusted gateway), and http is allowed for it in this test
        server = TestServer.start(Map.of("outbox.retryBaseMs", "150", "webhooks.requireHttps", "false",
                "webhooks.allowedHosts", "127.0.0.1"));
    }

    @AfterAll
    static void stop() {
        server.close();
        receiver.stop(0);
    }

    static JsonObject effector(String webhookUrl) {
        String rpps = fr.snp.dispatch.domain.Rpps.withCheckDigit(String.format("16%08d", System.nanoTime() % 100_000_000));
        return new JsonObject().put("rpps", rpps).put("firstName", "W").put("lastName", "H" + rpps).put("webhookUrl", webhookUrl)
                .put("cpts", new JsonArray().add("CPTS-TEST"))
                .put("locations", new JsonArray().add(new JsonObject().put("communeInsee", "36044").put("accessible", true)));
    }

    /** A receiver's check, written from the spec (not with the server's code): any v1 signature of id.timestamp.body. */
    static boolean verify(String secret, Delivery d, String body, long nowSeconds) throws Exception {
        if (Math.abs(nowSeconds - Long.parseLong(d.timestamp())) > 300) return false; // replayed or delayed too long
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        byte[] expected = ("v1," + Base64.getEncoder().encodeToString(mac.doFinal((d.id() + "." + d.timestamp() + "." + body)
                .getBytes(StandardCharsets.UTF_8)))).getBytes(StandardCharsets.UTF_8);
        for (String s : d.signature().split(" ")) {
            if (MessageDigest.isEqual(expected, s.getBytes(StandardCharsets.UTF_8))) return true;
        }
        return false;
    }

    Delivery awaitDelivery(String appointmentId) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            for (Delivery d : received) if (d.body().contains(appointmentId)) return d;
            Thread.sleep(25);
        }
        throw new AssertionError("no delivery for " + appointmentId);
    }

    String book(String effector) {
        Api.Response r = server.api.book(server.token(Role.REGULATOR), server.slot(effector, 90 + received.size() * 20, "AMB", "SNP"),
                server.requestId(Role.REGULATOR, "SAS_116117"), null, UUID.randomUUID().toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().getString("id");
    }

    @Test
    void everyBodyIsSignedPerStandardWebhooksAndARotationSignsWithBothSecrets() throws Exception {
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        Api.Response created = server.api.post("/api/v1/effectors", server.token(Role.COORDINATOR), effector(hook));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String effector = created.json().getString("id");
        String secret = created.json().getString("webhookSecret");
        assertThat(secret).startsWith("whsec_");
        // shown once: never again in a read
        assertThat(server.api.get("/api/v1/effectors/" + effector, server.token(Role.COORDINATOR)).body()).doesNotContain(secret);

        Delivery d = awaitDelivery(book(effector));
        long now = System.currentTimeMillis() / 1000;
        assertThat(d.id()).startsWith("36:");
        assertThat(verify(secret, d, d.body(), now)).isTrue();
        assertThat(verify(secret, d, d.body().replace("\"event\":\"booked\"", "\"event\":\"cancelled\""), now))
                .as("a tampered body").isFalse();
        assertThat(verify(secret, d, d.body(), now + 3600)).as("an old timestamp").isFalse();
        assertThat(verify(fr.snp.dispatch.directory.WebhookSignature.newSecret(), d, d.body(), now)).as("another secret").isFalse();

        // rotation: the next delivery carries both signatures, each verifying with its own secret
        Api.Response rotated = server.api.post("/api/v1/effectors/" + effector + "/webhook-secret", server.token(Role.COORDINATOR), null);
        String next = rotated.json().getString("webhookSecret");
        assertThat(next).startsWith("whsec_").isNotEqualTo(secret);
        Delivery after = awaitDelivery(book(effector));
        assertThat(after.signature().split(" ")).hasSize(2);
        assertThat(verify(next, after, after.body(), System.currentTimeMillis() / 1000)).isTrue();
        assertThat(verify(secret, after, after.body(), System.currentTimeMillis() / 1000)).as("the previous one still").isTrue();
        assertThat(server.api.post("/api/v1/effectors/" + effector + "/webhook-secret", server.token(Role.REGULATOR), null).status())
                .as("a coordinator's act").isEqualTo(403);
    }

    @Test
    void aWebhookTowardsThisMachineAPrivateNetworkOrTheMetadataServiceIsRefusedAndNothingStored() {
        String coordinator = server.token(Role.COORDINATOR);
        int before = server.redis.hlen("snp:{36}:effectors").intValue();
        for (String url : List.of("http://localhost:8080/hook", "https://10.1.2.3/hook", "https://192.168.0.10/hook",
                "https://172.20.0.5/hook", "https://169.254.169.254/latest/meta-data", "https://[::1]/hook",
                "https://[fd00::1]/hook", "https://100.64.0.1/hook", "https://0.0.0.0/hook", "https://user:pw@example.org/hook",
                "ftp://example.org/hook", "pas une adresse")) {
            Api.Response r = server.api.post("/api/v1/effectors", coordinator, effector(url));
            assertThat(r.status()).as(url + " -> " + r).isEqualTo(400);
            assertThat(r.code()).isEqualTo("WEBHOOK_URL_REFUSED");
            assertThat(r.json().getString("field")).isEqualTo("webhookUrl");
        }
        assertThat(server.redis.hlen("snp:{36}:effectors").intValue()).isEqualTo(before);
        // the policy itself: https required, a public address accepted (literal, no lookup needed)
        WebhookPolicy strict = new WebhookPolicy(true, java.util.Set.of());
        assertThat(strict.refusal("http://93.184.216.34/hook")).isEqualTo("must be an https URL");
        assertThat(strict.refusalAtSend("https://93.184.216.34/hook")).isNull();
        assertThat(strict.refusalAtSend("https://127.0.0.1/hook")).contains("loopback");
    }

    @Test
    void onlyCoordinatorsSeeTheWebhookAddress() {
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        String effector = server.api.post("/api/v1/effectors", server.token(Role.COORDINATOR), effector(hook)).json().getString("id");
        assertThat(server.api.get("/api/v1/effectors/" + effector, server.token(Role.COORDINATOR)).json().getString("webhookUrl"))
                .isEqualTo(hook);
        for (Role r : List.of(Role.REGULATOR, Role.PHARMACIST, Role.OSNP)) {
            assertThat(server.api.get("/api/v1/effectors/" + effector, server.token(r)).json().containsKey("webhookUrl")).as(r.name())
                    .isFalse();
        }
        assertThat(server.api.get("/api/v1/effectors?territory=36", server.token(Role.REGULATOR)).body()).doesNotContain(hook);
    }
}
