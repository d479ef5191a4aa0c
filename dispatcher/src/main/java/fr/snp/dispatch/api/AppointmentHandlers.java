package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.booking.Appointment;
import fr.snp.dispatch.booking.Feedback;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import fr.snp.dispatch.domain.PatientContact;
import fr.snp.dispatch.messages.PatientMessages;
import io.vertx.ext.web.RoutingContext;

import java.util.Arrays;
import java.util.Map;

/** POST /api/v1/appointments (book), GET /api/v1/appointments/{id}, POST …/cancel, POST …/feedback. */
final class AppointmentHandlers {

    private final Services s;

    AppointmentHandlers(Services s) { this.s = s; }

    void book(RoutingContext ctx) {
        String key = idempotencyKey(ctx);
        JsonObject body = Input.object(ctx);
        String slotId = Input.string(body, "slotId");
        String requestId = Input.string(body, "requestId");
        String holdId = Input.string(body, "holdId");
        PatientContact contact = patientContact(body);
        PatientContact told = s.bookings().reachable(contact);
        Http.reply(ctx, s.bookings().book(Authenticator.principal(ctx), slotId, requestId, holdId, key, contact)
                .thenApply(b -> created(b, withPatientMessages(view(b.appointment()), contact, told))));
    }

    /** What the desk tells the patient: which channels they will be told by, which this server cannot send. */
    private static JsonObject withPatientMessages(JsonObject view, PatientContact contact, PatientContact told) {
        if (contact.isEmpty()) return view;
        JsonArray by = new JsonArray(), unavailable = new JsonArray();
        for (PatientContact.Channel c : contact.channels()) (told.channels().contains(c) ? by : unavailable).add(c.wire());
        return view.put("patientMessages", new JsonObject().put("channels", by).put("unavailable", unavailable));
    }

    /** 201 with the appointment, its Location, and whether it only replayed an earlier booking with the same key. */
    private static Http.Reply created(fr.snp.dispatch.booking.Bookings.Booked b, JsonObject view) {
        String location = "/api/v1/appointments/" + b.appointment().id();
        return new Http.Reply(201, view, b.replayed() ? Map.of("Location", location, "Idempotent-Replayed", "true")
                : Map.of("Location", location));
    }

    /**
     * POST /api/v1/appointments/supernumerary: a regulator books an effector outside their published slots, at the
     * time agreed with them on the phone ({effectorId, requestId, start, minutes, location, mode, patientContact}).
     */
    void bookSupernumerary(RoutingContext ctx) {
        String key = idempotencyKey(ctx);
        JsonObject body = Input.object(ctx);
        String effectorId = Input.string(body, "effectorId");
        String requestId = Input.string(body, "requestId");
        java.time.ZonedDateTime local = agreedTime(Input.string(body, "start"));
        int minutes = Input.integer(body, "minutes", 20);
        int location = Input.integer(body, "location", 0);
        fr.snp.dispatch.domain.Mode mode = Input.enumValue(fr.snp.dispatch.domain.Mode.class, body, "mode",
                fr.snp.dispatch.domain.Mode.AMB);
        PatientContact contact = patientContact(body);
        fr.snp.dispatch.domain.Effector e = s.index().effector(effectorId);
        if (e != null && e.location(location) == null) throw Input.invalid("location", "is not one of the effector's practice locations");
        if (e != null && mode == fr.snp.dispatch.domain.Mode.HH && e.homeVisitRadiusKm() <= 0) {
            throw Input.invalid("mode", "HH: this effector makes no home visits");
        }
        fr.snp.dispatch.domain.NewSlot slot = new fr.snp.dispatch.domain.NewSlot(effectorId, location, local.toEpochSecond(),
                local.plusMinutes(minutes).toEpochSecond(), local.getOffset().getTotalSeconds(), mode.name(), 0, 0, 0,
                s.planner().week(local.toInstant()));
        PatientContact told = s.bookings().reachable(contact);
        Http.reply(ctx, s.bookings().bookSupernumerary(Authenticator.principal(ctx), slot, requestId, key, contact)
                .thenApply(b -> created(b, withPatientMessages(view(b.appointment()), contact, told))));
    }

    /**
     * The time agreed with the effector: with its offset (2026-12-01T14:30+01:00), or as the territory's local time
     * (2026-12-01T14:30, what a date-time field of a page gives), to the minute.
     */
    private java.time.ZonedDateTime agreedTime(String value) {
        try {
            return java.time.OffsetDateTime.parse(value).atZoneSameInstant(s.planner().zone())
                    .truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        } catch (java.time.format.DateTimeParseException withoutOffset) {
            try {
                return java.time.LocalDateTime.parse(value).atZone(s.planner().zone()).truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
            } catch (java.time.format.DateTimeParseException e) {
                throw ApiError.badRequest("INVALID_DATETIME", "start must be a date and time, e.g. 2026-12-01T14:30 or "
                        + "2026-12-01T14:30+01:00", "start");
            }
        }
    }

    /**
     * {@code patientContact: {sms, email, consent}}: how the patient agreed to be told (confirmation, reminder,
     * cancellation). A number or address without {@code consent: true} is refused, not silently dropped: the desk
     * must ask the patient. The SMS number must be a French mobile.
     */
    static PatientContact patientContact(JsonObject body) {
        JsonObject c = Input.object(body, "patientContact");
        if (c == null) return PatientContact.NONE;
        String prefix = "patientContact";
        String sms = Input.string(c, "sms");
        String email = Input.string(c, "email");
        boolean consent = Input.bool(c, "consent");
        if (sms != null) {
            sms = Phones.normalise(sms, prefix + ".sms");
            if (!sms.startsWith("06") && !sms.startsWith("07")) {
                throw ApiError.badRequest("NOT_A_MOBILE", "an SMS needs a mobile number (06 or 07)", prefix + ".sms");
            }
        }
        if (sms == null && email == null) {
            if (consent) throw ApiError.badRequest("CONTACT_REQUIRED", "give the patient's mobile number (sms) or e-mail address", prefix);
            return PatientContact.NONE;
        }
        if (!consent) {
            throw new ApiError(422, "CONSENT_REQUIRED", "the patient must agree to be told by SMS or e-mail: ask them, then "
                    + "set consent to true", prefix + ".consent");
        }
        return new PatientContact(sms, email);
    }

    /**
     * GET /api/v1/appointments/{id}/messages: what the patient was told about the appointment and how it went
     * (channel, kind, status, times), and the reminder to come. Never the text, the number or the address.
     */
    void messages(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Http.reply(ctx, s.bookings().read(Authenticator.principal(ctx), id).thenCompose(a ->
                s.patientMessages().of(a.territory(), a.id()).thenApply(listing -> {
                    JsonArray out = new JsonArray();
                    for (PatientMessages.Delivery d : listing.deliveries()) {
                        JsonObject j = new JsonObject().put("id", d.id()).put("channel", d.channel().wire())
                                .put("kind", d.kind().wire()).put("status", d.status().wire())
                                .put("queuedAt", Views.time(d.queuedAtMs(), a.offsetSeconds())).put("attempts", d.attempts());
                        if (d.sentAtMs() != null) j.put("sentAt", Views.time(d.sentAtMs(), a.offsetSeconds()));
                        // "log": written to the server log only (demo), the patient did not get it
                        if (d.provider() != null) j.put("provider", d.provider());
                        if (d.note() != null) j.put("note", d.note());
                        out.add(j);
                    }
                    JsonObject reply = new JsonObject().put("appointmentId", a.id()).put("messages", out);
                    if (listing.reminder() != null) {
                        reply.put("reminder", new JsonObject().put("dueAt", Views.time(listing.reminder().dueAtSec() * 1000,
                                a.offsetSeconds())).put("channels", new JsonArray(listing.reminder().channels().stream()
                                .map(PatientContact.Channel::wire).toList())));
                    }
                    return new Http.Reply(200, reply);
                })));
    }

    /** The Idempotency-Key header (required, its form checked by the contract: x-missing-code IDEMPOTENCY_KEY_REQUIRED). */
    private static String idempotencyKey(RoutingContext ctx) { return ctx.request().getHeader("Idempotency-Key"); }

    void get(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Http.reply(ctx, s.bookings().read(Authenticator.principal(ctx), id).thenApply(a -> new Http.Reply(200, view(a))));
    }

    void cancel(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        String id = ctx.pathParam("id");
        String reason = Input.string(Input.object(ctx), "reason");
        if (reason == null) reason = p.role() == Role.EFFECTOR ? "EFFECTOR" : "PATIENT";
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
            String ref = q.get("reference").toUpperCase(java.util.Locale.ROOT);
            found = s.bookings().byReference(Authenticator.principal(ctx), ref)
                    .handle((a, notFound) -> a == null ? java.util.List.<Appointment>of() : java.util.List.of(a));
        } else if (q.get("phone") != null || q.get("initials") != null || q.get("date") != null) {
            String phone = Phones.normalise(q.get("phone"), "phone");
            String initials = q.get("initials");
            if (initials == null) throw Input.missing("initials");
            java.time.LocalDate day;
            try {
                day = java.time.LocalDate.parse(q.get("date") == null ? "" : q.get("date"));
            } catch (java.time.format.DateTimeParseException e) {
                throw ApiError.badRequest("INVALID_DATE", "date must be the appointment's day, e.g. 2026-12-01", "date");
            }
            found = s.bookings().ofPatient(Authenticator.principal(ctx), s.requests(), phone, initials, day);
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


    /** POST /api/v1/appointments/{id}/feedback: the effector's answer (first answer stands). */
    void feedback(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        JsonObject body = Input.object(ctx);
        Feedback.Answer answer = Feedback.Answer.ofWire(Input.string(body, "answer"));
        String comment = Input.string(body, "comment");
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
