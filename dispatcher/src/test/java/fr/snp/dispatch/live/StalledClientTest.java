package fr.snp.dispatch.live;

import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A live client that stops reading is dropped once the server's write queue for it has stayed full for 5 s: the
 * connection no longer counts, the principal's stream is given back, no more events are queued for it, and its
 * socket is closed without waiting for the client to read what was queued.
 */
class StalledClientTest {
    /** Copies of a real slot change appended at once: far more than loopback's socket buffers hold (a few MB). */
    static final int FLOOD = 20_000;
    /** Appended every 250 ms afterwards: the writes that find the queue still full (and fill larger buffers). */
    static final int TRICKLE = 500;

    static TestServer server;

    @BeforeAll
    static void start() throws Exception { server = TestServer.start(); }

    @AfterAll
    static void stop() { server.close(); }

    @Test
    void aClientThatStopsReadingIsDroppedAfterFiveSecondsOfAFullQueue() throws Exception {
        String token = server.token(Role.REGULATOR, "poste figé", "SAS-36", Set.of());
        String principalId = sha256Hex(token).substring(0, 16);
        String effector = server.effector("36044", null);
        server.slot(effector, 120, "AMB", "SNP");
        String events = Keys.events("36");
        StreamMessage<String, String> change = server.redis.xrevrange(events, Range.create("-", "+"), Limit.create(0, 1)).get(0);
        LiveFeed live = server.dispatcher.services().live();
        int before = live.connections();

        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096); // the client's side holds little
            socket.connect(new InetSocketAddress("127.0.0.1", server.dispatcher.port()));
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/v1/live?territory=36 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            // read up to the first event, so that the flood comes after the point the stream starts from; then never
            StringBuilder head = new StringBuilder();
            while (!head.toString().contains("event: ready")) {
                int c = in.read();
                assertThat(c).as("the stream opens: %s", head).isNotNegative();
                head.append((char) c);
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 200");
            assertThat(live.connections()).isEqualTo(before + 1);
            double sockets = openHttpConnections();

            // many changes, as a burst of publications would make (the index applies these copies as no change)
            long t0 = System.nanoTime();
            append(events, change, FLOOD);
            // the server first writes its way through the flood (a few seconds on a busy machine), then waits 5 s
            while (live.connections() > before && System.nanoTime() - t0 < 25_000_000_000L) {
                Thread.sleep(250);
                append(events, change, TRICKLE);
            }
            long droppedMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("a client that stopped reading was dropped %d ms after the flood began%n", droppedMs);
            assertThat(live.connections()).as("the stalled connection is dropped").isEqualTo(before);
            // the drop waits for 5 s of a full queue, not less
            assertThat(droppedMs).isGreaterThan(5_000L);
            // its place is given back: with a cap of one, the principal may open a stream again
            assertThat(live.admit(principalId, 1)).as("the principal's stream is given back").isTrue();
            live.leave(principalId);
            // and its socket is closed now, while the client still reads nothing (Vert.x's close() would wait for it)
            for (int i = 0; i < 40 && openHttpConnections() >= sockets; i++) Thread.sleep(50);
            assertThat(openHttpConnections()).as("HTTP connections open on the server").isEqualTo(sockets - 1);

            // the socket is closed: reading now gets what the system had buffered, then the end (or a reset)
            socket.setSoTimeout(5_000);
            long read = 0;
            byte[] buf = new byte[1 << 16];
            try {
                for (int n; (n = in.read(buf)) > 0; ) read += n;
            } catch (SocketTimeoutException stillOpen) {
                throw new AssertionError("the server did not close the connection (" + read + " bytes read, then nothing)");
            } catch (SocketException reset) {
                // closed with unread data: a reset is a close too
            }
            System.out.printf("then read %d bytes and the end of the connection%n", read);
        }
    }

    /** The server's open HTTP connections (vertx_http_server_active_connections). */
    static double openHttpConnections() {
        return server.dispatcher.services().metrics().registry().find("vertx.http.server.active.connections").gauges()
                .stream().mapToDouble(io.micrometer.core.instrument.Gauge::value).sum();
    }

    /** Appends {@code n} copies of a change to the territory's stream, in one call. */
    static void append(String events, StreamMessage<String, String> change, int n) {
        List<String> args = new ArrayList<>();
        args.add(String.valueOf(n));
        change.getBody().forEach((k, v) -> { args.add(k); args.add(v); });
        server.redis.eval("for i = 1, tonumber(ARGV[1]) do redis.call('XADD', KEYS[1], '*', unpack(ARGV, 2)) end return 1",
                ScriptOutputType.INTEGER, new String[]{events}, args.toArray(String[]::new));
    }

    static String sha256Hex(String s) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
