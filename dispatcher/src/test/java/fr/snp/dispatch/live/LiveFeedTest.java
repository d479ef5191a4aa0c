package fr.snp.dispatch.live;

import fr.snp.dispatch.SseStream;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The live feed over real HTTP: events in order, resumable without gaps or repeats, many connections at once. */
class LiveFeedTest {
    static TestServer server;
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception { server = TestServer.start(); }

    @AfterAll
    static void stop() { server.close(); }

    static String base() { return "http://127.0.0.1:" + server.dispatcher.port(); }

    @Test
    void eventsArriveInOrderAndAReconnectionResumesWithoutGapsOrRepeats() throws Exception {
        String effector = server.effector("36044", null);
        String token = server.token(Role.REGULATOR);
        String last;
        List<String> seen = new ArrayList<>();
        try (SseStream s = new SseStream(base(), token, null)) {
            SseStream.Event ready = s.next("ready");
            String slot = server.slot(effector, 120, "AMB", "SNP");
            String request = server.requestId(Role.REGULATOR, "SAS_116117");
            server.api.post("/api/v1/slots/" + slot + "/hold", token, new JsonObject().put("requestId", request));
            SseStream.Event published = s.next("slot");
            SseStream.Event held = s.next("slot");
            assertThat(new JsonObject(published.data()).getString("type")).isEqualTo("published");
            assertThat(new JsonObject(held.data()).getString("status")).isEqualTo("held");
            assertThat(new JsonObject(held.data()).getString("holdExpiresAt")).isNotBlank();
            assertThat(LiveFeed.compareIds(held.id(), published.id())).isPositive();
            assertThat(LiveFeed.compareIds(published.id(), ready.id())).isPositive();
            last = held.id();
        }
        // while disconnected: three changes
        List<String> missed = new ArrayList<>();
        for (int i = 0; i < 3; i++) missed.add(server.slot(effector, 200 + 30 * i, "AMB", "SNP"));
        try (SseStream s = new SseStream(base(), token, last)) {
            s.next("ready");
            for (int i = 0; i < 3; i++) {
                SseStream.Event e = s.next("slot");
                seen.add(new JsonObject(e.data()).getString("slotId"));
            }
            String after = server.slot(effector, 400, "AMB", "SNP");
            seen.add(new JsonObject(s.next("slot").data()).getString("slotId"));
            assertThat(seen).containsExactly(missed.get(0), missed.get(1), missed.get(2), after);
            assertThat(s.events.poll(300, TimeUnit.MILLISECONDS)).as("no repeat").isNull();
        }
    }

    @Test
    void aCallerSeesOnlyTheSlotsItsRoleMaySeeAndNeedsAToken() throws Exception {
        String effector = server.effector("36088", null);
        try (SseStream pharmacy = new SseStream(base(), server.token(Role.PHARMACIST), null)) {
            pharmacy.next("ready");
            server.slot(effector, 120, "AMB", "SNP");          // reserved to the SAS: not shown to a pharmacy
            String pro = server.slot(effector, 150, "AMB", "PRO");
            assertThat(new JsonObject(pharmacy.next("slot").data()).getString("slotId")).isEqualTo(pro);
        }
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/live?territory=36")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    /** Read by an event-loop client (as a load tool would), so the figure is the server's fan-out, not the reader's. */
    @Test
    void aThousandOpenConnectionsAllGetAChangeWithinASecond() throws Exception {
        int n = 1000;
        String token = server.token(Role.OSNP);
        String effector = server.effector("36046", null);
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            io.vertx.core.http.HttpClientAgent client = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions(),
                    new io.vertx.core.http.PoolOptions().setHttp1MaxSize(n + 10));
            CountDownLatch ready = new CountDownLatch(n);
            CountDownLatch received = new CountDownLatch(n);
            long[] receivedAt = new long[1];
            for (int i = 0; i < n; i++) {
                boolean[] counted = {false, false};
                client.request(io.vertx.core.http.HttpMethod.GET, server.dispatcher.port(), "127.0.0.1",
                                "/api/v1/live?territory=36")
                        .compose(req -> req.putHeader("Authorization", "Bearer " + token).send())
                        .onSuccess(response -> response.handler(chunk -> {
                            String text = chunk.toString();
                            if (!counted[0] && text.contains("event: ready")) { counted[0] = true; ready.countDown(); }
                            if (!counted[1] && text.contains("\"published\"")) {
                                counted[1] = true;
                                received.countDown();
                                receivedAt[0] = System.nanoTime();
                            }
                        }));
            }
            assertThat(ready.await(30, TimeUnit.SECONDS)).as("all %d connections open", n).isTrue();
            assertThat(server.dispatcher.services().live().connections()).isGreaterThanOrEqualTo(n);
            long t0 = System.nanoTime();
            server.slot(effector, 90, "AMB", "SNP");
            assertThat(received.await(5, TimeUnit.SECONDS)).isTrue();
            long ms = (receivedAt[0] - t0) / 1_000_000;
            System.out.println("live feed: " + n + " connections got the change in " + ms + " ms");
            assertThat(ms).as("all %d connections got the change (%d ms)", n, ms).isLessThan(1000);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
