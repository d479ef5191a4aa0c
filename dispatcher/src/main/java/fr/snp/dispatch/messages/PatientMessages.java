package fr.snp.dispatch.messages;

import fr.snp.dispatch.domain.PatientContact;
import fr.snp.dispatch.domain.PatientContact.Channel;
import fr.snp.dispatch.messages.PatientMessage.Kind;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The store of what a patient was told about an appointment: the contact they agreed to be told by (expiring a day
 * after the appointment), each message's delivery record, and the reminder still to come. The records hold no text
 * and no address: what a desk may see (channel, kind, status, times).
 */
public final class PatientMessages {
    /** queued → sent, or retrying → sent / failed; skipped when the appointment was cancelled before it went. */
    public enum Status {
        QUEUED, SENT, RETRYING, FAILED, SKIPPED;

        public String wire() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /** One message's delivery. {@code note}: why it failed or was skipped, in words without personal data. */
    public record Delivery(String id, Channel channel, Kind kind, Status status, long queuedAtMs, Long sentAtMs,
                           int attempts, String provider, String note) {

        static Delivery fromJson(String id, JsonObject j) {
            return new Delivery(id, Channel.ofWire(j.getString("channel")), Kind.ofWire(j.getString("kind")),
                    Status.valueOf(j.getString("status").toUpperCase(java.util.Locale.ROOT)), j.getLong("queuedAt", 0L),
                    j.getLong("sentAt"), j.getInteger("attempts", 0), j.getString("provider"), j.getString("note"));
        }

        JsonObject toJson() {
            JsonObject j = new JsonObject().put("channel", channel.wire()).put("kind", kind.wire()).put("status", status.wire())
                    .put("queuedAt", queuedAtMs).put("attempts", attempts);
            if (sentAtMs != null) j.put("sentAt", sentAtMs);
            if (provider != null) j.put("provider", provider);
            if (note != null) j.put("note", note);
            return j;
        }

        Delivery then(Status s, Long sentAt, int attempts, String provider, String note) {
            return new Delivery(id, channel, kind, s, queuedAtMs, sentAt, attempts, provider, note);
        }
    }

    /** The reminder still to come: when, and by which channels. */
    public record Scheduled(long dueAtSec, List<Channel> channels) {}

    /** Everything about an appointment's patient messages, oldest first. */
    public record Listing(List<Delivery> deliveries, Scheduled reminder) {}

    private final RedisClusterAsyncCommands<String, String> redis;

    public PatientMessages(RedisClusterAsyncCommands<String, String> redis) { this.redis = redis; }

    /** The listing of an appointment (the caller checked it reaches the appointment). */
    public CompletionStage<Listing> of(String territory, String appointmentId) {
        var records = redis.hgetall(Keys.patientMessages(territory, appointmentId)).toCompletableFuture();
        return contact(territory, appointmentId).thenCompose(contact -> {
            CompletionStage<Double> due = contact.isEmpty() ? CompletableFuture.completedFuture(null)
                    : redis.zscore(Keys.patientReminders(territory), appointmentId + "|" + channels(contact));
            return due.thenCombine(records, (score, hash) -> {
                List<Delivery> list = new ArrayList<>();
                hash.forEach((id, json) -> list.add(Delivery.fromJson(id, new JsonObject(json))));
                list.sort(Comparator.comparingLong(Delivery::queuedAtMs).thenComparing(Delivery::id));
                return new Listing(list, score == null ? null : new Scheduled(score.longValue(), contact.channels()));
            });
        });
    }

    /** The contact of an appointment's patient (empty once expired, or if they were not to be told). */
    public CompletionStage<PatientContact> contact(String territory, String appointmentId) {
        return redis.hmget(Keys.patientContact(territory, appointmentId), "sms", "email").thenApply(kv ->
                new PatientContact(kv.get(0).getValueOrElse(null), kv.get(1).getValueOrElse(null)));
    }

    CompletionStage<Delivery> delivery(String territory, String appointmentId, String id, Channel channel, Kind kind) {
        return redis.hget(Keys.patientMessages(territory, appointmentId), id).thenApply(json -> json == null
                // a reminder has no record until its first attempt (remind.lua writes only the outbox entry)
                ? new Delivery(id, channel, kind, Status.QUEUED, fr.snp.dispatch.redis.StreamWorker.millisOf(id), null, 0, null, null)
                : Delivery.fromJson(id, new JsonObject(json)));
    }

    CompletionStage<Boolean> save(String territory, String appointmentId, Delivery d) {
        return redis.hset(Keys.patientMessages(territory, appointmentId), d.id(), d.toJson().encode());
    }

    static String channels(PatientContact c) { return String.join(",", c.channels().stream().map(Channel::wire).toList()); }

}
