package fr.snp.dispatch.domain;

/**
 * RPPS: the national 11-digit identifier of a health professional, whose last digit is a Luhn check digit.
 * SAS FHIR payloads send it with the prefix "8"; both forms are accepted and normalised to 11 digits.
 */
public final class Rpps {
    private Rpps() {}

    /** The 11-digit RPPS, or null when {@code raw} is not a valid one. */
    public static String normalise(String raw) {
        if (raw == null) return null;
        String digits = raw.strip();
        if (digits.length() == 12 && digits.charAt(0) == '8') digits = digits.substring(1);
        if (digits.length() != 11 || !digits.chars().allMatch(Character::isDigit)) return null;
        return luhnValid(digits) ? digits : null;
    }

    static boolean luhnValid(String digits) {
        int sum = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = digits.charAt(digits.length() - 1 - i) - '0';
            if (i % 2 == 1) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
        }
        return sum % 10 == 0;
    }

    /** Appends the Luhn check digit to a 10-digit body (used to make plausible demo RPPS numbers). */
    public static String withCheckDigit(String body10) {
        for (int c = 0; c <= 9; c++) {
            String candidate = body10 + c;
            if (luhnValid(candidate)) return candidate;
        }
        throw new IllegalStateException("no Luhn digit for " + body10);
    }
}
