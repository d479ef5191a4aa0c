package fr.snp.dispatch.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StructureIdsTest {
    @Test
    void finessIsNineCharactersWithALuhnKey() {
        // published FINESS numbers: AP-HP (750712184), CHU de Nantes (440000289)
        assertThat(StructureIds.finess("750712184")).isEqualTo("750712184");
        assertThat(StructureIds.finess(" 440 000 289 ")).isEqualTo("440000289");
        assertThat(StructureIds.finess("750712185")).isNull();            // wrong key
        assertThat(StructureIds.finess("75071218")).isNull();             // 8 characters
        assertThat(StructureIds.finess("7507121840")).isNull();           // 10
        assertThat(StructureIds.finess("75A712184")).isNull();            // a letter elsewhere than Corsica's
        assertThat(StructureIds.finess("2a0001234")).isEqualTo("2A0001234"); // Corsica: by its shape only
        assertThat(StructureIds.finess("2C0001234")).isNull();
        assertThat(StructureIds.finess(null)).isNull();
        assertThat(StructureIds.withLuhnDigit("36800000")).isEqualTo("368000006");
    }

    @Test
    void siretIsFourteenDigitsWithLuhnKeysAndLaPostesException() {
        assertThat(StructureIds.siret("73282932000074")).isEqualTo("73282932000074");
        assertThat(StructureIds.siret("732 829 320 00074")).isEqualTo("73282932000074");
        assertThat(StructureIds.siret("73282932000079")).isNull();        // wrong key
        assertThat(StructureIds.siret("7328293200007")).isNull();         // 13 digits
        assertThat(StructureIds.siret("7328293200007A")).isNull();
        // La Poste: digits summing to a multiple of 5 (not Luhn), its head office Luhn
        assertThat(StructureIds.siret("35600000049837")).isEqualTo("35600000049837");
        assertThat(StructureIds.siret("35600000049838")).isNull();
        assertThat(StructureIds.siret("35600000000048")).isEqualTo("35600000000048");
        // the SIREN's own key: Luhn over the 14 digits alone is not enough
        assertThat(StructureIds.siret("12345678900007")).isNull();
    }

    @Test
    void aPlaceStoredBeforeStructureIdsLoadsWithoutThemAndTheirsRoundTrip() {
        // a location as Redis kept it before finess/siret existed
        var old = new io.vertx.core.json.JsonObject("{\"id\":0,\"name\":\"Cabinet\",\"address\":\"1 rue\","
                + "\"communeInsee\":\"36044\",\"commune\":\"Châteauroux\",\"lat\":46.8,\"lng\":1.7,"
                + "\"kind\":\"PRACTICE\",\"accessible\":true}");
        PracticeLocation p = fr.snp.dispatch.directory.EffectorJson.location(old);
        assertThat(p.finess()).isNull();
        assertThat(p.siret()).isNull();
        assertThat(fr.snp.dispatch.directory.EffectorJson.of(p)).isEqualTo(old);   // written back as it was
        PracticeLocation msp = new PracticeLocation(0, "MSP", "", "36044", "Châteauroux", 46.8, 1.7, "MSP", true,
                "368000006", "73282932000074");
        assertThat(fr.snp.dispatch.directory.EffectorJson.location(fr.snp.dispatch.directory.EffectorJson.of(msp))).isEqualTo(msp);
    }

    @Test
    void aPlaceIsNamedByItsFinessElseItsSiret() {
        PracticeLocation both = new PracticeLocation(0, "MSP", "", "36044", "Châteauroux", 46.8, 1.7, "MSP", true,
                "368000006", "73282932000074");
        assertThat(both.idnst()).isEqualTo("1368000006");
        PracticeLocation siret = new PracticeLocation(0, "Cabinet", "", "36044", "Châteauroux", 46.8, 1.7, "PRACTICE", true,
                null, "73282932000074");
        assertThat(siret.idnst()).isEqualTo("373282932000074");
        assertThat(new PracticeLocation(0, "Cabinet", "", "36044", "Châteauroux", 46.8, 1.7, "PRACTICE", true).idnst()).isNull();
    }
}
