package fr.snp.dispatch.faults;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * The effectors' webhook: a small HTTP server of the test's that records, per appointment id, the events it was
 * notified of (the dispatchers deliver here from their outbox, as to a doctor's software).
 */
final class WebhookReceiver implements AutoCloseable {
    private final HttpServer server;
    /** appointment id → events received ("booked", "cancelled"…). */
    final Map<String, Set<String>> events = new ConcurrentHashMap<>();

    WebhookReceiver() throws java.io.IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/hook", exchange -> {
            try {
                JsonObject body = new JsonObject(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                JsonObject appointment = body.getJsonObject("appointment");
                if (appointment != null && appointment.getString("id") != null) {
                    events.computeIfAbsent(appointment.getString("id"), k -> ConcurrentHashMap.newKeySet()).add(body.getString("event"));
                }
                exchange.sendResponseHeaders(204, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    String url() { return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook"; }

    boolean booked(String appointmentId) {
        Set<String> e = events.get(appointmentId);
        return e != null && e.contains("booked");
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
