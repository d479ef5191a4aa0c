package fr.snp.dispatch.matching;

import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Mode;
import fr.snp.dispatch.domain.PracticeLocation;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.domain.Specialties;
import fr.snp.dispatch.geo.Distance;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The matcher as it was before the spatial grid and the bounded top-K: every effector of the territory, every
 * fitting slot collected, all of them sorted, then the per-effector cap and the limit. Kept as the plain statement
 * of the rules that {@link Matcher} must rank identically (MatcherEquivalenceTest). Reads the index through its
 * public API only, so it shares none of the structures it checks.
 */
final class ReferenceMatcher {
    static final Comparator<Candidate> RANK = Comparator.comparingDouble(Candidate::score).reversed()
            .thenComparingLong(c -> c.slot().start()).thenComparing(c -> c.slot().id());

    private final RankingWeights weights;

    ReferenceMatcher(RankingWeights weights) { this.weights = weights; }

    List<Candidate> match(TerritoryIndex index, MatchQuery q, long nowMs) {
        long from = Math.max(q.fromSec(), nowMs / 1000 + weights.minLeadMinutes() * 60L);
        long to = q.toSec();
        if (to <= from) return List.of();
        List<Candidate> found = new ArrayList<>();
        for (Effector e : index.allEffectors()) {
            if (!Specialties.matches(q.specialty(), e.specialty())) continue;
            int mask = q.viewer().maskFor(e);
            if (mask == 0) continue;
            List<SlotState> window = index.effectorSlots(e.id(), from, to - 1, s -> true); // by location, then start
            for (int li = 0; li < e.locations().size(); li++) {
                int location = li;
                collect(index, q, nowMs, from, to, e, mask, li, window.stream().filter(s -> s.location() == location).toList(), found);
            }
        }
        return rank(found, q.limit());
    }

    private void collect(TerritoryIndex index, MatchQuery q, long nowMs, long from, long to, Effector e, int mask,
                         int li, List<SlotState> slots, List<Candidate> found) {
        PracticeLocation place = e.locations().get(li);
        double km = Distance.approxKm(q.lat(), q.lng(), place.lat(), place.lng());
        boolean[] allowed = new boolean[Mode.values().length];
        allowed[Mode.AMB.ordinal()] = q.modes().contains(Mode.AMB) && km <= q.radiusKm()
                && (!q.reducedMobility() || place.accessible());
        allowed[Mode.HH.ordinal()] = q.modes().contains(Mode.HH) && km <= Math.min(q.radiusKm(), e.homeVisitRadiusKm());
        allowed[Mode.VR.ordinal()] = q.modes().contains(Mode.VR);
        int[] taken = new int[allowed.length];
        long windowSec = to - from;
        for (SlotState s : slots) {
            int m = s.mode().ordinal();
            if (!allowed[m] || taken[m] >= weights.perLocation() || !s.offerableTo(mask, nowMs)) continue;
            int[] load = index.load(e.id(), s.week());
            if (q.sasRegulated() && load[1] >= e.weeklySasCap()) continue;
            taken[m]++;
            double distanceScore = s.mode() == Mode.VR ? 1.0 : clamp(1.0 - km / q.radiusKm());
            double timeScore = clamp(1.0 - (double) (s.start() - from) / windowSec);
            double fairnessScore = clamp(1.0 - (double) load[0] / Math.max(1, e.weeklySasCap()));
            double score = weights.distance() * distanceScore + weights.time() * timeScore
                    + weights.fairness() * fairnessScore;
            found.add(new Candidate(s, e, place, km, distanceScore, timeScore, fairnessScore, score, load[0]));
        }
    }

    private List<Candidate> rank(List<Candidate> found, int limit) {
        found.sort(RANK);
        List<Candidate> ranked = new ArrayList<>();
        Map<String, Integer> perEffector = new HashMap<>();
        for (Candidate c : found) {
            int n = perEffector.merge(c.effector().id(), 1, Integer::sum);
            if (n > weights.maxPerEffector()) continue;
            ranked.add(c);
            if (ranked.size() == limit) break;
        }
        return ranked;
    }

    private static double clamp(double v) { return v < 0 ? 0 : (v > 1 ? 1 : v); }
}
