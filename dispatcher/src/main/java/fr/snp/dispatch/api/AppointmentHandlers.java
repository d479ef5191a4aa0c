package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/** POST /api/v1/appointments (book), GET /api/v1/appointments/{id}, POST /api/v1/appointments/{id}/cancel. */
final class AppointmentHandlers {
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Set<String> CANCEL_REASONS = Set.of("PATIENT", "EFFECTOR", "REGULATOR", "DUPLICATE", "OTHER");

    private final Services s;

    AppointmentHandlers(Services s) { this.s = s; }

    void book(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
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
        String territory = Ids.territoryOf(slotId);
        if (!territory.equals(Ids.territoryOf(requestId))) {
            throw ApiError.conflict("TERRITORY_MISMATCH", "the slot and the request belong to different territories");
        }
        Effector e = s.index().effector(Ids.effectorOfSlot(slotId));
        if (e == null) throw ApiError.notFound("SLOT_NOT_FOUND", "no such slot");
        long now = s.nowMs();
        String appointmentId = Ids.appointment(territory, now);
        long t0 = System.nanoTime();
        Http.reply(ctx, s.slots().book(slotId, appointmentId, requestId, holdId, p.id(), key, now, p.viewer().maskFor(e),
                e, s.settings().integer("booking.idempotencyTtlSeconds"), p.role().sharedQueue())
                .whenComplete((r, error) -> {
                    s.metrics().booking().record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
                    s.metrics().bookingResult(error != null ? "error" : bookingResult(r.code()));
                })
                .thenCompose(r -> {
                    if (r.ok()) return CompletableFuture.completedFuture(new Http.Reply(201, Views.appointment(r.appointment(), e),
                            Map.of("Location", "/api/v1/appointments/" + appointmentId)));
                    if (!"REPLAY".equals(r.code())) throw ScriptCodes.error(r.code());
                    return s.appointments().get(r.detail()).thenApply(a -> new Http.Reply(201, Views.appointment(a, e),
                            Map.of("Location", "/api/v1/appointments/" + r.detail(), "Idempotent-Replayed", "true")));
                }));
    }

    /** The result label of dispatch_bookings_total. */
    static String bookingResult(String code) {
        return switch (code) {
            case "OK" -> "booked";
            case "REPLAY" -> "idempotent_replay";
            case "HOLD_EXPIRED" -> "expired_hold";
            case "SLOT_BOOKED", "SLOT_HELD", "SLOT_WITHDRAWN", "SLOT_STARTED", "EFFECTOR_CAP_REACHED",
                 "REQUEST_ALREADY_BOOKED", "REQUEST_CLOSED", "IDEMPOTENCY_KEY_REUSED" -> "conflict";
            default -> "refused";
        };
    }

    void get(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        String id = Input.id(ctx.pathParam("id"), "appointment");
        Http.reply(ctx, s.appointments().get(id).thenApply(a -> {
            mustSee(p, a);
            return new Http.Reply(200, Views.appointment(a, s.index().effector(a.get("e"))));
        }));
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
        String why = reason;
        long now = s.nowMs();
        Http.reply(ctx, s.appointments().get(id).thenCompose(a -> {
            mustSee(p, a);
            return s.slots().cancel(id, a.get("slot"), a.get("req"), now, why, p.id());
        }).thenApply(r -> {
            if (!r.ok() && !"ALREADY_CANCELLED".equals(r.code())) throw ScriptCodes.error(r.code());
            JsonObject view = Views.appointment(r.appointment(), s.index().effector(r.appointment().get("e")));
            return new Http.Reply(200, view.put("slotReleased", "1".equals(r.detail())));
        }));
    }

    /** Feedback answers as the API names them, and as stored. */
    static final Map<String, String> ANSWERS = Map.of("seen", "seen", "no-show", "noshow",
            "cancelled-by-patient", "cancelled", "reoriented", "reoriented");

    /** POST /api/v1/appointments/{id}/feedback: the effector's answer (first answer stands). */
    void feedback(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        String id = Input.id(ctx.pathParam("id"), "appointment");
        JsonObject body = Input.object(ctx);
        String given = Input.string(body, "answer", null, true);
        String answer = ANSWERS.get(given);
        if (answer == null) {
            throw ApiError.badRequest("INVALID_ENUM", "unknown answer '" + given + "', expected one of "
                    + new java.util.TreeSet<>(ANSWERS.keySet()), "answer");
        }
        String comment = Input.string(body, "comment", null, false);
        Http.reply(ctx, FeedbackFlow.answer(s, p, id, answer, comment).thenApply(view -> new Http.Reply(200, view)));
    }

    /** Who may read or cancel: the shared queue, the caller who booked, the effector of the appointment. */
    static void mustSee(Principal p, Map<String, String> a) {
        boolean allowed = !a.isEmpty() && (p.role().sharedQueue() || p.id().equals(a.get("by"))
                || (p.role() == Role.EFFECTOR && a.get("e").equals(p.effectorId())));
        if (!allowed) throw ApiError.notFound("APPOINTMENT_NOT_FOUND", "no such appointment (or not one of yours)");
    }
}
