package fr.snp.dispatch.auth;

import fr.snp.dispatch.domain.Role;

import java.util.Set;
import java.util.TreeSet;

/**
 * Who calls: a role, a display name (a SAS desk, a pharmacy…), the territories it serves (département codes: a
 * SAS one, a regional platform several), its organisation (the SAS for regulators and OSNP, the CPTS for a
 * coordinator, the pharmacy for a pharmacist, the hospital for an emergency department, the effector for a doctor),
 * and the CPTS it belongs to (which CPTS-reserved slots it sees). {@code id} is stable and not secret (a prefix of
 * the token hash).
 */
public record Principal(String id, Role role, String name, Set<String> territories, String org, Set<String> cpts) {

    public Principal {
        territories = Set.copyOf(territories);
        cpts = Set.copyOf(cpts);
    }

    /**
     * The server itself acting in a territory: the demo loader, the housekeeping jobs, and what a signed feedback
     * link (already verified) reads. Never given to a caller.
     */
    public static Principal server(String territory) {
        return new Principal("server", Role.OPS, "the server", Set.of(territory), "server", Set.of());
    }

    /** What a verified feedback link may do: answer for one effector in one territory. */
    public static Principal feedbackLink(String territory, String effectorId) {
        return new Principal("link:" + effectorId, Role.EFFECTOR, "feedback link", Set.of(territory), effectorId, Set.of());
    }

    /**
     * What a verified patient link may do: read and cancel one appointment (the handler passes only that one), with
     * the reach of its effector. Its id marks the cancellations patients made themselves in the statistics.
     */
    public static Principal patientLink(String territory, String effectorId) {
        return new Principal("patient-link", Role.EFFECTOR, "patient link", Set.of(territory), effectorId, Set.of());
    }

    public boolean serves(String territory) { return territories.contains(territory); }

    /** The effector an effector principal speaks for (its organisation), else null. */
    public String effectorId() { return role == Role.EFFECTOR ? org : null; }

    public Reach reach() {
        return switch (role) {
            case REGULATOR, OSNP, OPS, DPO -> Reach.TERRITORY;
            case COORDINATOR -> Reach.CPTS;
            case PHARMACIST, EMERGENCY -> Reach.ORG;
            case EFFECTOR -> Reach.EFFECTOR;
        };
    }

    /** The served territories, sorted, for messages. */
    public String territoryList() { return String.join(", ", new TreeSet<>(territories)); }

    public fr.snp.dispatch.domain.Viewer viewer() { return new fr.snp.dispatch.domain.Viewer(role, cpts); }
}
