package fr.snp.dispatch.booking;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.sim.SimulationClock;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Appointments are pseudonymised after the configured delay: the link to the patient and free text go, figures stay. */
class PseudonymisationTest {
    @Test
    void anOldAppointmentLosesWhatLeadsToThePatientAndTheFiguresStay() throws Exception {
        SimulationClock clock = new SimulationClock();
        clock.set(OffsetDateTime.parse("2026-03-02T09:00:00+01:00").toInstant());
        try (TestServer server = TestServer.start(Map.of("appointments.pseudonymiseAfterDays", "10"), clock)) {
            String regulator = server.token(Role.REGULATOR);
            String effector = server.effector("36044", null);
            String old = book(server, regulator, effector, 60);
            String young = book(server, regulator, effector, 60 * 24 * 20); // 20 days later
            clock.advance(Duration.ofHours(2));
            assertThat(server.api.post("/api/v1/appointments/" + old + "/feedback", server.token(Role.COORDINATOR),
                    new JsonObject().put("answer", "seen").put("comment", "vu avec sa fille, rappeler lundi")).status()).isEqualTo(200);
            String reference = server.redis.hget(Keys.appointment("36", old), "reference");
            String figures = stats(server);

            clock.advance(Duration.ofDays(9));
            server.dispatcher.pseudonymiseOldAppointments();
            Thread.sleep(300);
            assertThat(server.redis.hget(Keys.appointment("36", old), "request")).as("9 days: not yet").isNotNull();

            clock.advance(Duration.ofDays(2));
            long changed = server.dispatcher.services().bookings().pseudonymise("36", clock.millis(), 10).toCompletableFuture().get();
            assertThat(changed).isEqualTo(1);
            Map<String, String> h = server.redis.hgetall(Keys.appointment("36", old));
            assertThat(h).doesNotContainKeys("request", "feedbackComment").containsKeys("pseudonymisedAt", "effector", "start",
                    "status", "feedback");
            assertThat(server.redis.hget(Keys.references("36"), reference)).isNull();
            assertThat(server.redis.hget(Keys.appointment("36", young), "request")).as("a younger one stays").isNotNull();
            assertThat(stats(server)).as("the statistics do not change").isEqualTo(figures);
            // once: a second pass changes nothing
            assertThat(server.dispatcher.services().bookings().pseudonymise("36", clock.millis(), 10).toCompletableFuture().get())
                    .isZero();
            assertThat(server.api.get("/api/v1/appointments/" + old, regulator).json().getString("status")).isEqualTo("fulfilled");
        }
    }

    static String book(TestServer server, String regulator, String effector, int inMinutes) {
        Api.Response r = server.api.book(regulator, server.slot(effector, inMinutes, "AMB", "SNP"),
                server.requestId(Role.REGULATOR, "SAS_116117"), null, UUID.randomUUID().toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().getString("id");
    }

    static String stats(TestServer server) {
        return server.api.get("/api/v1/stats/noshow?territory=36&from=2026-03-01&to=2026-06-30&groupBy=effector",
                server.token(Role.OPS)).json().getJsonArray("rows").encode();
    }
}
