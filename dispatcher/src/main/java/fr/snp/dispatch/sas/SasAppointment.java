package fr.snp.dispatch.sas;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * An appointment as the national SAS platform receives it (INT_R03, profile FrAppointmentSAS of ans.fhir.fr.sas
 * 1.2.0): our identifier, start and end, when it was booked, the regulator who booked it (the operator extension),
 * the effector's national id as the participant who accepted it, the status, and the orientation category (a CPTS).
 * <b>No patient field</b>: the platform gets none, and what is pushed can be logged.
 */
public record SasAppointment(String identifierSystem, String appointmentId, String status, long startSec, long endSec,
                             int offsetSeconds, long createdAtMs, RegulatorIdentity.Operator operator, String effectorRpps,
                             String orientationCategory) {

    public static final String PROFILE = "http://sas.fr/fhir/StructureDefinition/FrAppointmentSAS";
    static final String OPERATOR_EXTENSION = "http://interopsante.org/fhir/StructureDefinition/FrAppointmentOperator";
    static final String CATEGORY_EXTENSION = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-categorie-orientation";
    static final String IDENTIFIER_TYPES = "http://interopsante.org/fhir/CodeSystem/fr-v2-0203";
    /** TRE_R66 as the IG's ValueSet names it (the narrative's other spelling is wrong, see SAS-CONTRACT §6). */
    static final String TRE_R66 = "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement";
    static final String SAS_CATEGORIES = "https://interop.esante.gouv.fr/ig/fhir/sas/CodeSystem/categorie-orientation-sas-codesystem";

    private static final java.time.format.DateTimeFormatter TIME =
            java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX");

    /** The statuses the platform uses; ours map onto them (a closure without feedback stays booked there). */
    public static String statusOf(String ours) {
        return switch (ours) {
            case "booked", "closed" -> "booked";
            case "fulfilled", "noshow", "cancelled" -> ours;
            default -> throw new IllegalArgumentException("no SAS status for " + ours);
        };
    }

    /** The conditional update's search: {@code system|value}. */
    public String identifierSearch() { return identifierSystem + "|" + appointmentId; }

    public JsonObject toFhir() {
        JsonArray extensions = new JsonArray().add(new JsonObject().put("url", OPERATOR_EXTENSION)
                .put("valueReference", new JsonObject().put("identifier", identifier(operator.kind().name(),
                        operator.kind().system, operator.value()))));
        if (orientationCategory != null && !orientationCategory.isBlank()) {
            // 001 PS, 002 PDM, 003 SOS are the SAS's own codes; 604 (CPTS), 603, 124 are TRE_R66's
            String system = orientationCategory.startsWith("00") ? SAS_CATEGORIES : TRE_R66;
            extensions.add(new JsonObject().put("url", CATEGORY_EXTENSION).put("valueCodeableConcept", new JsonObject()
                    .put("coding", new JsonArray().add(new JsonObject().put("system", system).put("code", orientationCategory)))));
        }
        return new JsonObject().put("resourceType", "Appointment")
                .put("meta", new JsonObject().put("profile", new JsonArray().add(PROFILE)))
                .put("extension", extensions)
                .put("identifier", new JsonArray().add(new JsonObject().put("system", identifierSystem).put("value", appointmentId)))
                .put("status", statusOf(status))
                .put("start", time(startSec * 1000)).put("end", time(endSec * 1000)).put("created", time(createdAtMs))
                .put("participant", new JsonArray().add(new JsonObject()
                        .put("actor", new JsonObject().put("identifier", identifier("IDNPS", RegulatorIdentity.Kind.IDNPS.system,
                                "8" + effectorRpps)))
                        .put("status", "accepted")));
    }

    private static JsonObject identifier(String type, String system, String value) {
        return new JsonObject().put("type", new JsonObject().put("coding", new JsonArray().add(new JsonObject()
                .put("system", IDENTIFIER_TYPES).put("code", type)))).put("system", system).put("value", value);
    }

    /** Local wall-clock time with its offset, as the IG's examples ("2022-09-04T14:00:00+01:00"). */
    private String time(long epochMs) {
        // with its seconds always (FHIR's dateTime needs them; OffsetDateTime.toString() drops ":00")
        return TIME.format(Instant.ofEpochMilli(epochMs).truncatedTo(ChronoUnit.SECONDS)
                .atOffset(ZoneOffset.ofTotalSeconds(offsetSeconds)));
    }
}
