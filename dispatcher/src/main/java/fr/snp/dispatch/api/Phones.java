package fr.snp.dispatch.api;

import java.util.regex.Pattern;

/** French phone numbers, as a caller dictates them: 06 12 34 56 78, +33 6 12 34 56 78, 06.12.34.56.78. */
final class Phones {
    private static final Pattern FRENCH = Pattern.compile("(?:\\+33|0033|0)([1-9]\\d{8})");

    private Phones() {}

    /** The number as 0XXXXXXXXX, or a 400 INVALID_PHONE naming {@code field}. */
    static String normalise(String raw, String field) {
        String compact = raw == null ? "" : raw.replaceAll("[\\s.\\-()]", "");
        var m = FRENCH.matcher(compact);
        if (!m.matches()) {
            throw ApiError.badRequest("INVALID_PHONE", "not a French phone number (10 digits, e.g. 06 12 34 56 78)", field);
        }
        return "0" + m.group(1);
    }
}
