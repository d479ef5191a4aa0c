package fr.snp.dispatch.notifications;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

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
 * is claimed again after an exponential back-off (retryBaseMs doubling up to retryMaxMs). Delivery is at least once;
 * the X-SNP-Delivery header lets a receiver dedupe.
 * <p>
 * Deliveries run on a pool of outbox.concurrency threads, one ordered queue per receiver (an effector's webhook, a
 * patient's messages): a receiver gets its notifications one at a time in the order written (a failed one is tried
 * again after its back-off, the following ones are not held for it), a slow or dead receiver delays no other.
 * A webhook body is at most outbox.maxBodyBytes; the receiver's answer is not read.
 * <p>
 * <b>Dead letters.</b> A notification still not delivered outbox.deadLetterAfterHours after it was written, or one
 * that can never be sent (its body over the limit), is set aside: acknowledged and recorded in the territory's
 * dead letters ({@link Keys#outboxDeadLetters}: ids only), listed in the ops backlog, counted by
 * dispatch_outbox_dead_letters (alert OutboxDeadLetter), in one script (outbox_dead_letter.lua), as the SAS push does
 * with the pushes the platform refuses for good.
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
    private final int maxBodyBytes;

    public record DeadLetterCall(@fr.snp.dispatch.redis.Key String outbox, @fr.snp.dispatch.redis.Key String deadLetters,
                                 String group, String entryId, String type, String appointmentId, String effectorId,
                                 String channel, long attempts, String reason, long keepSinceMs) {}

    private static final fr.snp.dispatch.redis.LuaScript<DeadLetterCall> DEAD_LETTER = fr.snp.dispatch.redis.LuaScript.beside(
            OutboxWorker.class, "outbox_dead_letter.lua", DeadLetterCall.class);

    public static List<fr.snp.dispatch.redis.LuaScript<?>> scripts() { return List.of(DEAD_LETTER); }

    /** How long a dead letter stays listed (as the SAS push's); it holds ids only. */
    public static final long DEAD_LETTER_RETENTION_MS = 30L * 86_400_000;
    /** How many dead letters the ops view lists, newest first. */
    static final int LISTED = 20;

    /** A test's way to make one delivery fail as it starts (an Error, say); nothing in production. */
    static volatile java.util.function.Consumer<StreamMessage<String, String>> beforeDelivery;

    /** {@code alwaysLog}: demo mode prints every notification whatever outbox.logChannel says. */
    public OutboxWorker(fr.snp.dispatch.redis.RedisConnections connections, Services s, NotificationBuilder builder,
                        fr.snp.dispatch.messages.PatientMessenger patients, boolean alwaysLog) {
        super(connections, () -> s.index().territories(), GROUP, "outbox-worker", s.settings().integer("outbox.retryBaseMs"),
                s.settings().integer("outbox.retryMaxMs"), s.settings().integer("outbox.concurrency"),
                Math.round(s.settings().decimal("outbox.deadLetterAfterHours") * 3_600_000), LOG);
        this.maxBodyBytes = s.settings().integer("outbox.maxBodyBytes");
        this.s = s;
        this.builder = builder;
        this.patients = patients;
        this.logChannel = alwaysLog || Boolean.parseBoolean(s.settings().string("outbox.logChannel"));
        this.webhookTimeout = Duration.ofMillis(s.settings().integer("outbox.webhookTimeoutMs"));
        this.http = HttpClient.newBuilder().connectTimeout(webhookTimeout).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** One notification set aside: its entry, type, appointment, effector, channel, attempts, why, when. */
    public record DeadLetter(String entryId, String type, String appointmentId, String effectorId, String channel,
                             long attempts, String reason, long atMs) {}

    /**
     * Notifications not yet delivered in a territory's outbox: read but not acknowledged ({@code pending}), not read
     * yet ({@code unread}, the group's lag), the age of the oldest of either; the dead letters kept and the newest few.
     */
    public record Backlog(long pending, long unread, long oldestAgeSeconds, long deadLetters, List<DeadLetter> latestDeadLetters) {}

    public static CompletionStage<Backlog> backlog(RedisClusterAsyncCommands<String, String> redis, String territory) {
        String stream = Keys.outbox(territory);
        String dead = Keys.outboxDeadLetters(territory);
        CompletionStage<io.lettuce.core.models.stream.PendingMessages> pending = redis.xpending(stream, GROUP)
                .handle((summary, error) -> error == null ? summary : null); // no group yet: nothing read
        CompletionStage<fr.snp.dispatch.redis.StreamGroups.Lag> lag = fr.snp.dispatch.redis.StreamGroups.lag(redis, stream, GROUP);
        CompletionStage<Long> deadCount = redis.xlen(dead);
        CompletionStage<List<DeadLetter>> deadLatest = redis.xrevrange(dead, io.lettuce.core.Range.create("-", "+"),
                io.lettuce.core.Limit.from(LISTED)).thenApply(list -> list.stream().map(OutboxWorker::deadLetter).toList());
        return pending.thenCombine(lag, (summary, l) -> {
            long count = summary == null ? 0 : summary.getCount();
            long oldestMs = Long.MAX_VALUE;
            if (count > 0) oldestMs = millisOf(summary.getMessageIds().getLower().getValue());
            if (l.firstUnreadId() != null) oldestMs = Math.min(oldestMs, millisOf(l.firstUnreadId()));
            long age = oldestMs == Long.MAX_VALUE ? 0 : Math.max(0, (System.currentTimeMillis() - oldestMs) / 1000);
            return new Backlog(count, l.unread(), age, 0, List.of());
        }).thenCompose(b -> deadCount.thenCombine(deadLatest, (n, latest) ->
                new Backlog(b.pending(), b.unread(), b.oldestAgeSeconds(), n, latest)));
    }

    private static DeadLetter deadLetter(StreamMessage<String, String> m) {
        Map<String, String> b = m.getBody();
        return new DeadLetter(b.get("entry"), b.get("type"), b.get("appt"), emptyToNull(b.get("e")), emptyToNull(b.get("channel")),
                Long.parseLong(b.getOrDefault("attempts", "0")), b.get("reason"), millisOf(m.getId()));
    }

    private static String emptyToNull(String s) { return s == null || s.isEmpty() ? null : s; }

    /** One queue per receiver: the effector (its webhook), or for a patient message the appointment's patient. */
    @Override
    protected String lane(RedisClusterCommands<String, String> redis, StreamMessage<String, String> m) {
        String t = territoryOf(m.getStream());
        Map<String, String> entry = m.getBody();
        if ("patient".equals(entry.get("type"))) return "patient " + t + " " + entry.get("appt");
        String effector = entry.get("e");
        if (effector == null && entry.get("appt") != null) {
            effector = redis.hget(Keys.appointment(t, entry.get("appt")), "effector"); // a reminder's entry does not say
        }
        return "effector " + t + " " + effector;
    }

    /**
     * Another instance's entry may still be on its way (that instance refreshes the idle time of what it holds):
     * not taken from it before a webhook's time-out has passed.
     */
    @Override
    protected long backoff(io.lettuce.core.models.stream.PendingMessage p, long standard) {
        return consumer.equals(p.getConsumer()) ? standard : Math.max(standard, webhookTimeout.toMillis() + 2_000);
    }

    /**
     * Under redis.durability=strict with replicas, an entry is delivered only once a replica has it: the booking it
     * tells of may have run on a master that died before replicating it (answered 503, never acknowledged), and a
     * webhook sent for it would name an appointment that no longer exists after the failover (the fault matrix found
     * 42 such webhooks after a frozen master was thawed and demoted). WAIT after XREADGROUP/XCLAIM (writes of this connection, made after
     * the entries' XADD) confirms the entries are replicated; unconfirmed, they stay pending and are taken again.
     */
    @Override
    protected boolean replicated(String stream) {
        try {
            return confirmedOnReplicas(stream, s.bookings().durability());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Pending for longer than outbox.deadLetterAfterHours: set aside. */
    @Override
    protected boolean deadLetter(RedisClusterCommands<String, String> redis, String territory, io.lettuce.core.models.stream.PendingMessage p) {
        List<StreamMessage<String, String>> entry = redis.xrange(Keys.outbox(territory), io.lettuce.core.Range.create(p.getId(), p.getId()));
        Map<String, String> body = entry.isEmpty() ? Map.of() : entry.get(0).getBody();
        return setAside(territory, p.getId(), body, p.getRedeliveryCount(), "not delivered within "
                + s.settings().string("outbox.deadLetterAfterHours") + " h");
    }

    /** Records the entry as a dead letter and acknowledges it (outbox_dead_letter.lua); false when no longer pending. */
    private boolean setAside(String t, String entryId, Map<String, String> entry, long attempts, String reason) {
        try {
            Long done = DEAD_LETTER.<Long>run(async(), io.lettuce.core.ScriptOutputType.INTEGER, new DeadLetterCall(Keys.outbox(t),
                    Keys.outboxDeadLetters(t), GROUP, entryId, entry.getOrDefault("type", ""), entry.getOrDefault("appt", ""),
                    entry.getOrDefault("e", ""), entry.getOrDefault("channel", ""), attempts, reason,
                    System.currentTimeMillis() - DEAD_LETTER_RETENTION_MS)).toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
            if (done == 1) {
                // ids only: no patient data
                LOG.warning("notification " + t + ":" + entryId + " (" + entry.get("type") + " " + entry.get("appt")
                        + ") set aside as a dead letter after " + attempts + " attempts: " + reason);
            }
            return done == 1;
        } catch (Exception e) {
            LOG.warning("notification " + t + ":" + entryId + " could not be set aside (tried again later): " + e);
            return false;
        }
    }

    /** Dead letters older than the retention go even when no new one comes to trim them. */
    @Override
    protected void housekeeping(RedisClusterCommands<String, String> redis, String territory) {
        redis.xtrim(Keys.outboxDeadLetters(territory), io.lettuce.core.XTrimArgs.Builder
                .minId((System.currentTimeMillis() - DEAD_LETTER_RETENTION_MS) + "-0"));
    }

    @Override
    protected String stream(String territory) { return Keys.outbox(territory); }

    @Override
    protected void deliver(RedisClusterCommands<String, String> redis, StreamMessage<String, String> m) {
        String stream = m.getStream();
        String t = stream.substring(stream.indexOf('{') + 1, stream.indexOf('}'));
        Map<String, String> entry = m.getBody();
        java.util.function.Consumer<StreamMessage<String, String>> hook = beforeDelivery;
        if (hook != null) hook.accept(m);
        try {
            if ("patient".equals(entry.get("type"))) {
                // a message to the patient: the messenger records each attempt and says when it is done
                boolean done = patients.deliver(t, m.getId(), entry);
                audit(t, "message." + entry.get("kind") + "." + entry.get("channel"), entry.get("appt"), done ? 200 : 0);
                if (done) redis.xack(stream, GROUP, m.getId());
                return;
            }
            // an effector without a webhook, and no console channel: nobody to tell, nothing to build. Reading the
            // appointment and the patient and signing a link for each booking only to drop them cost the server more
            // than the booking itself in the bench. The index is the one the send below would read the URL from.
            String effectorId = entry.get("e");
            Effector known = effectorId == null || logChannel ? null : s.index().effector(effectorId);
            if (known != null && known.webhookUrl() == null) {
                redis.xack(stream, GROUP, m.getId());
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
                int size = body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                if (size > maxBodyBytes) {
                    // it will never be smaller: set aside at once (sizes and ids only in the log, never the body)
                    setAside(t, m.getId(), entry, 1, "body of " + size + " bytes over outbox.maxBodyBytes (" + maxBodyBytes + ")");
                    return;
                }
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
                // the answer's body is not read: its status says all, and a receiver cannot make us hold megabytes
                HttpResponse<Void> r = http.send(request.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.discarding());
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
