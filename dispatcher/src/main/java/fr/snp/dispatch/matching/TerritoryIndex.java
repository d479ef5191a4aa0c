package fr.snp.dispatch.matching;

import fr.snp.dispatch.domain.Audience;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Mode;
import fr.snp.dispatch.domain.PracticeLocation;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.domain.SlotStatus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The slots of one territory in memory, a read model of Redis: per effector and practice location, the slots
 * sorted by start, and the locations on a spatial grid. A search visits the locations of the cells its radius
 * covers (and, for teleconsultation, the locations that have teleconsultation slots) and, in each, only the first
 * slots of the window, so its cost grows neither with the number of slots nor with the size of the territory.
 * <p>Searches take no lock: each location's slots are an immutable {@link LocationSlots} published by a volatile
 * write, the grid an immutable {@link Places} likewise, so a search sees every location in one consistent state
 * (as of some write) and never waits for a writer. Writers (the Lua scripts' replies and the change stream, applied
 * in version order, on Lettuce's I/O thread) and the other readers (lookups, planning views, the anti-entropy
 * digest) share a read-write lock over the by-id maps.
 */
public final class TerritoryIndex {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, EffectorSlots> effectors = new HashMap<>();
    private final Map<String, SlotState> slots = new HashMap<>();
    /**
     * effectorId -> ISO week -> {all bookings, SAS-regulated bookings}; read by searches without the lock, by the
     * ids they hold (no key to build: a search looks loads up for every place it walks).
     */
    private final Map<String, Map<String, int[]>> loads = new ConcurrentHashMap<>();
    /** RPPS (11 digits) -> effector id: the SAS platform names practitioners by RPPS (INT_R04). */
    private final Map<String, String> byRpps = new HashMap<>();
    /**
     * Slots withdrawn (stored status cancelled), by id: {their last version, their end (epoch s)}. A withdrawn slot
     * leaves the index; without its tombstone, a late copy of one of its older events (a second instance's reply, a
     * replayed stream entry) would find no slot to compare versions with and bring it back. Kept until it ends.
     */
    private final Map<String, long[]> tombstones = new HashMap<>();
    /** The grid of the current effectors' locations, replaced whole (copy on write) by the writers. */
    private volatile Places places = Places.EMPTY;

    /** A practice location of an effector, where it is on the grid, and its slots of the moment. */
    static final class Place {
        final Effector effector;
        final PracticeLocation at;
        /** The location's coordinates, copied here so that a search reads them without following {@code at}. */
        final double lat, lng, cosLat;
        final int latCell;
        final int lngCell;
        /** Replaced, never changed in place, by the writers under the write lock ({@link #set}). */
        volatile LocationSlots slots = LocationSlots.EMPTY;
        /**
         * The start of the place's first slot (Long.MAX_VALUE when it has none), copied here by {@link #set} so that
         * a search bounds the place's best time score from the Place alone, without following {@link #slots} (a
         * cache miss or more per place on a large territory). A search that reads it before the slots it goes with
         * prunes as if it had read the previous slots whole, which it could have.
         */
        volatile long firstStart = Long.MAX_VALUE;

        /** The effector's bookings by ISO week (the index's own map for it, shared by its places). */
        final Map<String, int[]> loads;

        Place(Effector effector, PracticeLocation at, Map<String, int[]> loads) {
            this.effector = effector;
            this.loads = loads;
            this.at = at;
            this.lat = at.lat();
            this.lng = at.lng();
            this.cosLat = fr.snp.dispatch.geo.Distance.cosLat(at.lat());
            this.latCell = Grid.latCell(at.lat());
            this.lngCell = Grid.lngCell(at.lng());
        }

        boolean hasVr() { return slots.modeCounts[Mode.VR.ordinal()] > 0; }

        /** Publishes the place's next slots (writers only) and their first start. */
        void set(LocationSlots next) {
            slots = next;
            firstStart = next.size() == 0 ? Long.MAX_VALUE : next.starts[0];
        }
    }

    /** An effector and one {@link Place} per practice location, in the order of its locations. */
    static final class EffectorSlots {
        final Effector effector;
        final Place[] places;

        EffectorSlots(Effector effector, Map<String, int[]> loads) {
            this.effector = effector;
            this.places = new Place[effector.locations().size()];
            for (int i = 0; i < places.length; i++) places[i] = new Place(effector, effector.locations().get(i), loads);
        }

        /** The place of a slot's location, or null when the effector has no such location (any more). */
        Place of(SlotState s) { return s.location() >= 0 && s.location() < places.length ? places[s.location()] : null; }
    }

    /**
     * The grid: the places of each occupied cell, and the places that have teleconsultation slots (a search that
     * may offer teleconsultation visits those wherever they are, distance does not matter there). Immutable.
     */
    record Places(Map<Long, Place[]> cells, Place[] withVr) {
        static final Places EMPTY = new Places(Map.of(), new Place[0]);

        /** The grid with {@code removed} taken out and {@code added} put in. */
        Places replacing(Place[] removed, Place[] added) {
            Map<Long, Place[]> next = new HashMap<>(cells);
            Place[] vr = withVr;
            for (Place p : removed) {
                long key = Grid.key(p.latCell, p.lngCell);
                Place[] left = without(next.get(key), p);
                if (left.length == 0) next.remove(key); else next.put(key, left);
                vr = without(vr, p);
            }
            for (Place p : added) {
                next.merge(Grid.key(p.latCell, p.lngCell), new Place[]{p}, Places::concat);
                if (p.hasVr()) vr = concat(vr, new Place[]{p});
            }
            return new Places(next, vr);
        }

        Places withVr(Place p, boolean has) {
            return new Places(cells, has ? concat(without(withVr, p), new Place[]{p}) : without(withVr, p));
        }

        /**
         * Calls {@code visit} on every place of the cells in {@code range}, each once, ring by ring from the center
         * cell outwards; before each ring k >= 1, {@code stopAt} may end the walk (nothing farther can be listed).
         * A box far wider than the occupied cells (or everywhere) walks the occupied cells instead, in no order.
         * <p>Why "far": the walk in no order cannot stop early, nor prune well (its list fills with whatever comes
         * first), so it visits every place of the territory, while the rings usually stop after a few dozen cells.
         * Falling back as soon as the box outnumbered the occupied cells sent 40 % of the searches of a 1,000-effector
         * territory (~770 occupied cells, ~800-cell boxes) through every place (~370 places instead of ~30).
         */
        void forEachIn(Grid.Range range, java.util.function.Consumer<Place> visit, java.util.function.IntPredicate stopAt) {
            if (!walksRings(range)) {
                for (Place[] cell : cells.values()) {
                    if (cell.length > 0 && range.contains(cell[0].latCell, cell[0].lngCell)) for (Place p : cell) visit.accept(p);
                }
                return;
            }
            int rings = range.rings();
            for (int k = 0; k <= rings; k++) {
                if (k > 0 && stopAt.test(k)) return;
                int la0 = Math.max(range.latLo(), range.latCenter() - k), la1 = Math.min(range.latHi(), range.latCenter() + k);
                for (int la = la0; la <= la1; la++) {
                    boolean edge = la == range.latCenter() - k || la == range.latCenter() + k;
                    int step = edge ? 1 : 2 * k; // inside the ring's rows, only its two end columns
                    for (int ln = range.lngCenter() - k; ln <= range.lngCenter() + k; ln += Math.max(1, step)) {
                        if (ln < range.lngLo() || ln > range.lngHi()) continue;
                        Place[] cell = cells.get(Grid.key(la, ln));
                        if (cell != null) for (Place p : cell) visit.accept(p);
                    }
                }
            }
        }

        /** Whether {@link #forEachIn} walks this box ring by ring (calling its {@code stopAt} between rings). */
        boolean walksRings(Grid.Range range) { return range.cells() / UNORDERED_FACTOR <= cells.size(); }

        /** How many times the occupied cells a box must outnumber before its cells are walked in no order. */
        static final long UNORDERED_FACTOR = 4;

        private static Place[] without(Place[] all, Place p) {
            if (all == null) return new Place[0];
            int n = 0;
            for (Place q : all) if (q != p) n++;
            if (n == all.length) return all;
            Place[] left = new Place[n];
            int i = 0;
            for (Place q : all) if (q != p) left[i++] = q;
            return left;
        }

        private static Place[] concat(Place[] a, Place[] b) {
            Place[] all = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            return all;
        }
    }

    /** The grid as it is now, for a search. */
    Places places() { return places; }

    public void putEffector(Effector effector) {
        write(() -> {
            EffectorSlots entry = new EffectorSlots(effector, weeksOf(effector.id()));
            EffectorSlots previous = effectors.put(effector.id(), entry);
            if (previous != null && previous.effector.rpps() != null) byRpps.remove(previous.effector.rpps(), effector.id());
            if (effector.rpps() != null) byRpps.put(effector.rpps(), effector.id());
            // its places are not on the grid yet: filled without publishing each step
            for (SlotState s : slots.values()) {
                Place p = s.effectorId().equals(effector.id()) ? entry.of(s) : null;
                if (p != null) p.set(p.slots.with(s));
            }
            places = places.replacing(previous == null ? new Place[0] : previous.places, entry.places);
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
     * {@code keep} accepts, by location then start, read from the start-ordered locations: the cost is that of
     * the window, not of the effector's whole agenda.
     */
    public List<SlotState> effectorSlots(String effectorId, long fromSec, long toSec,
                                         java.util.function.Predicate<SlotState> keep) {
        if (fromSec > toSec) return List.of();
        return read(() -> {
            EffectorSlots e = effectors.get(effectorId);
            if (e == null) return List.<SlotState>of();
            List<SlotState> out = new ArrayList<>();
            for (Place p : e.places) {
                LocationSlots at = p.slots;
                for (int i = at.firstAtOrAfter(fromSec); i < at.size() && at.starts[i] <= toSec; i++) {
                    if (keep.test(at.states[i])) out.add(at.states[i]);
                }
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
            Place from = old != null && entry != null ? entry.of(old) : null;
            Place to = null;
            if (s.status() == SlotStatus.CANCELLED) {
                slots.remove(s.id());
                tombstones.put(s.id(), new long[]{s.version(), s.end()});
            } else {
                slots.put(s.id(), s);
                tombstones.remove(s.id()); // published again, with a newer version
                to = entry == null ? null : entry.of(s);
            }
            if (from != null && from == to) {
                publish(to, to.slots.replacing(old, s)); // one step: a search never sees the place without it
            } else {
                if (from != null) publish(from, from.slots.without(old));
                if (to != null) publish(to, to.slots.with(s));
            }
            return null;
        });
    }

    /** Publishes a place's next slots (under the write lock), and its entry in the teleconsultation list. */
    private void publish(Place p, LocationSlots next) {
        boolean hadVr = p.hasVr();
        p.set(next);
        if (p.hasVr() != hadVr) places = places.withVr(p, !hadVr);
    }

    public SlotState slot(String id) { return read(() -> slots.get(id)); }

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
        // a new array: a search reads a whole pair
        weeksOf(effectorId).put(String.valueOf(week), new int[]{all, sas});
    }

    /** {all, SAS-regulated} bookings of an effector in an ISO week (a copy). */
    public int[] load(String effectorId, String week) { return loadIn(loads.get(effectorId), week).clone(); }

    /** An effector's loads by week; never removed, so its places may keep it. */
    private Map<String, int[]> weeksOf(String effectorId) {
        return loads.computeIfAbsent(effectorId, e -> new ConcurrentHashMap<>());
    }

    /** A place's effector's load in a week, for a search: never write into it. */
    static int[] loadAt(Place p, String week) { return loadIn(p.loads, week); }

    /** The load of {@code week} among an effector's weeks (null: none known). */
    private static int[] loadIn(Map<String, int[]> weeks, String week) {
        int[] l = weeks == null ? null : weeks.get(String.valueOf(week)); // a slot without a week: "null", as set
        return l == null ? NO_LOAD : l;
    }

    private static final int[] NO_LOAD = {0, 0};

    /** Drops slots that ended before {@code epochSecond} from memory (Redis keeps them). */
    public int pruneEndedBefore(long epochSecond) {
        return write(() -> {
            tombstones.values().removeIf(t -> t[1] < epochSecond);
            List<SlotState> ended = slots.values().stream().filter(s -> s.end() < epochSecond).toList();
            java.util.Set<Place> touched = new java.util.HashSet<>();
            for (SlotState s : ended) {
                slots.remove(s.id());
                EffectorSlots entry = effectors.get(s.effectorId());
                Place p = entry == null ? null : entry.of(s);
                if (p != null) touched.add(p);
            }
            // a place holds only slots of the by-id map, so its ended ones are exactly those just removed
            for (Place p : touched) publish(p, p.slots.retain(s -> s.end() >= epochSecond));
            return ended.size();
        });
    }

    /** Reserved slots whose release time has passed and whose stored audience is still the reserved one. */
    public List<String> dueReleases(long nowMs) {
        return read(() -> slots.values().stream()
                .filter(s -> s.releaseAtMs() > 0 && s.releaseAtMs() <= nowMs && s.status() == SlotStatus.FREE)
                .map(SlotState::id).toList());
    }

    /**
     * What the /metrics gauges publish of this territory, as counted at {@code countedAtMs}: the slots that can be
     * taken then, by audience (free, not held, not started, visible to that audience at that time), those of them
     * open to SNP starting within 24 hours, and the slots held then. Counted by {@link #countFigures} (a pass over
     * every slot, run periodically off the event loop) so that a scrape reads them in constant time.
     */
    public record SlotFigures(long countedAtMs, long[] freeByAudience, long freeSnpWithin24h, long held) {
        /** Before the first count. */
        public static final SlotFigures NONE = new SlotFigures(0, new long[Audience.values().length], 0, 0);

        public long free(Audience a) { return freeByAudience[a.ordinal()]; }
    }

    /** Counts the gauges' figures at {@code nowMs}: one pass over the slots, under the read lock. */
    public SlotFigures countFigures(long nowMs) {
        return read(() -> {
            long now = nowMs / 1000;
            long[] free = new long[Audience.values().length];
            long snp24h = 0, held = 0;
            for (SlotState s : slots.values()) {
                if (s.start() < now) continue;
                if (s.heldAt(nowMs)) held++;
                for (Audience a : Audience.values()) {
                    if (s.offerableTo(a.bit, nowMs)) {
                        free[a.ordinal()]++;
                        if (a == Audience.SNP && s.start() < now + 86_400) snp24h++;
                    }
                }
            }
            return new SlotFigures(nowMs, free, snp24h, held);
        });
    }

    private <T> T read(Supplier<T> body) {
        lock.readLock().lock();
        try { return body.get(); } finally { lock.readLock().unlock(); }
    }

    private <T> T write(Supplier<T> body) {
        lock.writeLock().lock();
        try { return body.get(); } finally { lock.writeLock().unlock(); }
    }
}
