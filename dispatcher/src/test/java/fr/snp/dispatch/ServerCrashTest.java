package fr.snp.dispatch;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The zero-setup default (no REDIS_URL: a private embedded Redis, the demo territories) survives its own crash: the
 * server's JVM is killed with SIGKILL right after a booking, which leaves its redis-server running, orphaned, on the
 * data directory. The next start stops that orphan (so two processes never write one append-only file), starts its
 * own Redis on the same data, and serves again: the booking is there, a new one is taken, and when the server stops
 * no redis-server is left behind. The server runs as a real process (java -cp … fr.snp.dispatch.Main), as the
 * README's first command runs it.
 */
class ServerCrashTest {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void aKilledServerLeavesNothingThatStopsTheNextStart(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("redis");
        int port = freePort();
        String base = "http://127.0.0.1:" + port;
        Process first = start(dir, data, port, "first.log");
        long orphan;
        String appointment;
        try {
            awaitHealthy(base, first, dir.resolve("first.log"));
            appointment = bookOne(base);
            orphan = Long.parseLong(Files.readString(data.resolve("redis.pid")).strip());
        } finally {
            first.destroyForcibly(); // SIGKILL: no shutdown hook, the embedded Redis is not stopped
            first.waitFor(10, TimeUnit.SECONDS);
        }
        Optional<ProcessHandle> left = ProcessHandle.of(orphan);
        assertThat(left.isPresent() && left.get().isAlive()).as("the killed server's Redis is still running (orphaned)").isTrue();

        Process second = start(dir, data, port, "second.log");
        long own;
        try {
            awaitHealthy(base, second, dir.resolve("second.log"));
            assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false)).as("the orphan was stopped").isFalse();
            own = Long.parseLong(Files.readString(data.resolve("redis.pid")).strip());
            assertThat(own).isNotEqualTo(orphan);
            HttpResponse<String> kept = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/appointments/" + appointment))
                    .header("Authorization", "Bearer demo-regulator").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(kept.statusCode()).as("the booking made before the crash: " + kept.body()).isEqualTo(200);
            assertThat(new JsonObject(kept.body()).getString("status")).isEqualTo("booked");
            assertThat(bookOne(base)).isNotEqualTo(appointment);
        } finally {
            second.destroy(); // SIGTERM: the shutdown hook stops the server and its Redis
            if (!second.waitFor(30, TimeUnit.SECONDS)) second.destroyForcibly();
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (ProcessHandle.of(own).map(ProcessHandle::isAlive).orElse(false) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(ProcessHandle.of(own).map(ProcessHandle::isAlive).orElse(false)).as("no redis-server left after a clean stop").isFalse();
    }

    /** The server as the README starts it, without REDIS_URL, on a port and data directory of the test's. */
    static Process start(Path dir, Path data, int port, String log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder b = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"), "fr.snp.dispatch.Main")
                .redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).directory(dir.toFile());
        b.environment().remove("REDIS_URL");
        b.environment().put("PORT", String.valueOf(port));
        b.environment().put("DISPATCH_REDIS_EMBEDDED_DATADIR", data.toString());
        return b.start();
    }

    static void awaitHealthy(String base, Process p, Path log) throws Exception {
        long deadline = System.currentTimeMillis() + 90_000;
        while (System.currentTimeMillis() < deadline) {
            assertThat(p.isAlive()).as("the server runs: " + Files.readString(log)).isTrue();
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not healthy within 90 s: " + Files.readString(log));
    }

    /** A demo regulator's call: a request, then its best slot booked; the appointment's id. */
    static String bookOne(String base) throws Exception {
        JsonObject request = post(base, "/api/v1/requests", new JsonObject().put("origin", "SAS_116117")
                .put("need", new JsonObject().put("within", "PT48H"))
                .put("patient", new JsonObject().put("initials", "KC").put("birthYear", 1951).put("phone", "0612345678")
                        .put("communeInsee", "36044")), null);
        String slot = request.getJsonArray("candidates").getJsonObject(0).getString("slotId");
        return post(base, "/api/v1/appointments", new JsonObject().put("slotId", slot).put("requestId", request.getString("id")),
                UUID.randomUUID().toString()).getString("id");
    }

    static JsonObject post(String base, String path, JsonObject body, String idempotencyKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer demo-regulator")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode()));
        if (idempotencyKey != null) b.header("Idempotency-Key", idempotencyKey);
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(201);
        return new JsonObject(r.body());
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) { return s.getLocalPort(); }
    }
}
