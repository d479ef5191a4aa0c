package fr.snp.dispatch.domain;

/** Where a care request comes from. SAS-regulated origins count against an effector's weekly SAS cap. */
public enum Origin {
    SAS_116117(true), SAMU_15(true), OSNP(true), PHARMACIST(false), EMERGENCY_DEPT(false), NURSE(false),
    SECRETARIAT(false);

    public final boolean sasRegulated;

    Origin(boolean sasRegulated) { this.sasRegulated = sasRegulated; }
}
