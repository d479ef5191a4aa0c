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
import java.util.NavigableMap;

/**
 * Ranks the slots a request may take. Filters: audience (by role and CPTS), window, mode, specialty, accessible
 * practice for reduced mobility, radius (home visits also within the effector's own travel radius), weekly SAS
 * cap. Score parts in [0,1]: distance (1 at the patient's door, 0 at the radius; 1 for teleconsultation), time
 * (1 at the start of the window), fairness (1 for an effector with no booking this week, 0 at the cap). At most
 * {@code maxPerEffector} slots of one effector are listed, so requests spread over effectors.
 */
public final class Matcher {
    private static final Comparator<Candidate> RANK = Comparator.comparingDouble(Candidate::score).reversed()
            .thenComparingLong(c -> c.slot().start()).thenComparing(c -> c.slot().id());

    private final RankingWeights weights;

    public Matcher(RankingWeights weights) { this.weights = weights; }

    public List<Candidate> match(TerritoryIndex index, MatchQuery q, long nowMs) {
        long from = Math.max(q.fromSec(), nowMs / 1000 + weights.minLeadMinutes() * 60L);
        long to = q.toSec();
        if (to <= from) return List.of();
        List<Candidate> found = new ArrayList<>();
        index.lock.readLock().lock();
        try {
            for (TerritoryIndex.EffectorSlots es : index.effectors.values()) {
                Effector e = es.effector;
                if (!Specialties.matches(q.specialty(), e.specialty())) continue;
                int mask = q.viewer().maskFor(e);
                if (mask == 0) continue;
                for (int li = 0; li < es.byLocation.size(); li++) {
                    NavigableMap<Long, SlotState> slots = es.byLocation.get(li);
                    if (!slots.isEmpty()) collect(index, q, nowMs, from, to, e, mask, li, slots, es.modeCounts[li], found);
                }
            }
        } finally {
            index.lock.readLock().unlock();
        }
        return rank(found, q.limit());
    }

    /** The first fitting slots of one practice location, per mode: the earliest are the best of the place. */
    private void collect(TerritoryIndex index, MatchQuery q, long nowMs, long from, long to, Effector e, int mask,
                         int li, NavigableMap<Long, SlotState> slots, int[] modeCounts, List<Candidate> found) {
        PracticeLocation place = e.locations().get(li);
        double km = Distance.approxKm(q.lat(), q.lng(), place.lat(), place.lng());
        boolean[] allowed = new boolean[Mode.values().length];
        allowed[Mode.AMB.ordinal()] = q.modes().contains(Mode.AMB) && km <= q.radiusKm()
                && (!q.reducedMobility() || place.accessible());
        allowed[Mode.HH.ordinal()] = q.modes().contains(Mode.HH) && km <= Math.min(q.radiusKm(), e.homeVisitRadiusKm());
        allowed[Mode.VR.ordinal()] = q.modes().contains(Mode.VR);
        int wanted = 0;
        for (int m = 0; m < allowed.length; m++) {
            allowed[m] &= modeCounts[m] > 0; // no slot of that mode here: nothing to walk for it
            if (allowed[m]) wanted += weights.perLocation();
        }
        if (wanted == 0) return;
        int[] taken = new int[allowed.length];
        long windowSec = to - from;
        for (SlotState s : slots.subMap(from, true, to, false).values()) {
            int m = s.mode().ordinal();
            if (!allowed[m] || taken[m] >= weights.perLocation() || !s.offerableTo(mask, nowMs)) continue;
            int[] load = index.loadUnlocked(e.id(), s.week());
            if (q.sasRegulated() && load[1] >= e.weeklySasCap()) continue;
            taken[m]++;
            double distanceScore = s.mode() == Mode.VR ? 1.0 : clamp(1.0 - km / q.radiusKm());
            double timeScore = clamp(1.0 - (double) (s.start() - from) / windowSec);
            double fairnessScore = clamp(1.0 - (double) load[0] / Math.max(1, e.weeklySasCap()));
            double score = weights.distance() * distanceScore + weights.time() * timeScore
                    + weights.fairness() * fairnessScore;
            found.add(new Candidate(s, e, place, km, distanceScore, timeScore, fairnessScore, score, load[0]));
            if (--wanted == 0) return;
        }
    }

    private List<Candidate> rank(List<Candidate> found, int limit) {
        found.sort(RANK);
        List<Candidate> ranked = new ArrayList<>(Math.min(limit, found.size()));
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
