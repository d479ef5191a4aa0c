package fr.snp.dispatch.domain;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Specialty codes of the RPPS nomenclature (TRE_R38, "SMxx"). SNP is mostly general practice, which has three
 * codes; a request without a specialty asks for general practice.
 */
public final class Specialties {
    public static final String GENERAL_PRACTICE = "SM54";
    private static final Set<String> GP_FAMILY = Set.of("SM54", "SM53", "SM26");
    private static final Pattern CODE = Pattern.compile("SM\\d{2}");
    private static final Map<String, String> LABELS = Map.of(
            "SM54", "Médecine générale", "SM53", "Spécialiste en médecine générale",
            "SM26", "Qualifié en médecine générale", "SM40", "Pédiatrie", "SM42", "Psychiatrie",
            "SM20", "Gynécologie médicale");

    private Specialties() {}

    public static boolean isWellFormed(String code) { return code != null && CODE.matcher(code).matches(); }

    public static boolean matches(String requested, String effectorSpecialty) {
        String r = requested == null ? GENERAL_PRACTICE : requested;
        if (GP_FAMILY.contains(r)) return GP_FAMILY.contains(effectorSpecialty);
        return r.equals(effectorSpecialty);
    }

    public static String label(String code) { return LABELS.getOrDefault(code, code); }
}
