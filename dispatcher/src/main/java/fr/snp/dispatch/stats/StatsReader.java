package fr.snp.dispatch.stats;

import fr.snp.dispatch.availability.AvailabilityPlanner;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.temporal.IsoFields;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * Reads the statistics the Lua scripts keep: one hash per territory and local day, fields
 * "metric|dimension|value" -> count, through a read model in memory per territory ({@link StatsModel}): prefix sums
 * over a window of days, loaded on the first report of the territory, then kept in step by rereading only the days
 * whose hash changed.
 * <p>
 * Every counting script notes each day it changed (once per day and script) in the territory's revision hash
 * ({@link Keys#statsRevision}): per day, and in all ("*"). A report first reads "*" and "gen" (one round trip): if the model has seen that many
 * changes of that generation, it is answered from memory; else the revision hash is read, the days whose revision
 * moved are read again (pipelined) and replace what the model had of them, then it is answered. A report therefore
 * counts every change that was acknowledged before it was asked (read-your-writes, across instances). Refreshes of
 * one territory are coalesced: one at a time, the reports that arrive meanwhile wait for it and check again.
 * <p>
 * The model holds a window of consecutive days: a report outside it rebuilds the model over the window and the
 * report's period together (at most {@link #MOST_DAYS} days; else over the report's period alone), reading every day
 * of it. A new window reaches {@link #AHEAD_DAYS} days past the period's end, so that rolling periods ending today
 * stay inside it for weeks. Days whose hash existed before revisions were kept (revision 0) are read at the build
 * and only again once a change to them is noted.
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

    /** The longest window a model holds (memory: see {@link StatsModel}); a report covers 366 days at most. */
    static final int MOST_DAYS = 800;
    /** How far past a report's end a new window reaches. */
    static final int AHEAD_DAYS = 31;
    /** Day hashes read in one pipelined batch. */
    static final int BATCH_DAYS = 32;

    private final RedisClusterAsyncCommands<String, String> redis;
    private final AvailabilityPlanner calendar;
    private final Map<String, Territory> territories = new ConcurrentHashMap<>();

    public StatsReader(RedisClusterAsyncCommands<String, String> redis, AvailabilityPlanner calendar) {
        this.redis = redis;
        this.calendar = calendar;
    }

    public LocalDate today(long nowMs) { return calendar.today(java.time.Instant.ofEpochMilli(nowMs)); }

    /**
     * {@code compute} over the territory's statistics of [from, to], once the model counts every change acknowledged
     * before this call. It runs under the model's read lock: it should take what it needs and leave the rendering out.
     */
    public <T> CompletionStage<T> read(String territory, LocalDate from, LocalDate to, Function<Stats, T> compute) {
        Territory t = territories.computeIfAbsent(territory, Territory::new);
        return redis.hmget(Keys.statsRevision(territory), "*", "gen").thenCompose(seen -> {
            long total = seen.get(0).hasValue() ? Long.parseLong(seen.get(0).getValue()) : 0;
            String gen = seen.get(1).hasValue() ? seen.get(1).getValue() : null;
            return t.readWhenCaughtUp(from, to, total, gen, compute);
        });
    }

    /** One territory's model, its lock, and the refresh in flight. */
    private final class Territory {
        private final String territory;
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        private volatile StatsModel model;
        private CompletableFuture<Void> refreshing; // guarded by this

        Territory(String territory) { this.territory = territory; }

        <T> CompletionStage<T> readWhenCaughtUp(LocalDate from, LocalDate to, long total, String gen,
                                                Function<Stats, T> compute) {
            StatsModel current = model;
            if (current != null && current.covers(from, to) && Objects.equals(current.gen, gen) && current.seenTotal >= total) {
                return readNow(from, to, compute); // the common case: nothing changed since the model last caught up
            }
            CompletableFuture<Void> wait;
            boolean mine = false;
            synchronized (this) {
                if (refreshing == null) {
                    CompletableFuture<Void> f = refresh(from, to);
                    refreshing = f;
                    mine = true;
                    // may run at once (the refresh already done): hence wait = f, not the field
                    f.whenComplete((done, error) -> {
                        synchronized (this) { if (refreshing == f) refreshing = null; }
                    });
                    wait = f;
                } else {
                    wait = refreshing;
                }
            }
            // a refresh this report started read the revisions after the report's own look: it has what the report must
            // count. One already under way may have looked before: the report checks again once it is done.
            if (mine) return wait.thenCompose(done -> readNow(from, to, compute));
            return wait.thenCompose(done -> readWhenCaughtUp(from, to, total, gen, compute));
        }

        /** Reads under the lock; should another report's rebuild have moved the window meanwhile, catches up again. */
        private <T> CompletionStage<T> readNow(LocalDate from, LocalDate to, Function<Stats, T> compute) {
            lock.readLock().lock();
            try {
                StatsModel m = model;
                if (m.covers(from, to)) return CompletableFuture.completedFuture(compute.apply(new Stats(m, from, to)));
            } finally {
                lock.readLock().unlock();
            }
            return read(territory, from, to, compute);
        }

        /** Brings the model up to the revision hash as it is now, over a window covering [from, to]. */
        private CompletableFuture<Void> refresh(LocalDate from, LocalDate to) {
            return redis.hgetall(Keys.statsRevision(territory)).toCompletableFuture().thenCompose(revisions -> {
                String gen = revisions.get("gen");
                long total = revisions.containsKey("*") ? Long.parseLong(revisions.get("*")) : 0;
                StatsModel m = model;
                boolean sameGen = m != null && Objects.equals(m.gen, gen);
                if (sameGen && m.covers(from, to)) {
                    List<Integer> changed = new ArrayList<>();
                    for (int i = 0; i < m.length; i++) {
                        if (revision(revisions, m, i) != m.dayRevision[i]) changed.add(i);
                    }
                    return readDays(m, changed).thenAccept(hashes -> {
                        lock.writeLock().lock();
                        try {
                            for (int k = 0; k < changed.size(); k++) {
                                int i = changed.get(k);
                                m.apply(i, hashes.get(k));
                                m.dayRevision[i] = revision(revisions, m, i);
                            }
                            if (!changed.isEmpty()) m.changes++;
                            m.seenTotal = Math.max(m.seenTotal, total);
                        } finally {
                            lock.writeLock().unlock();
                        }
                    });
                }
                // a new model: over the old window and the period together if that stays small, else the period's
                LocalDate first = from;
                LocalDate last = to.plusDays(AHEAD_DAYS);
                if (sameGen) {
                    LocalDate f = m.first().isBefore(first) ? m.first() : first;
                    LocalDate l = m.last().isAfter(last) ? m.last() : last;
                    if (ChronoUnit.DAYS.between(f, l) < MOST_DAYS) {
                        first = f;
                        last = l;
                    }
                }
                StatsModel built = new StatsModel(first, (int) ChronoUnit.DAYS.between(first, last) + 1, gen);
                List<Integer> all = new ArrayList<>(built.length);
                for (int i = 0; i < built.length; i++) all.add(i);
                return readDays(built, all).thenAccept(hashes -> {
                    for (int i = 0; i < built.length; i++) {
                        built.load(i, hashes.get(i));
                        built.dayRevision[i] = revision(revisions, built, i);
                    }
                    built.prefix();
                    built.seenTotal = total;
                    lock.writeLock().lock();
                    try {
                        model = built;
                    } finally {
                        lock.writeLock().unlock();
                    }
                });
            });
        }

        /**
         * The day hashes of the given days of the model's window, in the same order: pipelined by batches of
         * {@link #BATCH_DAYS}, so that a build of 400 days of a large territory (~600k fields) does not have its last
         * replies wait behind all the others past the command timeout.
         */
        private CompletableFuture<List<Map<String, String>>> readDays(StatsModel m, List<Integer> days) {
            List<Map<String, String>> out = new ArrayList<>(days.size());
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int start = 0; start < days.size(); start += BATCH_DAYS) {
                List<Integer> batch = days.subList(start, Math.min(days.size(), start + BATCH_DAYS));
                chain = chain.thenCompose(done -> {
                    List<CompletableFuture<Map<String, String>>> reads = new ArrayList<>(batch.size());
                    for (int i : batch) reads.add(redis.hgetall(Keys.stats(territory, day(m, i))).toCompletableFuture());
                    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                            .thenAccept(all -> reads.forEach(r -> out.add(r.join())));
                });
            }
            return chain.thenApply(done -> out);
        }
    }

    private static String day(StatsModel m, int i) {
        return LocalDate.ofEpochDay(m.firstDay + i).format(DateTimeFormatter.BASIC_ISO_DATE);
    }

    private static long revision(Map<String, String> revisions, StatsModel m, int i) {
        String r = revisions.get(day(m, i));
        return r == null ? 0 : Long.parseLong(r);
    }

    /** The ISO weeks ("2026-W48") of a period in order, each with its days inside the period. */
    public record Week(String isoWeek, LocalDate from, LocalDate to) {}

    public static List<Week> weeks(LocalDate from, LocalDate to) {
        List<Week> out = new ArrayList<>();
        LocalDate start = from;
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            if (d.equals(to) || d.plusDays(1).getDayOfWeek() == DayOfWeek.MONDAY) {
                out.add(new Week(String.format("%d-W%02d", start.get(IsoFields.WEEK_BASED_YEAR),
                        start.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR)), start, d));
                start = d.plusDays(1);
            }
        }
        return out;
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
