package fr.snp.dispatch.fhir;

import fr.snp.dispatch.domain.Audience;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.PracticeLocation;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.geo.Commune;
import fr.snp.dispatch.geo.CommuneDirectory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Our effectors, their slots and their CPTS as the resources of the SAS IG (ans.fhir.fr.sas 1.2.0, INT_R04), hand
 * built as JSON (no FHIR library in the server: the tests check every shape with the IG's own validator). Ids:
 * Slot = our slot id, Practitioner = the effector id, Schedule and PractitionerRole = effector id + "-L" + the
 * practice location's index (one per place where the doctor consults), HealthcareService and Organization = the
 * CPTS id.
 */
final class FhirResources {
    static final String SLOT_PROFILE = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-cpts-slot-aggregator";
    static final String SCHEDULE_PROFILE = "http://sas.fr/fhir/StructureDefinition/FrScheduleAgregateur";
    static final String PRACTITIONER_PROFILE = "http://sas.fr/fhir/StructureDefinition/FrPractitionerAgregateur";
    static final String ROLE_PROFILE = "http://sas.fr/fhir/StructureDefinition/FrPractitionerRoleExerciceAgregateur";
    static final String LOCATION_PROFILE = "http://sas.fr/fhir/StructureDefinition/FrLocationAgregateur";
    static final String SERVICE_PROFILE = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-cpts-healthcareservice-aggregator";
    static final String ORGANIZATION_PROFILE = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-cpts-organization-aggregator";
    static final String BUNDLE_PROFILE = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/sas-cpts-bundle-aggregator";

    static final String TRE_R314 = "https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau";
    static final String TRE_R66 = "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement";
    static final String TRE_R38 = "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale";
    static final String ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    static final String V2_0276 = "http://terminology.hl7.org/CodeSystem/v2-0276";
    static final String SERVICE_TYPE_R5 = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType";
    static final String RPPS_OID = "urn:oid:1.2.250.1.71.4.2.1";
    static final String STRUCTURE_OID = "urn:oid:1.2.250.1.71.4.2.2";
    static final String FR_V2_0203 = "http://interopsante.org/fhir/CodeSystem/fr-v2-0203";
    static final String FR_CORE_V2_0203 = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203";
    static final String LOCATION_ID_TYPE = "http://interopsante.org/fhir/CodeSystem/fr-location-identifier-type";

    /** "2026-11-30T14:20:00.000+01:00": the kit wants the milliseconds and the offset written out. */
    private static final DateTimeFormatter INSTANT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx");

    private final CptsCatalog cpts;
    private final CommuneDirectory communes;
    private final String publicBaseUrl;

    FhirResources(CptsCatalog cpts, CommuneDirectory communes, String publicBaseUrl) {
        this.cpts = cpts;
        this.communes = communes;
        this.publicBaseUrl = publicBaseUrl;
    }

    CptsCatalog cpts() { return cpts; }

    static String scheduleId(String effectorId, int location) { return effectorId + "-L" + location; }

    static String instant(long epochSecond, int offsetSeconds) {
        return INSTANT.format(Instant.ofEpochSecond(epochSecond).atOffset(ZoneOffset.ofTotalSeconds(offsetSeconds)));
    }

    /** {@link #instant} without a formatter, as ASCII bytes (a search writes two per slot). */
    static void instant(long epochSecond, int offsetSeconds, BundleWriter.Bytes out) {
        java.time.LocalDateTime t = java.time.LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.ofTotalSeconds(offsetSeconds));
        out.digits(t.getYear(), 4).ascii('-').digits(t.getMonthValue(), 2).ascii('-').digits(t.getDayOfMonth(), 2).ascii('T')
                .digits(t.getHour(), 2).ascii(':').digits(t.getMinute(), 2).ascii(':').digits(t.getSecond(), 2).ascii('.')
                .digits(0, 3);
        int off = Math.abs(offsetSeconds);
        out.ascii(offsetSeconds < 0 ? '-' : '+').digits(off / 3600, 2).ascii(':').digits(off / 60 % 60, 2);
    }

    private static JsonObject meta(String profile) {
        return new JsonObject().put("profile", new JsonArray().add(profile));
    }

    private static JsonObject coding(String system, String code) {
        return new JsonObject().put("system", system).put("code", code);
    }

    static JsonObject concept(String system, String code) {
        return new JsonObject().put("coding", new JsonArray().add(coding(system, code)));
    }

    private static JsonObject ref(String reference) { return new JsonObject().put("reference", reference); }

    /**
     * A free slot: its SAS slot types (TRE_R314) are our audiences as they stand now (a reserved slot already
     * released shows its wider audience), its consultation type our mode, one CPTS reference per CPTS of the
     * effector we can name, and the booking link into our console (the SAS adds nothing: origin=sas is ours).
     */
    JsonObject slot(SlotState s, Effector e, long nowMs) {
        return slot(s.id(), instant(s.start(), s.offsetSeconds()), instant(s.end(), s.offsetSeconds()), s.audiencesAt(nowMs),
                s.mode(), s.location(), e);
    }

    /** A slot from its parts: what a search's template is made of too (see {@link BundleWriter}). */
    JsonObject slot(String id, String start, String end, int audiences, fr.snp.dispatch.domain.Mode mode, int location, Effector e) {
        JsonArray security = new JsonArray();
        for (String a : Audience.names(audiences)) security.add(coding(TRE_R314, a));
        JsonArray serviceType = new JsonArray().add(concept(ACT_CODE, mode.name()));
        for (String c : new java.util.TreeSet<>(e.cpts())) {
            if (cpts.get(c) == null) continue;
            serviceType.add(concept(TRE_R66, "604").put("extension", new JsonArray().add(new JsonObject()
                    .put("url", SERVICE_TYPE_R5).put("valueReference", ref("HealthcareService/" + c)))));
        }
        JsonObject m = meta(SLOT_PROFILE).put("security", security);
        return new JsonObject().put("resourceType", "Slot").put("id", id).put("meta", m)
                .put("serviceType", serviceType)
                .put("specialty", new JsonArray().add(concept(TRE_R38, e.specialty())))
                .put("appointmentType", concept(V2_0276, "ROUTINE"))
                .put("schedule", ref("Schedule/" + scheduleId(e.id(), location)))
                .put("status", "free")
                .put("start", start)
                .put("end", end)
                .put("comment", publicBaseUrl + "/console?slot=" + id + "&origin=sas");
    }

    JsonObject schedule(Effector e, int location) {
        String id = scheduleId(e.id(), location);
        return new JsonObject().put("resourceType", "Schedule").put("id", id).put("meta", meta(SCHEDULE_PROFILE))
                .put("active", true)
                .put("actor", new JsonArray().add(ref("Practitioner/" + e.id())).add(ref("PractitionerRole/" + id)));
    }

    static String prefixedRpps(Effector e) { return "8" + e.rpps(); }

    JsonObject practitioner(Effector e) {
        return new JsonObject().put("resourceType", "Practitioner").put("id", e.id()).put("meta", meta(PRACTITIONER_PROFILE))
                .put("identifier", new JsonArray().add(new JsonObject().put("type", concept(FR_V2_0203, "IDNPS"))
                        .put("system", RPPS_OID).put("value", prefixedRpps(e))))
                .put("name", new JsonArray().add(new JsonObject().put("family", e.lastName())
                        .put("given", new JsonArray().add(e.firstName()))));
    }

    /**
     * The doctor at one practice location, the place contained (address, city, postal code, position), the structure
     * (organization) by its IDNST when the place has a FINESS or SIRET, and the doctor's phone (telecom) in +33 form.
     */
    JsonObject practitionerRole(Effector e, int location) {
        PracticeLocation p = e.location(location);
        String id = scheduleId(e.id(), location);
        Commune c = communes.byInsee(p.communeInsee());
        String city = c != null ? c.name() : p.communeName();
        // a place without a street address (a CSNP known by its name) is written by its name: line is required
        String line = p.address() != null && !p.address().isBlank() ? p.address()
                : p.name() != null && !p.name().isBlank() ? p.name() : city;
        JsonObject address = new JsonObject().put("line", new JsonArray().add(line)).put("city", city)
                .put("postalCode", c != null && c.postalCode() != null ? c.postalCode() : p.communeInsee());
        JsonObject place = new JsonObject().put("resourceType", "Location").put("id", "loc").put("meta", meta(LOCATION_PROFILE))
                .put("identifier", new JsonArray().add(new JsonObject().put("type", concept(LOCATION_ID_TYPE, "INTRN"))
                        .put("system", publicBaseUrl + "/fhir/location").put("value", id)))
                .put("name", p.name() == null || p.name().isBlank() ? line : p.name())
                .put("address", address)
                .put("position", new JsonObject().put("longitude", p.lng()).put("latitude", p.lat()));
        JsonObject role = new JsonObject().put("resourceType", "PractitionerRole").put("id", id).put("meta", meta(ROLE_PROFILE))
                .put("contained", new JsonArray().add(place))
                .put("active", true)
                .put("practitioner", ref("Practitioner/" + e.id()));
        // the structure where the doctor practises, by its national id (IDNST: 1 + FINESS, else 3 + SIRET) when known
        String idnst = p.idnst();
        if (idnst != null) {
            role.put("organization", new JsonObject().put("type", "Organization")
                    .put("identifier", new JsonObject().put("type", concept(FR_V2_0203, "IDNST"))
                            .put("system", STRUCTURE_OID).put("value", idnst))
                    .put("display", place.getString("name")));
        }
        role.put("location", new JsonArray().add(ref("#loc")));
        String phone = internationalPhone(e.phone());
        if (phone != null) {
            role.put("telecom", new JsonArray().add(new JsonObject().put("system", "phone").put("value", phone).put("use", "work")));
        }
        return role;
    }

    private static final java.util.regex.Pattern FRENCH_PHONE = java.util.regex.Pattern.compile("0([1-9]\\d{8})");

    /**
     * The effector's phone (stored as 0XXXXXXXXX, see the API's Phones) as the SAS wants it: "+33" + 9 digits; null
     * when there is none or it is not a French 10-digit number.
     */
    static String internationalPhone(String phone) {
        if (phone == null) return null;
        java.util.regex.Matcher m = FRENCH_PHONE.matcher(phone.replaceAll("[\\s.\\-]", ""));
        return m.matches() ? "+33" + m.group(1) : null;
    }

    JsonObject healthcareService(CptsCatalog.Entry c) {
        return new JsonObject().put("resourceType", "HealthcareService").put("id", c.id()).put("meta", meta(SERVICE_PROFILE))
                .put("active", true)
                .put("providedBy", ref("Organization/" + c.id()))
                .put("name", c.name());
    }

    /** The CPTS as its Organization: IDNST (1 + FINESS), name and, when the catalogue has it, its phone. */
    JsonObject organization(CptsCatalog.Entry c) {
        JsonObject o = new JsonObject().put("resourceType", "Organization").put("id", c.id()).put("meta", meta(ORGANIZATION_PROFILE))
                .put("identifier", new JsonArray().add(new JsonObject().put("type", concept(FR_CORE_V2_0203, "IDNST"))
                        .put("system", STRUCTURE_OID).put("value", "1" + c.finess())))
                .put("active", true)
                .put("name", c.name());
        if (c.phone() != null) o.put("telecom", new JsonArray().add(new JsonObject().put("system", "phone").put("value", c.phone())));
        return o;
    }

    /**
     * An OperationOutcome of one error: {@code code} from the FHIR issue-type value set, {@code field} the search
     * parameter (or element) at fault, also in the diagnostics.
     */
    static JsonObject outcome(String code, String field, String message) {
        JsonObject issue = new JsonObject().put("severity", "error").put("code", code)
                .put("diagnostics", field == null ? message : field + ": " + message);
        if (field != null) issue.put("expression", new JsonArray().add(field));
        return new JsonObject().put("resourceType", "OperationOutcome").put("issue", new JsonArray().add(issue));
    }
}
