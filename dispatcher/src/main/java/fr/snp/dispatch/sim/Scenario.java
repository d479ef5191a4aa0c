package fr.snp.dispatch.sim;

import java.time.LocalDate;

/**
 * A year to replay. indre-2022: the Indre interCPTS SAS report (17,232 calls passed to the ambulatory SAS; 7,297
 * medical advice, 6,438 SNP appointments, 2,353 prescriptions sent to the pharmacy, 1,444 other). Those outcomes
 * add up to 17,532: 300 calls got advice and a prescription, counted under both. So the scenario injects 6,997
 * advice-only calls and 300 prescriptions with advice among the 2,353.
 */
public record Scenario(String name, LocalDate firstDay, int days, int requests, int advice, int snpAppointments,
                       int prescriptions, int prescriptionsWithAdvice, int other) {

    public static Scenario named(String name) {
        if (!name.equals("indre-2022")) throw new IllegalArgumentException("unknown scenario " + name + " (known: indre-2022)");
        return new Scenario("indre-2022", LocalDate.of(2022, 1, 1), 365, 17_232, 7_297, 6_438, 2_353, 300, 1_444);
    }

    /** The same year with every count multiplied by {@code scale} (rounded), for quicker runs. */
    public Scenario scaled(double scale) {
        if (scale <= 0 || scale > 1) throw new IllegalArgumentException("scale must be in (0, 1]");
        int withAdvice = (int) Math.round(prescriptionsWithAdvice * scale);
        int adviceOnly = (int) Math.round((advice - prescriptionsWithAdvice) * scale);
        int snp = (int) Math.round(snpAppointments * scale);
        int prescription = (int) Math.round(prescriptions * scale);
        int others = (int) Math.round(other * scale);
        return new Scenario(name, firstDay, days, adviceOnly + snp + prescription + others, adviceOnly + withAdvice, snp,
                prescription, withAdvice, others);
    }
}
