package fr.snp.dispatch.matching;

import fr.snp.dispatch.domain.Mode;
import fr.snp.dispatch.domain.SlotState;

import java.util.Arrays;
import java.util.function.Predicate;

/**
 * The slots of one practice location at one moment, by start (one slot per start: a second one at the same start
 * replaces the first here, as a start-keyed map would), with how many of them each mode has. Immutable: a writer
 * builds the next version with {@link #with} or {@link #without} and publishes it, so a search reads a consistent
 * location without a lock. Primitive starts for the binary search of a window's first slot.
 */
final class LocationSlots {
    static final LocationSlots EMPTY = new LocationSlots(new long[0], new SlotState[0], new int[Mode.values().length]);

    final long[] starts;
    final SlotState[] states;
    /** Slots per mode (by ordinal): a search skips a location that has none of the modes it may offer there. */
    final int[] modeCounts;

    private LocationSlots(long[] starts, SlotState[] states, int[] modeCounts) {
        this.starts = starts;
        this.states = states;
        this.modeCounts = modeCounts;
    }

    int size() { return starts.length; }

    /**
     * The index of the first slot starting at or after {@code sec}. Galloping from the front (1, 2, 4... slots in),
     * then a binary search in the last step: a search's window mostly starts about now, where a location's slots
     * start (the ended ones are pruned), so this reads the array's first cache line or two, where a plain binary
     * search starts in the middle and reads three or four, each a miss on a large territory.
     */
    int firstAtOrAfter(long sec) {
        int n = starts.length, lo = 0;
        long bound = 1; // a long: doubling never overflows
        while (bound <= n && starts[(int) bound - 1] < sec) { // every slot before bound starts before sec
            lo = (int) bound;
            bound <<= 1;
        }
        int hi = bound > n ? n : (int) bound - 1; // the answer is in [lo, hi]: starts[hi] >= sec, or hi == n
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] < sec) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /** This location with {@code s} at its start, in place of the slot that started then, if any. */
    LocationSlots with(SlotState s) {
        int i = firstAtOrAfter(s.start());
        int[] counts = modeCounts.clone();
        counts[s.mode().ordinal()]++;
        if (i < starts.length && starts[i] == s.start()) {
            counts[states[i].mode().ordinal()]--;
            SlotState[] next = states.clone();
            next[i] = s;
            return new LocationSlots(starts, next, counts);
        }
        long[] nextStarts = new long[starts.length + 1];
        SlotState[] next = new SlotState[starts.length + 1];
        System.arraycopy(starts, 0, nextStarts, 0, i);
        System.arraycopy(states, 0, next, 0, i);
        nextStarts[i] = s.start();
        next[i] = s;
        System.arraycopy(starts, i, nextStarts, i + 1, starts.length - i);
        System.arraycopy(states, i, next, i + 1, states.length - i);
        return new LocationSlots(nextStarts, next, counts);
    }

    /**
     * This location with {@code next} in place of {@code old} (a new state of one slot): when the start is kept (a
     * hold, a booking) only the states are copied, the starts are shared (never written once published).
     */
    LocationSlots replacing(SlotState old, SlotState next) {
        int i = firstAtOrAfter(old.start());
        if (next.start() != old.start() || i == starts.length || starts[i] != old.start() || !states[i].equals(old)) {
            return without(old).with(next);
        }
        int[] counts = modeCounts.clone();
        counts[old.mode().ordinal()]--;
        counts[next.mode().ordinal()]++;
        SlotState[] copy = states.clone();
        copy[i] = next;
        return new LocationSlots(starts, copy, counts);
    }

    /** This location without {@code s}; itself if {@code s} is not the slot held at its start (it was replaced). */
    LocationSlots without(SlotState s) {
        int i = firstAtOrAfter(s.start());
        if (i == starts.length || starts[i] != s.start() || !states[i].equals(s)) return this;
        int[] counts = modeCounts.clone();
        counts[s.mode().ordinal()]--;
        long[] nextStarts = new long[starts.length - 1];
        SlotState[] next = new SlotState[starts.length - 1];
        System.arraycopy(starts, 0, nextStarts, 0, i);
        System.arraycopy(states, 0, next, 0, i);
        System.arraycopy(starts, i + 1, nextStarts, i, starts.length - i - 1);
        System.arraycopy(states, i + 1, next, i, states.length - i - 1);
        return new LocationSlots(nextStarts, next, counts);
    }

    /** This location keeping only the slots {@code keep} accepts; itself if it accepts all. */
    LocationSlots retain(Predicate<SlotState> keep) {
        int kept = 0;
        for (SlotState s : states) if (keep.test(s)) kept++;
        if (kept == states.length) return this;
        long[] nextStarts = new long[kept];
        SlotState[] next = new SlotState[kept];
        int[] counts = new int[modeCounts.length];
        int j = 0;
        for (int i = 0; i < states.length; i++) {
            if (!keep.test(states[i])) continue;
            nextStarts[j] = starts[i];
            next[j++] = states[i];
            counts[states[i].mode().ordinal()]++;
        }
        return new LocationSlots(nextStarts, next, counts);
    }

    @Override
    public String toString() { return Arrays.toString(states); }
}
