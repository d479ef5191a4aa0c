package fr.snp.dispatch.api;

import fr.snp.dispatch.booking.Appointment;
import fr.snp.dispatch.domain.Audience;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.PracticeLocation;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.domain.Specialties;
import fr.snp.dispatch.domain.Times;
import fr.snp.dispatch.matching.Candidate;
import fr.snp.dispatch.requests.CareRequest;
import fr.snp.dispatch.requests.Requests;
import io.vertx.core.json.JsonObject;

import java.time.ZoneOffset;

/** JSON renderings of the domain, for the API. */
public final class Views {
    private Views() {}

    static JsonObject slot(SlotState s, long nowMs) {
        JsonObject j = new JsonObject().put("id", s.id()).put("effectorId", s.effectorId())
                .put("locationId", s.location()).put("start", Times.of(s.startTime())).put("end", Times.of(s.endTime()))
                .put("mode", s.mode().name()).put("audiences", Audience.names(s.audiencesAt(nowMs)))
                .put("status", s.apiStatus(nowMs));
        if (s.releaseAtMs() > 0 && nowMs < s.releaseAtMs()) {
            j.put("releaseAt", time(s.releaseAtMs(), s.offsetSeconds())).put("releaseTo", Audience.names(s.releaseTo()));
        }
        if (s.released()) j.put("released", true);
        if (s.heldAt(nowMs)) j.put("holdExpiresAt", time(s.holdUntilMs(), s.offsetSeconds()));
        if (s.appointmentId() != null) j.put("appointmentId", s.appointmentId());
        return j;
    }

    static JsonObject effectorSummary(Effector e) {
        return new JsonObject().put("id", e.id()).put("name", e.displayName()).put("rpps", e.rpps())
                .put("specialty", e.specialty()).put("specialtyLabel", Specialties.label(e.specialty()))
                .put("phone", e.phone());
    }

    static JsonObject place(PracticeLocation p) {
        return p == null ? null : fr.snp.dispatch.directory.EffectorJson.of(p);
    }

    static JsonObject candidate(Candidate c, long nowMs) {
        SlotState s = c.slot();
        return new JsonObject().put("slotId", s.id()).put("start", Times.of(s.startTime()))
                .put("end", Times.of(s.endTime())).put("mode", s.mode().name())
                .put("audiences", Audience.names(s.audiencesAt(nowMs)))
                .put("effector", effectorSummary(c.effector())).put("place", place(c.place()))
                .put("distanceKm", round(c.distanceKm(), 1)).put("score", round(c.score(), 4))
                .put("scoreParts", new JsonObject().put("distance", round(c.distanceScore(), 4))
                        .put("time", round(c.timeScore(), 4)).put("fairness", round(c.fairnessScore(), 4))
                        .put("effectorWeekBookings", c.weekLoad()));
    }

    /** An appointment; the effector may be null if this instance does not know it. */
    public static JsonObject appointment(Appointment a, Effector e) {
        int offset = a.offsetSeconds();
        JsonObject j = new JsonObject().put("id", a.id()).put("reference", a.reference()).put("status", a.status())
                .put("slot", new JsonObject().put("id", a.slotId()).put("start", time(a.startSec() * 1000, offset))
                        .put("end", time(a.endSec() * 1000, offset)).put("mode", a.mode().name()))
                .put("request", new JsonObject().put("id", a.requestId()).put("origin", a.origin().name()))
                .put("createdAt", time(a.createdAtMs(), offset));
        if (a.supernumerary()) j.put("supernumerary", true);
        if (e != null) {
            j.put("effector", effectorSummary(e)).put("place", place(e.location(a.location())));
        } else {
            j.put("effector", new JsonObject().put("id", a.effectorId()));
        }
        if (a.feedback() != null) {
            j.put("feedback", new JsonObject().put("answer", a.feedback().answer().wire)
                    .put("at", time(a.feedback().atMs(), offset)).put("comment", a.feedback().comment()));
        }
        if (a.cancellation() != null) {
            j.put("cancelledAt", time(a.cancellation().atMs(), offset)).put("cancelReason", a.cancellation().reason());
        }
        Appointment.FollowUp f = a.followUp();
        if (f.remindedAtMs() != null) {
            j.put("reminder", new JsonObject().put("at", time(f.remindedAtMs(), offset)).put("count", f.reminders()));
        }
        if (f.closedAtMs() != null) j.put("closedAt", time(f.closedAtMs(), offset));
        return j;
    }

    /** A care request as its requester sees it (the patient's position: for the console's map). */
    static JsonObject request(CareRequest r, java.time.ZoneId zone) {
        JsonObject patient = Requests.patientJson(r.patient());
        JsonObject need = Requests.needJson(r.need());
        need.remove("limit");
        need.put("from", Times.of(r.need().from())).put("to", Times.of(r.need().to())); // stored as Java writes them
        JsonObject j = new JsonObject().put("id", r.id()).put("territory", r.territory()).put("origin", r.origin().name())
                .put("status", r.status()).put("createdAt", local(r.createdAtMs(), zone))
                .put("patient", patient).put("need", need);
        if (r.appointmentId() != null) j.put("appointmentId", r.appointmentId());
        if (r.waitingSinceMs() != null && r.status().equals("open")) j.put("waitingSince", local(r.waitingSinceMs(), zone));
        if (r.outcome() != null) {
            j.put("outcome", new JsonObject().put("type", r.outcome().type().name()).mergeIn(new JsonObject(r.outcome().details()))
                    .put("at", local(r.outcome().atMs(), zone)));
        }
        return j;
    }

    /** A time in the territory's zone, like every other time the API shows. */
    static String local(long epochMs, java.time.ZoneId zone) {
        return Times.of(epochMs, zone);
    }

    /** A time at a slot's or an appointment's offset. */
    static String time(long epochMs, int offsetSeconds) {
        return Times.of(epochMs, ZoneOffset.ofTotalSeconds(offsetSeconds));
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
