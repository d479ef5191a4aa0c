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

    /**
     * GET /api/v1/appointments?reference=36-K7Q2-M9XA, or ?phone=0612345678&initials=MD&date=2026-12-01: the
     * appointments of a patient who calls back (to cancel, or to hear it again), within the caller's tenants.
     */
    void find(RoutingContext ctx) {
        var q = ctx.queryParams();
        java.util.concurrent.CompletionStage<java.util.List<Appointment>> found;
        if (q.get("reference") != null) {
            String ref = q.get("reference").strip().toUpperCase(java.util.Locale.ROOT);
            if (!REFERENCE.matcher(ref).matches()) throw Input.invalid("reference", "is not an appointment reference, e.g. 36-K7Q2-M9XA");
            found = s.bookings().byReference(Authenticator.principal(ctx), ref)
                    .handle((a, notFound) -> a == null ? java.util.List.<Appointment>of() : java.util.List.of(a));
        } else if (q.get("phone") != null || q.get("initials") != null || q.get("date") != null) {
            String phone = Phones.normalise(q.get("phone"), "phone");
            String initials = q.get("initials");
            if (initials == null || !initials.strip().matches("\\p{L}{1,4}")) throw Input.invalid("initials", "must be 1 to 4 letters");
            java.time.LocalDate day;
            try {
                day = java.time.LocalDate.parse(q.get("date") == null ? "" : q.get("date"));
            } catch (java.time.format.DateTimeParseException e) {
                throw ApiError.badRequest("INVALID_DATE", "date must be the appointment's day, e.g. 2026-12-01", "date");
            }
            found = s.bookings().ofPatient(Authenticator.principal(ctx), s.requests(), phone, initials.strip(), day);
        } else {
            throw ApiError.badRequest("MISSING_FIELD", "give reference, or phone + initials + date, or territory + "
                    + "awaitingFeedback=true", "reference");
        }
        Http.reply(ctx, found.thenApply(list -> {
            io.vertx.core.json.JsonArray out = new io.vertx.core.json.JsonArray();
            list.forEach(a -> out.add(view(a)));
            return new Http.Reply(200, new JsonObject().put("appointments", out));
        }));
    }

    private static final Pattern REFERENCE = Pattern.compile("(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])-[0-9A-Z]{4}-[0-9A-Z]{4}");

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
