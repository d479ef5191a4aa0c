package fr.snp.dispatch.sync;

import fr.snp.dispatch.matching.TerritoryIndex;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the index's anti-entropy found, for ops: per territory, the last comparison of this instance's index with
 * Redis (the same digest computed on both sides), and how many times the index was rebuilt, by reason (a Redis
 * restart, a new master, a gap in the change stream, a drift found by the comparison).
 */
public final class IndexChecks {
    /** One comparison: when, the two digests, and whether they were equal. */
    public record Check(long atMs, long fromSec, TerritoryIndex.Digest index, TerritoryIndex.Digest redis) {
        public boolean inSync() { return index.equals(redis); }
    }

    private final Map<String, Check> last = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> reloads = new ConcurrentHashMap<>();

    void record(String territory, Check c) { last.put(territory, c); }

    void reloaded(String reason) { reloads.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet(); }

    /** The last comparison of a territory, or null when none was made yet. */
    public Check last(String territory) { return last.get(territory); }

    /** Rebuilds of the index by reason ("restart", "new_master", "gap", "drift"). */
    public long reloads(String reason) {
        AtomicLong n = reloads.get(reason);
        return n == null ? 0 : n.get();
    }

    public static final java.util.List<String> REASONS = java.util.List.of("restart", "new_master", "gap", "drift");
}
