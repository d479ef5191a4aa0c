package fr.snp.dispatch.booking;

import fr.snp.dispatch.domain.Mode;
import fr.snp.dispatch.domain.Origin;

import java.util.Map;
import java.util.Set;

/**
 * A booked slot for a request, as book.lua writes it (readable field names: appointments are few next to slots)
 * and cancel.lua / feedback.lua change it. {@link #fromRedis} is the one place that reads that form.
 * {@code org}: the organisation that booked it; {@code cpts}: the effector's CPTS when it was booked (what a CPTS
 * coordinator reaches); {@code followUp}: the coordinator's reminders and closure while it awaited feedback;
 * {@code supernumerary}: booked outside the effector's published slots.
 */
public record Appointment(String id, String slotId, String requestId, String effectorId, int location, long startSec,
                          long endSec, int offsetSeconds, Mode mode, String week, String status, long createdAtMs,
                          String bookedBy, String org, Origin origin, boolean sasRegulated, Set<String> cpts,
                          String reference, Feedback feedback, Cancellation cancellation, FollowUp followUp,
                          boolean supernumerary) {

    public record Cancellation(long atMs, String reason, String by) {}

    /**
     * What the coordinator did about missing feedback: the last reminder sent by hand (null: none) and how many,
     * the closure without feedback (null: not closed).
     */
    public record FollowUp(Long remindedAtMs, int reminders, Long closedAtMs, String closedBy) {}

    public String territory() { return id.substring(0, id.indexOf('-')); }

    /**
     * The reference a patient is told, made of the random end of the appointment id: "36-K7Q2-M9XA" (the territory,
     * then eight characters in two groups, easy to read out on the phone).
     */
    public static String referenceOf(String appointmentId) {
        String random = appointmentId.substring(appointmentId.length() - 8).toUpperCase(java.util.Locale.ROOT);
        return appointmentId.substring(0, appointmentId.indexOf('-')) + "-" + random.substring(0, 4) + "-" + random.substring(4);
    }

    public boolean booked() { return "booked".equals(status); }

    public static Appointment fromRedis(Map<String, String> h) {
        Feedback feedback = h.containsKey("feedback") ? new Feedback(Feedback.Answer.ofStored(h.get("feedback")),
                Long.parseLong(h.get("feedbackAt")), emptyToNull(h.get("feedbackComment")), h.get("feedbackBy"), h.get("feedbackFrom")) : null;
        Cancellation cancellation = h.containsKey("cancelledAt") ? new Cancellation(Long.parseLong(h.get("cancelledAt")),
                h.get("cancelReason"), h.get("cancelledBy")) : null;
        String cpts = h.getOrDefault("cpts", "");
        return new Appointment(h.get("id"), h.get("slot"), h.get("request"), h.get("effector"),
                Integer.parseInt(h.get("location")), Long.parseLong(h.get("start")), Long.parseLong(h.get("end")),
                Integer.parseInt(h.get("offset")), Mode.valueOf(h.get("mode")), h.get("week"), h.get("status"),
                Long.parseLong(h.get("createdAt")), h.get("bookedBy"), h.get("org"), Origin.valueOf(h.get("origin")),
                "1".equals(h.get("sas")), cpts.isEmpty() ? Set.of() : Set.of(cpts.split(",")),
                h.getOrDefault("reference", referenceOf(h.get("id"))), feedback, cancellation,
                new FollowUp(longOrNull(h.get("remindedAt")), Integer.parseInt(h.getOrDefault("reminderCount", "0")),
                        longOrNull(h.get("closedAt")), h.get("closedBy")),
                "1".equals(h.get("supernumerary")));
    }

    private static Long longOrNull(String s) { return s == null || s.isEmpty() ? null : Long.valueOf(s); }

    private static String emptyToNull(String s) { return s == null || s.isEmpty() ? null : s; }
}
