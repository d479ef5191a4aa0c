package fr.snp.dispatch.stats;

import fr.snp.dispatch.availability.AvailabilityPlanner;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Reads the statistics the Lua scripts keep: one hash per territory and local day, fields
 * "metric|dimension|value" -> count. A report over a period reads one hash per day (pipelined): its cost is the
 * number of days, never the number of appointments.
 */
public final class StatsReader {
    /** Ways to group appointment figures; WEEKDAY is derived from the day buckets. */
    public enum GroupBy { TERRITORY, EFFECTOR, CPTS, ORIGIN, WEEKDAY, HOUR, LEAD }

    /**
     * closed: ended without feedback and closed by the coordinator ("clos sans retour"), counted apart;
     * supernumerary: booked outside the published slots (also counted in booked).
     */
    public static final List<String> APPOINTMENT_METRICS = List.of("booked", "fulfilled", "noshow", "cancelled", "closed",
            "supernumerary");

    private final RedisClusterAsyncCommands<String, String> redis;
    private final AvailabilityPlanner calendar;

    public StatsReader(RedisClusterAsyncCommands<String, String> redis, AvailabilityPlanner calendar) {
        this.redis = redis;
        this.calendar = calendar;
    }

    public LocalDate today(long nowMs) { return calendar.today(java.time.Instant.ofEpochMilli(nowMs)); }

    /** The day hashes of [from, to], in order. */
    public CompletionStage<List<Map.Entry<LocalDate, Map<String, String>>>> days(String territory, LocalDate from, LocalDate to) {
        List<LocalDate> dates = new ArrayList<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) dates.add(d);
        List<CompletableFuture<Map<String, String>>> reads = dates.stream()
                .map(d -> redis.hgetall(Keys.stats(territory, d.format(DateTimeFormatter.BASIC_ISO_DATE))).toCompletableFuture())
                .toList();
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<Map.Entry<LocalDate, Map<String, String>>> out = new ArrayList<>(dates.size());
            for (int i = 0; i < dates.size(); i++) out.add(Map.entry(dates.get(i), reads.get(i).join()));
            return out;
        });
    }

    /** Sum of every field over the days. */
    public static Map<String, Long> total(List<Map.Entry<LocalDate, Map<String, String>>> days) {
        Map<String, Long> sum = new HashMap<>();
        days.forEach(d -> d.getValue().forEach((field, v) -> sum.merge(field, Long.parseLong(v), Long::sum)));
        return sum;
    }

    /** Appointment figures grouped: key (effector id, CPTS, origin, weekday…) -> metric -> count. */
    public static Map<String, Map<String, Long>> appointments(List<Map.Entry<LocalDate, Map<String, String>>> days,
                                                              GroupBy by) {
        Map<String, Map<String, Long>> rows = new TreeMap<>();
        for (Map.Entry<LocalDate, Map<String, String>> day : days) {
            for (Map.Entry<String, String> f : day.getValue().entrySet()) {
                String[] parts = f.getKey().split("\\|", 3);
                if (parts.length != 3 || !APPOINTMENT_METRICS.contains(parts[0])) continue;
                String key = keyOf(by, parts[1], parts[2], day.getKey());
                if (key == null) continue;
                rows.computeIfAbsent(key, k -> new HashMap<>()).merge(parts[0], Long.parseLong(f.getValue()), Long::sum);
            }
        }
        return rows;
    }

    /** The days of one ISO week inside a period: {@code from}..{@code to} may be a part of the week at the period's ends. */
    public record Week(String isoWeek, LocalDate from, LocalDate to, Map<String, Long> totals) {}

    /** Sums of every field by ISO week ("2026-W48"), in order. */
    public static List<Week> weeks(List<Map.Entry<LocalDate, Map<String, String>>> days) {
        Map<String, List<Map.Entry<LocalDate, Map<String, String>>>> byWeek = new TreeMap<>();
        for (Map.Entry<LocalDate, Map<String, String>> day : days) {
            LocalDate d = day.getKey();
            String week = String.format("%d-W%02d", d.get(IsoFields.WEEK_BASED_YEAR), d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            byWeek.computeIfAbsent(week, w -> new ArrayList<>()).add(day);
        }
        List<Week> out = new ArrayList<>();
        byWeek.forEach((week, list) -> out.add(new Week(week, list.get(0).getKey(), list.get(list.size() - 1).getKey(),
                total(list))));
        return out;
    }

    private static String keyOf(GroupBy by, String dimension, String value, LocalDate day) {
        switch (by) {
            case TERRITORY: return dimension.equals("all") ? "all" : null;
            case WEEKDAY: return dimension.equals("all") ? weekday(day.getDayOfWeek()) : null;
            default: return dimension.equals(by.name().toLowerCase()) ? value : null;
        }
    }

    static String weekday(DayOfWeek d) { return d.name().substring(0, 3); }

    /** The median of a histogram of 5-minute buckets ("wait|5min|k" -> n), in minutes; null when empty. */
    public static Long medianWaitMinutes(Map<String, Long> totals) {
        TreeMap<Long, Long> histogram = new TreeMap<>();
        totals.forEach((field, n) -> {
            if (field.startsWith("wait|5min|") && n > 0) histogram.merge(Long.parseLong(field.substring(10)), n, Long::sum);
        });
        long count = histogram.values().stream().mapToLong(Long::longValue).sum();
        if (count == 0) return null;
        long seen = 0;
        long half = (count + 1) / 2;
        for (Map.Entry<Long, Long> bucket : histogram.entrySet()) {
            seen += bucket.getValue();
            if (seen >= half) return bucket.getKey() * 5 + 2; // middle of the bucket: within 2.5 minutes
        }
        return null;
    }
}
