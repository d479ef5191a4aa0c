package fr.snp.dispatch.sas;

import java.util.concurrent.CompletionStage;

/**
 * Who booked, as the national SAS platform knows them: the {@code appointmentOperator} of a pushed appointment
 * (FrAppointmentSAS) names the regulator by their national id (IDNPS, "8" + RPPS) or, for one without, by the SAS's
 * technical UUID (INTRN) — the ids the platform sent when it created their account (INT_R02).
 * <p>
 * Looked up when the push is sent, by the principal id the appointment keeps ({@code bookedBy}): an account known by
 * its UUID first and by its national id later is pushed with what is known then. {@link StoredRegulatorIdentity}
 * reads the roster and the tokens; the INT_R02 part will put the platform's Practitioner accounts behind it.
 */
public interface RegulatorIdentity {

    /** The kinds of identifier the SAS ValueSet sas-valueset-typeidentifiant allows for the operator. */
    enum Kind {
        /** National id of a health professional: "8" + RPPS (or "0" + ADELI), system urn:oid:1.2.250.1.71.4.2.1. */
        IDNPS("urn:oid:1.2.250.1.71.4.2.1"),
        /** The SAS's technical UUID of a regulator without national id, system urn:oid:1.2.250.1.213.3.6. */
        INTRN("urn:oid:1.2.250.1.213.3.6");

        public final String system;

        Kind(String system) { this.system = system; }
    }

    /** One identifier of the operator. */
    record Operator(Kind kind, String value) {}

    /** The operator of a principal id, or null when neither a national id nor a SAS UUID is known for it. */
    CompletionStage<Operator> of(String principalId);
}
