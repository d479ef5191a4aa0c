package fr.snp.dispatch.faults;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A console's live feed (SSE) through the proxy, as a browser's EventSource keeps it: when the stream ends it
 * reconnects, with the id of the last event it received (Last-Event-ID), to whichever instance the proxy picks.
 * Records every slot event (slot id → status) and every event id, to tell a gap or a duplicate.
 */
final class LiveFeed implements AutoCloseable {
    private final HttpClient http;
    private final String base;
    private final String token;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile InputStream current;
    private volatile String lastId;
    /** slot id → the statuses its events carried, in order. */
    final Map<String, List<String>> slots = new ConcurrentHashMap<>();
    final Set<String> eventIds = ConcurrentHashMap.newKeySet();
    final AtomicInteger duplicates = new AtomicInteger();
    final AtomicInteger reconnects = new AtomicInteger();

    LiveFeed(HttpClient http, String base, String token) {
        this.http = http;
        this.base = base;
        this.token = token;
        thread = new Thread(this::run, "live-feed");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        boolean first = true;
        while (running) {
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/v1/live?territory=36"))
                        .header("Authorization", "Bearer " + token).timeout(Duration.ofHours(1));
                if (lastId != null) b.header("Last-Event-ID", lastId);
                if (!first) reconnects.incrementAndGet();
                first = false;
                HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
                if (r.statusCode() != 200) {
                    r.body().close();
                } else {
                    current = r.body();
                    read(r.body());
                }
            } catch (Exception ended) {
                // the instance died or the proxy cut the stream: reconnect, as EventSource does
            }
            if (running) sleep(300);
        }
    }

    private void read(InputStream body) throws java.io.IOException {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null, name = "message", line;
            StringBuilder data = new StringBuilder();
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data.length() > 0) accept(id, name, data.toString());
                    id = null;
                    name = "message";
                    data.setLength(0);
                } else if (line.startsWith("id: ")) id = line.substring(4);
                else if (line.startsWith("event: ")) name = line.substring(7);
                else if (line.startsWith("data: ")) data.append(line.substring(6));
            }
        }
    }

    private void accept(String id, String name, String data) {
        if (id != null) lastId = id; // "ready" names where the stream starts: a resume from there is right too
        if (!name.equals("slot")) return;
        if (id != null && !eventIds.add(id)) duplicates.incrementAndGet();
        JsonObject e = new JsonObject(data);
        slots.computeIfAbsent(e.getString("slotId"), k -> new CopyOnWriteArrayList<>()).add(String.valueOf(e.getString("status")));
    }

    boolean sawBooked(String slotId) {
        List<String> s = slots.get(slotId);
        return s != null && s.contains("booked");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws Exception {
        running = false;
        InputStream in = current;
        if (in != null) in.close();
        thread.interrupt();
    }
}
