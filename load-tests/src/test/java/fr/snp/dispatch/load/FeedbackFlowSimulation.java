package fr.snp.dispatch.load;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

/**
 * Effector feedback after bookings. On a live clock only a cancellation can be reported before the slot starts,
 * so the answer is "cancelled-by-patient" (the slot goes back to the pool), then the same answer again (idempotent)
 * and a conflicting one (409). The CPTS platform (coordinator) answers for the effectors of its CPTS: an appointment
 * with an effector of another CPTS is not one it reaches (404), and is left without feedback.
 * mvn -pl load-tests gatling:test -Dgatling.simulationClass=fr.snp.dispatch.load.FeedbackFlowSimulation
 */
public class FeedbackFlowSimulation extends Simulation {
    ScenarioBuilder feedback = scenario("feedback").feed(Dispatch.patients())
            .exec(Dispatch.request("demo-regulator", "SAS_116117"))
            .exec(Dispatch.holdAndBook("demo-regulator"))
            .doIf(session -> session.contains("appointmentId")).then(
                    exec(http("coordinator reaches it").get("/api/v1/appointments/#{appointmentId}")
                            .header("Authorization", "Bearer demo-coordinator").check(status().in(200, 404).saveAs("reach"))))
            .doIf(session -> session.contains("appointmentId") && session.getInt("reach") == 200).then(
                    exec(http("feedback").post("/api/v1/appointments/#{appointmentId}/feedback")
                            .header("Authorization", "Bearer demo-coordinator")
                            .body(StringBody("{\"answer\":\"cancelled-by-patient\"}")).check(status().is(200),
                                    jsonPath("$.status").is("cancelled")))
                    .exec(http("feedback again").post("/api/v1/appointments/#{appointmentId}/feedback")
                            .header("Authorization", "Bearer demo-coordinator")
                            .body(StringBody("{\"answer\":\"cancelled-by-patient\"}")).check(status().is(200)))
                    .exec(http("conflicting feedback").post("/api/v1/appointments/#{appointmentId}/feedback")
                            .header("Authorization", "Bearer demo-coordinator")
                            .body(StringBody("{\"answer\":\"seen\"}")).check(status().is(409))));

    {
        setUp(feedback.injectOpen(constantUsersPerSec(Integer.getInteger("rate", 3)).during(Dispatch.seconds("seconds", 60))))
                .protocols(Dispatch.protocol())
                .assertions(global().failedRequests().count().is(0L), details("feedback").responseTime().percentile(99.0).lt(250));
    }
}
