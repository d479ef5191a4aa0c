package fr.snp.dispatch;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A plain JDK HTTP client for the tests: JSON in, status + JSON out. */
public final class Api {
    private final String base;
    private final HttpClient http;

    public Api(String base) {
        this(base, HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // one connection per in-flight request: independent clients
                .connectTimeout(Duration.ofSeconds(5)).build());
    }

    /** Through a client of the test's (e.g. one that trusts a reverse proxy's test certificate). */
    public Api(String base, HttpClient http) {
        this.base = base;
        this.http = http;
    }

    public record Response(int status, String body, Map<String, java.util.List<String>> headers) {
        public JsonObject json() { return new JsonObject(body); }

        public String code() { return json().getString("code"); }

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> e.getValue().get(0)).orElse(null);
        }

        @Override
        public String toString() { return status + " " + body; }
    }

    public Response get(String path, String token) { return send("GET", path, token, null, Map.of()); }

    public Response post(String path, String token, Object body) { return send("POST", path, token, body, Map.of()); }

    public Response delete(String path, String token) { return send("DELETE", path, token, null, Map.of()); }

    public Response send(String method, String path, String token, Object body, Map<String, String> headers) {
        return sendAsync(method, path, token, body, headers).join();
    }

    public CompletableFuture<Response> sendAsync(String method, String path, String token, Object body,
                                                 Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (token != null) b.header("Authorization", "Bearer " + token);
        headers.forEach(b::header);
        String text = body == null ? null : (body instanceof String s ? s : body.toString());
        b.method(method, text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
        if (text != null) b.header("Content-Type", "application/json");
        // every answer is held to the published contract (ContractCheck): a drift fails the test that got it
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            ContractCheck.check(method, path, r.statusCode(), r.headers().map(), r.body());
            return new Response(r.statusCode(), r.body(), r.headers().map());
        });
    }

    public Response book(String token, String slotId, String requestId, String holdId, String idempotencyKey) {
        return bookAsync(token, slotId, requestId, holdId, idempotencyKey).join();
    }

    public CompletableFuture<Response> bookAsync(String token, String slotId, String requestId, String holdId,
                                                 String idempotencyKey) {
        JsonObject body = new JsonObject().put("slotId", slotId).put("requestId", requestId);
        if (holdId != null) body.put("holdId", holdId);
        return sendAsync("POST", "/api/v1/appointments", token, body, Map.of("Idempotency-Key", idempotencyKey));
    }
}
