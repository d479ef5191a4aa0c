package fr.snp.dispatch.requests;

import fr.snp.dispatch.domain.Origin;
import io.vertx.core.json.JsonObject;

/**
 * A care request as stored: who asked, for which patient (the minimum: initials, year of birth, phone, commune or
 * position, flags) and what need. Patient data is never logged and expires with the request (requests.retentionDays).
 */
public record CareRequest(String id, String territory, Origin origin, String createdBy, long createdAtMs,
                          JsonObject patient, JsonObject need, String appointmentId, String outcome,
                          JsonObject outcomeDetails, long outcomeAtMs) {

    public String status() {
        if (appointmentId != null) return "booked";
        if (outcome != null) return "closed";
        return "open";
    }
}
