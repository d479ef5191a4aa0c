package fr.snp.dispatch.messages;

import fr.snp.dispatch.domain.PatientContact.Channel;

/**
 * One message to a patient about their appointment, ready to send: by SMS (text only) or e-mail (subject and
 * text). It names the doctor, the place and the time, never the patient nor why they called.
 */
public record PatientMessage(Kind kind, Channel channel, String to, String subject, String text) {

    /** What the message says: the booking, a reminder before it, or that it was cancelled. */
    public enum Kind {
        CONFIRMATION, REMINDER, CANCELLATION;

        public String wire() { return name().toLowerCase(java.util.Locale.ROOT); }

        public static Kind ofWire(String s) { return valueOf(s.toUpperCase(java.util.Locale.ROOT)); }
    }
}
