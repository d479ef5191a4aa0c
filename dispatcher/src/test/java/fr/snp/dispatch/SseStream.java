package fr.snp.dispatch;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A live-feed (SSE) connection to /api/v1/live, read on its own thread into (id, event, data) records. */
public final class SseStream implements AutoCloseable {
    public record Event(String id, String name, String data) {}

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    /** Completed with System.nanoTime() when the stream ends (the server ended or cut it, or the test closed it). */
    public final CompletableFuture<Long> ended = new CompletableFuture<>();
    private final InputStream body;

    public SseStream(String base, String token, String lastEventId) throws Exception {
        // software sends its token in the header (?access_token= is demo mode's only)
        this(withLastId(HttpRequest.newBuilder(URI.create(base + "/api/v1/live?territory=36"))
                .header("Authorization", "Bearer " + token), lastEventId));
    }

    /** The same through a client of the test's (TLS to a proxy that trusts a test certificate). */
    public SseStream(HttpClient http, String base, String token, String lastEventId) throws Exception {
        this(http, withLastId(HttpRequest.newBuilder(URI.create(base + "/api/v1/live?territory=36"))
                .header("Authorization", "Bearer " + token), lastEventId));
    }

    /** A page's connection: opened with a one-time ticket (POST /api/v1/live/ticket), no header. */
    public static SseStream ticket(String base, String ticket) throws Exception {
        return new SseStream(HttpRequest.newBuilder(URI.create(base + "/api/v1/live?territory=36&ticket="
                + java.net.URLEncoder.encode(ticket, StandardCharsets.UTF_8))));
    }

    private static HttpRequest.Builder withLastId(HttpRequest.Builder b, String lastEventId) {
        return lastEventId == null ? b : b.header("Last-Event-ID", lastEventId);
    }

    private SseStream(HttpRequest.Builder b) throws Exception { this(HTTP, b); }

    private SseStream(HttpClient http, HttpRequest.Builder b) throws Exception {
        HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        body = r.body();
        Thread t = new Thread(this::read, "sse-reader");
        t.setDaemon(true);
        t.start();
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null, name = "message", line;
            StringBuilder data = new StringBuilder();
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data.length() > 0) events.add(new Event(id, name, data.toString()));
                    id = null; name = "message"; data.setLength(0);
                } else if (line.startsWith("id: ")) id = line.substring(4);
                else if (line.startsWith("event: ")) name = line.substring(7);
                else if (line.startsWith("data: ")) data.append(line.substring(6));
            }
        } catch (Exception closed) {
            // connection closed by the test, or cut by the server
        } finally {
            ended.complete(System.nanoTime());
        }
    }

    /** The next event of that name within 5 s (others are skipped). */
    public Event next(String name) throws InterruptedException {
        while (true) {
            Event e = events.poll(5, TimeUnit.SECONDS);
            assertThat(e).as("an event '%s' within 5 s", name).isNotNull();
            if (e.name().equals(name)) return e;
        }
    }

    /** The next event of that name within {@code ms}, or null. */
    public Event poll(String name, long ms) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        while (true) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) return null;
            Event e = events.poll(left, TimeUnit.MILLISECONDS);
            if (e == null) return null;
            if (e.name().equals(name)) return e;
        }
    }

    @Override
    public void close() throws Exception { body.close(); }
}
