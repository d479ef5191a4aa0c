package fr.snp.dispatch.domain;

import java.util.EnumSet;
import java.util.Set;

/**
 * What a bearer token may do. Each role sees a fixed set of slot audiences; CPTS slots are seen by the SAS and
 * coordinator roles everywhere, by others only for effectors of a CPTS they belong to.
 */
public enum Role {
    REGULATOR(Audience.ALL, true, EnumSet.of(Origin.SAS_116117, Origin.SAMU_15)),
    OSNP(Audience.ALL, true, EnumSet.of(Origin.SAS_116117, Origin.OSNP, Origin.SAMU_15)),
    PHARMACIST(Audience.PUBLIC.bit | Audience.PRO.bit, false, EnumSet.of(Origin.PHARMACIST)),
    EMERGENCY(Audience.PUBLIC.bit | Audience.PRO.bit, false, EnumSet.of(Origin.EMERGENCY_DEPT)),
    EFFECTOR(Audience.PUBLIC.bit | Audience.PRO.bit, false, EnumSet.noneOf(Origin.class)),
    /** The CPTS platform: takes calls from nurses, secretaries and any professional, manages effectors. */
    COORDINATOR(Audience.ALL, true, EnumSet.allOf(Origin.class)),
    OPS(0, false, EnumSet.noneOf(Origin.class)),
    /** The data protection officer: reads the audit trail of its territories, no patient data. */
    DPO(0, false, EnumSet.noneOf(Origin.class));

    public final int audienceMask;
    public final boolean seesAllCpts;
    public final Set<Origin> origins;

    Role(int audienceMask, boolean seesAllCpts, Set<Origin> origins) {
        this.audienceMask = audienceMask;
        this.seesAllCpts = seesAllCpts;
        this.origins = origins;
    }

    /** Works the territory's shared queue of requests (SAS desks, CPTS platform) rather than only its own. */
    public boolean sharedQueue() { return this == REGULATOR || this == OSNP || this == COORDINATOR; }

    public String wireName() { return name().toLowerCase(); }

    public static Role ofWireName(String name) { return valueOf(name.toUpperCase()); }
}
