package fr.snp.dispatch.domain;

import java.util.List;
import java.util.Set;

/**
 * A volunteer professional who offers SNP slots. Only professional data: nothing here is about patients.
 * {@code webhookUrl}: where the practice software receives notifications (optional).
 */
public record Effector(String id, String territory, String rpps, String firstName, String lastName, String specialty,
                       List<PracticeLocation> locations, Set<String> cpts, int weeklySasCap,
                       double homeVisitRadiusKm, String phone, String webhookUrl) {

    public String displayName() { return "Dr " + firstName + " " + lastName; }

    public PracticeLocation location(int index) {
        return index >= 0 && index < locations.size() ? locations.get(index) : null;
    }

    public boolean memberOfAny(Set<String> cptsIds) {
        for (String c : cpts) if (cptsIds.contains(c)) return true;
        return false;
    }
}
