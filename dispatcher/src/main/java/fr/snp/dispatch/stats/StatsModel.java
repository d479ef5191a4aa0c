package fr.snp.dispatch.stats;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A territory's statistics over a window of consecutive days, in memory: what the day hashes hold, as prefix sums so
 * that the total of a field over any period inside the window is one subtraction ({@code cum[to] - cum[from - 1]}),
 * whatever the period's length. A report by effector over a year is then a few thousand subtractions instead of
 * 365 hashes of ~1,500 fields parsed and merged. The sums are laid out by day (one int[] of every field per day): a
 * report reads two rows, sequentially, rather than two cells of thousands of arrays scattered in the heap (a cache
 * miss each: measured 3x slower on the bench's 1,000 effectors).
 * <p>
 * Each field "metric|dimension|value" is interned once (its parts split once). The appointment metrics of one
 * (dimension, value), e.g. ("effector", "36-K7Q2"), form a group, kept sorted by value per dimension: the rows of a
 * report in the order the reports have always had (a TreeMap of their keys). A group has a second series, the number
 * of days on which any of its fields is present in the day hash: a report lists a key whose fields exist in the
 * period, even when they sum to nothing, as the recount from the hashes does.
 * <p>
 * Memory: 4 bytes per field per day held (an int prefix sum), 4 more per group per day (presence), 8 per day (the
 * revision it was read at); up to twice that while the rows keep room for new fields (they grow by doubling). A 1,000-effector territory has ~7,000 fields and ~1,050 groups, so about 32 KB per day:
 * ~13 MB for a 400-day window. Counts are ints: a field would need more than 2^31 counts over the window to overflow.
 * <p>
 * Not thread-safe: {@link StatsReader} changes it under a write lock and reads it under the read lock.
 */
final class StatsModel {
    static final List<String> METRICS = StatsReader.APPOINTMENT_METRICS;

    /** The appointment fields of one (dimension, value): the row of a report. */
    static final class Group {
        final int index;
        final String dimension;
        final String value;
        /** Field id per appointment metric (index in {@link #METRICS}); -1 while that field has never been seen. */
        final int[] fields;

        Group(int index, String dimension, String value) {
            this.index = index;
            this.dimension = dimension;
            this.value = value;
            this.fields = new int[METRICS.size()];
            Arrays.fill(fields, -1);
        }
    }

    private static final java.util.concurrent.atomic.AtomicLong BUILT = new java.util.concurrent.atomic.AtomicLong();
    /** Which model this is (of any territory): a version names it rather than holding it, so it can be collected. */
    final long id = BUILT.incrementAndGet();
    final long firstDay;
    final int length;
    /** The revision hash's "gen" when the model was built; null when there was none. */
    final String gen;
    /** The revision hash's "*" the model has caught up with: every change counted up to it is in the model. */
    volatile long seenTotal;
    /** How many times days were read again into the model: with the model itself, the version of what it answers. */
    long changes;
    /** Per day of the window, the revision of its day hash when it was last read (0: no change noted). */
    final long[] dayRevision;

    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> names = new ArrayList<>();
    /** Per day of the window, the prefix sum of every field (by id) up to that day. */
    private final int[][] sums;
    /** Per day, per group: the prefix count of the days on which one of the group's fields is in the day hash. */
    private final int[][] presence;
    private int[] groupOfField = new int[64];
    private final List<Group> groups = new ArrayList<>();
    private final Map<String, TreeMap<String, Group>> byDimension = new HashMap<>();
    // marks of the fields and groups present in the day being applied (compared with an epoch: no clearing)
    private int[] fieldMark = new int[64];
    private int[] groupMark = new int[64];
    private int epoch;

    StatsModel(LocalDate first, int length, String gen) {
        this.firstDay = first.toEpochDay();
        this.length = length;
        this.gen = gen;
        this.dayRevision = new long[length];
        this.sums = new int[length][64];
        this.presence = new int[length][64];
    }

    LocalDate first() { return LocalDate.ofEpochDay(firstDay); }

    LocalDate last() { return LocalDate.ofEpochDay(firstDay + length - 1); }

    boolean covers(LocalDate from, LocalDate to) {
        return from.toEpochDay() >= firstDay && to.toEpochDay() < firstDay + length;
    }

    int index(LocalDate day) { return (int) (day.toEpochDay() - firstDay); }

    // --- building: raw day values first, then prefix sums ----------------------------------------------------------

    /** Puts the values of day {@code i} (a fresh model, before {@link #prefix()}). */
    void load(int i, Map<String, String> hash) {
        epoch++;
        for (Map.Entry<String, String> e : hash.entrySet()) {
            int id = id(e.getKey());
            sums[i][id] = value(e.getValue());
            int g = groupOfField[id];
            if (g >= 0) presence[i][g] = 1;
        }
    }

    /** Turns the loaded day values into prefix sums. */
    void prefix() {
        for (int i = 1; i < length; i++) {
            int[] row = sums[i];
            int[] before = sums[i - 1];
            for (int id = 0; id < names.size(); id++) row[id] += before[id];
            int[] p = presence[i];
            int[] pBefore = presence[i - 1];
            for (int g = 0; g < groups.size(); g++) p[g] += pBefore[g];
        }
    }

    // --- changing: one day's hash read again -----------------------------------------------------------------------

    /** Day {@code i}'s hash as it is now replaces what the model had of it (fields gone count as zero). */
    void apply(int i, Map<String, String> hash) {
        epoch++;
        for (Map.Entry<String, String> e : hash.entrySet()) {
            int id = id(e.getKey());
            fieldMark[id] = epoch;
            int delta = value(e.getValue()) - at(sums, id, i);
            if (delta != 0) addFrom(sums, id, i, delta);
            int g = groupOfField[id];
            if (g >= 0) groupMark[g] = epoch;
        }
        for (int id = 0; id < names.size(); id++) {
            if (fieldMark[id] == epoch) continue;
            int old = at(sums, id, i);
            if (old != 0) addFrom(sums, id, i, -old);
        }
        for (int g = 0; g < groups.size(); g++) {
            int delta = (groupMark[g] == epoch ? 1 : 0) - at(presence, g, i);
            if (delta != 0) addFrom(presence, g, i, delta);
        }
    }

    /** Day i's own value of column c (sums or presence). */
    private static int at(int[][] prefix, int c, int i) { return prefix[i][c] - (i == 0 ? 0 : prefix[i - 1][c]); }

    private static void addFrom(int[][] prefix, int c, int i, int delta) {
        for (int j = i; j < prefix.length; j++) prefix[j][c] += delta;
    }

    private static int value(String v) { return Math.toIntExact(Long.parseLong(v)); }

    private int id(String field) {
        Integer known = ids.get(field);
        if (known != null) return known;
        int id = names.size();
        ids.put(field, id);
        names.add(field);
        if (id >= groupOfField.length) {
            groupOfField = Arrays.copyOf(groupOfField, id * 2);
            fieldMark = Arrays.copyOf(fieldMark, id * 2);
        }
        // a new column: zero on every day (its prefix sums before any value is put)
        if (id >= sums[0].length) for (int i = 0; i < length; i++) sums[i] = Arrays.copyOf(sums[i], id * 2);
        groupOfField[id] = -1;
        // "metric|dimension|value": the value is the rest after the second bar, as it was when split per report
        int bar = field.indexOf('|');
        int second = bar < 0 ? -1 : field.indexOf('|', bar + 1);
        if (second >= 0) {
            int metric = METRICS.indexOf(field.substring(0, bar));
            if (metric >= 0) {
                Group g = group(field.substring(bar + 1, second), field.substring(second + 1));
                g.fields[metric] = id;
                groupOfField[id] = g.index;
            }
        }
        return id;
    }

    private Group group(String dimension, String value) {
        TreeMap<String, Group> values = byDimension.computeIfAbsent(dimension, d -> new TreeMap<>());
        Group g = values.get(value);
        if (g == null) {
            g = new Group(groups.size(), dimension, value);
            values.put(value, g);
            groups.add(g);
            if (groups.size() > groupMark.length) groupMark = Arrays.copyOf(groupMark, groups.size() * 2);
            if (g.index >= presence[0].length) {
                for (int i = 0; i < length; i++) presence[i] = Arrays.copyOf(presence[i], g.index * 2);
            }
        }
        return g;
    }

    // --- reading ---------------------------------------------------------------------------------------------------

    /** The sum of a field over days a..b (indexes in the window, a <= b); 0 for a field never seen. */
    long sum(String field, int a, int b) {
        Integer id = ids.get(field);
        return id == null ? 0 : range(sums, id, a, b);
    }

    private static int range(int[][] prefix, int c, int a, int b) { return prefix[b][c] - (a == 0 ? 0 : prefix[a - 1][c]); }

    /** The number of days of a..b on which one of the group's fields is in the day hash. */
    int present(Group g, int a, int b) { return range(presence, g.index, a, b); }

    /** Every field whose sum over a..b is not zero. */
    Map<String, Long> total(int a, int b) {
        Map<String, Long> out = new HashMap<>();
        for (int id = 0; id < names.size(); id++) {
            int v = range(sums, id, a, b);
            if (v != 0) out.put(names.get(id), (long) v);
        }
        return out;
    }

    /** The groups of a dimension ("effector", "cpts", "all"…), sorted by value. */
    Iterable<Group> groups(String dimension) {
        TreeMap<String, Group> values = byDimension.get(dimension);
        return values == null ? List.of() : values.values();
    }

    /** The counts of a group's appointment metrics over a..b into {@code out} (same order as {@link #METRICS}). */
    void counts(Group g, int a, int b, long[] out) {
        for (int m = 0; m < out.length; m++) out[m] = g.fields[m] < 0 ? 0 : range(sums, g.fields[m], a, b);
    }
}
