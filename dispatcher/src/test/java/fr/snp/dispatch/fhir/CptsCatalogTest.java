package fr.snp.dispatch.fhir;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fhir.cpts setting: the CPTS the SAS knows by their FINESS; a wrong entry is a startup error naming it. */
class CptsCatalogTest {
    @Test
    void entriesAreReadAndWrongOnesNamed() {
        CptsCatalog c = CptsCatalog.parse(" CPTS-A|CPTS du Pays Castelroussin|36|360012345 ; CPTS-B|CPTS Corse|2A|2A0012345;");
        assertThat(c.all()).hasSize(2);
        assertThat(c.get("CPTS-A").finess()).isEqualTo("360012345");
        assertThat(c.get("CPTS-B").territory()).isEqualTo("2A");
        assertThat(c.get("CPTS-A").phone()).isNull();
        assertThat(CptsCatalog.parse("CPTS-A|a|36|360012345|+33254000000").get("CPTS-A").phone()).isEqualTo("+33254000000");
        assertThatThrownBy(() -> CptsCatalog.parse("CPTS-A|a|36|360012345|02 54 00 00 00")).hasMessageContaining("phone");
        assertThatThrownBy(() -> CptsCatalog.parse("CPTS-A|a|36|360012345|+33254000000|x")).hasMessageContaining("FINESS[|phone]");
        assertThat(CptsCatalog.parse("").all()).isEmpty();
        assertThatThrownBy(() -> CptsCatalog.parse("CPTS-A|name|36")).hasMessageContaining("CPTS-A|name|36");
        assertThatThrownBy(() -> CptsCatalog.parse("CPTS-A|name|360|360012345")).hasMessageContaining("département");
        assertThatThrownBy(() -> CptsCatalog.parse("CPTS-A|name|36|36001")).hasMessageContaining("FINESS");
        assertThatThrownBy(() -> CptsCatalog.parse("CPTS-A|a|36|360012345;CPTS-A|b|36|360012346")).hasMessageContaining("twice");
    }
}
