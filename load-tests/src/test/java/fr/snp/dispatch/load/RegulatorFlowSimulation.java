package fr.snp.dispatch.load;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.*;

/**
 * A 116-117 regulator: request → candidates → hold → book, or an outcome when no slot fits.
 * mvn -pl load-tests gatling:test -Dgatling.simulationClass=fr.snp.dispatch.load.RegulatorFlowSimulation
 */
public class RegulatorFlowSimulation extends Simulation {
    ScenarioBuilder regulator = scenario("regulator").feed(Dispatch.patients())
            .exec(Dispatch.request("demo-regulator", "SAS_116117"))
            .exec(Dispatch.holdAndBook("demo-regulator"));

    {
        setUp(regulator.injectOpen(constantUsersPerSec(Integer.getInteger("rate", 5)).during(Dispatch.seconds("seconds", 60))))
                .protocols(Dispatch.protocol())
                .assertions(global().failedRequests().count().is(0L),
                        details("book").responseTime().percentile(99.0).lt(250),
                        details("request").responseTime().percentile(99.0).lt(250));
    }
}
