package fr.snp.dispatch.matching;

import fr.snp.dispatch.domain.Viewer;
import fr.snp.dispatch.domain.Audience;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Mode;
import fr.snp.dispatch.domain.PracticeLocation;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.domain.SlotStatus;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The ranking rules, on an index built by hand (no Redis). */
class MatcherTest {
    static final long NOW_MS = 1_800_000_000_000L; // a fixed instant: the matcher takes time as an argument
    static final long NOW = NOW_MS / 1000;
    static final double LAT = 46.80226, LNG = 1.69026; // Châteauroux
    static final RankingWeights WEIGHTS = new RankingWeights(0.4, 0.4, 0.2, 2, 3, 10);

    final TerritoryIndex index = new TerritoryIndex();
    final Matcher matcher = new Matcher(WEIGHTS);
    long version = 1;

    Effector effector(String id, double lat, double lng, boolean accessible, double homeVisitKm, String cpts, int cap) {
        Effector e = new Effector(id, "36", "10000000000", "A", id, "SM54",
                List.of(new PracticeLocation(0, "Cabinet", "", "36044", "Châteauroux", lat, lng, "PRACTICE", accessible)),
                cpts == null ? Set.of() : Set.of(cpts), cap, homeVisitKm, null, null);
        index.putEffector(e);
        return e;
    }

    SlotState slot(Effector e, int inMinutes, Mode mode, int audiences) {
        long start = NOW + inMinutes * 60L;
        SlotState s = new SlotState(e.id() + "-" + inMinutes, e.id(), 0, start, start + 1200, 3600, mode, audiences, 0, 0,
                false, SlotStatus.FREE, 0, null, "2027W03", version++);
        index.apply(s);
        return s;
    }

    MatchQuery query(Role role, Set<String> cpts, Set<Mode> modes, boolean reducedMobility, boolean sas) {
        return new MatchQuery(LAT, LNG, NOW, NOW + 24 * 3600, modes, null, reducedMobility, 30, sas,
                new Viewer(role, cpts), 10);
    }

    List<String> ids(List<Candidate> candidates) { return candidates.stream().map(c -> c.slot().id()).toList(); }

    @Test
    void nearerAndSoonerRankFirstAndScorePartsExplainTheRank() {
        Effector near = effector("36-E1", LAT + 0.01, LNG, true, 0, null, 20);
        Effector far = effector("36-E2", LAT + 0.2, LNG, true, 0, null, 20); // ~22 km
        slot(far, 60, Mode.AMB, Audience.SNP.bit);
        slot(near, 60, Mode.AMB, Audience.SNP.bit);
        slot(near, 600, Mode.AMB, Audience.SNP.bit);
        List<Candidate> ranked = matcher.match(index, query(Role.REGULATOR, Set.of(), EnumSet.allOf(Mode.class), false, true), NOW_MS);
        assertThat(ids(ranked)).containsExactly("36-E1-60", "36-E1-600", "36-E2-60");
        Candidate first = ranked.get(0);
        assertThat(first.distanceKm()).isBetween(1.0, 1.3);
        assertThat(first.score()).isEqualTo(0.4 * first.distanceScore() + 0.4 * first.timeScore() + 0.2 * first.fairnessScore());
        assertThat(ranked.get(2).distanceScore()).isLessThan(first.distanceScore());
    }

    @Test
    void fairnessPrefersTheLessLoadedEffectorAndTheCapExcludesForSasRequests() {
        Effector busy = effector("36-E1", LAT, LNG, true, 0, null, 4);
        Effector idle = effector("36-E2", LAT, LNG, true, 0, null, 4);
        slot(busy, 60, Mode.AMB, Audience.SNP.bit);
        slot(idle, 60, Mode.AMB, Audience.SNP.bit);
        index.setLoad("36-E1", "2027W03", 3, 3);
        List<Candidate> ranked = matcher.match(index, query(Role.REGULATOR, Set.of(), EnumSet.of(Mode.AMB), false, true), NOW_MS);
        assertThat(ids(ranked)).containsExactly("36-E2-60", "36-E1-60");
        assertThat(ranked.get(1).fairnessScore()).isEqualTo(0.25);

        index.setLoad("36-E1", "2027W03", 4, 4); // at the weekly SAS cap
        assertThat(ids(matcher.match(index, query(Role.REGULATOR, Set.of(), EnumSet.of(Mode.AMB), false, true), NOW_MS)))
                .containsExactly("36-E2-60");
        // a request that is not SAS-regulated is not bound by the SAS cap
        assertThat(ids(matcher.match(index, query(Role.PHARMACIST, Set.of(), EnumSet.of(Mode.AMB), false, false), NOW_MS)))
                .isEmpty(); // (SNP slots are not visible to a pharmacist at all)
        slot(busy, 90, Mode.AMB, Audience.PRO.bit);
        assertThat(ids(matcher.match(index, query(Role.PHARMACIST, Set.of(), EnumSet.of(Mode.AMB), false, false), NOW_MS)))
                .containsExactly("36-E1-90");
    }

    @Test
    void audiencesFollowTheRoleAndCptsMembership() {
        Effector e = effector("36-E1", LAT, LNG, true, 0, "CPTS-A", 20);
        slot(e, 60, Mode.AMB, Audience.SNP.bit);
        slot(e, 70, Mode.AMB, Audience.CPTS.bit);
        slot(e, 80, Mode.AMB, Audience.PUBLIC.bit);
        Set<Mode> amb = EnumSet.of(Mode.AMB);
        RankingWeights many = new RankingWeights(0.4, 0.4, 0.2, 10, 10, 10);
        Matcher m = new Matcher(many);
        assertThat(ids(m.match(index, query(Role.REGULATOR, Set.of(), amb, false, true), NOW_MS)))
                .containsExactlyInAnyOrder("36-E1-60", "36-E1-70", "36-E1-80");
        assertThat(ids(m.match(index, query(Role.PHARMACIST, Set.of("CPTS-B"), amb, false, false), NOW_MS)))
                .containsExactly("36-E1-80");
        assertThat(ids(m.match(index, query(Role.PHARMACIST, Set.of("CPTS-A"), amb, false, false), NOW_MS)))
                .containsExactlyInAnyOrder("36-E1-70", "36-E1-80");
        assertThat(ids(m.match(index, query(Role.OPS, Set.of("CPTS-A"), amb, false, false), NOW_MS))).isEmpty();
    }

    @Test
    void reducedMobilityHomeVisitsAndTeleconsultation() {
        Effector stairs = effector("36-E1", LAT, LNG, false, 0, null, 20);
        Effector visits = effector("36-E2", LAT + 0.15, LNG, true, 10, null, 20); // ~17 km, visits within 10 km
        Effector remote = effector("36-E3", LAT + 1.5, LNG, true, 0, null, 20); // ~170 km away
        slot(stairs, 60, Mode.AMB, Audience.SNP.bit);
        slot(visits, 60, Mode.HH, Audience.SNP.bit);
        slot(remote, 60, Mode.VR, Audience.SNP.bit);
        slot(remote, 90, Mode.AMB, Audience.SNP.bit);
        Set<Mode> all = EnumSet.allOf(Mode.class);
        assertThat(ids(matcher.match(index, query(Role.REGULATOR, Set.of(), all, false, true), NOW_MS)))
                .containsExactlyInAnyOrder("36-E1-60", "36-E3-60");
        assertThat(ids(matcher.match(index, query(Role.REGULATOR, Set.of(), all, true, true), NOW_MS)))
                .containsExactly("36-E3-60");
        MatchQuery near = new MatchQuery(LAT + 0.12, LNG, NOW, NOW + 86400, EnumSet.of(Mode.HH), null, false, 30, true,
                new Viewer(Role.REGULATOR, Set.of()), 10);
        assertThat(ids(matcher.match(index, near, NOW_MS))).containsExactly("36-E2-60");
    }

    @Test
    void heldStartedAndTooSoonSlotsAreLeftOutAndOneEffectorCannotFillTheList() {
        Effector e = effector("36-E1", LAT, LNG, true, 0, null, 20);
        Effector other = effector("36-E2", LAT + 0.05, LNG, true, 0, null, 20);
        slot(e, 5, Mode.AMB, Audience.SNP.bit); // under the 10-minute lead
        SlotState held = slot(e, 30, Mode.AMB, Audience.SNP.bit);
        index.apply(new SlotState(held.id(), held.effectorId(), 0, held.start(), held.end(), 3600, Mode.AMB,
                Audience.SNP.bit, 0, 0, false, SlotStatus.FREE, NOW_MS + 60_000, null, "2027W03", version++));
        slot(e, 40, Mode.AMB, Audience.SNP.bit);
        slot(e, 50, Mode.AMB, Audience.SNP.bit);
        slot(e, 55, Mode.AMB, Audience.SNP.bit);
        slot(other, 300, Mode.AMB, Audience.SNP.bit);
        List<String> ranked = ids(matcher.match(index, query(Role.REGULATOR, Set.of(), EnumSet.of(Mode.AMB), false, true), NOW_MS));
        assertThat(ranked).containsExactly("36-E1-40", "36-E1-50", "36-E2-300");
        // once the hold has expired, the slot is offered again
        assertThat(ids(matcher.match(index, query(Role.REGULATOR, Set.of(), EnumSet.of(Mode.AMB), false, true), NOW_MS + 61_000)))
                .contains("36-E1-30");
    }

    @Test
    void aLocationIsSkippedOnlyWhileItHasNoSlotOfTheModesItMayOffer() {
        Effector remote = effector("36-E9", LAT + 1.5, LNG, true, 0, null, 20); // far away: only teleconsultation fits
        SlotState vr = slot(remote, 60, Mode.VR, Audience.SNP.bit);
        slot(remote, 90, Mode.AMB, Audience.SNP.bit);
        MatchQuery any = query(Role.REGULATOR, Set.of(), EnumSet.allOf(Mode.class), false, true);
        assertThat(ids(matcher.match(index, any, NOW_MS))).containsExactly("36-E9-60");
        // withdrawn: the location has no VR slot left, and nothing is offered
        index.apply(new SlotState(vr.id(), vr.effectorId(), 0, vr.start(), vr.end(), 3600, Mode.VR, Audience.SNP.bit, 0, 0,
                false, SlotStatus.CANCELLED, 0, null, "2027W03", version++));
        assertThat(matcher.match(index, any, NOW_MS)).isEmpty();
        // published again: offered again
        index.apply(new SlotState(vr.id(), vr.effectorId(), 0, vr.start(), vr.end(), 3600, Mode.VR, Audience.SNP.bit, 0, 0,
                false, SlotStatus.FREE, 0, null, "2027W03", version++));
        assertThat(ids(matcher.match(index, any, NOW_MS))).containsExactly("36-E9-60");
    }

    @Test
    void aReleasedReservedSlotIsVisibleToItsWiderAudienceFromItsReleaseTime() {
        Effector e = effector("36-E1", LAT, LNG, true, 0, null, 20);
        long start = NOW + 3 * 3600;
        index.apply(new SlotState("36-E1-r", e.id(), 0, start, start + 900, 3600, Mode.AMB, Audience.SNP.bit,
                NOW_MS + 3_600_000, Audience.PUBLIC.bit | Audience.PRO.bit, false, SlotStatus.FREE, 0, null, "2027W03", 1));
        MatchQuery pharmacist = query(Role.PHARMACIST, Set.of(), EnumSet.of(Mode.AMB), false, false);
        assertThat(matcher.match(index, pharmacist, NOW_MS)).isEmpty();
        assertThat(ids(matcher.match(index, pharmacist, NOW_MS + 3_600_000))).containsExactly("36-E1-r");
    }
}
