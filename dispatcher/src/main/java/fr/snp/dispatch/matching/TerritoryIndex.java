package fr.snp.dispatch.matching;

import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.domain.SlotStatus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The slots of one territory in memory, a read model of Redis: per effector and practice location, the slots
 * sorted by start. A search walks the locations near the patient and, in each, only the first slots of the
 * window, so its cost does not grow with the number of slots. Readers share a lock; writers are the Lua
 * scripts' replies and the change stream, applied in version order.
 */
public final class TerritoryIndex {
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    final Map<String, EffectorSlots> effectors = new HashMap<>();
    private final Map<String, SlotState> slots = new HashMap<>();
    /** "week:effectorId" -> {all bookings, SAS-regulated bookings}. */
    private final Map<String, int[]> loads = new HashMap<>();
    /** RPPS (11 digits) -> effector id: the SAS platform names practitioners by RPPS (INT_R04). */
    private final Map<String, String> byRpps = new HashMap<>();
    /**
     * Slots withdrawn (stored status cancelled), by id: {their last version, their end (epoch s)}. A withdrawn slot
     * leaves the index; without its tombstone, a late copy of one of its older events (a second instance's reply, a
     * replayed stream entry) would find no slot to compare versions with and bring it back. Kept until it ends.
     */
    private final Map<String, long[]> tombstones = new HashMap<>();

    /**
     * An effector with one start-ordered map of slots per practice location, and how many of those slots each
     * mode has (so that a search skips a location that has none of the modes it may offer there).
     */
    static final class EffectorSlots {
        final Effector effector;
        final List<NavigableMap<Long, SlotState>> byLocation;
        final int[][] modeCounts;

        EffectorSlots(Effector effector) {
            this.effector = effector;
            int n = effector.locations().size();
            this.byLocation = new ArrayList<>(n);
            for (int i = 0; i < n; i++) byLocation.add(new TreeMap<>());
            this.modeCounts = new int[n][fr.snp.dispatch.domain.Mode.values().length];
        }
    }

    public void putEffector(Effector effector) {
        write(() -> {
            EffectorSlots entry = new EffectorSlots(effector);
            EffectorSlots previous = effectors.put(effector.id(), entry);
            if (previous != null && previous.effector.rpps() != null) byRpps.remove(previous.effector.rpps(), effector.id());
            if (effector.rpps() != null) byRpps.put(effector.rpps(), effector.id());
            for (SlotState s : slots.values()) if (s.effectorId().equals(effector.id())) place(entry, s);
            return null;
        });
    }

    public Effector effector(String id) {
        return read(() -> {
            EffectorSlots e = effectors.get(id);
            return e == null ? null : e.effector;
        });
    }

    /** The effector with this RPPS (11 digits), or null. */
    public Effector effectorByRpps(String rpps) {
        return read(() -> {
            String id = byRpps.get(rpps);
            EffectorSlots e = id == null ? null : effectors.get(id);
            return e == null ? null : e.effector;
        });
    }

    /**
     * The slots of one effector starting in [fromSec, toSec] (both inclusive: the SAS search's ge/le) that
     * {@code keep} accepts, by location then start, read under the lock from the start-ordered maps: the cost is
     * that of the window, not of the effector's whole agenda.
     */
    public List<SlotState> effectorSlots(String effectorId, long fromSec, long toSec,
                                         java.util.function.Predicate<SlotState> keep) {
        if (fromSec > toSec) return List.of();
        return read(() -> {
            EffectorSlots e = effectors.get(effectorId);
            if (e == null) return List.<SlotState>of();
            List<SlotState> out = new ArrayList<>();
            for (NavigableMap<Long, SlotState> byStart : e.byLocation) {
                for (SlotState s : byStart.subMap(fromSec, true, toSec, true).values()) if (keep.test(s)) out.add(s);
            }
            return out;
        });
    }

    public List<Effector> allEffectors() {
        return read(() -> effectors.values().stream().map(e -> e.effector).toList());
    }

    /** Applies a newer state of a slot; older or equal versions (a late stream entry) are ignored. */
    public void apply(SlotState s) {
        write(() -> {
            SlotState old = slots.get(s.id());
            if (old != null && old.version() >= s.version()) return null;
            long[] dead = old == null ? tombstones.get(s.id()) : null;
            if (dead != null && dead[0] >= s.version()) return null; // an older event of a withdrawn slot
            EffectorSlots entry = effectors.get(s.effectorId());
            if (old != null && entry != null) unplace(entry, old);
            if (s.status() == SlotStatus.CANCELLED) {
                slots.remove(s.id());
                tombstones.put(s.id(), new long[]{s.version(), s.end()});
            } else {
                slots.put(s.id(), s);
                tombstones.remove(s.id()); // published again, with a newer version
                if (entry != null) place(entry, s);
            }
            return null;
        });
    }

    public SlotState slot(String id) { return read(() -> slots.get(id)); }

    /** How many slots starting in [fromSec, toSec) satisfy {@code test}, counted under the lock (for gauges). */
    public long countStarting(long fromSec, long toSec, java.util.function.Predicate<SlotState> test) {
        return read(() -> slots.values().stream().filter(s -> s.start() >= fromSec && s.start() < toSec && test.test(s)).count());
    }

    /** The slots (not ended) that start in [fromSec, toSec), for planning views. */
    public List<SlotState> slotsStarting(long fromSec, long toSec) {
        return read(() -> slots.values().stream().filter(s -> s.start() >= fromSec && s.start() < toSec).toList());
    }

    public int size() { return read(slots::size); }

    /**
     * What this index holds of the slots starting at or after {@code fromSec}, in a form Redis' copy can be compared
     * with (see sync/IndexSync's anti-entropy): how many are free and booked, and an order-free hash of every
     * (id, version, status). Withdrawn slots are not held (nor counted on Redis' side); holds are not part of it.
     */
    public Digest digest(long fromSec) {
        return read(() -> {
            long free = 0, booked = 0, hash = 0;
            for (SlotState s : slots.values()) {
                if (s.start() < fromSec) continue;
                if (s.status() == SlotStatus.FREE) free++; else booked++;
                hash += Digest.of(s.id(), s.version(), s.status());
            }
            return new Digest(free, booked, hash);
        });
    }

    /** Counts and an order-free hash of a set of slots (a sum of per-slot 64-bit hashes). */
    public record Digest(long free, long booked, long hash) {
        /** A slot's share of the hash: FNV-1a of its id, mixed with its version and status, finished as in MurmurHash3. */
        public static long of(String id, long version, SlotStatus status) {
            long h = 0xcbf29ce484222325L;
            for (int i = 0; i < id.length(); i++) {
                h ^= id.charAt(i);
                h *= 0x100000001b3L;
            }
            h ^= version * 0x9E3779B97F4A7C15L;
            h ^= (long) status.ordinal() << 56;
            h ^= h >>> 33;
            h *= 0xff51afd7ed558ccdL;
            h ^= h >>> 33;
            h *= 0xc4ceb9fe1a85ec53L;
            return h ^ (h >>> 33);
        }
    }

    public void setLoad(String effectorId, String week, int all, int sas) {
        write(() -> loads.put(week + ":" + effectorId, new int[]{all, sas}));
    }

    /** {all, SAS-regulated} bookings of an effector in an ISO week. Call under the read lock or not: copies. */
    public int[] load(String effectorId, String week) {
        return read(() -> loadUnlocked(effectorId, week).clone());
    }

    int[] loadUnlocked(String effectorId, String week) {
        int[] l = loads.get(week + ":" + effectorId);
        return l == null ? NO_LOAD : l;
    }

    private static final int[] NO_LOAD = {0, 0};

    /** Drops slots that ended before {@code epochSecond} from memory (Redis keeps them). */
    public int pruneEndedBefore(long epochSecond) {
        return write(() -> {
            tombstones.values().removeIf(t -> t[1] < epochSecond);
            List<SlotState> ended = slots.values().stream().filter(s -> s.end() < epochSecond).toList();
            for (SlotState s : ended) {
                slots.remove(s.id());
                EffectorSlots entry = effectors.get(s.effectorId());
                if (entry != null) unplace(entry, s);
            }
            return ended.size();
        });
    }

    /** Reserved slots whose release time has passed and whose stored audience is still the reserved one. */
    public List<String> dueReleases(long nowMs) {
        return read(() -> slots.values().stream()
                .filter(s -> s.releaseAtMs() > 0 && s.releaseAtMs() <= nowMs && s.status() == SlotStatus.FREE)
                .map(SlotState::id).toList());
    }

    private static void place(EffectorSlots entry, SlotState s) {
        if (s.location() >= entry.byLocation.size()) return;
        SlotState replaced = entry.byLocation.get(s.location()).put(s.start(), s);
        if (replaced != null) entry.modeCounts[s.location()][replaced.mode().ordinal()]--;
        entry.modeCounts[s.location()][s.mode().ordinal()]++;
    }

    private static void unplace(EffectorSlots entry, SlotState s) {
        if (s.location() < entry.byLocation.size() && entry.byLocation.get(s.location()).remove(s.start(), s)) {
            entry.modeCounts[s.location()][s.mode().ordinal()]--;
        }
    }

    <T> T read(Supplier<T> body) {
        lock.readLock().lock();
        try { return body.get(); } finally { lock.readLock().unlock(); }
    }

    private <T> T write(Supplier<T> body) {
        lock.writeLock().lock();
        try { return body.get(); } finally { lock.writeLock().unlock(); }
    }
}
