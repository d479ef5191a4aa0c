package fr.snp.dispatch.api;

import fr.snp.dispatch.stats.Stats;

import java.time.LocalDate;
import java.util.List;

/**
 * The no-show report written straight into text, JSON or CSV: a report by effector has 1,000 rows, and building a
 * map per row, a JsonObject of them, then encoding it (or a regex per CSV cell) cost more than computing the figures
 * from the read model. The output is byte for byte what {@link StatsHandlers}' generic rendering of the same rows
 * gives (JsonObject's encoding, {@link StatsHandlers#csv}); NoshowRenderingTest compares the two.
 */
final class NoshowRendering {
    /** The columns of a row, in order (the JSON fields and the CSV header). */
    static final List<String> COLUMNS = List.of("key", "booked", "fulfilled", "noshow", "cancelled", "awaitingFeedback",
            "upcoming", "noshowRate", "closedWithoutFeedback", "supernumerary");
    private static final String CSV_HEADER = String.join(",", COLUMNS) + "\r\n";

    // positions in StatsReader.APPOINTMENT_METRICS
    static final int BOOKED = 0, FULFILLED = 1, NOSHOW = 2, CANCELLED = 3, CLOSED = 4, SUPERNUMERARY = 5;

    private NoshowRendering() {}

    /** The figures of one row, in the order of {@link #COLUMNS} after the key; the rate is null without answers. */
    static Object[] values(Stats.Row r) {
        long[] m = r.counts();
        long[] past = r.past();
        long booked = m[BOOKED];
        long fulfilled = m[FULFILLED];
        long noshow = m[NOSHOW];
        long cancelled = m[CANCELLED];
        long closed = m[CLOSED];
        // unanswered appointments of past days await feedback; those of today and later are mostly upcoming
        long awaiting = past[BOOKED] - past[CANCELLED] - past[FULFILLED] - past[NOSHOW] - past[CLOSED];
        // the no-show rate is over the answered ones (came or not)
        Double rate = fulfilled + noshow == 0 ? null : Views.round((double) noshow / (fulfilled + noshow), 4);
        // supernumerary: booked outside the published slots (also counted in booked)
        return new Object[] {booked, fulfilled, noshow, cancelled, awaiting, booked - cancelled - fulfilled - noshow - closed - awaiting,
                rate, closed, m[SUPERNUMERARY]};
    }

    /** {@code cancellations}: reason -> count in that order, or null when the caller does not see them. */
    static String json(String territory, LocalDate from, LocalDate to, String groupBy, List<String> reasons,
                       long[] cancellations, List<Stats.Row> rows) {
        StringBuilder out = new StringBuilder(256 + rows.size() * 220);
        out.append("{\"territory\":");
        string(out, territory);
        out.append(",\"from\":\"").append(from).append("\",\"to\":\"").append(to).append("\",\"groupBy\":");
        string(out, groupBy);
        if (cancellations != null) {
            out.append(",\"cancellations\":{");
            for (int i = 0; i < reasons.size(); i++) {
                if (i > 0) out.append(',');
                string(out, reasons.get(i));
                out.append(':').append(cancellations[i]);
            }
            out.append('}');
        }
        out.append(",\"rows\":[");
        for (int k = 0; k < rows.size(); k++) {
            if (k > 0) out.append(',');
            Stats.Row r = rows.get(k);
            out.append("{\"key\":");
            string(out, r.key());
            Object[] v = values(r);
            for (int c = 0; c < v.length; c++) {
                out.append(",\"").append(COLUMNS.get(c + 1)).append("\":");
                if (v[c] == null) out.append("null");
                else if (v[c] instanceof Double d) out.append(rate(d));
                else out.append(((Long) v[c]).longValue());
            }
            out.append('}');
        }
        return out.append("]}").toString();
    }

    /** RFC 4180, as {@link StatsHandlers#csv}: a header row, a cell quoted when it holds a comma, quote or line break. */
    static String csv(List<Stats.Row> rows) {
        if (rows.isEmpty()) return "key\r\n";
        StringBuilder out = new StringBuilder(CSV_HEADER.length() + rows.size() * 60).append(CSV_HEADER);
        for (Stats.Row r : rows) {
            cell(out, r.key());
            for (Object v : values(r)) {
                out.append(',');
                if (v != null) cell(out, v.toString());
            }
            out.append("\r\n");
        }
        return out.toString();
    }

    /** A CSV cell: as it is, or quoted (quotes doubled) when it holds a comma, a quote or a line break. */
    static void cell(StringBuilder out, String cell) {
        boolean plain = true;
        for (int i = 0; i < cell.length() && plain; i++) {
            char ch = cell.charAt(i);
            plain = ch != ',' && ch != '"' && ch != '\r' && ch != '\n';
        }
        if (plain) out.append(cell);
        else out.append('"').append(cell.replace("\"", "\"\"")).append('"');
    }

    /**
     * A rate as Jackson writes a double (Double.toString): from a table of the 10,001 values a rate rounded to 4
     * decimals can take (Views.round), since formatting a double cost as much as the rest of a row.
     */
    private static String rate(double rate) {
        long k = Math.round(rate * RATE_SCALE);
        return k >= 0 && k < RATES.length && k / RATE_SCALE == rate ? RATES[(int) k] : Double.toString(rate);
    }

    private static final double RATE_SCALE = 10_000;
    private static final String[] RATES = new String[10_001];

    static {
        for (int k = 0; k < RATES.length; k++) RATES[k] = Double.toString(k / RATE_SCALE);
    }

    /** A JSON string as Jackson writes it: quote and backslash escaped, control characters too, nothing else. */
    private static void string(StringBuilder out, String s) {
        boolean plain = true;
        for (int i = 0; i < s.length() && plain; i++) {
            char ch = s.charAt(i);
            plain = ch >= 0x20 && ch != '"' && ch != '\\';
        }
        if (plain) {
            out.append('"').append(s).append('"');
            return;
        }
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                default -> {
                    if (ch < 0x20) out.append(String.format("\\u%04X", (int) ch));
                    else out.append(ch);
                }
            }
        }
        out.append('"');
    }
}
