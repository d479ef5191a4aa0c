package fr.snp.dispatch.auth;

/**
 * How far a principal reaches inside the territories it serves, decided by its role. The same rule runs in Java
 * ({@link Access}) and inside the Lua scripts (redis/tenancy.lua), which get it as an argument.
 * <ul>
 *   <li>TERRITORY: a SAS desk (regulator, OSNP) or ops: everything of its territories;</li>
 *   <li>CPTS: a CPTS coordinator: what its organisation filed or booked, and its CPTS' effectors with their
 *       appointments;</li>
 *   <li>ORG: a pharmacy or an emergency department: what its organisation filed or booked;</li>
 *   <li>EFFECTOR: a doctor: their own slots and appointments.</li>
 * </ul>
 */
public enum Reach {
    TERRITORY, CPTS, ORG, EFFECTOR;

    /** As the Lua scripts compare it. */
    public String wire() { return name().toLowerCase(); }
}
