package fr.snp.dispatch.domain;

import java.util.regex.Pattern;

/**
 * The national ids of the structure where a doctor practises, as the SAS platform names it
 * (PractitionerRole.organization.identifier, IDNST: "1" + FINESS, "3" + SIRET).
 *
 * <ul>
 * <li>FINESS (géographique): 9 characters, the département in positions 1–2 ("2A"/"2B" for Corsica), a sequence, and
 * a check key in position 9: the Luhn key of the 9 digits (checked here against published FINESS numbers such as
 * AP-HP's 750712184; no official text of the algorithm was at hand). A Corsican FINESS (letter in position 2) is
 * accepted by its shape only: how the letter enters the key is not known to us.</li>
 * <li>SIRET: 14 digits (SIREN + NIC), Luhn over the 14 and over the SIREN; La Poste's establishments (SIREN
 * 356000000) but its head office (35600000000048) instead have digits summing to a multiple of 5.</li>
 * </ul>
 */
public final class StructureIds {
    private static final Pattern FINESS = Pattern.compile("(?:\\d{2}|2[AB])\\d{7}");
    private static final Pattern SIRET = Pattern.compile("\\d{14}");
    static final String LA_POSTE_SIREN = "356000000";
    /** La Poste's head office keeps the Luhn key (as python-stdnum's fr.siret has it). */
    static final String LA_POSTE_HEAD_OFFICE = "35600000000048";

    private StructureIds() {}

    /** The FINESS written as stored (spaces dropped, letters in capitals), or null when it is not a valid one. */
    public static String finess(String raw) {
        if (raw == null) return null;
        String f = raw.replace(" ", "").toUpperCase(java.util.Locale.ROOT);
        if (!FINESS.matcher(f).matches()) return null;
        if (f.charAt(1) == 'A' || f.charAt(1) == 'B') return f;
        return Rpps.luhnValid(f) ? f : null;
    }

    /** The SIRET as 14 digits (spaces dropped), or null when it is not a valid one. */
    public static String siret(String raw) {
        if (raw == null) return null;
        String s = raw.replace(" ", "");
        if (!SIRET.matcher(s).matches()) return null;
        if (!Rpps.luhnValid(s.substring(0, 9))) return null;   // the SIREN has its own Luhn key
        if (s.startsWith(LA_POSTE_SIREN) && !s.equals(LA_POSTE_HEAD_OFFICE)) {
            int sum = 0;
            for (int i = 0; i < s.length(); i++) sum += s.charAt(i) - '0';
            return sum % 5 == 0 ? s : null;
        }
        return Rpps.luhnValid(s) ? s : null;
    }

    /** {@code body} (digits) with the Luhn digit that makes it valid appended: for the demo's made-up numbers. */
    public static String withLuhnDigit(String body) {
        for (int c = 0; c <= 9; c++) {
            if (Rpps.luhnValid(body + c)) return body + c;
        }
        throw new IllegalStateException("no Luhn digit for " + body);
    }
}
