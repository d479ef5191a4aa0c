package fr.snp.dispatch.sim;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.Dispatcher;
import fr.snp.dispatch.config.Settings;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Indre 2022 replay, scaled down for CI: the server's statistics must equal what was injected. */
class SimulatorTest {

    @Test
    void aScaledIndreYearReplaysThroughTheApiAndTheServerCountsExactlyWhatWasInjected() throws Exception {
        Path out = Files.createTempDirectory("snp-sim-out");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int exit;
        try {
            System.setOut(new PrintStream(console, true, StandardCharsets.UTF_8));
            exit = Simulator.run(Settings.defaultsWith(Map.of()), List.of("--scenario", "indre-2022", "--seed", "42",
                    "--scale", "0.05", "--out", out.toString()));
        } finally {
            System.setOut(saved);
        }
        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(printed).isZero();
        assertThat(printed).contains("match the injected truth exactly").doesNotContain("differs")
                .contains("17,232").contains("Throughput:");
        JsonObject truth = new JsonObject(Files.readString(out.resolve("indre-2022-seed42-truth.json")));
        JsonObject injected = truth.getJsonObject("injected");
        Scenario scaled = Scenario.named("indre-2022").scaled(0.05);
        assertThat(injected.getLong("requests")).isEqualTo(scaled.requests());
        assertThat(injected.getLong("ADVICE")).isEqualTo(scaled.advice());
        assertThat(injected.getLong("SNP_SLOT")).isEqualTo(scaled.snpAppointments());
        assertThat(injected.getLong("PRESCRIPTION")).isEqualTo(scaled.prescriptions());
        assertThat(injected.getLong("other")).isEqualTo(scaled.other());
        assertThat(injected.getLong("noshow")).isPositive();
    }

    @Test
    void theFullScenarioKeepsThePublishedFigures() {
        Scenario s = Scenario.named("indre-2022");
        assertThat(s.requests()).isEqualTo(17_232);
        assertThat(s.scaled(1).requests()).isEqualTo(17_232);
        assertThat(s.scaled(1).advice()).isEqualTo(7_297);
        assertThat(s.scaled(1).snpAppointments()).isEqualTo(6_438);
        assertThat(s.scaled(1).prescriptions()).isEqualTo(2_353);
        assertThat(s.scaled(1).other()).isEqualTo(1_444);
    }

    @Test
    void aServerThatCountsSomethingElseFailsTheRunAndTheClockIsRefusedOutsideSimulation() throws Exception {
        // the replay drives one token at full speed: the per-principal limits are off, as for a load test
        Settings settings = Settings.defaultsWith(Map.of("redis.url", "", "http.port", "0", "simulation.clockControl", "true",
                "redis.embedded.dataDir", Files.createTempDirectory("snp-sim-ext").toString(), "limits.writesPerMinute", "0",
                "limits.activeHoldsPerPrincipal", "0"));
        try (Dispatcher d = Dispatcher.start(settings, true, new SimulationClock())) {
            Api api = new Api("http://127.0.0.1:" + d.port());
            // a call the simulator does not know about, in the replayed year
            assertThat(api.post("/api/v1/sim/clock", "demo-ops", new JsonObject().put("now", "2022-06-01T10:00:00+02:00"))
                    .status()).isEqualTo(200);
            assertThat(api.post("/api/v1/requests", "demo-regulator", new JsonObject("""
                    {"origin":"SAS_116117","patient":{"initials":"XX","birthYear":1950,"phone":"0600000000","communeInsee":"36044"}}"""))
                    .status()).isEqualTo(201);
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            int exit = new Simulator("http://127.0.0.1:" + d.port(), Map.of(fr.snp.dispatch.domain.Role.OPS, "demo-ops",
                    fr.snp.dispatch.domain.Role.COORDINATOR, "demo-coordinator", fr.snp.dispatch.domain.Role.REGULATOR,
                    "demo-regulator", fr.snp.dispatch.domain.Role.OSNP, "demo-osnp"), "CPTS-CASTELROUSSINE", Scenario.named("indre-2022").scaled(0.01),
                    7, Files.createTempDirectory("snp-sim-out"), new PrintStream(console, true, StandardCharsets.UTF_8)).replay();
            assertThat(exit).isEqualTo(1);
            assertThat(console.toString(StandardCharsets.UTF_8)).contains("<-- differs").contains("MISMATCH");
        }
        // a server not in simulation mode refuses to have its clock moved
        try (var server = fr.snp.dispatch.TestServer.start()) {
            Api.Response refused = server.api.post("/api/v1/sim/clock", server.token(fr.snp.dispatch.domain.Role.OPS),
                    new JsonObject().put("now", "2022-06-01T10:00:00+02:00"));
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.code()).isEqualTo("SIMULATION_DISABLED");
        }
    }
}
