package fr.snp.dispatch.geo;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class CommuneDirectoryTest {
    private static CommuneDirectory directory;

    @BeforeAll
    static void load() { directory = CommuneDirectory.loadDefault(); }

    /**
     * Every commune in file order, the first strictly nearest wins. The only shortcut: a commune whose latitude alone
     * puts it farther than the best so far (a great-circle distance is at least R·Δφ) cannot win, so its exact distance
     * is not computed (70 million haversines would take the test 10 s).
     */
    private static Commune scan(double lat, double lng) {
        Commune best = null;
        double bestKm = Double.MAX_VALUE;
        for (Commune c : directory.all()) {
            if (6371.0088 * Math.toRadians(Math.abs(lat - c.lat())) * (1 - 1e-9) > bestKm) continue;
            double d = Distance.km(lat, lng, c.lat(), c.lng());
            if (d < bestKm) { bestKm = d; best = c; }
        }
        return best;
    }

    @Test
    void everyCommuneOfFranceIsThere() {
        assertThat(directory.all()).hasSizeGreaterThan(34_000);
        assertThat(directory.inDepartement("36")).hasSize(242); // 241 communes, one with two postal codes
        assertThat(directory.inDepartement("85")).hasSizeGreaterThan(250);
        Commune bourges = directory.byInsee("18033");
        assertThat(bourges.name()).isEqualTo("Bourges");
        assertThat(bourges.departement()).isEqualTo("18");
        Commune laRoche = directory.byInsee("85191");
        assertThat(laRoche.name()).isEqualTo("La Roche-sur-Yon");
        assertThat(laRoche.postalCode()).isEqualTo("85000");
        assertThat(laRoche.departement()).isEqualTo("85");
        assertThat(directory.byInsee("36044").name()).isEqualTo("Châteauroux");
        assertThat(directory.byInsee("75056").name()).isEqualTo("Paris");
        assertThat(directory.byInsee("75101")).isNull(); // no municipal arrondissement
        assertThat(directory.byInsee("2A004").departement()).isEqualTo("2A");
        assertThat(directory.byInsee("2B033").departement()).isEqualTo("2B");
        assertThat(directory.byInsee("97101").departement()).isEqualTo("971");
        assertThat(directory.byInsee("97411").departement()).isEqualTo("974");
        assertThat(directory.inDepartement("2A")).isNotEmpty().allMatch(c -> c.insee().startsWith("2A"));
        assertThat(directory.inDepartement("971")).isNotEmpty().allMatch(c -> c.insee().startsWith("971"));
        assertThat(directory.inDepartement("97")).isEmpty();
        assertThat(directory.inDepartement("99")).isEmpty();
        assertThat(directory.all()).allMatch(c -> !c.name().contains(",") && !c.name().isBlank());
        assertThat(directory.nearest(42.6973, 9.4503).departement()).isEqualTo("2B"); // Bastia harbour
        assertThat(directory.nearest(16.2411, -61.5331).departement()).isEqualTo("971"); // Pointe-à-Pitre
    }

    @Test
    void nearestIsWhatAFullScanFinds() {
        Random random = new Random(85);
        for (int k = 0; k < 2_000; k++) {
            double lat = 41.3 + random.nextDouble() * (51.1 - 41.3);
            double lng = -5.2 + random.nextDouble() * (9.6 + 5.2);
            assertThat(directory.nearest(lat, lng)).as("%s,%s", lat, lng).isSameAs(scan(lat, lng));
        }
        // on a commune's centre, around the overseas départements, and far from everything
        for (Commune c : List.of(directory.byInsee("36044"), directory.byInsee("85191"), directory.byInsee("97411"))) {
            assertThat(directory.nearest(c.lat(), c.lng())).isSameAs(scan(c.lat(), c.lng()));
        }
        for (double[] p : new double[][]{{16.25, -61.55}, {-21.1, 55.5}, {4.9, -52.3}, {-12.8, 45.2}, {14.6, -61.05},
                {0, 0}, {48.85, -30}, {70, 20}, {-45, 170}}) {
            assertThat(directory.nearest(p[0], p[1])).as("%s,%s", p[0], p[1]).isSameAs(scan(p[0], p[1]));
        }
    }

    @Test
    void searchIsAccentAndCaseInsensitiveByNameOrPostalCodeMostPopulatedFirst() {
        assertThat(directory.search("chateauroux", 5)).extracting(Commune::insee).first().isEqualTo("36044");
        assertThat(directory.search("CHÂTEAUROUX", 5)).extracting(Commune::insee).first().isEqualTo("36044");
        assertThat(directory.search("la roche sur", 5)).extracting(Commune::insee).contains("85191");
        assertThat(directory.search("sables d'o", 5)).isEmpty(); // a name prefix: "Les Sables-d'Olonne" starts with "les"
        assertThat(directory.search("les sables d o", 5)).extracting(Commune::insee).contains("85194");
        assertThat(directory.search("36000", 5)).extracting(Commune::insee).containsExactly("36044");
        assertThat(directory.search("", 5)).isEmpty();
        assertThat(directory.search("  ", 5)).isEmpty();
        List<Commune> saint = directory.search("saint", 10);
        assertThat(saint).hasSize(10).allMatch(c -> CommuneDirectory.fold(c.name()).startsWith("saint"));
        assertThat(saint.get(0).name()).isEqualTo("Saint-Étienne"); // three postal codes, three rows
        for (int k = 1; k < saint.size(); k++) {
            assertThat(saint.get(k - 1).population()).isGreaterThanOrEqualTo(saint.get(k).population());
        }
        // exactly the old scan: fold every name, filter, sort by population (stable)
        for (String q : List.of("ch", "saint", "la ", "85", "370", "issoudun", "é", "montaigu")) {
            String p = CommuneDirectory.fold(q);
            List<Commune> expected = directory.all().stream()
                    .filter(c -> CommuneDirectory.fold(c.name()).startsWith(p) || c.postalCode().startsWith(p))
                    .sorted((a, b) -> Integer.compare(b.population(), a.population())).limit(25).toList();
            assertThat(directory.search(q, 25)).as(q).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void preferredDepartementsComeFirst() {
        List<Commune> anywhere = directory.search("saint", 10);
        assertThat(anywhere).anyMatch(c -> !c.departement().equals("36"));
        List<Commune> indreFirst = directory.search("saint", 10, Set.of("36"));
        assertThat(indreFirst).hasSize(10).allMatch(c -> c.departement().equals("36"));
        for (int k = 1; k < indreFirst.size(); k++) {
            assertThat(indreFirst.get(k - 1).population()).isGreaterThanOrEqualTo(indreFirst.get(k).population());
        }
        // "ch": Châteauroux is not the largest "Ch…" of France, but the first one for Indre
        assertThat(directory.search("ch", 5).get(0).insee()).isNotEqualTo("36044");
        assertThat(directory.search("ch", 5, Set.of("36")).get(0).insee()).isEqualTo("36044");
        // fewer matches in the preferred départements than the limit: the others follow, by population
        List<Commune> montaigu = directory.search("montaigu", 5, Set.of("85"));
        assertThat(montaigu.get(0).insee()).isEqualTo("85146");
        assertThat(montaigu).hasSizeGreaterThan(1);
        assertThat(montaigu.subList(1, montaigu.size())).noneMatch(c -> c.departement().equals("85"));
        assertThat(directory.search("saint", 10, Set.of())).containsExactlyElementsOf(anywhere);
        assertThat(directory.search("saint", 10, null)).containsExactlyElementsOf(anywhere);
    }

    @Test
    void callersAbbreviateSaintAndSainte() {
        assertThat(directory.search("St Maur", 5, Set.of("36"))).extracting(Commune::insee).contains("36202");
        assertThat(directory.search("st-maur", 5, Set.of("36"))).extracting(Commune::insee).contains("36202");
        assertThat(directory.search("Ste Gemme", 5, Set.of("36"))).extracting(Commune::insee).contains("36193");
        assertThat(directory.search("st", 10, Set.of("36"))).isEqualTo(directory.search("saint", 10, Set.of("36")));
        // a name merely starting with "st" is not taken for Saint
        assertThat(directory.search("stras", 3)).extracting(Commune::name).anyMatch(n -> n.startsWith("Strasbourg"));
    }
}
