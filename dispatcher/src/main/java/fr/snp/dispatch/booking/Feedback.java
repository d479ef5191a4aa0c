package fr.snp.dispatch.booking;

import java.util.Arrays;

/**
 * The effector's answer after an appointment; the first one stands, but its author may take it back for a few
 * minutes ({@link FeedbackFollowUp#undo}). {@code from}: the appointment's status before the answer (booked, closed,
 * or cancelled when the slot was given back first; null for answers stored before it was kept).
 */
public record Feedback(Answer answer, long atMs, String comment, String by, String from) {

    /** The answer changed the status itself (and counted it): what undo_feedback.lua can take back. */
    public boolean undoable() { return "booked".equals(from) || "closed".equals(from); }

    /** The answers, as the API names them and as Redis and the statistics store them. */
    public enum Answer {
        SEEN("seen", "seen", "fulfilled"),
        NO_SHOW("no-show", "noshow", "noshow"),
        CANCELLED_BY_PATIENT("cancelled-by-patient", "cancelled", "cancelled"),
        REORIENTED("reoriented", "reoriented", "fulfilled");

        /** In the API and on the feedback page. */
        public final String wire;
        /** In Redis (feedback.lua) and the feedback metric. */
        public final String stored;
        /** The appointment status it leads to. */
        public final String status;

        Answer(String wire, String stored, String status) {
            this.wire = wire;
            this.stored = stored;
            this.status = status;
        }

        public static Answer ofWire(String wire) {
            return Arrays.stream(values()).filter(a -> a.wire.equals(wire)).findFirst().orElse(null);
        }

        public static Answer ofStored(String stored) {
            return Arrays.stream(values()).filter(a -> a.stored.equals(stored)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("unknown stored answer " + stored));
        }
    }
}
