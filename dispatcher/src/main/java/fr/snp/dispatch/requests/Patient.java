package fr.snp.dispatch.requests;

/**
 * The minimum about a patient a dispatcher needs: who to call back (initials, year of birth, phone), where they are
 * (commune, or a position), and five flags. Never logged, never in metrics; expires with the request.
 */
public record Patient(String initials, int birthYear, String phone, String communeInsee, String communeName,
                      double lat, double lng, boolean ald, boolean over70, boolean css, boolean noRegularDoctor,
                      boolean reducedMobility) {
}
