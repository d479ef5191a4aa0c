package fr.snp.dispatch.stats;

import fr.snp.dispatch.stats.StatsReader.GroupBy;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A territory's statistics over a period [from, to], as the day hashes hold them: sums of fields over the period or
 * part of it, appointment figures grouped. Valid only inside the function given to
 * {@link StatsReader#read(String, LocalDate, LocalDate, java.util.function.Function)} (it reads the model in place).
 */
public final class Stats {
    /** One row of appointment figures: counts in the order of {@link StatsReader#APPOINTMENT_METRICS}. */
    public record Row(String key, long[] counts, long[] past) {
        public long count(int metric) { return counts[metric]; }
    }

    private final StatsModel model;
    private final LocalDate from;
    private final LocalDate to;
    private final int a;
    private final int b;

    Stats(StatsModel model, LocalDate from, LocalDate to) {
        this.model = model;
        this.from = from;
        this.to = to;
        this.a = model.index(from);
        this.b = model.index(to);
    }

    /**
     * What the figures are computed from: equal versions (of one territory) give equal figures for equal questions,
     * so that a report rendered once can be served again until the statistics change.
     */
    public record Version(long model, long changes) {}

    public Version version() { return new Version(model.id, model.changes); }

    public LocalDate from() { return from; }

    public LocalDate to() { return to; }

    /** The sum of a field ("metric|dimension|value") over the period. */
    public long sum(String field) { return model.sum(field, a, b); }

    /** The sum of a field over [dayFrom, dayTo], within the period. */
    public long sum(String field, LocalDate dayFrom, LocalDate dayTo) {
        return model.sum(field, model.index(dayFrom), model.index(dayTo));
    }

    /** The sum of every field over the period, those that sum to zero left out. */
    public Map<String, Long> total() { return model.total(a, b); }

    /**
     * Appointment figures grouped (effector id, CPTS, origin, weekday…), sorted by key; {@code past}: the same over the
     * days before {@code today} (zeros when the period starts today or later). A key is listed when one of its
     * appointment fields is in a day hash of the period.
     */
    public List<Row> appointments(GroupBy by, LocalDate today) {
        int metrics = StatsModel.METRICS.size();
        int pastEnd = Math.min(b, model.index(today) - 1);
        List<Row> rows = new ArrayList<>();
        if (by == GroupBy.WEEKDAY) {
            Map<String, Row> byDay = new TreeMap<>();
            for (StatsModel.Group g : model.groups("all")) {
                long[] day = new long[metrics];
                for (int i = a; i <= b; i++) {
                    if (model.present(g, i, i) == 0) continue;
                    String key = StatsReader.weekday(LocalDate.ofEpochDay(model.firstDay + i).getDayOfWeek());
                    Row row = byDay.computeIfAbsent(key, k -> new Row(k, new long[metrics], new long[metrics]));
                    model.counts(g, i, i, day);
                    for (int m = 0; m < metrics; m++) {
                        row.counts[m] += day[m];
                        if (i <= pastEnd) row.past[m] += day[m];
                    }
                }
            }
            rows.addAll(byDay.values());
            return rows;
        }
        String dimension = by == GroupBy.TERRITORY ? "all" : by.name().toLowerCase();
        for (StatsModel.Group g : model.groups(dimension)) {
            if (model.present(g, a, b) == 0) continue;
            long[] counts = new long[metrics];
            long[] past = new long[metrics];
            model.counts(g, a, b, counts);
            if (pastEnd >= a) model.counts(g, a, pastEnd, past);
            rows.add(new Row(by == GroupBy.TERRITORY ? "all" : g.value, counts, past));
        }
        return rows;
    }
}
