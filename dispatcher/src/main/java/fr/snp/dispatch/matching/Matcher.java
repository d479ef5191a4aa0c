package fr.snp.dispatch.matching;

import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Mode;
import fr.snp.dispatch.domain.PracticeLocation;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.domain.Specialties;
import fr.snp.dispatch.geo.Distance;

import java.util.List;

/**
 * Ranks the slots a request may take. Filters: audience (by role and CPTS), window, mode, specialty, accessible
 * practice for reduced mobility, radius (home visits also within the effector's own travel radius), weekly SAS
 * cap. Score parts in [0,1]: distance (1 at the patient's door, 0 at the radius; 1 for teleconsultation), time
 * (1 at the start of the window), fairness (1 for an effector with no booking this week, 0 at the cap). At most
 * {@code maxPerEffector} slots of one effector are listed, so requests spread over effectors.
 * <p>Order: score descending, then start, then slot id. Only the practice locations of the grid cells the radius
 * covers are visited (and, when teleconsultation is acceptable, the locations that have teleconsultation slots),
 * in each only the first fitting slots of the window per mode, and only the best candidates are kept
 * ({@link BestCandidates}), so that nothing is sorted whole. The result equals sorting every candidate of every
 * effector and then applying the cap and the limit (MatcherEquivalenceTest checks it against that reference).
 */
public final class Matcher {
    private final RankingWeights weights;

    public Matcher(RankingWeights weights) { this.weights = weights; }

    public List<Candidate> match(TerritoryIndex index, MatchQuery q, long nowMs) {
        long from = Math.max(q.fromSec(), nowMs / 1000 + weights.minLeadMinutes() * 60L);
        long to = q.toSec();
        if (to <= from || weights.maxPerEffector() <= 0) return List.of();
        Search search = new Search(index, q, nowMs, from, to);
        TerritoryIndex.Places places = index.places(); // one grid for the whole search
        // teleconsultation ignores distance: the places having VR slots are visited wherever they are, first (their
        // candidates score 1 for distance, which raises the bar for the rings), and the rings skip them
        java.util.Set<TerritoryIndex.Place> viaVr = search.vr
                ? java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()) : java.util.Set.of();
        if (search.vr) {
            for (TerritoryIndex.Place p : places.withVr()) {
                viaVr.add(p);
                search.visit(p);
            }
        }
        boolean nearby = search.amb || search.hh;
        Grid.Range range = nearby ? Grid.around(q.lat(), q.lng(), q.radiusKm()) : Grid.Range.NONE;
        // nearest rings first; once the list is full, a ring whose best possible score cannot beat its last ends the walk.
        // Within a ring, the places are visited best bound first (see Search.hold): in a dense area a ring holds dozens
        // of places, and taken in grid order most of them were read whole while the list's bar was still low
        boolean ordered = search.prunable && places.walksRings(range);
        places.forEachIn(range, p -> {
            if (viaVr.contains(p)) return;
            if (ordered) search.hold(p); else search.visit(p);
        }, k -> {
            search.flush(); // ring k - 1 visited whole before ring k is judged
            return search.prunable && search.best.full()
                    && search.upperBound(clamp(1.0 - range.ringMinKm(k) / q.radiusKm()), 1.0) < search.best.worstScore();
        });
        search.flush();
        return search.best.ranked();
    }

    /** One search: the query, its window, and the best candidates found so far. */
    private final class Search {
        final TerritoryIndex index;
        final MatchQuery q;
        final long nowMs, from, to;
        final boolean amb, hh, vr;
        final double cosLat;
        final BestCandidates best;
        /**
         * Whether a bound on the score may skip work: with weights >= 0 and a radius > 0 each score part, and so the
         * score (floating-point sums and products are monotonic), is at most its value at the part's maximum.
         */
        final boolean prunable;
        final int[] taken = new int[Mode.values().length];
        /** The last load looked up: consecutive slots of a place are mostly of one effector and one week. */
        Effector loadEffector;
        String loadWeek;
        int[] load;

        Search(TerritoryIndex index, MatchQuery q, long nowMs, long from, long to) {
            this.index = index;
            this.q = q;
            this.nowMs = nowMs;
            this.from = from;
            this.to = to;
            this.amb = q.modes().contains(Mode.AMB);
            this.hh = q.modes().contains(Mode.HH);
            this.vr = q.modes().contains(Mode.VR);
            this.cosLat = Distance.cosLat(q.lat());
            this.best = new BestCandidates(q.limit() > 0 ? q.limit() : Integer.MAX_VALUE, weights.maxPerEffector());
            this.prunable = weights.distance() >= 0 && weights.time() >= 0 && weights.fairness() >= 0 && q.radiusKm() > 0
                    && q.radiusKm() < Double.POSITIVE_INFINITY;
        }

        /** A slot's score from its parts: the one formula, so that the bounds below are bounds of the real scores. */
        double score(double distanceScore, double timeScore, double fairnessScore) {
            return weights.distance() * distanceScore + weights.time() * timeScore + weights.fairness() * fairnessScore;
        }

        /** The best score a slot could have with these distance and time parts (fairness at its best, 1). */
        double upperBound(double distanceScore, double timeScore) { return score(distanceScore, timeScore, 1.0); }

        /** The time part of a slot starting at {@code start}: 1 at the window's start, 0 at its end. */
        double timeScore(long start) { return clamp(1.0 - (double) (start - from) / (to - from)); }

        /**
         * A bound of the time score of any slot of {@code p} in the window, from the Place alone: no slot of it starts
         * before its first start (nor, in the window, before {@code from}), and the time score falls with the start.
         */
        double timeBound(TerritoryIndex.Place p) {
            return timeScore(Math.max(p.firstStart, from));
        }

        /** The places of the ring being walked, held to be visited best bound first by {@link #flush}. */
        private TerritoryIndex.Place[] held = new TerritoryIndex.Place[32];
        private long[] order = new long[32];
        private int heldCount;

        /** Holds a place of the current ring (only when the search is prunable, so its bound is >= 0). */
        void hold(TerritoryIndex.Place p) {
            if (heldCount == held.length) {
                held = java.util.Arrays.copyOf(held, heldCount * 2);
                order = java.util.Arrays.copyOf(order, heldCount * 2);
            }
            double km = Distance.approxKm(q.lat(), q.lng(), cosLat, p.lat, p.lng, p.cosLat);
            double bound = upperBound(clamp(1.0 - km / q.radiusKm()), timeBound(p));
            // sorted as a long: the bound's float bits above (>= 0, so they order as the floats), the index below. A
            // float only orders; visit prunes with the exact bound, so a rounding tie costs nothing but order
            order[heldCount] = ((long) Float.floatToIntBits((float) bound) << 32) | heldCount;
            held[heldCount++] = p;
        }

        /**
         * Visits the held places, best bound first, so the list fills with the ring's likeliest candidates and its
         * bar rises before the others are read: those are then skipped on their Place's fields alone. The result does
         * not depend on the order (BestCandidates keeps the same list whatever the order of the offers).
         */
        void flush() {
            int n = heldCount;
            if (n == 0) return;
            java.util.Arrays.sort(order, 0, n);
            for (int i = n - 1; i >= 0; i--) visit(held[(int) order[i]]);
            java.util.Arrays.fill(held, 0, n, null);
            heldCount = 0;
        }

        /** The first fitting slots of one practice location, per mode: the earliest are the best of the place. */
        void visit(TerritoryIndex.Place p) {
            double km = Distance.approxKm(q.lat(), q.lng(), cosLat, p.lat, p.lng, p.cosLat);
            double distanceScore = clamp(1.0 - km / q.radiusKm());
            // too far for even its best slot to be listed: skipped before reading anything else of it. Decided from
            // the place's own fields (its distance, its first start) when teleconsultation is not asked: following
            // p.slots (and its mode counts) is a cache miss or two per place on a large territory, and most of the
            // places a ring walk reaches are skipped here (at 10,000 effectors, 39 of the median search's 50)
            boolean tooFar = prunable && best.full() && upperBound(distanceScore, timeBound(p)) < best.worstScore();
            if (tooFar && !vr) return;
            LocationSlots slots = p.slots; // one consistent version of the place
            int[] counts = slots.modeCounts;
            boolean vrHere = vr && counts[Mode.VR.ordinal()] > 0;
            if (tooFar && !vrHere) return;
            Effector e = p.effector;
            if (!specialtyMatches(e.specialty())) return;
            int mask = q.viewer().maskFor(e);
            if (mask == 0) return;
            PracticeLocation place = p.at;
            // a mode with no slot here has nothing to walk
            boolean ambHere = amb && counts[Mode.AMB.ordinal()] > 0 && km <= q.radiusKm() && (!q.reducedMobility() || place.accessible());
            boolean hhHere = hh && counts[Mode.HH.ordinal()] > 0 && km <= Math.min(q.radiusKm(), e.homeVisitRadiusKm());
            int perLocation = weights.perLocation();
            int wanted = ((ambHere ? 1 : 0) + (hhHere ? 1 : 0) + (vrHere ? 1 : 0)) * perLocation;
            if (wanted <= 0) return;
            int first = slots.firstAtOrAfter(from);
            if (first == slots.size() || slots.starts[first] >= to) return;
            if (prunable && best.full()) {
                // the place's first slot of the window has its best time score: if even that cannot be listed, skip
                if (upperBound(vrHere ? 1.0 : distanceScore, timeScore(slots.starts[first])) < best.worstScore()) return;
            }
            java.util.Arrays.fill(taken, 0);
            for (int i = first; i < slots.size() && slots.starts[i] < to; i++) {
                SlotState s = slots.states[i];
                Mode mode = s.mode();
                int m = mode.ordinal();
                boolean allowed = mode == Mode.AMB ? ambHere : mode == Mode.HH ? hhHere : vrHere;
                if (!allowed || taken[m] >= perLocation || !s.offerableTo(mask, nowMs)) continue;
                int[] l = loadOf(p, s.week());
                if (q.sasRegulated() && l[1] >= e.weeklySasCap()) continue;
                taken[m]++;
                double ds = mode == Mode.VR ? 1.0 : distanceScore;
                double ts = timeScore(s.start());
                double fairnessScore = clamp(1.0 - (double) l[0] / Math.max(1, e.weeklySasCap()));
                double score = score(ds, ts, fairnessScore);
                if (best.admits(score, s.start(), s.id())) { // built only when it can be listed
                    best.offer(new Candidate(s, e, place, km, ds, ts, fairnessScore, score, l[0]));
                }
                if (--wanted == 0) return;
            }
        }

        /** Effectors mostly share their specialty's string: the last answer is kept. */
        private boolean specialtyMatches(String specialty) {
            if (specialty != lastSpecialty || !specialtyChecked) {
                lastSpecialty = specialty;
                lastSpecialtyMatches = Specialties.matches(q.specialty(), specialty);
                specialtyChecked = true;
            }
            return lastSpecialtyMatches;
        }

        private String lastSpecialty;
        private boolean specialtyChecked, lastSpecialtyMatches;

        private int[] loadOf(TerritoryIndex.Place p, String week) {
            if (load == null || p.effector != loadEffector || !java.util.Objects.equals(week, loadWeek)) {
                load = TerritoryIndex.loadAt(p, week);
                loadEffector = p.effector;
                loadWeek = week;
            }
            return load;
        }
    }

    private static double clamp(double v) { return v < 0 ? 0 : (v > 1 ? 1 : v); }
}
