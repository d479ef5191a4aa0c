package fr.snp.dispatch.fhir;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CPTS the FHIR endpoint can name: an effector's CPTS id becomes a HealthcareService and an Organization
 * (INT_R04), and the SAS platform knows a CPTS by its FINESS number. A CPTS not listed here (no FINESS known) is
 * left out of the Slots' CPTS references rather than sent with a made-up structure id.
 */
public final class CptsCatalog {
    /**
     * One CPTS: its id (as effectors carry it), name, territory (département), 9-character FINESS and, when known, its
     * phone number (Organization.telecom, must-support in the IG's sas-cpts-organization-aggregator; the ANS test
     * kit's optional Organization group checks it).
     */
    public record Entry(String id, String name, String territory, String finess, String phone) {
        public Entry(String id, String name, String territory, String finess) { this(id, name, territory, finess, null); }
    }

    private final Map<String, Entry> byId = new LinkedHashMap<>();

    public CptsCatalog(Collection<Entry> entries) {
        for (Entry e : entries) {
            if (e.finess() == null || !e.finess().matches("(\\d{2}|2A|2B)\\d{7}")) {
                throw new IllegalArgumentException("CPTS " + e.id() + ": a FINESS number has 9 characters");
            }
            if (e.phone() != null && !e.phone().matches("\\+(33|262|590|594|596)\\d{9}")) {
                throw new IllegalArgumentException("CPTS " + e.id() + ": a phone number is +33 (or +262, +590, +594, +596) and 9 digits");
            }
            byId.put(e.id(), e);
        }
    }

    /**
     * The catalogue of the {@code fhir.cpts} setting: entries separated by ';', each {@code ID|name|département|FINESS}, optionally
     * followed by {@code |phone} ({@code +33} and 9 digits).
     * A wrong entry stops the start with a message naming it.
     */
    public static CptsCatalog parse(String setting) {
        java.util.List<Entry> entries = new java.util.ArrayList<>();
        if (setting == null || setting.isBlank()) return new CptsCatalog(entries);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String raw : setting.split(";")) {
            if (raw.isBlank()) continue;
            String[] parts = raw.strip().split("\\|", -1);
            if (parts.length < 4 || parts.length > 5 || java.util.Arrays.stream(parts).limit(4).anyMatch(String::isBlank)) {
                throw new IllegalArgumentException("fhir.cpts: \"" + raw.strip() + "\" is not ID|name|département|FINESS[|phone]");
            }
            String territory = parts[2].strip();
            if (!fr.snp.dispatch.domain.Ids.isTerritory(territory)) {
                throw new IllegalArgumentException("fhir.cpts: " + parts[0].strip() + ": \"" + territory + "\" is not a département code");
            }
            if (!seen.add(parts[0].strip())) throw new IllegalArgumentException("fhir.cpts: " + parts[0].strip() + " is listed twice");
            String phone = parts.length == 5 && !parts[4].isBlank() ? parts[4].strip() : null;
            entries.add(new Entry(parts[0].strip(), parts[1].strip(), territory, parts[3].strip(), phone));
        }
        try {
            return new CptsCatalog(entries);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fhir.cpts: " + e.getMessage(), e);
        }
    }

    public Entry get(String id) { return byId.get(id); }

    public Collection<Entry> all() { return byId.values(); }
}
