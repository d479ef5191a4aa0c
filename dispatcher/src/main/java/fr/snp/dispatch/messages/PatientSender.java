package fr.snp.dispatch.messages;

/** One way to reach a patient: an SMS provider, an SMTP server, or the server log (demo). Blocking; throws on failure. */
public interface PatientSender {
    /** Sends it, or throws: the outbox keeps the message and tries again later. {@code deliveryId} is stable across retries. */
    void send(PatientMessage message, String deliveryId) throws Exception;

    /** How the delivery record names it ("http", "smtp", "log"). */
    String provider();
}
