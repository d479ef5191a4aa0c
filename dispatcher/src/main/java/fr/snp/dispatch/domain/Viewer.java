package fr.snp.dispatch.domain;


import java.util.Set;

/** Who is looking at slots: a role and the CPTS the caller belongs to (for CPTS-reserved slots). */
public record Viewer(Role role, Set<String> cpts) {

    /** The audience mask this viewer has for one effector's slots. */
    public int maskFor(Effector effector) {
        int mask = role.audienceMask & ~Audience.CPTS.bit;
        if (role.seesAllCpts || (role.audienceMask != 0 && effector.memberOfAny(cpts))) mask |= Audience.CPTS.bit;
        return mask;
    }
}
