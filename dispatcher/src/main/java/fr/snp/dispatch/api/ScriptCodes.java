package fr.snp.dispatch.api;

import java.util.Map;

/** The refusals of the Lua scripts, as HTTP errors with a sentence a caller can act on. */
final class ScriptCodes {
    private record Meaning(int status, String message) {}

    private static final Map<String, Meaning> MEANINGS = Map.ofEntries(
            Map.entry("SLOT_NOT_FOUND", new Meaning(404, "no such slot")),
            Map.entry("REQUEST_NOT_FOUND", new Meaning(404, "no such request (or not one of yours)")),
            Map.entry("APPOINTMENT_NOT_FOUND", new Meaning(404, "no such appointment")),
            Map.entry("HOLD_NOT_FOUND", new Meaning(404, "no such hold on this slot (it may have expired)")),
            Map.entry("SLOT_BOOKED", new Meaning(409, "the slot is already booked")),
            Map.entry("SLOT_HELD", new Meaning(409, "the slot is held by another caller")),
            Map.entry("HOLD_EXPIRED", new Meaning(409, "your hold on the slot has expired; hold it again or pick another")),
            Map.entry("SLOT_WITHDRAWN", new Meaning(409, "the effector withdrew this slot")),
            Map.entry("SLOT_STARTED", new Meaning(409, "the slot has already started")),
            Map.entry("SLOT_NOT_VISIBLE", new Meaning(403, "this slot is reserved to another audience")),
            Map.entry("EFFECTOR_CAP_REACHED", new Meaning(409, "the effector reached the weekly cap of SAS consultations")),
            Map.entry("REQUEST_ALREADY_BOOKED", new Meaning(409, "the request already has an appointment")),
            Map.entry("REQUEST_CLOSED", new Meaning(409, "the request is closed with an outcome")),
            Map.entry("IDEMPOTENCY_KEY_REUSED", new Meaning(422, "this Idempotency-Key was used for another booking")),
            Map.entry("APPOINTMENT_NOT_CANCELLABLE", new Meaning(409, "the appointment is no longer booked")),
            Map.entry("OUTCOME_ALREADY_SET", new Meaning(409, "the request already has another outcome")),
            Map.entry("EFFECTOR_EXISTS", new Meaning(409, "an effector with this RPPS already exists")),
            Map.entry("FEEDBACK_CONFLICT", new Meaning(409, "feedback was already given with another answer; the first one stands")),
            Map.entry("FEEDBACK_TOO_EARLY", new Meaning(409, "only a cancellation may be reported before the slot starts")),
            Map.entry("APPOINTMENT_CANCELLED", new Meaning(409, "the appointment was cancelled")));

    private ScriptCodes() {}

    static ApiError error(String code) {
        Meaning m = MEANINGS.get(code);
        if (m == null) return new ApiError(500, "INTERNAL_ERROR", "unexpected script answer " + code, null);
        return new ApiError(m.status, code, m.message, null);
    }
}
