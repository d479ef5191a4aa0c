package fr.snp.dispatch.load;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.*;

/**
 * A winter Monday morning: the regulator flow ramps from the normal rate to 10 times it, holds, and stops.
 * mvn -pl load-tests gatling:test -Dgatling.simulationClass=fr.snp.dispatch.load.SurgeSimulation
 */
public class SurgeSimulation extends Simulation {
    int normal = Integer.getInteger("rate", 3);

    ScenarioBuilder surge = scenario("surge").feed(Dispatch.patients())
            .exec(Dispatch.request("demo-osnp", "OSNP"))
            .exec(Dispatch.holdAndBook("demo-osnp"));

    {
        setUp(surge.injectOpen(constantUsersPerSec(normal).during(15), rampUsersPerSec(normal).to(normal * 10).during(30),
                        constantUsersPerSec(normal * 10).during(Dispatch.seconds("seconds", 30))))
                .protocols(Dispatch.protocol())
                .assertions(global().failedRequests().count().is(0L),
                        details("book").responseTime().percentile(99.0).lt(250),
                        details("request").responseTime().percentile(99.0).lt(500));
    }
}
