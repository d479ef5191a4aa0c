package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.booking.Appointment;
import fr.snp.dispatch.booking.Feedback;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** POST /api/v1/appointments (book), GET /api/v1/appointments/{id}, POST …/cancel, POST …/feedback. */
final class AppointmentHandlers {
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Set<String> CANCEL_REASONS = Set.of("PATIENT", "EFFECTOR", "REGULATOR", "DUPLICATE", "OTHER");

    private final Services s;

    AppointmentHandlers(Services s) { this.s = s; }

    void book(RoutingContext ctx) {
        String key = ctx.request().getHeader("Idempotency-Key");
        if (key == null || key.isBlank()) {
            throw ApiError.badRequest("IDEMPOTENCY_KEY_REQUIRED", "an Idempotency-Key header (e.g. a UUID) is required, "
                    + "so that a retried booking never books twice", "Idempotency-Key");
        }
        if (!IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw ApiError.badRequest("INVALID_FIELD", "Idempotency-Key must be 1 to 128 characters of A-Z a-z 0-9 . _ : -",
                    "Idempotency-Key");
        }
        JsonObject body = Input.object(ctx);
        String slotId = Input.string(body, "slotId", null, true);
        String requestId = Input.string(body, "requestId", null, true);
        String holdId = Input.string(body, "holdId", null, false);
        if (!Ids.isWellFormed(slotId)) throw Input.invalid("slotId", "is not a well-formed slot id");
        if (!Ids.isWellFormed(requestId)) throw Input.invalid("requestId", "is not a well-formed request id");
        Http.reply(ctx, s.bookings().book(Authenticator.principal(ctx), slotId, requestId, holdId, key).thenApply(b -> {
            Appointment a = b.appointment();
            Map<String, String> headers = b.replayed()
                    ? Map.of("Location", "/api/v1/appointments/" + a.id(), "Idempotent-Replayed", "true")
                    : Map.of("Location", "/api/v1/appointments/" + a.id());
            return new Http.Reply(201, view(a), headers);
        }));
    }

    void get(RoutingContext ctx) {
        String id = Input.id(ctx.pathParam("id"), "appointment");
        Http.reply(ctx, s.bookings().read(Authenticator.principal(ctx), id).thenApply(a -> new Http.Reply(200, view(a))));
    }

    void cancel(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        String id = Input.id(ctx.pathParam("id"), "appointment");
        JsonObject body = ctx.body() == null || ctx.body().length() == 0 ? new JsonObject() : Input.object(ctx);
        String reason = Input.string(body, "reason", null, false);
        if (reason == null) reason = p.role() == Role.EFFECTOR ? "EFFECTOR" : "PATIENT";
        if (!CANCEL_REASONS.contains(reason)) {
            throw ApiError.badRequest("INVALID_ENUM", "unknown value '" + reason + "', expected one of " + CANCEL_REASONS, "reason");
        }
        Http.reply(ctx, s.bookings().cancel(p, id, reason).thenApply(c ->
                new Http.Reply(200, view(c.appointment()).put("slotReleased", c.slotReleased()))));
    }

    /** POST /api/v1/appointments/{id}/feedback: the effector's answer (first answer stands). */
    void feedback(RoutingContext ctx) {
        String id = Input.id(ctx.pathParam("id"), "appointment");
        JsonObject body = Input.object(ctx);
        Feedback.Answer answer = answer(Input.string(body, "answer", null, true));
        String comment = Input.string(body, "comment", null, false);
        Http.reply(ctx, s.bookings().answer(Authenticator.principal(ctx), id, answer, comment)
                .thenApply(a -> new Http.Reply(200, view(a))));
    }

    static Feedback.Answer answer(String given) {
        Feedback.Answer answer = Feedback.Answer.ofWire(given);
        if (answer == null) {
            throw ApiError.badRequest("INVALID_ENUM", "unknown answer '" + given + "', expected one of "
                    + Arrays.stream(Feedback.Answer.values()).map(a -> a.wire).sorted().toList(), "answer");
        }
        return answer;
    }

    private JsonObject view(Appointment a) { return Views.appointment(a, s.index().effector(a.effectorId())); }
}
