package fr.snp.dispatch.coordination;

import fr.snp.dispatch.requests.Patient;

/**
 * A "médecin traitant" request: a priority patient (ALD, over 70, CSS) without a regular doctor, filed by a
 * pharmacist or the CPTS platform, for a CPTS to follow up ({@code cpts}; empty: any coordinator of the
 * territory). It expires like a care request, later (the follow-up takes weeks).
 */
public record DoctorRequest(String id, String territory, String status, long createdAtMs, String createdByName,
                            String org, String cpts, Patient patient, String comment, String note, Long updatedAtMs) {

    public enum Status { OPEN, CONTACTED, ASSIGNED, CLOSED }
}
