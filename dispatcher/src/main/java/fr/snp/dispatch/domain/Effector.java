package fr.snp.dispatch.domain;

import java.util.List;
import java.util.Set;

/**
 * A volunteer professional who offers SNP slots. Only professional data: nothing here is about patients.
 * {@code webhookUrl}: where the practice software receives notifications (optional).
 */
public record Effector(String id, String territory, String rpps, String firstName, String lastName, String specialty,
                       List<PracticeLocation> locations, Set<String> cpts, int weeklySasCap,
                       double homeVisitRadiusKm, String phone, String webhookUrl, int supernumeraryDailyCap) {

    /** An effector who does not accept consultations outside their published slots. */
    public Effector(String id, String territory, String rpps, String firstName, String lastName, String specialty,
                    List<PracticeLocation> locations, Set<String> cpts, int weeklySasCap, double homeVisitRadiusKm,
                    String phone, String webhookUrl) {
        this(id, territory, rpps, firstName, lastName, specialty, locations, cpts, weeklySasCap, homeVisitRadiusKm, phone,
                webhookUrl, 0);
    }

    /** Whether a regulator may book them outside their published slots ("surnuméraire"), up to the daily cap. */
    public boolean acceptsSupernumerary() { return supernumeraryDailyCap > 0; }

    public String displayName() { return "Dr " + firstName + " " + lastName; }

    public PracticeLocation location(int index) {
        return index >= 0 && index < locations.size() ? locations.get(index) : null;
    }

    public boolean memberOfAny(Set<String> cptsIds) {
        for (String c : cpts) if (cptsIds.contains(c)) return true;
        return false;
    }
}
