package fr.snp.dispatch.matching;

import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Mode;
import fr.snp.dispatch.domain.PracticeLocation;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.domain.SlotStatus;
import fr.snp.dispatch.domain.Viewer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The matcher ranks exactly as {@link ReferenceMatcher} (sort every candidate, then cap per effector, then limit) on
 * random territories and searches: same candidates, same order, same score parts. The territories are small and
 * dense so that ties, caps, limits, same-start replacements, withdrawals, holds, releases, SAS caps, far
 * teleconsultants and locations at the edge of the radius all occur; each seed is printed on failure.
 */
class MatcherEquivalenceTest {
    static final long NOW_MS = 1_800_000_000_000L;
    static final long NOW = NOW_MS / 1000;
    static final String[] SPECIALTIES = {"SM54", "SM53", "SM04", "SM26"};
    static final String[] WEEKS = {"2027W03", "2027W04"};

    @Test
    void rankingEqualsTheReferenceOnRandomTerritories() {
        for (long seed = 1; seed <= 300; seed++) {
            Random r = new Random(seed);
            World w = world(r);
            for (int i = 0; i < 40; i++) {
                RankingWeights weights = weights(r);
                MatchQuery q = query(r, w);
                long nowMs = NOW_MS + (r.nextInt(4) == 0 ? r.nextInt(7_200_000) : 0);
                List<Candidate> expected = new ReferenceMatcher(weights).match(w.index, q, nowMs);
                List<Candidate> actual = new Matcher(weights).match(w.index, q, nowMs);
                assertThat(actual).as("seed %d, query %d: %s %s", seed, i, q, weights).isEqualTo(expected);
            }
        }
    }

    record World(TerritoryIndex index, List<Effector> effectors) {}

    static World world(Random r) {
        TerritoryIndex index = new TerritoryIndex();
        List<Effector> effectors = new ArrayList<>();
        int n = r.nextInt(5) == 0 ? 100 + r.nextInt(300) : 1 + r.nextInt(40); // now and then dense enough that rings are cut short
        for (int i = 0; i < n; i++) {
            int places = 1 + r.nextInt(3);
            List<PracticeLocation> locations = new ArrayList<>();
            boolean far = r.nextInt(10) == 0; // ~200 km away: only a teleconsultation reaches them
            for (int l = 0; l < places; l++) {
                double lat = (far ? 48.5 : 46.6) + r.nextDouble() * 0.5, lng = 1.4 + r.nextDouble() * 0.7;
                locations.add(new PracticeLocation(l, "p" + l, "", "36044", "x", lat, lng, "PRACTICE", r.nextBoolean()));
            }
            Set<String> cpts = r.nextBoolean() ? Set.of() : Set.of(r.nextBoolean() ? "CPTS-A" : "CPTS-B");
            Effector e = new Effector("36-E" + i, "36", r.nextBoolean() ? null : String.format("%011d", i), "A", "B",
                    SPECIALTIES[r.nextInt(SPECIALTIES.length)], locations, cpts, r.nextInt(6), r.nextInt(4) * 8.0, null, null);
            index.putEffector(e);
            effectors.add(e);
        }
        long version = 1;
        List<SlotState> published = new ArrayList<>();
        int slots = r.nextInt(n * 25 + 1);
        for (int k = 0; k < slots; k++) {
            Effector e = effectors.get(r.nextInt(n));
            SlotState s = slot(r, e.id() + "-" + k, e, version++);
            index.apply(s);
            published.add(s);
        }
        // changes to published slots: booked, held, withdrawn, moved, republished; and a late (older) copy now and then
        for (int k = 0; k < slots / 3; k++) {
            SlotState old = published.get(r.nextInt(published.size()));
            Effector e = effectors.stream().filter(x -> x.id().equals(old.effectorId())).findFirst().orElseThrow();
            SlotState changed = slot(r, old.id(), e, r.nextInt(8) == 0 ? Math.max(1, old.version() - 1) : version++);
            if (r.nextBoolean()) { // most changes keep the start and the place: a hold, a booking, a release
                changed = new SlotState(old.id(), old.effectorId(), old.location(), old.start(), old.end(), 3600, changed.mode(),
                        changed.audiences(), changed.releaseAtMs(), changed.releaseTo(), false, changed.status(),
                        changed.holdUntilMs(), null, changed.week(), changed.version());
            }
            index.apply(changed);
        }
        // an effector edited after its slots were indexed (fewer locations, moved): the index places its slots again
        if (r.nextBoolean()) {
            Effector e = effectors.get(0);
            Effector moved = new Effector(e.id(), e.territory(), e.rpps(), e.firstName(), e.lastName(), e.specialty(),
                    e.locations().subList(0, 1).stream().map(p -> new PracticeLocation(0, p.name(), "", "36044", "x",
                            p.lat() + 0.3, p.lng(), p.kind(), true)).toList(), e.cpts(), e.weeklySasCap(), e.homeVisitRadiusKm(), null, null);
            index.putEffector(moved);
            effectors.set(0, moved);
        }
        for (Effector e : effectors) {
            for (String week : WEEKS) if (r.nextBoolean()) index.setLoad(e.id(), week, r.nextInt(6), r.nextInt(6));
        }
        if (r.nextInt(4) == 0) index.pruneEndedBefore(NOW + r.nextInt(3 * 3600));
        return new World(index, effectors);
    }

    static SlotState slot(Random r, String id, Effector e, long version) {
        long start = NOW + 300L * (r.nextInt(700) - 20); // a 5-minute grid: same starts at one place happen
        int location = r.nextInt(20) == 0 ? e.locations().size() : r.nextInt(e.locations().size()); // now and then a place the effector no longer has
        SlotStatus status = switch (r.nextInt(10)) {
            case 0 -> SlotStatus.BOOKED;
            case 1 -> SlotStatus.CANCELLED;
            default -> SlotStatus.FREE;
        };
        long releaseAt = r.nextInt(4) == 0 ? NOW_MS + (r.nextInt(7_200) - 3_600) * 1000L : 0;
        long holdUntil = r.nextInt(6) == 0 ? NOW_MS + (r.nextInt(1_200) - 600) * 1000L : 0;
        return new SlotState(id, e.id(), location, start, start + 900, 3600, Mode.values()[r.nextInt(3)], 1 + r.nextInt(15),
                releaseAt, r.nextInt(16), false, status, holdUntil, null, WEEKS[r.nextInt(WEEKS.length)], version);
    }

    static RankingWeights weights(Random r) {
        // coarse weights make equal scores (and so the start and id tie-breaks) common
        return new RankingWeights(r.nextInt(3) * 0.5, r.nextInt(3) * 0.5, r.nextInt(3) * 0.25, r.nextInt(4),
                1 + r.nextInt(4), r.nextInt(3) * 10);
    }

    static MatchQuery query(Random r, World w) {
        EnumSet<Mode> modes = EnumSet.noneOf(Mode.class);
        for (Mode m : Mode.values()) if (r.nextBoolean()) modes.add(m);
        if (modes.isEmpty()) modes.add(Mode.AMB);
        long from = NOW + 60L * (r.nextInt(600) - 60);
        long to = from + 60L * r.nextInt(3 * 24 * 60);
        Role role = Role.values()[r.nextInt(Role.values().length)];
        Set<String> cpts = r.nextBoolean() ? Set.of() : Set.of("CPTS-A");
        double radius = r.nextInt(10) == 0 ? 500 : 1 + r.nextDouble() * 40;
        String specialty = r.nextInt(3) == 0 ? SPECIALTIES[r.nextInt(SPECIALTIES.length)] : null;
        int limit = r.nextInt(12) == 0 ? 0 : 1 + r.nextInt(15);
        return new MatchQuery(46.5 + r.nextDouble() * 0.7, 1.3 + r.nextDouble() * 0.9, from, to, modes, specialty,
                r.nextInt(4) == 0, radius, r.nextBoolean(), new Viewer(role, cpts), limit);
    }
}
