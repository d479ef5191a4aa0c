package fr.snp.dispatch.notifications;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.booking.Appointment;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.redis.Keys;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Builds what an effector receives: the appointment, who the patient is (initials, year of birth, phone: what
 * the doctor needs to recognise and call them), the place, and a signed feedback link.
 */
public final class NotificationBuilder {
    private final Services s;
    private final RedisClusterAsyncCommands<String, String> redis;
    private final SignedLinks links;
    private final BiFunction<Appointment, Effector, JsonObject> appointmentView;

    public NotificationBuilder(Services s, RedisClusterAsyncCommands<String, String> redis, SignedLinks links,
                               BiFunction<Appointment, Effector, JsonObject> appointmentView) {
        this.s = s;
        this.redis = redis;
        this.links = links;
        this.appointmentView = appointmentView;
    }

    Notification build(String territory, String entryId, Map<String, String> entry) throws Exception {
        String event = entry.get("type");
        String appointmentId = entry.get("appt");
        Map<String, String> fields = redis.hgetall(Keys.appointment(territory, appointmentId)).get(5, TimeUnit.SECONDS);
        if (fields.isEmpty()) throw new IllegalStateException("appointment " + appointmentId + " not found");
        Appointment a = Appointment.fromRedis(fields);
        Effector e = s.index().effector(a.effectorId());
        if (e == null) e = s.effectors().load(territory, a.effectorId()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        // the patient as the request holds it (an expired request leaves the notification without patient data)
        String patientJson = redis.hget(Keys.request(territory, a.requestId()), "patient").get(5, TimeUnit.SECONDS);
        JsonObject patient = patientJson == null ? new JsonObject() : new JsonObject(patientJson);
        long now = s.nowMs() / 1000;
        String url = links.url(appointmentId, now);
        JsonObject payload = new JsonObject().put("event", event).put("notificationId", territory + ":" + entryId)
                .put("sentAt", Instant.ofEpochSecond(now).atOffset(ZoneOffset.UTC).toString())
                .put("appointment", appointmentView.apply(a, e))
                .put("patient", new JsonObject().put("initials", patient.getString("initials"))
                        .put("birthYear", patient.getInteger("birthYear")).put("phone", patient.getString("phone")))
                .put("feedbackUrl", url);
        String line = "notification " + event + " of " + appointmentId + " to " + a.effectorId() + " (slot "
                + Instant.ofEpochSecond(a.startSec()) + ")" + (e != null && e.webhookUrl() != null
                ? " by webhook" : "") + "; feedback link " + url;
        return new Notification(event, e, payload, SignedLinks.redact(line));
    }

    /** The feedback link of an appointment, for the API (GET /api/v1/appointments/{id} to the effector). */
    public String link(String appointmentId) { return links.url(appointmentId, s.nowMs() / 1000); }

}
