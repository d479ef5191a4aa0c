package fr.snp.dispatch.load;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

/**
 * What the simulations share: the target (a dispatcher on this machine started in demo mode, so the demo tokens
 * work), the protocol, patients in real Indre communes, and the regulator's request → hold → book chain.
 */
final class Dispatch {
    /** The dispatcher under test; only loopback addresses are accepted. */
    static final String BASE = target();

    private Dispatch() {}

    private static String target() {
        String base = System.getProperty("base", "http://127.0.0.1:8080");
        String host = java.net.URI.create(base).getHost();
        if (!(host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]"))) {
            throw new IllegalArgumentException("load tests target this machine only (127.0.0.1), not " + host);
        }
        return base;
    }

    static HttpProtocolBuilder protocol() {
        return http.baseUrl(BASE).warmUp(BASE + "/ping").acceptHeader("application/json")
                .contentTypeHeader("application/json").shareConnections();
    }

    static int seconds(String property, int otherwise) { return Integer.getInteger(property, otherwise); }

    private static final List<String> COMMUNES = List.of("36044", "36088", "36063", "36159", "36046", "36018", "36006",
            "36202", "36005", "36031", "36093", "36228");

    /** Feeds patients: initials, year of birth, phone, commune. */
    static Iterator<Map<String, Object>> patients() {
        Random random = new Random();
        return Stream.generate((Supplier<Map<String, Object>>) () -> Map.of(
                "initials", "" + (char) ('A' + random.nextInt(26)) + (char) ('A' + random.nextInt(26)),
                "birthYear", 1930 + random.nextInt(90),
                "phone", String.format("06%08d", random.nextInt(100_000_000)),
                "commune", COMMUNES.get(random.nextInt(COMMUNES.size())),
                "key", UUID.randomUUID().toString())).iterator();
    }

    /** A request from {@code token} with {@code origin}: saves the request id and the best candidate, if any. */
    static ChainBuilder request(String token, String origin) {
        return exec(http("request").post("/api/v1/requests").header("Authorization", "Bearer " + token)
                .body(StringBody("{\"origin\":\"" + origin + "\",\"patient\":{\"initials\":\"#{initials}\",\"birthYear\":#{birthYear},"
                        + "\"phone\":\"#{phone}\",\"communeInsee\":\"#{commune}\"},\"need\":{\"within\":\"PT48H\"},\"limit\":5}"))
                .check(status().is(201), jsonPath("$.id").saveAs("requestId"),
                        jsonPath("$.candidates[0].slotId").optional().saveAs("slotId")));
    }

    /** Hold the best candidate then book it with the hold; a slot taken meanwhile (409) is an expected answer. */
    static ChainBuilder holdAndBook(String token) {
        return doIfOrElse(session -> session.contains("slotId")).then(
                exec(http("hold").post("/api/v1/slots/#{slotId}/hold").header("Authorization", "Bearer " + token)
                        .body(StringBody("{\"requestId\":\"#{requestId}\"}"))
                        .check(status().in(201, 409), jsonPath("$.holdId").optional().saveAs("holdId")))
                .doIfOrElse(session -> session.contains("holdId")).then(
                        exec(http("book").post("/api/v1/appointments").header("Authorization", "Bearer " + token)
                                .header("Idempotency-Key", "#{key}")
                                .body(StringBody("{\"slotId\":\"#{slotId}\",\"requestId\":\"#{requestId}\",\"holdId\":\"#{holdId}\"}"))
                                .check(status().in(201, 409), jsonPath("$.id").optional().saveAs("appointmentId"))))
                .orElse(outcome(token, "NO_ANSWER")))
        .orElse(outcome(token, "ADVICE"));
    }

    static ChainBuilder outcome(String token, String type) {
        return exec(http("outcome").post("/api/v1/requests/#{requestId}/outcome").header("Authorization", "Bearer " + token)
                .body(StringBody("{\"type\":\"" + type + "\"}")).check(status().is(200)));
    }
}
