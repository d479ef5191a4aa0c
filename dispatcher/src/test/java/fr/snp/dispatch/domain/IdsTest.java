package fr.snp.dispatch.domain;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The hand-written id checks say what the regular expressions they replace say, on ids near and far from valid. */
class IdsTest {
    private static final String ALPHABET = "0123456789ABab2-Zz_.é 97";

    @Test
    void handWrittenChecksAgreeWithThePatterns() {
        Random random = new Random(14);
        int valid = 0;
        for (int n = 0; n < 200_000; n++) {
            String s = n % 3 == 0 ? mutate(sample(random), random) : randomString(random);
            assertThat(Ids.isWellFormed(s)).as("id '%s'", s).isEqualTo(Ids.matchesIdPattern(s));
            String head = s.length() > 3 ? s.substring(0, 1 + random.nextInt(3)) : s;
            assertThat(Ids.isTerritory(head)).as("territory '%s'", head).isEqualTo(Ids.matchesTerritoryPattern(head));
            if (Ids.isWellFormed(s)) valid++;
        }
        assertThat(valid).as("the sample holds valid ids too").isGreaterThan(10_000);
        for (String t : new String[]{"01", "09", "10", "89", "90", "95", "2A", "2B", "971", "976"}) assertThat(Ids.isTerritory(t)).isTrue();
        for (String t : new String[]{"00", "96", "97", "970", "977", "2C", "2a", "1", "0100", ""}) assertThat(Ids.isTerritory(t)).isFalse();
        assertThat(Ids.isWellFormed("36-" + "a".repeat(40))).isTrue();
        assertThat(Ids.isWellFormed("36-" + "a".repeat(41))).isFalse();
        assertThat(Ids.isWellFormed("36-a")).isFalse();
        assertThat(Ids.isWellFormed(null)).isFalse();
    }

    private static String sample(Random r) {
        String[] territories = {"36", "2A", "971", "75", "01"};
        return territories[r.nextInt(territories.length)] + "-" + "E17-t3k9m0abcdefghijklmnopqrstuvwxyz0123456789".substring(0, 2 + r.nextInt(40));
    }

    private static String mutate(String s, Random r) {
        if (r.nextBoolean()) return s;
        char[] c = s.toCharArray();
        c[r.nextInt(c.length)] = ALPHABET.charAt(r.nextInt(ALPHABET.length()));
        return new String(c);
    }

    private static String randomString(Random r) {
        StringBuilder b = new StringBuilder();
        int length = r.nextInt(48);
        for (int i = 0; i < length; i++) b.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        return b.toString();
    }
}
