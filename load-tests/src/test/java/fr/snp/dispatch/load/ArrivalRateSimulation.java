package fr.snp.dispatch.load;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.*;

/**
 * Requests with matching at a constant arrival rate (an open loop: a new desk call falls due every 1/rate s whatever
 * the server answers, so a slow answer shows in the latency instead of slowing the load down, as it would with
 * closed-loop clients). Each user files one request and reads its ranked candidates. Issue 14's target: p99 <= 10 ms
 * at 500 requests/s (the bench measures the same with its own open-loop generator, beside the server's CPU).
 * mvn -B -pl load-tests gatling:test -Dgatling.simulationClass=fr.snp.dispatch.load.ArrivalRateSimulation -Drate=500 -Dseconds=30
 */
public class ArrivalRateSimulation extends Simulation {
    int rate = Integer.getInteger("rate", 100);
    int budgetMs = Integer.getInteger("p99", 10);

    ScenarioBuilder desks = scenario("requests at a constant rate").feed(Dispatch.patients())
            .exec(Dispatch.request("demo-osnp", "OSNP"));

    {
        setUp(desks.injectOpen(constantUsersPerSec(rate).during(5), // warm-up, measured too: Gatling keeps one report
                        constantUsersPerSec(rate).during(Dispatch.seconds("seconds", 30))))
                .protocols(Dispatch.protocol())
                .assertions(global().failedRequests().count().is(0L),
                        details("request").responseTime().percentile(99.0).lte(budgetMs));
    }
}
