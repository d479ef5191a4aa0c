package fr.snp.dispatch.domain;

/** Where an effector consults: a practice, an MSP or CDS, or a CSNP care centre staffed by half-day shifts. */
public record PracticeLocation(int index, String name, String address, String communeInsee, String communeName,
                               double lat, double lng, String kind, boolean accessible) {

    public static final java.util.Set<String> KINDS = java.util.Set.of("PRACTICE", "MSP", "CDS", "CSNP", "HOSPITAL");
}
