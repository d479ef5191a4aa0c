package fr.snp.dispatch.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RppsAndIdsTest {
    @Test
    void rppsNeedsElevenDigitsAndAValidCheckDigit() {
        String valid = Rpps.withCheckDigit("1000105611");
        assertThat(valid).hasSize(11);
        assertThat(Rpps.normalise(valid)).isEqualTo(valid);
        assertThat(Rpps.normalise("8" + valid)).isEqualTo(valid);
        assertThat(Rpps.normalise(" " + valid + " ")).isEqualTo(valid);
        String wrongCheck = valid.substring(0, 10) + ((valid.charAt(10) - '0' + 1) % 10);
        assertThat(Rpps.normalise(wrongCheck)).isNull();
        assertThat(Rpps.normalise("1000105611")).isNull();
        assertThat(Rpps.normalise("1000105611a")).isNull();
        assertThat(Rpps.normalise(null)).isNull();
    }

    @Test
    void idsCarryTheirTerritory() {
        String slot = Ids.slot("36-E17", 1_800_000_000L);
        assertThat(Ids.territoryOf(slot)).isEqualTo("36");
        assertThat(Ids.effectorOfSlot(slot)).isEqualTo("36-E17");
        assertThat(Ids.slot("36-E17", 1_800_000_030L)).isEqualTo(slot); // same minute, same slot
        assertThat(Ids.territoryOf(Ids.request("2A", 1_800_000_000_000L))).isEqualTo("2A");
        assertThat(Ids.isWellFormed(Ids.appointment("971", 1_800_000_000_000L))).isTrue();
        assertThat(Ids.isWellFormed("99-E1")).isFalse();
        assertThat(Ids.isWellFormed("36-E1;DEL")).isFalse();
        assertThat(Ids.request("36", 1L)).isNotEqualTo(Ids.request("36", 1L));
        assertThat(Ids.createdAtMs(Ids.request("36", 1_800_000_000_123L))).isEqualTo(1_800_000_000_123L);
    }

    @Test
    void aSlotIsOfferableOnlyWhenFreeNotHeldNotStartedAndVisible() {
        long now = 1_800_000_000_000L;
        SlotState s = new SlotState("36-E1-x", "36-E1", 0, now / 1000 + 600, now / 1000 + 1800, 3600, Mode.AMB,
                Audience.SNP.bit, 0, 0, false, SlotStatus.FREE, 0, null, "2027W03", 1);
        assertThat(s.offerableTo(Audience.SNP.bit, now)).isTrue();
        assertThat(s.offerableTo(Audience.PUBLIC.bit, now)).isFalse();
        assertThat(s.offerableTo(Audience.SNP.bit, now + 600_000)).isFalse();
        assertThat(s.apiStatus(now)).isEqualTo("free");
    }
}
