package fr.snp.dispatch.messages;

import fr.snp.dispatch.booking.Appointment;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.PatientContact;
import fr.snp.dispatch.domain.PatientContact.Channel;
import fr.snp.dispatch.messages.PatientMessage.Kind;
import fr.snp.dispatch.messages.PatientMessages.Delivery;
import fr.snp.dispatch.messages.PatientMessages.Status;

import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Delivers one patient message from the outbox (entry type "patient": kind, channel, appointment): writes the
 * French text for the appointment as it is now, sends it by the channel's sender, and records the delivery.
 * Answers whether the outbox entry is done (sent, or given up) or must be tried again. A confirmation or reminder
 * of an appointment cancelled meanwhile is skipped; nothing is sent about an appointment that has begun, nor after
 * {@code maxAttempts}.
 */
public final class PatientMessenger {
    private static final Logger LOG = Logger.getLogger("fr.snp.dispatch.messages");

    /** How the messenger reads an appointment and its effector (the booking store, as the server). */
    public interface Appointments {
        Appointment read(String territory, String appointmentId) throws Exception;

        Effector effector(String territory, String effectorId) throws Exception;
    }

    private final PatientMessages store;
    private final Appointments appointments;
    private final PatientTexts texts;
    /** The patient's signed link to their appointment, valid until the given time (epoch s). */
    private final BiFunction<String, Long, String> cancelLink;
    private final Map<Channel, PatientSender> senders;
    private final int maxAttempts;
    private final LongSupplier clock;

    public PatientMessenger(PatientMessages store, Appointments appointments, PatientTexts texts, BiFunction<String, Long, String> cancelLink,
                            Map<Channel, PatientSender> senders, int maxAttempts, LongSupplier clock) {
        this.store = store;
        this.appointments = appointments;
        this.texts = texts;
        this.cancelLink = cancelLink;
        this.senders = Map.copyOf(senders);
        this.maxAttempts = maxAttempts;
        this.clock = clock;
    }

    /** The channels this server can send by. */
    public java.util.Set<Channel> channels() { return senders.keySet(); }

    /** true: the entry is done (acknowledge it); false: try again after the back-off. */
    public boolean deliver(String territory, String entryId, Map<String, String> entry) throws Exception {
        Kind kind = Kind.ofWire(entry.get("kind"));
        Channel channel = Channel.ofWire(entry.get("channel"));
        String appointmentId = entry.get("appt");
        Delivery d = get(store.delivery(territory, appointmentId, entryId, channel, kind));
        if (d.status() == Status.SENT || d.status() == Status.FAILED || d.status() == Status.SKIPPED) return true;
        Appointment a = appointments.read(territory, appointmentId);
        long now = clock.getAsLong();
        if (a == null) return finish(territory, appointmentId, d.then(Status.FAILED, null, d.attempts(), null, "appointment gone"));
        if (kind != Kind.CANCELLATION && !a.booked()) {
            return finish(territory, appointmentId, d.then(Status.SKIPPED, null, d.attempts(), null, "appointment cancelled"));
        }
        long tooLateSec = kind == Kind.CANCELLATION ? a.endSec() : a.startSec();
        if (now / 1000 >= tooLateSec) {
            return finish(territory, appointmentId, d.then(Status.FAILED, null, d.attempts(), null, "too late: the appointment began"));
        }
        PatientContact contact = get(store.contact(territory, appointmentId));
        String to = channel == Channel.SMS ? contact.sms() : contact.email();
        PatientSender sender = senders.get(channel);
        if (to == null || sender == null) {
            return finish(territory, appointmentId, d.then(Status.FAILED, null, d.attempts(), null,
                    to == null ? "no contact for this channel" : "no provider for this channel"));
        }
        Effector e = appointments.effector(territory, a.effectorId());
        String link = kind == Kind.CANCELLATION ? null : cancelLink.apply(a.id(), a.startSec());
        boolean byPatient = a.cancellation() != null && "patient-link".equals(a.cancellation().by());
        PatientMessage message = texts.write(kind, channel, to, a, e, link, byPatient, now);
        int attempts = d.attempts() + 1;
        try {
            sender.send(message, territory + ":" + entryId);
        } catch (Exception failed) {
            boolean giveUp = attempts >= maxAttempts;
            // the cause names no recipient: senders put only status codes and connection errors in it
            String why = failed.getClass().getSimpleName() + (failed.getMessage() == null ? "" : ": " + failed.getMessage());
            LOG.warning("patient " + kind.wire() + " " + territory + ":" + entryId + " by " + channel.wire() + " not sent ("
                    + attempts + "/" + maxAttempts + "): " + why);
            return finish(territory, appointmentId, d.then(giveUp ? Status.FAILED : Status.RETRYING, null, attempts,
                    sender.provider(), giveUp ? "given up after " + attempts + " attempts" : "will retry")) && giveUp;
        }
        return finish(territory, appointmentId, d.then(Status.SENT, now, attempts, sender.provider(), null));
    }

    private boolean finish(String territory, String appointmentId, Delivery d) throws Exception {
        get(store.save(territory, appointmentId, d));
        return true;
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception { return stage.toCompletableFuture().get(5, TimeUnit.SECONDS); }
}
