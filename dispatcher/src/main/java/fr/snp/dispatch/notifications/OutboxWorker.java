package fr.snp.dispatch.notifications;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.logging.Logger;

/**
 * Delivers the outbox: reads new entries through the consumer group "notifiers", delivers each to the log
 * channel and to the effector's webhook (or, for a patient message, by SMS or e-mail through the
 * {@link fr.snp.dispatch.messages.PatientMessenger}), and acknowledges it only once delivered. What failed stays pending and
 * is claimed again after an exponential back-off (retryBaseMs doubling up to retryMaxMs), without end: a
 * notification is never dropped. Delivery is at least once; the X-SNP-Delivery header lets a receiver dedupe.
 */
public final class OutboxWorker extends fr.snp.dispatch.redis.StreamWorker {
    private static final Logger LOG = Logger.getLogger("fr.snp.dispatch.notifications");
    public static final String GROUP = "notifiers";

    private final Services s;
    private final NotificationBuilder builder;
    private final fr.snp.dispatch.messages.PatientMessenger patients;
    private final boolean logChannel;
    private final HttpClient http;
    private final Duration webhookTimeout;

    /** {@code alwaysLog}: demo mode prints every notification whatever outbox.logChannel says. */
    public OutboxWorker(RedisClient client, Services s, NotificationBuilder builder,
                        fr.snp.dispatch.messages.PatientMessenger patients, boolean alwaysLog) {
        super(client, () -> s.index().territories(), GROUP, "outbox-worker", s.settings().integer("outbox.retryBaseMs"),
                s.settings().integer("outbox.retryMaxMs"), LOG);
        this.s = s;
        this.builder = builder;
        this.patients = patients;
        this.logChannel = alwaysLog || Boolean.parseBoolean(s.settings().string("outbox.logChannel"));
        this.webhookTimeout = Duration.ofMillis(s.settings().integer("outbox.webhookTimeoutMs"));
        this.http = HttpClient.newBuilder().connectTimeout(webhookTimeout).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Notifications not yet delivered in a territory's outbox, and the age of the oldest. */
    public record Backlog(long pending, long oldestAgeSeconds) {}

    public static CompletionStage<Backlog> backlog(RedisAsyncCommands<String, String> redis, String territory) {
        return redis.exists(Keys.outbox(territory)).thenCompose(n -> n == 0
                ? CompletableFuture.completedFuture(new Backlog(0, 0))
                : redis.xpending(Keys.outbox(territory), GROUP).handle((summary, error) -> {
                    // no group yet (nothing ever read): nothing pending
                    if (error != null || summary.getCount() == 0) return new Backlog(0, 0);
                    long oldestMs = millisOf(summary.getMessageIds().getLower().getValue());
                    return new Backlog(summary.getCount(), Math.max(0, (System.currentTimeMillis() - oldestMs) / 1000));
                }));
    }

    @Override
    protected String stream(String territory) { return Keys.outbox(territory); }

    @Override
    protected void deliver(RedisCommands<String, String> redis, StreamMessage<String, String> m) {
        String stream = m.getStream();
        String t = stream.substring(stream.indexOf('{') + 1, stream.indexOf('}'));
        Map<String, String> entry = m.getBody();
        try {
            if ("patient".equals(entry.get("type"))) {
                // a message to the patient: the messenger records each attempt and says when it is done
                boolean done = patients.deliver(t, m.getId(), entry);
                audit(t, "message." + entry.get("kind") + "." + entry.get("channel"), entry.get("appt"), done ? 200 : 0);
                if (done) redis.xack(stream, GROUP, m.getId());
                return;
            }
            Notification n = builder.build(t, m.getId(), entry);
            if (logChannel) LOG.info(n.logLine());
            Effector e = n.effector();
            if (e != null && e.webhookUrl() != null) {
                // checked again at each send: the name may resolve elsewhere now; refused, it stays pending (visible
                // in the backlog) and is retried, never sent to this machine or a private network
                String refused = s.webhooks().refusalAtSend(e.webhookUrl());
                if (refused != null) throw new IllegalStateException("the webhook URL " + refused);
                String id = t + ":" + m.getId();
                String body = n.payload().encode();
                long timestamp = System.currentTimeMillis() / 1000;
                java.util.List<String> secrets = s.effectors().webhookSecrets(t, e.id()).toCompletableFuture()
                        .get(5, java.util.concurrent.TimeUnit.SECONDS);
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(e.webhookUrl())).timeout(webhookTimeout)
                        .header("Content-Type", "application/json").header("X-SNP-Event", n.event())
                        .header("X-SNP-Delivery", id)
                        // Standard Webhooks: the receiver checks the signature of "id.timestamp.body" and the timestamp
                        .header("webhook-id", id).header("webhook-timestamp", String.valueOf(timestamp));
                if (!secrets.isEmpty()) {
                    request.header("webhook-signature", fr.snp.dispatch.directory.WebhookSignature.header(secrets, id, timestamp, body));
                }
                // the JDK client follows no redirect (Redirect.NEVER): a 3xx is a failure, not a way elsewhere
                HttpResponse<String> r = http.send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                audit(t, "webhook." + n.event(), entry.get("appt"), r.statusCode());
                if (r.statusCode() / 100 != 2) throw new IllegalStateException("webhook answered " + r.statusCode());
            }
            redis.xack(stream, GROUP, m.getId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warning("notification " + t + ":" + m.getId() + " (" + entry.get("type") + " " + entry.get("appt")
                    + ") not delivered, will retry: " + e.getMessage());
        }
    }

    /** A patient's data leaving the server (webhook to the effector, message to the patient) is traced too. */
    private void audit(String territory, String action, String appointmentId, int result) {
        s.audit().record(territory, new fr.snp.dispatch.audit.AuditTrail.Entry(null, 0, "server", "system", "server", action,
                appointmentId, result, null));
    }
}
