package fr.snp.dispatch.load;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

/**
 * Many clients race for a few slots. Then, from the server's own data, each slot must be booked, and exactly one
 * of the racers must have been told 201 for it. Any other answer than 201 or 409 fails the run.
 * mvn -pl load-tests gatling:test -Dgatling.simulationClass=fr.snp.dispatch.load.ContentionSimulation
 */
public class ContentionSimulation extends Simulation {
    static final int SLOTS = 5;
    static final int RACERS = Integer.getInteger("racers", 200);
    static final List<String> targets = new ArrayList<>();
    static final Map<String, AtomicInteger> wins = new ConcurrentHashMap<>();
    static final AtomicInteger next = new AtomicInteger();

    @Override
    public void before() {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(Dispatch.BASE + "/api/v1/requests"))
                    .header("Authorization", "Bearer demo-osnp").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"origin\":\"OSNP\",\"patient\":{\"initials\":\"CT\",\"birthYear\":1950,"
                            + "\"phone\":\"0600000000\",\"communeInsee\":\"36044\"},\"need\":{\"within\":\"P7D\"},\"limit\":" + SLOTS + "}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            JsonNode candidates = new ObjectMapper().readTree(r.body()).get("candidates");
            for (JsonNode c : candidates) targets.add(c.get("slotId").asText());
            if (targets.size() < SLOTS) throw new IllegalStateException("the server offers only " + targets.size() + " slots");
            targets.forEach(t -> wins.put(t, new AtomicInteger()));
        } catch (Exception e) {
            throw new IllegalStateException("cannot prepare the contention run against " + Dispatch.BASE, e);
        }
    }

    ScenarioBuilder racers = scenario("racers").feed(Dispatch.patients())
            .exec(session -> session.set("slotId", targets.get(next.getAndIncrement() % SLOTS)))
            .exec(http("request").post("/api/v1/requests").header("Authorization", "Bearer demo-osnp")
                    .body(StringBody("{\"origin\":\"OSNP\",\"patient\":{\"initials\":\"#{initials}\",\"birthYear\":#{birthYear},"
                            + "\"phone\":\"#{phone}\",\"communeInsee\":\"#{commune}\"},\"need\":{\"within\":\"PT48H\"},\"limit\":1}"))
                    .check(status().is(201), jsonPath("$.id").saveAs("requestId")))
            .exec(http("race to book").post("/api/v1/appointments").header("Authorization", "Bearer demo-osnp")
                    .header("Idempotency-Key", "#{key}").body(StringBody("{\"slotId\":\"#{slotId}\",\"requestId\":\"#{requestId}\"}"))
                    .check(status().in(201, 409).saveAs("status")))
            .exec(session -> {
                if (session.getInt("status") == 201) wins.get(session.getString("slotId")).incrementAndGet();
                return session;
            });

    ScenarioBuilder verify = scenario("verify").repeat(SLOTS, "i").on(
            exec(session -> session.set("slotId", targets.get(session.getInt("i"))))
                    .exec(http("one booking per slot").get("/api/v1/slots/#{slotId}").header("Authorization", "Bearer demo-osnp")
                            .check(status().is(200), jsonPath("$.status").is("booked"), jsonPath("$.appointmentId").exists(),
                                    bodyString().transformWithSession((body, session) ->
                                            wins.get(session.getString("slotId")).get()).is(1))));

    {
        setUp(racers.injectOpen(rampUsers(RACERS).during(2)).andThen(verify.injectOpen(atOnceUsers(1))))
                .protocols(Dispatch.protocol())
                .assertions(global().failedRequests().count().is(0L),
                        details("one booking per slot").successfulRequests().count().is((long) SLOTS));
    }
}
