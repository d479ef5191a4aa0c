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
    /** One CPTS: its id (as effectors carry it), name, territory (département) and 9-character FINESS. */
    public record Entry(String id, String name, String territory, String finess) {}

    private final Map<String, Entry> byId = new LinkedHashMap<>();

    public CptsCatalog(Collection<Entry> entries) {
        for (Entry e : entries) {
            if (e.finess() == null || !e.finess().matches("(\\d{2}|2A|2B)\\d{7}")) {
                throw new IllegalArgumentException("CPTS " + e.id() + ": a FINESS number has 9 characters");
            }
            byId.put(e.id(), e);
        }
    }

    public Entry get(String id) { return byId.get(id); }

    public Collection<Entry> all() { return byId.values(); }
}
