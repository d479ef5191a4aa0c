package fr.snp.dispatch.ops;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ops/ proven against real parts: promtool checks the Prometheus config and rules; a real Prometheus scrapes a
 * live dispatcher under a short load, and every dashboard panel's PromQL and every alert's measure returns data.
 */
class MonitoringTest {
    static final Path OPS = Path.of("..", "ops").toAbsolutePath().normalize();
    static final Pattern COMPARISON = Pattern.compile("^(.*?)\\s*(>=|<=|==|!=|>|<)\\s*[0-9.]+$");
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static Path prometheusDir(String target, String token) throws IOException {
        Path dir = Files.createTempDirectory("snp-prometheus");
        String config = Files.readString(OPS.resolve("prometheus/prometheus.yml"))
                .replace("scrape_interval: 15s", "scrape_interval: 1s").replace("evaluation_interval: 15s", "evaluation_interval: 1s")
                .replace("dispatcher:8080", target);
        Files.writeString(dir.resolve("prometheus.yml"), config);
        Files.copy(OPS.resolve("prometheus/alerts.yml"), dir.resolve("alerts.yml"));
        Files.writeString(dir.resolve("ops-token"), token);
        return dir;
    }

    static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        if (p.exitValue() != 0) System.out.println(String.join(" ", command) + "\n" + out);
        return p.exitValue();
    }

    @Test
    void promtoolAcceptsTheConfigurationAndTheRules() throws Exception {
        Path dir = prometheusDir("127.0.0.1:9", "a-token");
        // the committed files, beside a token file as an operator would create it
        Files.copy(OPS.resolve("prometheus/prometheus.yml"), dir.resolve("committed.yml"));
        assertThat(run("promtool", "check", "config", dir.resolve("committed.yml").toString())).isZero();
        assertThat(run("promtool", "check", "rules", OPS.resolve("prometheus/alerts.yml").toString())).isZero();
    }

    @Test
    void theComposeFileIsValid() throws Exception {
        // Debian's docker-compose 1.29 validates without a Docker engine (there is none on these machines)
        assertThat(run("docker-compose", "-f", OPS.resolve("docker-compose.yml").toString(), "config", "-q")).isZero();
    }

    @Test
    void everyDashboardPanelAndEveryAlertMeasureReturnsDataFromALiveServer() throws Exception {
        try (TestServer server = TestServer.start()) {
            load(server);
            int port;
            try (ServerSocket s = new ServerSocket(0)) { port = s.getLocalPort(); }
            Path dir = prometheusDir("127.0.0.1:" + server.dispatcher.port(), server.token(Role.OPS));
            Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try {
                String base = "http://127.0.0.1:" + port;
                awaitUp(base);
                // Prometheus applies discovered targets every 5 s: wait for the first good scrape, then keep some
                // traffic going over a few more scrapes (rate() needs two samples)
                long deadline = System.currentTimeMillis() + 30_000;
                while (!query(base + "/api/v1/targets").encode().contains("\"health\":\"up\"")) {
                    assertThat(System.currentTimeMillis()).as("the dispatcher is scraped").isLessThan(deadline);
                    load(server);
                    Thread.sleep(500);
                }
                for (int i = 0; i < 5; i++) {
                    load(server);
                    Thread.sleep(700);
                }
                List<String> failures = new ArrayList<>();
                List<String> expressions = new ArrayList<>();
                for (Path dashboard : dashboards()) {
                    for (Object p : new JsonObject(Files.readString(dashboard)).getJsonArray("panels")) {
                        JsonObject panel = (JsonObject) p;
                        for (Object t : panel.getJsonArray("targets")) {
                            expressions.add(((JsonObject) t).getString("expr"));
                            check(base, dashboard.getFileName() + " / " + panel.getString("title"), ((JsonObject) t).getString("expr"), failures);
                        }
                    }
                }
                Matcher m = Pattern.compile("expr: (.+)").matcher(Files.readString(OPS.resolve("prometheus/alerts.yml")));
                int alerts = 0;
                while (m.find()) {
                    Matcher c = COMPARISON.matcher(m.group(1).strip());
                    assertThat(c.matches()).as("alert expression '%s' is '<measure> <comparison> <number>'", m.group(1)).isTrue();
                    check(base, "alert", c.group(1), failures);
                    alerts++;
                }
                assertThat(expressions).hasSizeGreaterThanOrEqualTo(20);
                assertThat(alerts).isEqualTo(11);
                assertThat(failures).as("expressions that returned no data (scrape target: %s)",
                        query(base + "/api/v1/targets").encode()).isEmpty();
                // the rules load and evaluate without error
                JsonArray groups = query(base + "/api/v1/rules").getJsonObject("data").getJsonArray("groups");
                assertThat(groups.getJsonObject(0).getJsonArray("rules")).allSatisfy(r ->
                        assertThat(((JsonObject) r).getString("health")).isIn("ok", "unknown"));
            } finally {
                prometheus.destroy();
                prometheus.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static List<Path> dashboards() throws IOException {
        try (Stream<Path> files = Files.list(OPS.resolve("grafana/dashboards"))) {
            List<Path> list = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
            assertThat(list).hasSize(3);
            return list;
        }
    }

    private void check(String base, String where, String expr, List<String> failures) throws Exception {
        JsonObject r = query(base + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        if (!"success".equals(r.getString("status")) || r.getJsonObject("data").getJsonArray("result").isEmpty()) {
            failures.add(where + ": " + expr + " -> " + r.encode());
        }
    }

    private JsonObject query(String url) throws Exception {
        return new JsonObject(http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private void awaitUp(String base) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/-/ready")).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(200);
        }
        throw new AssertionError("prometheus did not start");
    }

    /** Requests, holds, bookings, conflicts and replays: every family gets samples. */
    private static void load(TestServer server) {
        String token = server.token(Role.REGULATOR);
        String effector = server.effector("36044", null);
        for (int i = 0; i < 3; i++) {
            String slot = server.slot(effector, 60 + 20 * i, "AMB", "SNP");
            String request = server.requestId(Role.REGULATOR, "SAS_116117");
            server.api.post("/api/v1/slots/" + slot + "/hold", token, new JsonObject().put("requestId", request));
            String key = UUID.randomUUID().toString();
            server.api.book(token, slot, request, null, key);
            server.api.book(token, slot, request, null, key);
            server.api.book(token, slot, server.requestId(Role.REGULATOR, "SAS_116117"), null, UUID.randomUUID().toString());
        }
        server.slot(effector, 600, "AMB", "SNP"); // stays free: a free SNP slot in the next 24 h
        server.dispatcher.refreshMetrics();
        Api.Response metrics = server.api.get("/metrics", token);
        assertThat(metrics.status()).isEqualTo(403); // metrics are for ops
    }
}
