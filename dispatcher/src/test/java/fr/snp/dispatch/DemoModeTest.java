package fr.snp.dispatch;

import fr.snp.dispatch.config.Settings;
import fr.snp.dispatch.demo.DemoTerritory;
import fr.snp.dispatch.redis.EmbeddedRedis;
import io.lettuce.core.RedisClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's first command: no REDIS_URL, so a private Redis with AOF in a data directory, the demo territory
 * and the demo tokens; then the README walkthrough as a 116-117 regulator; then a restart on the same data.
 */
class DemoModeTest {

    @Test
    void theRegulatorWalkthroughWorksOnTheEmbeddedDefaultAndSurvivesARestart() throws Exception {
        Path data = Files.createTempDirectory("snp-demo");
        Settings settings = Settings.defaultsWith(Map.of("redis.url", "", "redis.embedded.dataDir", data.toString(),
                "http.port", "0"));
        String appointmentId;
        String slotId;
        try (Dispatcher d = Dispatcher.start(settings, true, Clock.systemUTC())) {
            Api api = new Api("http://127.0.0.1:" + d.port());
            assertThat(api.get("/health", null).json().getString("redis")).isEqualTo("UP");
            // ops see that the public demo tokens are on (an alert anywhere but a trial machine)
            assertThat(api.get("/metrics", "demo-ops").body()).containsPattern("(?m)^dispatch_demo_mode(\\{[^}]*\\})? 1\\.0$");
            JsonObject effector = api.get("/api/v1/effectors/36-E1", "demo-regulator").json();
            assertThat(effector.getString("rpps")).hasSize(11);
            // the SAS sees the territory's effectors; the demo coordinator those of its CPTS (Castelroussine)
            assertThat(api.get("/api/v1/effectors?territory=36", "demo-regulator").json().getJsonArray("effectors"))
                    .hasSize(DemoTerritory.EFFECTORS);
            var castelroussine = api.get("/api/v1/effectors?territory=36", "demo-coordinator").json().getJsonArray("effectors");
            assertThat(castelroussine.size()).isBetween(10, DemoTerritory.EFFECTORS - 1);
            castelroussine.forEach(e -> assertThat(((JsonObject) e).getJsonArray("cpts")).containsExactly("CPTS-CASTELROUSSINE"));
            // the Vendée demo: its own tokens, its own territory
            assertThat(api.get("/api/v1/effectors?territory=85", "demo-regulator-85").json().getJsonArray("effectors").size())
                    .isEqualTo(DemoTerritory.VENDEE.effectors());
            assertThat(api.get("/api/v1/effectors?territory=85", "demo-regulator").code()).isEqualTo("TERRITORY_NOT_SERVED");

            Api.Response request = api.post("/api/v1/requests", "demo-regulator", new JsonObject("""
                    {"origin":"SAS_116117","patient":{"initials":"MD","birthYear":1948,"phone":"06 12 34 56 78",
                     "communeInsee":"36063","over70":true,"noRegularDoctor":true},"need":{"within":"PT48H"}}"""));
            assertThat(request.status()).isEqualTo(201);
            var candidates = request.json().getJsonArray("candidates");
            assertThat(candidates).isNotEmpty();
            JsonObject first = candidates.getJsonObject(0);
            assertThat(first.getJsonObject("scoreParts").fieldNames()).contains("distance", "time", "fairness");
            slotId = first.getString("slotId");
            String requestId = request.json().getString("id");

            JsonObject hold = api.post("/api/v1/slots/" + slotId + "/hold", "demo-regulator",
                    new JsonObject().put("requestId", requestId)).json();
            // the patient agrees to an SMS: the demo has no SMS provider, so the message goes to the log channel
            Api.Response booked = api.send("POST", "/api/v1/appointments", "demo-regulator", new JsonObject()
                    .put("slotId", slotId).put("requestId", requestId).put("holdId", hold.getString("holdId"))
                    .put("patientContact", new JsonObject().put("sms", "06 12 34 56 78").put("consent", true)),
                    java.util.Map.of("Idempotency-Key", "demo-walkthrough-1"));
            assertThat(booked.status()).isEqualTo(201);
            appointmentId = booked.json().getString("id");
            assertThat(booked.json().getJsonObject("patientMessages").getJsonArray("channels")).containsExactly("sms");
            String id = appointmentId;
            JsonObject sent = null;
            for (long deadline = System.currentTimeMillis() + 10_000; sent == null && System.currentTimeMillis() < deadline; Thread.sleep(50)) {
                var messages = api.get("/api/v1/appointments/" + id + "/messages", "demo-regulator").json().getJsonArray("messages");
                if (!messages.isEmpty() && "sent".equals(messages.getJsonObject(0).getString("status"))) sent = messages.getJsonObject(0);
            }
            assertThat(sent).as("the confirmation, through the log channel").isNotNull();
            assertThat(sent.getString("provider")).isEqualTo("log");
            assertThat(sent.getString("kind")).isEqualTo("confirmation");

            String second = api.post("/api/v1/requests", "demo-osnp", new JsonObject("""
                    {"origin":"OSNP","patient":{"initials":"AB","birthYear":1990,"phone":"0611223344","communeInsee":"36044"}}"""))
                    .json().getString("id");
            Api.Response refused = api.book("demo-osnp", slotId, second, null, "demo-walkthrough-2");
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.code()).isEqualTo("SLOT_BOOKED");

            assertThat(api.get("/api/v1/slots/" + slotId, "demo-regulator").json().getString("status")).isEqualTo("booked");
            assertThat(Files.list(data).map(p -> p.getFileName().toString()))
                    .anyMatch(name -> name.startsWith("appendonly"));
        }
        // restart on the same data directory: the booking is still there and the demo is not loaded twice
        try (Dispatcher d = Dispatcher.start(settings, true, Clock.systemUTC())) {
            Api api = new Api("http://127.0.0.1:" + d.port());
            JsonObject appointment = api.get("/api/v1/appointments/" + appointmentId, "demo-regulator").json();
            assertThat(appointment.getString("status")).isEqualTo("booked");
            assertThat(api.get("/api/v1/effectors?territory=36", "demo-regulator").json().getJsonArray("effectors"))
                    .hasSize(DemoTerritory.EFFECTORS);
            Api.Response cancel = api.post("/api/v1/appointments/" + appointmentId + "/cancel", "demo-regulator",
                    new JsonObject().put("reason", "PATIENT"));
            assertThat(cancel.json().getBoolean("slotReleased")).isTrue();
            assertThat(api.get("/api/v1/slots/" + slotId, "demo-regulator").json().getString("status")).isEqualTo("free");
        }
    }

    @Test
    void theRedisBinaryBundledInTheJarRunsWhenNoRedisIsInstalled() throws Exception {
        try (EmbeddedRedis redis = EmbeddedRedis.start(Files.createTempDirectory("snp-bundled"), true, false)) {
            assertThat(redis.executable()).contains("snp-dispatch-").contains("redis-server");
            RedisClient client = RedisClient.create(redis.url());
            try (var c = client.connect()) {
                assertThat(c.sync().ping()).isEqualTo("PONG");
                // the Redis 6.2 features the scripts rely on: Lua with the bit library, streams
                assertThat(c.sync().<Long>eval("return bit.bor(4, 8)", io.lettuce.core.ScriptOutputType.INTEGER)).isEqualTo(12L);
                assertThat(c.sync().xadd("s", Map.of("a", "1"))).isNotBlank();
            } finally {
                client.shutdown();
            }
        }
    }
}
