package fr.snp.dispatch.auth;

import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Outcome;
import fr.snp.dispatch.domain.Refused;
import fr.snp.dispatch.domain.Role;

import java.util.Collection;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Who may see and act on what, in Java: the same rules as redis/tenancy.lua, which the scripts apply again. An
 * object of another tenant answers as if it did not exist (404); a ?territory= the principal does not serve is a
 * 403 naming the territories it serves.
 */
public final class Access {
    private Access() {}

    /** A ?territory= or path territory: served, or 403 TERRITORY_NOT_SERVED. */
    public static String territory(Principal p, String territory, String field) {
        if (!p.serves(territory)) {
            throw new Refused(Outcome.TERRITORY_NOT_SERVED, "territory " + territory + " is not one you serve (you serve "
                    + p.territoryList() + ")", field);
        }
        return territory;
    }

    /**
     * The territory of a patient's commune, if the principal serves it; else 422 OUTSIDE_TERRITORY naming the
     * commune's territory and the served ones (the patient belongs to another SAS).
     */
    public static String patientTerritory(Principal p, String territory, String communeName, String communeInsee) {
        if (!p.serves(territory)) {
            throw new Refused(Outcome.OUTSIDE_TERRITORY, "the patient's commune (" + communeName + ", " + communeInsee
                    + ") is in territory " + territory + "; you serve " + p.territoryList(), "patient.communeInsee");
        }
        return territory;
    }

    /** A request: a SAS desk reaches every request of its territories, anyone else those its organisation filed. */
    public static boolean reachesRequest(Principal p, String territory, String org) {
        return p.serves(territory) && (p.reach() == Reach.TERRITORY || p.org().equals(org));
    }

    /** An appointment: the same rule as reachesAppointment in tenancy.lua. */
    public static boolean reachesAppointment(Principal p, String territory, String org, String effectorId, Set<String> cpts) {
        if (!p.serves(territory)) return false;
        return switch (p.reach()) {
            case TERRITORY -> true;
            case EFFECTOR -> p.org().equals(effectorId);
            case CPTS -> cpts.contains(p.org()) || p.org().equals(org);
            case ORG -> p.org().equals(org);
        };
    }

    /** May publish and withdraw this effector's slots, change its availability: the doctor, or its CPTS' coordinator. */
    public static boolean manages(Principal p, Effector e) {
        if (!p.serves(e.territory())) return false;
        return switch (p.role()) {
            case EFFECTOR -> p.org().equals(e.id());
            case COORDINATOR -> e.cpts().contains(p.org());
            default -> false;
        };
    }

    /**
     * May read this effector: a coordinator its CPTS' effectors, a doctor themself, the other care roles any
     * effector of their territories (they are offered its slots).
     */
    public static boolean seesEffector(Principal p, Effector e) {
        if (!p.serves(e.territory())) return false;
        return switch (p.role()) {
            case COORDINATOR -> e.cpts().contains(p.org());
            case EFFECTOR -> p.org().equals(e.id());
            case OPS, DPO -> false;
            default -> true;
        };
    }

    /** May read this slot: anyone of its territory, a doctor only their own slots. */
    public static boolean seesSlot(Principal p, String territory, String effectorId) {
        return p.serves(territory) && (p.role() != Role.EFFECTOR || p.org().equals(effectorId));
    }

    /**
     * The CPTS whose figures the principal may see in a territory it serves: a coordinator its own; a principal
     * whose reach is the territory (ops, a SAS desk) every CPTS of the territory's effectors; nobody else any.
     */
    public static SortedSet<String> cptsReached(Principal p, String territory, Collection<Effector> effectors) {
        SortedSet<String> reached = new TreeSet<>();
        if (!p.serves(territory)) return reached;
        if (p.reach() == Reach.CPTS) reached.add(p.org());
        else if (p.reach() == Reach.TERRITORY) effectors.forEach(e -> reached.addAll(e.cpts()));
        return reached;
    }
}
