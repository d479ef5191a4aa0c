package fr.snp.dispatch.domain;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * Identifiers carry their territory (the département of the SAS) as a prefix: "36-E17" is an effector of Indre,
 * "36-E17-t3k9m0" one of its slots, "36-R…" a request, "36-A…" an appointment. Every Redis key is then hash-tagged
 * with the territory read from the id, with no lookup.
 */
public final class Ids {
    private static final Pattern TERRITORY = Pattern.compile("(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])");
    private static final Pattern ID = Pattern.compile("(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])-[A-Za-z0-9-]{2,40}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    // Checked by hand rather than by TERRITORY and ID (the statement of the rule, kept): every request checks several
    // ids, and a regex matcher per id was a tenth of the event loops' time per booking. IdsTest holds them equal.

    public static boolean isTerritory(String code) { return code != null && isTerritory(code, code.length()); }

    /** Whether the first {@code length} characters of {@code s} are a territory code (TERRITORY). */
    private static boolean isTerritory(String s, int length) {
        if (length == 2) {
            char a = s.charAt(0), b = s.charAt(1);
            return (a == '0' && b >= '1' && b <= '9') || (a >= '1' && a <= '8' && b >= '0' && b <= '9')
                    || (a == '9' && b >= '0' && b <= '5') || (a == '2' && (b == 'A' || b == 'B'));
        }
        return length == 3 && s.charAt(0) == '9' && s.charAt(1) == '7' && s.charAt(2) >= '1' && s.charAt(2) <= '6';
    }

    /** A territory, a dash, 2 to 40 of A-Z a-z 0-9 and dashes (ID). */
    public static boolean isWellFormed(String id) {
        if (id == null) return false;
        int dash = id.indexOf('-');
        if (dash < 0 || !isTerritory(id, dash)) return false;
        int rest = id.length() - dash - 1;
        if (rest < 2 || rest > 40) return false;
        for (int i = dash + 1; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
        }
        return true;
    }

    /** The rules as regular expressions: what the checks above implement (IdsTest compares them). */
    static boolean matchesTerritoryPattern(String code) { return TERRITORY.matcher(code).matches(); }

    static boolean matchesIdPattern(String id) { return ID.matcher(id).matches(); }

    public static String territoryOf(String id) { return id.substring(0, id.indexOf('-')); }

    /** A slot id is its effector and its start minute: publishing the same slot twice finds the first one. */
    public static String slot(String effectorId, long startEpochSecond) {
        return effectorId + "-" + Long.toString(startEpochSecond / 60, 36);
    }

    public static String effectorOfSlot(String slotId) { return slotId.substring(0, slotId.lastIndexOf('-')); }

    /** A slot id's start-minute part (base 36): its member in its effector's start index (Keys.effectorSlots). */
    public static String slotMinute(String slotId) { return slotId.substring(slotId.lastIndexOf('-') + 1); }

    /** The slot id of an effector's slot from its start-minute part ({@link #slotMinute}). */
    public static String slotOfMinute(String effectorId, String minute) { return effectorId + "-" + minute; }

    /** The start (epoch seconds) a slot id encodes. */
    public static long slotStart(String slotId) {
        return Long.parseLong(slotId.substring(slotId.lastIndexOf('-') + 1), 36) * 60;
    }

    /** When a request or appointment id was made (epoch ms): its random part starts with the time. */
    public static long createdAtMs(String id) {
        String part = id.substring(id.indexOf('-') + 2);
        // another kind of id (an effector's "36-E1" where a request's was expected): no time in it; the caller's
        // script then finds no such request and refuses, so the day named from 0 is never written
        if (part.length() <= 8) return 0;
        try {
            return Long.parseLong(part.substring(0, part.length() - 8), 36);
        } catch (NumberFormatException notAnId) {
            return 0;
        }
    }

    /** {@code nowMs}: the server's clock, which the id records (statistics count a request on its day). */
    public static String request(String territory, long nowMs) { return territory + "-R" + randomPart(nowMs); }

    public static String appointment(String territory, long nowMs) { return territory + "-A" + randomPart(nowMs); }

    public static String hold() { return "H" + randomPart(System.currentTimeMillis()); }

    /** Time-ordered and unguessable: milliseconds in base 36 then 40 random bits. */
    private static String randomPart(long ms) {
        long random = RANDOM.nextLong() & 0xFF_FFFF_FFFFL;
        String r = Long.toString(random, 36);
        return Long.toString(ms, 36) + "0".repeat(8 - r.length()) + r;
    }
}
