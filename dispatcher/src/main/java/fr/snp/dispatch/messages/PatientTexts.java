package fr.snp.dispatch.messages;

import fr.snp.dispatch.booking.Appointment;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.PatientContact.Channel;
import fr.snp.dispatch.domain.PracticeLocation;
import fr.snp.dispatch.messages.PatientMessage.Kind;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The French words a patient reads. Each consultation mode says what the patient must do: come to the practice
 * with the carte Vitale, wait at home for the doctor, or keep the phone on for the teleconsultation. No patient
 * name, no reason for the call: an SMS can be read by anyone holding the phone.
 */
public final class PatientTexts {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEEE d MMMM", Locale.FRANCE);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("H'h'mm", Locale.FRANCE);
    private static final String STILL_NEED = "Si vous avez toujours besoin d'un médecin, appelez le 116 117 "
            + "(le 15 en cas d'urgence vitale).";

    private final ZoneId zone;

    public PatientTexts(ZoneId zone) { this.zone = zone; }

    /**
     * The message of {@code kind} for an appointment. {@code cancelLink}: the patient's signed link to cancel
     * (confirmation and reminder only); {@code byPatient}: the cancellation came from the patient themselves.
     */
    public PatientMessage write(Kind kind, Channel channel, String to, Appointment a, Effector e, String cancelLink,
                                boolean byPatient, long nowMs) {
        PracticeLocation place = e == null ? null : e.location(a.location());
        String doctor = e == null ? "le médecin" : "le " + e.displayName();
        String when = when(a.startSec(), nowMs);
        String at = TIME.format(local(a.startSec()));
        StringBuilder t = new StringBuilder();
        String subject;
        switch (kind) {
            case CONFIRMATION, REMINDER -> {
                boolean reminder = kind == Kind.REMINDER;
                switch (a.mode()) {
                    case HH -> {
                        subject = (reminder ? "Rappel : visite à domicile " : "Visite à domicile confirmée ") + when;
                        t.append(reminder ? "Rappel : " : "Visite à domicile confirmée : ").append(doctor)
                                .append(" viendra chez vous ").append(when).append(" vers ").append(at)
                                .append(". Gardez votre téléphone allumé : le médecin peut vous appeler avant de venir.");
                    }
                    case VR -> {
                        subject = (reminder ? "Rappel : téléconsultation " : "Téléconsultation confirmée ") + when;
                        t.append(reminder ? "Rappel : téléconsultation " : "Téléconsultation confirmée ").append(when)
                                .append(" à ").append(at).append(" avec ").append(doctor)
                                .append(". Le médecin vous appellera à l'heure prévue, ou vous enverra un lien de vidéo. ")
                                .append("Gardez votre téléphone allumé et votre carte Vitale à portée de main.");
                    }
                    default -> {
                        subject = (reminder ? "Rappel : rendez-vous médical " : "Rendez-vous médical confirmé ") + when;
                        t.append(reminder ? "Rappel : rendez-vous " : "Rendez-vous confirmé ").append(when).append(" à ")
                                .append(at).append(" avec ").append(doctor);
                        if (place != null) {
                            t.append(", ").append(place.name()).append(", ")
                                    .append(place.address() != null ? place.address() : place.communeName());
                            if (place.accessible()) t.append(" (accessible en fauteuil roulant)");
                        }
                        t.append(". Présentez-vous quelques minutes en avance avec votre carte Vitale.");
                    }
                }
                if (e != null && e.phone() != null && a.mode() != fr.snp.dispatch.domain.Mode.VR) {
                    t.append(" Tél. du cabinet : ").append(readable(e.phone())).append('.');
                }
                t.append(" Réf. ").append(a.reference()).append('.');
                if (cancelLink != null) t.append(" Si vous ne pouvez pas venir, annulez : ").append(cancelLink);
            }
            default -> {
                String what = switch (a.mode()) {
                    case HH -> "La visite à domicile";
                    case VR -> "La téléconsultation";
                    default -> "Le rendez-vous";
                };
                subject = what + " " + when + " est annulé" + (a.mode() == fr.snp.dispatch.domain.Mode.HH ? "e" : "");
                t.append(what).append(' ').append(when).append(" à ").append(at).append(" avec ").append(doctor)
                        .append(a.mode() == fr.snp.dispatch.domain.Mode.HH ? " est annulée" : " est annulé")
                        .append(byPatient ? ", comme vous l'avez demandé. " : ". ")
                        .append("Réf. ").append(a.reference()).append(". ").append(STILL_NEED);
            }
        }
        String text = t.toString();
        if (channel == Channel.EMAIL) {
            text = "Bonjour,\n\n" + text + "\n\nCe message est envoyé à votre demande par le service d'accès aux soins. "
                    + "Merci de ne pas y répondre.\n";
        }
        return new PatientMessage(kind, channel, to, subject, text);
    }

    /** "aujourd'hui", "demain" or "le lundi 30 novembre", in the patient's (the territory's) time zone. */
    String when(long startSec, long nowMs) {
        LocalDate day = local(startSec).toLocalDate();
        LocalDate today = Instant.ofEpochMilli(nowMs).atZone(zone).toLocalDate();
        if (day.equals(today)) return "aujourd'hui";
        if (day.equals(today.plusDays(1))) return "demain " + DAY.format(day);
        return "le " + DAY.format(day);
    }

    /** 0254000001 -> 02 54 00 00 01: read and dialled easily. */
    static String readable(String phone) {
        String digits = phone.replaceAll("\\D", "");
        if (digits.length() != 10) return phone;
        return String.join(" ", digits.substring(0, 2), digits.substring(2, 4), digits.substring(4, 6), digits.substring(6, 8),
                digits.substring(8));
    }

    private ZonedDateTime local(long epochSec) { return Instant.ofEpochSecond(epochSec).atZone(zone); }
}
