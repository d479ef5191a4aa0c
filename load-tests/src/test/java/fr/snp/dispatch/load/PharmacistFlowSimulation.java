package fr.snp.dispatch.load;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

/**
 * A pharmacist at the counter with the widget: commune autocomplete, request (PUBLIC, PRO and own-CPTS slots),
 * hold, book. mvn -pl load-tests gatling:test -Dgatling.simulationClass=fr.snp.dispatch.load.PharmacistFlowSimulation
 */
public class PharmacistFlowSimulation extends Simulation {
    ScenarioBuilder pharmacist = scenario("pharmacist").feed(Dispatch.patients())
            .exec(http("communes").get("/api/v1/communes?q=chat").header("Authorization", "Bearer demo-pharmacist")
                    .check(status().is(200), jsonPath("$.communes[0].insee").exists()))
            .exec(Dispatch.request("demo-pharmacist", "PHARMACIST"))
            .exec(Dispatch.holdAndBook("demo-pharmacist"));

    {
        setUp(pharmacist.injectOpen(constantUsersPerSec(Integer.getInteger("rate", 3)).during(Dispatch.seconds("seconds", 60))))
                .protocols(Dispatch.protocol())
                .assertions(global().failedRequests().count().is(0L), global().responseTime().percentile(99.0).lt(250));
    }
}
