package fr.snp.dispatch.requests;

import fr.snp.dispatch.domain.Origin;
import fr.snp.dispatch.domain.OutcomeType;

/**
 * A care request as stored: who asked (principal and organisation), for which patient and what need, how it
 * ended; {@code waitingSinceMs} when a desk put it on the waiting list. Its territory is the patient's commune's, never the caller's word. Patient data is never logged and
 * expires with the request (requests.retentionDays).
 */
public record CareRequest(String id, String territory, Origin origin, String createdBy, String org, long createdAtMs,
                          Patient patient, Need need, String appointmentId, Outcome outcome, Long waitingSinceMs) {

    /** How a request ended without an appointment. {@code details}: JSON (pharmacy, comment, withAdvice). */
    public record Outcome(OutcomeType type, String details, long atMs, String by) {}

    public String status() {
        if (appointmentId != null) return "booked";
        if (outcome != null) return "closed";
        return "open";
    }
}
