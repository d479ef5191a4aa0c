package fr.snp.dispatch.geo;

/** A French commune (INSEE code, name, centre coordinates). */
public record Commune(String insee, String name, String postalCode, double lat, double lng, int population) {

    /** The département code, which is the territory of an SAS: "36", "2A", "971". */
    public String departement() {
        return insee.startsWith("97") ? insee.substring(0, 3) : insee.substring(0, 2);
    }
}
