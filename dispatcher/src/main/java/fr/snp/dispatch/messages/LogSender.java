package fr.snp.dispatch.messages;

import java.util.logging.Logger;

/**
 * The demo's channel: the message is written to the server log instead of being sent. The recipient is masked
 * (only the last characters show); the text names no patient, but its cancel link acts on the appointment, so
 * this channel is for demo and trials only.
 */
public final class LogSender implements PatientSender {
    private static final Logger LOG = Logger.getLogger("fr.snp.dispatch.messages");

    @Override
    public void send(PatientMessage m, String deliveryId) {
        LOG.info("patient " + m.kind().wire() + " by " + m.channel().wire() + " to " + mask(m.to()) + " [log channel, "
                + deliveryId + "]: " + redacted(m.text()).replace('\n', ' '));
    }

    /** The patient's link without its signature: a log never carries a link that works. */
    static String redacted(String text) { return fr.snp.dispatch.domain.Links.redact(text); }

    static String mask(String to) {
        if (to == null) return "?";
        int at = to.indexOf('@');
        if (at > 0) return to.charAt(0) + "…" + to.substring(at);
        return "…" + to.substring(Math.max(0, to.length() - 2));
    }

    @Override
    public String provider() { return "log"; }
}
