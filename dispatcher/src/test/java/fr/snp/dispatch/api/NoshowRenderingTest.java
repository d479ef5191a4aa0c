package fr.snp.dispatch.api;

import fr.snp.dispatch.stats.Stats;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The no-show report written straight into text is byte for byte the generic rendering of the same rows (a map per
 * row, a JsonObject encoded; StatsHandlers.csv), keys with characters to escape and rates of every kind included.
 */
class NoshowRenderingTest {
    private static final String[] KEYS = {"36-E1", "CPTS-CASTELROUSSINE", "all", "MON", "12", "gt48h", "a,b", "quo\"te",
            "back\\slash", "line\nbreak", "tab\there", "ctl\u0001x", "été", "cr\rx"};

    @Test
    void jsonAndCsvEqualTheGenericRendering() {
        Random random = new Random(3);
        for (int round = 0; round < 50; round++) {
            List<Stats.Row> rows = new ArrayList<>();
            int n = random.nextInt(30);
            for (int i = 0; i < n; i++) {
                long[] counts = new long[6];
                long[] past = new long[6];
                for (int m = 0; m < 6; m++) {
                    counts[m] = random.nextInt(4) == 0 ? 0 : random.nextInt(100_000);
                    past[m] = random.nextInt(3) == 0 ? 0 : random.nextInt((int) counts[m] + 1);
                }
                if (random.nextInt(5) == 0) counts[2] = 1; // rates like 1.0E-4
                rows.add(new Stats.Row(KEYS[random.nextInt(KEYS.length)] + i, counts, past));
            }
            long[] why = random.nextBoolean() ? null : new long[] {1, 2, 3, 0, 5, 6};
            LocalDate from = LocalDate.of(2025, 12, 2);
            LocalDate to = LocalDate.of(2026, 12, 1);
            assertThat(NoshowRendering.json("36", from, to, "effector", StatsHandlers.CANCEL_REASONS, why, rows))
                    .isEqualTo(generic("36", from, to, "effector", why, rows));
            assertThat(NoshowRendering.csv(rows)).isEqualTo(StatsHandlers.csv(maps(rows)));
        }
    }

    /** The CSV quoting rule itself (RFC 4180), now that both renderings share it: stated, not compared. */
    @Test
    void csvCellsAreQuotedWhenTheyHoldACommaAQuoteOrALineBreak() {
        String[][] cases = {{"36-E1", "36-E1"}, {"été", "été"}, {"", ""}, {"a,b", "\"a,b\""}, {"quo\"te", "\"quo\"\"te\""},
                {"line\nbreak", "\"line\nbreak\""}, {"cr\rx", "\"cr\rx\""}, {"tab\there", "tab\there"}};
        for (String[] c : cases) {
            StringBuilder out = new StringBuilder();
            NoshowRendering.cell(out, c[0]);
            assertThat(out.toString()).as("cell %s", c[0]).isEqualTo(c[1]);
        }
    }

    /** What StatsHandlers.report gives for these rows and summary. */
    private static String generic(String territory, LocalDate from, LocalDate to, String groupBy, long[] why, List<Stats.Row> rows) {
        JsonObject summary = new JsonObject();
        if (why != null) {
            JsonObject c = new JsonObject();
            for (int i = 0; i < why.length; i++) c.put(StatsHandlers.CANCEL_REASONS.get(i), why[i]);
            summary.put("cancellations", c);
        }
        JsonArray list = new JsonArray();
        maps(rows).forEach(r -> list.add(new JsonObject(new LinkedHashMap<>(r))));
        return new JsonObject().put("territory", territory).put("from", from.toString()).put("to", to.toString())
                .put("groupBy", groupBy).mergeIn(summary).put("rows", list).encode();
    }

    private static List<Map<String, Object>> maps(List<Stats.Row> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Stats.Row r : rows) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("key", r.key());
            Object[] v = NoshowRendering.values(r);
            for (int c = 0; c < v.length; c++) row.put(NoshowRendering.COLUMNS.get(c + 1), v[c]);
            out.add(row);
        }
        return out;
    }
}
