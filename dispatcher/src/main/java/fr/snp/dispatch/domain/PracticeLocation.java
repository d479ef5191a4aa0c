package fr.snp.dispatch.domain;

/**
 * Where an effector consults: a practice, an MSP or CDS, or a CSNP care centre staffed by half-day shifts.
 * {@code finess} and {@code siret}: the national ids of the structure (optional, checked by {@link StructureIds}),
 * which the SAS platform reads as PractitionerRole.organization.
 */
public record PracticeLocation(int index, String name, String address, String communeInsee, String communeName,
                               double lat, double lng, String kind, boolean accessible, String finess, String siret) {

    public static final java.util.Set<String> KINDS = java.util.Set.of("PRACTICE", "MSP", "CDS", "CSNP", "HOSPITAL");

    /** A place whose structure ids are not known. */
    public PracticeLocation(int index, String name, String address, String communeInsee, String communeName,
                            double lat, double lng, String kind, boolean accessible) {
        this(index, name, address, communeInsee, communeName, lat, lng, kind, accessible, null, null);
    }

    /**
     * The structure's IDNST as the SAS IG writes it (system urn:oid:1.2.250.1.71.4.2.2): "1" + FINESS, preferred,
     * else "3" + SIRET; null when neither is known.
     */
    public String idnst() {
        if (finess != null) return "1" + finess;
        if (siret != null) return "3" + siret;
        return null;
    }
}
