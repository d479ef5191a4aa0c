package fr.snp.dispatch.fhir;

import fr.snp.dispatch.sas.RegulatorAccounts;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The checks of an INT_R02 body ({@code FrPractitionerRegul}, ans.fhir.fr.sas 1.2.0) before anything is stored: every
 * refusal is a 400 OperationOutcome naming the element, and its message never repeats a value of the body (names,
 * e-mail and ids are personal data: nothing of the body is logged or echoed in an error).
 */
final class RegulatorBody {
    /** The SAS platform: meta.source pattern, and the system of its technical UUID (IdentifiantInterne, INTRN). */
    static final String SAS_OID = "urn:oid:1.2.250.1.213.3.6";
    /** National ids of health professionals (IdentifiantNatPS, IDNPS): "8" + RPPS, or the ADELI forms. */
    static final String NATIONAL_OID = "urn:oid:1.2.250.1.71.4.2.1";
    static final String PROFILE = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/FrPractitionerRegul";

    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** "810002673899", or the IG's own "3456780581/11242343" (ADELI with its structure): digits, letters, '/'. */
    private static final Pattern NATIONAL = Pattern.compile("[0-9A-Za-z/]{2,40}");

    private RegulatorBody() {}

    /** {system, value} of a conditional PUT's {@code identifier=system|value}; 400 when absent or not one of ours. */
    static String[] queryIdentifier(String rawQuery) {
        String found = null;
        for (String[] p : SlotQuery.parameters(rawQuery)) {
            if (!p[0].equals("identifier")) continue;
            if (found != null) throw FhirError.invalid("identifier", "one identifier only");
            found = p[1];
        }
        if (found == null) throw FhirError.required("identifier", "a conditional update needs identifier=system|value");
        int bar = found.indexOf('|');
        if (bar <= 0 || bar == found.length() - 1) throw FhirError.invalid("identifier", "identifier must be system|value");
        String system = found.substring(0, bar);
        if (!system.equals(SAS_OID) && !system.equals(NATIONAL_OID)) {
            throw FhirError.invalid("identifier", "the identifier system must be " + NATIONAL_OID + " or " + SAS_OID);
        }
        return new String[]{system, found.substring(bar + 1)};
    }

    /** The account a body describes; {@code wanted} is the PUT's query identifier (it must be in the body), else null. */
    static RegulatorAccounts.Account parse(Buffer body, String[] wanted) {
        JsonObject r;
        try {
            r = body == null || body.length() == 0 ? null : new JsonObject(body);
        } catch (RuntimeException notAnObject) {
            r = null;
        }
        if (r == null) throw FhirError.invalid("Practitioner", "the body must be a FrPractitionerRegul resource in JSON");
        if (!"Practitioner".equals(r.getValue("resourceType"))) {
            throw FhirError.invalid("Practitioner.resourceType", "the resource must be a Practitioner");
        }
        Object meta = r.getValue("meta");
        Object source = meta instanceof JsonObject m ? m.getValue("source") : null;
        if (source == null) throw FhirError.required("Practitioner.meta.source", "meta.source " + SAS_OID + " is required");
        if (!SAS_OID.equals(source)) throw FhirError.invalid("Practitioner.meta.source", "meta.source must be " + SAS_OID);
        if (!(r.getValue("active") instanceof Boolean active)) {
            throw FhirError.required("Practitioner.active", "active (true or false) is required");
        }
        String[] name = name(r.getValue("name"));
        String email = email(r.getValue("telecom"));
        String uuid = null, national = null;
        if (!(r.getValue("identifier") instanceof JsonArray ids) || ids.isEmpty()) {
            throw FhirError.required("Practitioner.identifier", "an identifier (IdentifiantNatPS or IdentifiantInterne) is required");
        }
        for (Object o : ids) {
            if (!(o instanceof JsonObject id) || !(id.getValue("system") instanceof String system)
                    || !(id.getValue("value") instanceof String value)) {
                throw FhirError.invalid("Practitioner.identifier", "every identifier needs a system and a value");
            }
            switch (system) {
                case SAS_OID -> {
                    if (uuid != null) throw FhirError.invalid("Practitioner.identifier", "one IdentifiantInterne at most");
                    if (!UUID.matcher(value).matches()) {
                        throw FhirError.invalid("Practitioner.identifier", "the IdentifiantInterne must be a UUID");
                    }
                    uuid = value.toLowerCase(Locale.ROOT);
                }
                case NATIONAL_OID -> {
                    if (national != null) throw FhirError.invalid("Practitioner.identifier", "one IdentifiantNatPS at most");
                    if (!NATIONAL.matcher(value).matches()) {
                        throw FhirError.invalid("Practitioner.identifier", "the IdentifiantNatPS is not a national id");
                    }
                    national = value;
                }
                default -> throw FhirError.invalid("Practitioner.identifier",
                        "unknown identifier system (" + NATIONAL_OID + " or " + SAS_OID + ")");
            }
        }
        if (wanted != null) {
            String have = wanted[0].equals(SAS_OID) ? uuid : national;
            String want = wanted[0].equals(SAS_OID) ? wanted[1].toLowerCase(Locale.ROOT) : wanted[1];
            if (!want.equals(have)) {
                throw FhirError.invalid("identifier", "the body does not carry the identifier the query names");
            }
        }
        return new RegulatorAccounts.Account(uuid, national, name[0], name[1], email, active);
    }

    /** {family, given}: the profile wants one name with its family and one given name. */
    private static String[] name(Object value) {
        if (!(value instanceof JsonArray names) || names.isEmpty() || !(names.getValue(0) instanceof JsonObject n)) {
            throw FhirError.required("Practitioner.name", "name (family and given) is required");
        }
        if (!(n.getValue("family") instanceof String family) || family.isBlank() || family.length() > 200) {
            throw FhirError.required("Practitioner.name.family", "name.family is required");
        }
        if (!(n.getValue("given") instanceof JsonArray given) || given.isEmpty()
                || !(given.getValue(0) instanceof String first) || first.isBlank() || first.length() > 200) {
            throw FhirError.required("Practitioner.name.given", "name.given is required");
        }
        return new String[]{family.strip(), first.strip()};
    }

    /** The first e-mail of telecom, or null (no verification step, says the contract: it is kept as sent). */
    private static String email(Object value) {
        if (value == null) return null;
        if (!(value instanceof JsonArray telecom)) throw FhirError.invalid("Practitioner.telecom", "telecom must be a list");
        for (Object o : telecom) {
            if (o instanceof JsonObject t && "email".equals(t.getValue("system"))) {
                if (!(t.getValue("value") instanceof String v) || v.isBlank() || v.length() > 254 || !v.contains("@")) {
                    throw FhirError.invalid("Practitioner.telecom", "the e-mail is not an address");
                }
                return v.strip();
            }
        }
        return null;
    }

    /**
     * An account as the platform sent it, for a read of {@code Practitioner/{id}} (the Location of its creation):
     * a FrPractitionerRegul with the identifiers known now (both once the platform has sent both), typed as the
     * IG's examples type them.
     */
    static JsonObject resource(JsonObject account) {
        JsonArray ids = new JsonArray();
        if (account.getString("nationalId") != null) ids.add(identifier("IDNPS", NATIONAL_OID, account.getString("nationalId")));
        if (account.getString("uuid") != null) ids.add(identifier("INTRN", SAS_OID, account.getString("uuid")));
        JsonObject r = new JsonObject().put("resourceType", "Practitioner").put("id", account.getString("id"))
                .put("meta", new JsonObject().put("source", SAS_OID).put("profile", new JsonArray().add(PROFILE)))
                .put("identifier", ids).put("active", account.getBoolean("active", false))
                .put("name", new JsonArray().add(new JsonObject().put("family", account.getString("family"))
                        .put("given", new JsonArray().add(account.getString("given")))));
        if (account.getString("email") != null) {
            r.put("telecom", new JsonArray().add(new JsonObject().put("system", "email").put("value", account.getString("email"))));
        }
        return r;
    }

    private static JsonObject identifier(String type, String system, String value) {
        return new JsonObject().put("type", FhirResources.concept(FhirResources.FR_V2_0203, type))
                .put("system", system).put("value", value);
    }
}
