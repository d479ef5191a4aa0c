package fr.snp.dispatch.limits;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.SseStream;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A principal keeps at most limits.liveStreamsPerPrincipal live connections open on an instance. */
class LiveStreamsCapTest {
    static TestServer server;

    @BeforeAll
    static void start() throws Exception { server = TestServer.start(Map.of("limits.liveStreamsPerPrincipal", "2")); }

    @AfterAll
    static void stop() { server.close(); }

    private static String base() { return "http://127.0.0.1:" + server.dispatcher.port(); }

    /**
     * One more live connection: the refusal as an ordinary answer. Read as a stream, so that a wrongly admitted
     * connection (200, a body that never ends) fails the test at once instead of hanging it.
     */
    private static Api.Response oneMore(String token) throws Exception {
        java.net.http.HttpResponse<java.io.InputStream> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(base() + "/api/v1/live?territory=36"))
                        .header("Authorization", "Bearer " + token).build(),
                java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        try (java.io.InputStream body = r.body()) {
            assertThat(r.statusCode()).as("one connection more than the cap").isNotEqualTo(200);
            return new Api.Response(r.statusCode(), new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8),
                    r.headers().map());
        }
    }

    @Test
    void beyondTheCapA429AndAClosedConnectionMakesRoomAgain() throws Exception {
        String token = server.token(Role.REGULATOR, "desk", "SAS-36", Set.of());
        List<SseStream> open = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                SseStream s = new SseStream(base(), token, null);
                s.next("ready");
                open.add(s);
            }
            Api.Response refused = oneMore(token);
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.code()).isEqualTo("TOO_MANY_STREAMS");
            assertThat(refused.json().getValue("field")).isNull();
            // another principal is not held back by this one
            try (SseStream other = new SseStream(base(), server.token(Role.OSNP), null)) {
                other.next("ready");
            }

            // a tab closed: the server notices the closed connection and admits a new one
            open.remove(0).close();
            SseStream again = null;
            for (int i = 0; i < 50 && again == null; i++) {
                Thread.sleep(100);
                try {
                    again = new SseStream(base(), token, null);
                } catch (AssertionError stillFull) {
                    // the close has not reached the server yet
                }
            }
            assertThat(again).as("a connection is admitted once one is closed").isNotNull();
            open.add(again);
            again.next("ready");
            assertThat(oneMore(token).code()).isEqualTo("TOO_MANY_STREAMS");
        } finally {
            for (SseStream s : open) s.close();
        }
    }
}
