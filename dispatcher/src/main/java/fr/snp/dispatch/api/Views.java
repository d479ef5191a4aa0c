package fr.snp.dispatch.api;

import fr.snp.dispatch.domain.Audience;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.PracticeLocation;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.domain.Specialties;
import fr.snp.dispatch.matching.Candidate;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

/** JSON renderings of the domain, for the API. */
public final class Views {
    private Views() {}

    static JsonObject slot(SlotState s, long nowMs) {
        JsonObject j = new JsonObject().put("id", s.id()).put("effectorId", s.effectorId())
                .put("locationId", s.location()).put("start", s.startTime().toString()).put("end", s.endTime().toString())
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
        return p == null ? null : p.toJson();
    }

    static JsonObject candidate(Candidate c, long nowMs) {
        SlotState s = c.slot();
        return new JsonObject().put("slotId", s.id()).put("start", s.startTime().toString())
                .put("end", s.endTime().toString()).put("mode", s.mode().name())
                .put("audiences", Audience.names(s.audiencesAt(nowMs)))
                .put("effector", effectorSummary(c.effector())).put("place", place(c.place()))
                .put("distanceKm", round(c.distanceKm(), 1)).put("score", round(c.score(), 4))
                .put("scoreParts", new JsonObject().put("distance", round(c.distanceScore(), 4))
                        .put("time", round(c.timeScore(), 4)).put("fairness", round(c.fairnessScore(), 4))
                        .put("effectorWeekBookings", c.weekLoad()));
    }

    /** An appointment from its Redis fields; the effector may be null if this instance does not know it. */
    public static JsonObject appointment(Map<String, String> a, Effector e) {
        int offset = Integer.parseInt(a.get("o"));
        JsonObject j = new JsonObject().put("id", a.get("id")).put("status", a.get("st"))
                .put("slot", new JsonObject().put("id", a.get("slot"))
                        .put("start", time(Long.parseLong(a.get("s")) * 1000, offset))
                        .put("end", time(Long.parseLong(a.get("n")) * 1000, offset)).put("mode", a.get("m")))
                .put("request", new JsonObject().put("id", a.get("req")).put("origin", a.get("origin")))
                .put("createdAt", time(Long.parseLong(a.get("ca")), offset));
        if (e != null) {
            j.put("effector", effectorSummary(e)).put("place", place(e.location(Integer.parseInt(a.get("l")))));
        } else {
            j.put("effector", new JsonObject().put("id", a.get("e")));
        }
        if (a.containsKey("fb")) {
            String answer = AppointmentHandlers.ANSWERS.entrySet().stream().filter(x -> x.getValue().equals(a.get("fb")))
                    .map(Map.Entry::getKey).findFirst().orElse(a.get("fb"));
            j.put("feedback", new JsonObject().put("answer", answer).put("at", time(Long.parseLong(a.get("fa")), offset))
                    .put("comment", a.get("fc") == null || a.get("fc").isEmpty() ? null : a.get("fc")));
        }
        if (a.containsKey("xa")) {
            j.put("cancelledAt", time(Long.parseLong(a.get("xa")), offset)).put("cancelReason", a.get("xr"));
        }
        return j;
    }

    static String time(long epochMs, int offsetSeconds) {
        return Instant.ofEpochMilli(epochMs).atOffset(ZoneOffset.ofTotalSeconds(offsetSeconds)).toString();
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
