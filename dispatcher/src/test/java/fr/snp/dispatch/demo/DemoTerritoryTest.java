package fr.snp.dispatch.demo;

import fr.snp.dispatch.availability.AvailabilityPlanner;
import fr.snp.dispatch.config.Settings;
import fr.snp.dispatch.domain.Audience;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.NewSlot;
import fr.snp.dispatch.domain.PracticeLocation;
import fr.snp.dispatch.domain.Rpps;
import fr.snp.dispatch.geo.CommuneDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo territories as built, without Redis: Indre exactly as before, Vendée as the brief of 2022 describes. */
class DemoTerritoryTest {
    private static CommuneDirectory communes;
    private static AvailabilityPlanner planner;
    private static List<Effector> indre;
    private static List<Effector> vendee;

    @BeforeAll
    static void build() {
        communes = CommuneDirectory.loadDefault();
        // the keys the planner reads, at the values the pinned digests were made with
        planner = new AvailabilityPlanner(Settings.defaultsWith(Map.of("territory.zone", "Europe/Paris",
                "availability.horizonDays", "28", "availability.shift.AM", "08:00-12:00",
                "availability.shift.PM", "14:00-18:00", "availability.shift.EVENING", "18:00-22:00")));
        indre = DemoTerritory.effectors(DemoTerritory.INDRE, communes);
        vendee = DemoTerritory.effectors(DemoTerritory.VENDEE, communes);
    }

    /** The effectors with the ids the store gives them in order (36-E1…), as {@link DemoTerritory#load} stores them. */
    private static List<Effector> numbered(List<Effector> list) {
        List<Effector> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Effector e = list.get(i);
            out.add(new Effector(e.territory() + "-E" + (i + 1), e.territory(), e.rpps(), e.firstName(), e.lastName(),
                    e.specialty(), e.locations(), e.cpts(), e.weeklySasCap(), e.homeVisitRadiusKm(), e.phone(), e.webhookUrl()));
        }
        return out;
    }

    private static List<NewSlot> week(DemoTerritory.Spec spec, List<Effector> effectors, String now) {
        Random r = new Random(spec.slotSeed());
        List<NewSlot> slots = new ArrayList<>();
        for (Effector e : numbered(effectors)) slots.addAll(DemoTerritory.week(e, r, Instant.parse(now), planner));
        return slots;
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static String describe(Effector e) {
        StringBuilder b = new StringBuilder(String.join("|", e.territory(), e.rpps(), e.firstName(), e.lastName(),
                e.specialty(), String.join(",", e.cpts()), String.valueOf(e.weeklySasCap()),
                String.valueOf(e.homeVisitRadiusKm()), e.phone()));
        for (PracticeLocation l : e.locations()) {
            b.append('|').append(l.index()).append(';').append(l.name()).append(';').append(l.address()).append(';')
                    .append(l.communeInsee()).append(';').append(l.communeName()).append(';').append(l.lat()).append(';')
                    .append(l.lng()).append(';').append(l.kind()).append(';').append(l.accessible());
        }
        return b.toString();
    }

    private static String describe(NewSlot s) {
        return String.join("|", s.id(), String.valueOf(s.location()), String.valueOf(s.end()),
                String.valueOf(s.offsetSeconds()), s.mode(), String.valueOf(s.audiences()), String.valueOf(s.releaseAtMs()),
                String.valueOf(s.releaseTo()), s.week());
    }

    @Test
    void indreIsExactlyWhatItWasBeforeVendee() throws Exception {
        assertThat(DemoTerritory.TERRITORY).isEqualTo("36");
        assertThat(DemoTerritory.EFFECTORS).isEqualTo(120);
        assertThat(DemoTerritory.CPTS).isEqualTo(DemoTerritory.INDRE.cpts()).hasSize(6);
        assertThat(DemoTerritory.ALL).containsExactly(DemoTerritory.INDRE, DemoTerritory.VENDEE);
        assertThat(indre).hasSize(120).allMatch(e -> e.id().equals("__ID__") && e.territory().equals("36"));
        // computed from the code before the Vendée spec existed
        assertThat(indre.subList(0, 3)).extracting(Effector::rpps, Effector::displayName).containsExactly(
                org.assertj.core.groups.Tuple.tuple("10001056117", "Dr Sébastien Rousseau"),
                org.assertj.core.groups.Tuple.tuple("10001126126", "Dr Aurélie Blanchard"),
                org.assertj.core.groups.Tuple.tuple("10001170280", "Dr Antoine Richard"));
        assertThat(indre.get(0).locations()).extracting(PracticeLocation::name).containsExactly(
                "Maison de santé de Châteauroux", "Centre de soins non programmés de Châteauroux");
        assertThat(indre.get(0).cpts()).containsExactly("CPTS-CASTELROUSSINE");
        assertThat(sha256(indre.stream().map(DemoTerritoryTest::describe).collect(Collectors.joining("\n"))))
                .as("Indre's 120 demo effectors changed: the same seed and draws in the same order must make them")
                .isEqualTo(INDRE_EFFECTORS_SHA256);
        List<NewSlot> slots = week(DemoTerritory.INDRE, indre, "2026-03-02T07:00:00Z");
        assertThat(slots).hasSize(INDRE_SLOTS_2026_03_02);
        assertThat(sha256(slots.stream().map(DemoTerritoryTest::describe).collect(Collectors.joining("\n"))))
                .as("Indre's demo week changed: the same slot seed and draws in the same order must make it")
                .isEqualTo(INDRE_SLOTS_SHA256);
        assertThat(DemoTerritory.effectors(DemoTerritory.INDRE, communes)).isEqualTo(indre); // the same on every call
    }

    private static final String INDRE_EFFECTORS_SHA256 =
            "0d9ffc75d2b68caa127f61779bc29b78f75266d6bde4c292a50560976b7c1463";
    private static final int INDRE_SLOTS_2026_03_02 = 2682;
    private static final String INDRE_SLOTS_SHA256 =
            "16fe22a1c896d4f03216d09fac28d9763f3231c8d59aa1c58c371afb4b8d89a0";

    @Test
    void vendeeHasSixCsnpInTheSixTownsAndEveryPracticeInVendee() {
        DemoTerritory.Spec spec = DemoTerritory.VENDEE;
        assertThat(spec.territory()).isEqualTo("85");
        Set<String> towns = Set.of("85191", "85194", "85047", "85092", "85128", "85146");
        assertThat(spec.csnp()).extracting(DemoTerritory.Csnp::insee).containsExactlyInAnyOrderElementsOf(towns);
        assertThat(towns).extracting(insee -> communes.byInsee(insee).name()).containsExactlyInAnyOrder(
                "La Roche-sur-Yon", "Les Sables-d'Olonne", "Challans", "Fontenay-le-Comte", "Luçon", "Montaigu-Vendée");
        assertThat(spec.cpts()).hasSize(6).extracting(DemoTerritory.Cpts::id).doesNotHaveDuplicates()
                .allMatch(id -> id.matches("CPTS-[A-Z0-9-]+")).contains("CPTS-LOIRE-VENDEE-OCEAN");
        assertThat(spec.cpts()).extracting(DemoTerritory.Cpts::hubInsee).containsExactlyInAnyOrderElementsOf(towns);

        assertThat(vendee).hasSize(spec.effectors()).hasSizeBetween(90, 110);
        assertThat(vendee).allMatch(e -> e.territory().equals("85") && e.id().equals("__ID__"));
        assertThat(vendee).flatExtracting(Effector::locations)
                .allMatch(l -> communes.byInsee(l.communeInsee()) != null
                        && communes.byInsee(l.communeInsee()).departement().equals("85")
                        && communes.byInsee(l.communeInsee()).name().equals(l.communeName()));
        Set<String> cptsIds = spec.cpts().stream().map(DemoTerritory.Cpts::id).collect(Collectors.toSet());
        assertThat(vendee).allMatch(e -> e.cpts().size() == 1 && cptsIds.containsAll(e.cpts()));
        // every CPTS has effectors, and the first effector (the demo-effector token's) is of the first CPTS
        assertThat(vendee.stream().flatMap(e -> e.cpts().stream()).collect(Collectors.toSet())).isEqualTo(cptsIds);
        assertThat(vendee.get(0).cpts()).containsExactly(spec.cpts().get(0).id());

        List<PracticeLocation> csnp = vendee.stream().flatMap(e -> e.locations().stream())
                .filter(l -> l.kind().equals("CSNP")).toList();
        assertThat(csnp).allMatch(l -> l.index() == 1 && l.accessible() && towns.contains(l.communeInsee()));
        assertThat(csnp.stream().map(PracticeLocation::communeInsee).collect(Collectors.toSet())).isEqualTo(towns);
        assertThat(csnp.stream().map(l -> l.name() + "|" + l.address() + "|" + l.lat() + "|" + l.lng()).distinct())
                .hasSize(6); // six centres, each at one place
        // one effector in two takes half-day shifts, at the nearest centre
        assertThat(csnp.size()).isBetween(vendee.size() * 2 / 5, vendee.size() * 3 / 5);
        for (Effector e : vendee) {
            if (e.locations().size() < 2) continue;
            PracticeLocation home = e.locations().get(0);
            String nearest = spec.csnp().stream().min(java.util.Comparator.comparingDouble(c -> {
                var town = communes.byInsee(c.insee());
                return fr.snp.dispatch.geo.Distance.km(home.lat(), home.lng(), town.lat(), town.lng());
            })).orElseThrow().insee();
            assertThat(e.locations().get(1).communeInsee()).as(e.rpps()).isEqualTo(nearest);
        }
        assertThat(vendee).flatExtracting(Effector::locations).filteredOn(l -> l.kind().equals("MSP"))
                .extracting(PracticeLocation::name).noneMatch(n -> n.contains(" de Les ") || n.contains(" de Le "));
    }

    @Test
    void placesHaveValidFictitiousStructureIds() {
        for (List<Effector> list : List.of(indre, vendee)) {
            for (Effector e : list) {
                for (PracticeLocation l : e.locations()) {
                    if (l.kind().equals("PRACTICE")) {
                        assertThat(l.siret()).isEqualTo(fr.snp.dispatch.domain.StructureIds.siret(l.siret())).isNotNull();
                        assertThat(l.finess()).isNull();
                        assertThat(l.idnst()).matches("3[0-9]{14}");
                    } else {
                        assertThat(l.finess()).isEqualTo(fr.snp.dispatch.domain.StructureIds.finess(l.finess())).isNotNull();
                        assertThat(l.idnst()).matches("1[0-9]{9}");
                    }
                }
            }
        }
        // Indre's first doctor: the MSP of Châteauroux (place 0 of the effectors) and the Châteauroux CSNP (centre 0)
        assertThat(indre.get(0).locations()).extracting(PracticeLocation::finess).containsExactly("368000006", "367000007");
        // cabinets: a SIREN 8 + département + the effector's number, establishment 0001: one each, never shared
        List<String> sirets = java.util.stream.Stream.concat(indre.stream(), vendee.stream())
                .map(e -> e.location(0).siret()).filter(java.util.Objects::nonNull).toList();
        assertThat(sirets).isNotEmpty().doesNotHaveDuplicates().allMatch(x -> x.startsWith("836") || x.startsWith("885"));
        // a CSNP has one FINESS whoever works there
        Map<String, Set<String>> csnp = new java.util.HashMap<>();
        for (Effector e : indre) {
            if (e.locations().size() > 1) csnp.computeIfAbsent(e.location(1).name(), k -> new HashSet<>()).add(e.location(1).finess());
        }
        assertThat(csnp).hasSize(2).allSatisfy((name, ids) -> assertThat(ids).hasSize(1));
    }

    @Test
    void rppsNumbersAreValidAndNeverCollide() {
        for (List<Effector> list : List.of(indre, vendee)) {
            assertThat(list).allMatch(e -> e.rpps().equals(Rpps.normalise(e.rpps())));
            assertThat(list).extracting(Effector::rpps).doesNotHaveDuplicates();
            assertThat(list).extracting(Effector::phone).allMatch(p -> p.matches("02\\d{8}"));
        }
        Set<String> both = new HashSet<>();
        indre.forEach(e -> both.add(e.rpps()));
        vendee.forEach(e -> both.add(e.rpps()));
        assertThat(both).hasSize(indre.size() + vendee.size());
        assertThat(vendee).allMatch(e -> e.phone().startsWith("0251"));
    }

    @Test
    void vendeeHasAWeekOfMixedSlotsAndCsnpShifts() {
        List<NewSlot> slots = week(DemoTerritory.VENDEE, vendee, "2026-03-02T07:00:00Z");
        assertThat(slots).hasSizeGreaterThan(vendee.size() * 10);
        assertThat(slots).extracting(NewSlot::effectorId).allMatch(id -> id.startsWith("85-E"));
        // a shift may start at the same minute as a practice session of the same doctor (as in Indre): the loader
        // publishes the first, the second is "already there"
        assertThat(slots.stream().map(NewSlot::id).distinct().count()).isGreaterThan(slots.size() * 95L / 100);
        assertThat(slots.stream().map(NewSlot::mode).collect(Collectors.toSet())).containsExactlyInAnyOrder("AMB", "HH", "VR");
        assertThat(slots).anyMatch(s -> s.releaseAtMs() > 0 && s.releaseTo() == (Audience.PUBLIC.bit | Audience.PRO.bit)
                && s.releaseAtMs() == (s.start() - 7200) * 1000);
        assertThat(slots).anyMatch(s -> (s.audiences() & Audience.CPTS.bit) != 0);
        assertThat(slots).anyMatch(s -> (s.audiences() & Audience.PRO.bit) != 0);
        // shifts at a CSNP: location 1, half-days as the planner defines them
        List<NewSlot> shifts = slots.stream().filter(s -> s.location() == 1).toList();
        assertThat(shifts).isNotEmpty();
        Set<String> starts = shifts.stream().map(s -> Instant.ofEpochSecond(s.start()).atZone(planner.zone()).toLocalTime()
                .toString()).collect(Collectors.toSet());
        assertThat(starts).contains("08:00", "14:00", "18:00");
        Instant now = Instant.parse("2026-03-02T07:00:00Z");
        assertThat(slots).allMatch(s -> s.start() > now.getEpochSecond() && s.start() < now.getEpochSecond() + 8 * 86_400);
        // the same draws every time: loading again is idempotent
        assertThat(week(DemoTerritory.VENDEE, vendee, "2026-03-02T07:00:00Z")).isEqualTo(slots);
    }
}
