package fr.snp.dispatch.availability;

import fr.snp.dispatch.domain.NewSlot;
import fr.snp.dispatch.config.Settings;
import fr.snp.dispatch.domain.Audience;
import fr.snp.dispatch.domain.Mode;
import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AvailabilityPlannerTest {
    final AvailabilityPlanner planner = new AvailabilityPlanner(Settings.defaultsWith(Map.of()));
    final ZoneId paris = ZoneId.of("Europe/Paris");

    @Test
    void aRecurringRuleMakesSlotsOnItsDaysInLocalTimeAcrossTheDaylightSavingChange() {
        // 2026-10-25 is the night clocks go back: Mondays around it keep 18:00 local time
        Instant now = LocalDate.of(2026, 10, 15).atStartOfDay(paris).toInstant();
        List<NewSlot> slots = planner.plan("36-E1", new AvailabilityPlanner.Rule(0, EnumSet.of(DayOfWeek.MONDAY),
                LocalTime.of(18, 0), LocalTime.of(19, 0), 20, LocalDate.of(2026, 10, 19), LocalDate.of(2026, 10, 26),
                Mode.AMB, Audience.SNP.bit, Duration.ofHours(2), Audience.PUBLIC.bit), now, 500);
        assertThat(slots).hasSize(6);
        NewSlot summer = slots.get(0);
        NewSlot winter = slots.get(3);
        assertThat(Instant.ofEpochSecond(summer.start()).atZone(paris).toLocalTime()).isEqualTo(LocalTime.of(18, 0));
        assertThat(Instant.ofEpochSecond(winter.start()).atZone(paris).toLocalTime()).isEqualTo(LocalTime.of(18, 0));
        assertThat(summer.offsetSeconds()).isEqualTo(7200);
        assertThat(winter.offsetSeconds()).isEqualTo(3600);
        assertThat(summer.end() - summer.start()).isEqualTo(1200);
        assertThat(summer.releaseAtMs()).isEqualTo((summer.start() - 7200) * 1000);
        assertThat(summer.week()).isEqualTo("2026W43");
        assertThat(winter.week()).isEqualTo("2026W44");
    }

    @Test
    void pastSlotsAreSkippedAndAShiftUsesTheConfiguredHalfDay() {
        LocalDate day = LocalDate.of(2026, 11, 25);
        Instant now = day.atTime(15, 5).atZone(paris).toInstant();
        LocalTime[] pm = planner.shiftHours(AvailabilityPlanner.HalfDay.PM);
        assertThat(pm).containsExactly(LocalTime.of(14, 0), LocalTime.of(18, 0));
        List<NewSlot> slots = planner.plan("36-E1", new AvailabilityPlanner.Rule(1, EnumSet.of(day.getDayOfWeek()), pm[0],
                pm[1], 20, day, day, Mode.AMB, Audience.SNP.bit, null, 0), now, 500);
        assertThat(slots).extracting(s -> Instant.ofEpochSecond(s.start()).atZone(paris).toLocalTime().toString())
                .containsExactly("15:20", "15:40", "16:00", "16:20", "16:40", "17:00", "17:20", "17:40");
        assertThat(slots).allSatisfy(s -> assertThat(s.location()).isEqualTo(1));
        assertThat(slots).allSatisfy(s -> assertThat(s.releaseAtMs()).isZero());
    }

    @Test
    void theIsoWeekFollowsTheTerritoryZone() {
        // Sunday 23:30 in Paris is still the same ISO week, though Monday in UTC+14
        Instant sundayNight = LocalDate.of(2026, 11, 29).atTime(23, 30).atZone(paris).toInstant();
        assertThat(planner.week(sundayNight)).isEqualTo("2026W48");
        assertThat(planner.week(sundayNight.plusSeconds(3600))).isEqualTo("2026W49");
    }
}
