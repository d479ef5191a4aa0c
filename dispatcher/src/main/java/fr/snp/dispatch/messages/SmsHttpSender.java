package fr.snp.dispatch.messages;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * SMS through a provider's JSON API (the common shape of French SMS gateways): POST {to, from, text, reference}
 * with a bearer token; any 2xx is accepted. The number goes out in international form (+33…); the reference is the
 * outbox delivery id, also sent as Idempotency-Key, so a provider that dedupes never sends a retry twice.
 */
public final class SmsHttpSender implements PatientSender {
    private final URI url;
    private final String token;
    private final String sender;
    private final Duration timeout;
    private final HttpClient http;

    public SmsHttpSender(String url, String token, String sender, Duration timeout) {
        if (!sender.matches("[A-Za-z0-9]{1,11}")) {
            throw new IllegalArgumentException("messages.sms.sender must be 1 to 11 letters or digits, got '" + sender + "'");
        }
        this.url = URI.create(url);
        this.token = token;
        this.sender = sender;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    @Override
    public void send(PatientMessage m, String deliveryId) throws Exception {
        JsonObject body = new JsonObject().put("to", international(m.to())).put("from", sender).put("text", m.text())
                .put("reference", deliveryId);
        HttpRequest.Builder r = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
                .header("Idempotency-Key", deliveryId).POST(HttpRequest.BodyPublishers.ofString(body.encode()));
        if (token != null && !token.isEmpty()) r.header("Authorization", "Bearer " + token);
        HttpResponse<Void> response = http.send(r.build(), HttpResponse.BodyHandlers.discarding());
        // the provider's answer is not logged: it may repeat the number
        if (response.statusCode() / 100 != 2) throw new IllegalStateException("the SMS provider answered " + response.statusCode());
    }

    /** 0612345678 -> +33612345678. */
    static String international(String national) { return "+33" + national.substring(1); }

    @Override
    public String provider() { return "http"; }
}
