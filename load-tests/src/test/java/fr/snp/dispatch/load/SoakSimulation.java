package fr.snp.dispatch.load;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.*;

/**
 * A steady day, bounded: the regulator and pharmacist flows side by side for -Dminutes (10 by default).
 * mvn -pl load-tests gatling:test -Dgatling.simulationClass=fr.snp.dispatch.load.SoakSimulation -Dminutes=10
 */
public class SoakSimulation extends Simulation {
    int seconds = Integer.getInteger("minutes", 10) * 60;

    ScenarioBuilder regulator = scenario("regulator soak").feed(Dispatch.patients())
            .exec(Dispatch.request("demo-regulator", "SAS_116117")).exec(Dispatch.holdAndBook("demo-regulator"));
    ScenarioBuilder pharmacist = scenario("pharmacist soak").feed(Dispatch.patients())
            .exec(Dispatch.request("demo-pharmacist", "PHARMACIST")).exec(Dispatch.holdAndBook("demo-pharmacist"));

    {
        setUp(regulator.injectOpen(constantUsersPerSec(1).during(seconds)),
                pharmacist.injectOpen(constantUsersPerSec(0.5).during(seconds)))
                .protocols(Dispatch.protocol()).maxDuration(seconds + 60)
                .assertions(global().failedRequests().count().is(0L), global().responseTime().percentile(99.0).lt(250));
    }
}
