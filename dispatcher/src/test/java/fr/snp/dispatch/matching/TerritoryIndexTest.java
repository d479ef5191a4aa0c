package fr.snp.dispatch.matching;

import fr.snp.dispatch.domain.Audience;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Mode;
import fr.snp.dispatch.domain.PracticeLocation;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.domain.SlotStatus;
import fr.snp.dispatch.domain.Viewer;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The index's places, its teleconsultation list, its pruning and its gauge figures. */
class TerritoryIndexTest {
    static final long NOW_MS = 1_800_000_000_000L;
    static final long NOW = NOW_MS / 1000;
    final TerritoryIndex index = new TerritoryIndex();

    Effector effector(String id, double lat, double lng) {
        Effector e = new Effector(id, "36", null, "A", "B", "SM54",
                List.of(new PracticeLocation(0, "c", "", "36044", "x", lat, lng, "PRACTICE", true)), Set.of(), 20, 0, null, null);
        index.putEffector(e);
        return e;
    }

    static SlotState slot(String id, Effector e, long start, Mode mode, SlotStatus status, long holdUntilMs, long version) {
        return new SlotState(id, e.id(), 0, start, start + 900, 3600, mode, Audience.SNP.bit, 0, 0, false, status,
                holdUntilMs, null, "W", version);
    }

    @Test
    void aPlaceIsOnTheTeleconsultationListWhileItHasTeleconsultationSlotsAndAnEditedEffectorMovesOnTheGrid() {
        Effector e = effector("36-E1", 46.8, 1.69);
        index.apply(slot("36-E1-a", e, NOW + 3600, Mode.VR, SlotStatus.FREE, 0, 1));
        assertThat(index.places().withVr()).hasSize(1);
        index.apply(slot("36-E1-a", e, NOW + 3600, Mode.AMB, SlotStatus.FREE, 0, 2)); // now at the practice
        assertThat(index.places().withVr()).isEmpty();
        index.apply(slot("36-E1-a", e, NOW + 3600, Mode.VR, SlotStatus.FREE, 0, 3));
        Effector moved = new Effector(e.id(), "36", null, "A", "B", "SM54",
                List.of(new PracticeLocation(0, "c", "", "36044", "x", 47.5, 1.69, "PRACTICE", true)), Set.of(), 20, 0, null, null);
        index.putEffector(moved);
        TerritoryIndex.Places places = index.places();
        assertThat(places.withVr()).hasSize(1);
        assertThat(places.withVr()[0].effector).isEqualTo(moved);
        assertThat(places.cells()).hasSize(1).containsKey(Grid.key(Grid.latCell(47.5), Grid.lngCell(1.69)));
        assertThat(index.effectorSlots(e.id(), NOW, NOW + 7200, s -> true)).extracting(SlotState::version).containsExactly(3L);
    }

    @Test
    void pruningDropsEndedSlotsFromTheirPlacesAndCountsThem() {
        Effector e = effector("36-E1", 46.8, 1.69);
        index.apply(slot("36-E1-old", e, NOW - 7200, Mode.AMB, SlotStatus.FREE, 0, 1));
        index.apply(slot("36-E1-new", e, NOW + 7200, Mode.AMB, SlotStatus.FREE, 0, 2));
        assertThat(index.pruneEndedBefore(NOW)).isEqualTo(1);
        assertThat(index.size()).isEqualTo(1);
        assertThat(index.effectorSlots(e.id(), 0, Long.MAX_VALUE, s -> true)).extracting(SlotState::id).containsExactly("36-E1-new");
    }

    @Test
    void figuresCountFreeByAudienceWithin24hAndHeldAsOfTheirCount() {
        Effector e = effector("36-E1", 46.8, 1.69);
        index.apply(slot("a", e, NOW + 3600, Mode.AMB, SlotStatus.FREE, 0, 1));
        index.apply(slot("b", e, NOW + 2 * 86_400, Mode.AMB, SlotStatus.FREE, 0, 2));
        index.apply(slot("c", e, NOW + 7200, Mode.AMB, SlotStatus.FREE, NOW_MS + 60_000, 3)); // held for a minute
        index.apply(slot("d", e, NOW + 7200 + 900, Mode.AMB, SlotStatus.BOOKED, 0, 4));
        index.apply(slot("e", e, NOW - 600, Mode.AMB, SlotStatus.FREE, 0, 5)); // started
        TerritoryIndex.SlotFigures f = index.countFigures(NOW_MS);
        assertThat(f.free(Audience.SNP)).isEqualTo(2);
        assertThat(f.free(Audience.PUBLIC)).isZero();
        assertThat(f.freeSnpWithin24h()).isEqualTo(1);
        assertThat(f.held()).isEqualTo(1);
        TerritoryIndex.SlotFigures later = index.countFigures(NOW_MS + 61_000); // the hold has expired
        assertThat(later.held()).isZero();
        assertThat(later.free(Audience.SNP)).isEqualTo(3);
    }

    /**
     * A search running while a writer moves a slot within its place (a new start, one write) finds it exactly
     * once, every time: never the place without it (half written), never with both starts.
     */
    @Test
    void aSearchSeesEachPlaceInOneConsistentStateWhileAWriterChangesIt() throws Exception {
        Effector e = effector("36-E1", 46.8, 1.69);
        long a = NOW + 3600, b = NOW + 7200;
        index.apply(slot("36-E1-x", e, a, Mode.AMB, SlotStatus.FREE, 0, 1));
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            for (long v = 2; !stop.get(); v++) index.apply(slot("36-E1-x", e, v % 2 == 0 ? b : a, Mode.AMB, SlotStatus.FREE, 0, v));
        });
        writer.start();
        Matcher matcher = new Matcher(new RankingWeights(0.4, 0.4, 0.2, 2, 3, 0));
        MatchQuery q = new MatchQuery(46.8, 1.69, NOW, NOW + 86_400, EnumSet.of(Mode.AMB), null, false, 30, false,
                new Viewer(Role.REGULATOR, Set.of()), 10);
        AtomicReference<List<Candidate>> wrong = new AtomicReference<>();
        try {
            for (int i = 0; i < 200_000 && wrong.get() == null; i++) {
                List<Candidate> found = matcher.match(index, q, NOW_MS);
                if (found.size() != 1) wrong.set(found);
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        assertThat(wrong.get()).isNull();
    }
}
