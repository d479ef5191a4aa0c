package fr.snp.dispatch.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * How the patient agreed to be told about their appointment: a mobile number for SMS and/or an e-mail address,
 * given only with the patient's consent (the requester ticks it after asking). Kept beside the appointment until a
 * day after it ends, never in logs or metrics.
 */
public record PatientContact(String sms, String email) {
    public static final PatientContact NONE = new PatientContact(null, null);

    /** The channels this contact can be reached by, in the order messages are sent. */
    public List<Channel> channels() {
        List<Channel> out = new ArrayList<>(2);
        if (sms != null) out.add(Channel.SMS);
        if (email != null) out.add(Channel.EMAIL);
        return out;
    }

    public boolean isEmpty() { return sms == null && email == null; }

    public enum Channel {
        SMS, EMAIL;

        public String wire() { return name().toLowerCase(java.util.Locale.ROOT); }

        public static Channel ofWire(String s) { return valueOf(s.toUpperCase(java.util.Locale.ROOT)); }
    }
}
