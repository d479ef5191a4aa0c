package fr.snp.dispatch.booking;

import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;

/** The patient's one reminder: 18:00 the evening before, 2 h before a same-day appointment, none when too close. */
class PatientRemindersTest {
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    static long due(String start, String booked) {
        return PatientReminders.dueAt(OffsetDateTime.parse(start).toEpochSecond(),
                OffsetDateTime.parse(booked).toInstant().toEpochMilli(), PARIS);
    }

    static long at(String t) { return OffsetDateTime.parse(t).toEpochSecond(); }

    @Test
    void aLaterDayIsRemindedTheEveningBefore() {
        assertThat(due("2026-12-08T10:00+01:00", "2026-12-07T09:00+01:00")).isEqualTo(at("2026-12-07T18:00+01:00"));
        assertThat(due("2026-12-10T08:30+01:00", "2026-12-07T09:00+01:00")).isEqualTo(at("2026-12-09T18:00+01:00"));
        // summer time: 18:00 in Paris is 16:00 UTC
        assertThat(due("2026-07-02T10:00+02:00", "2026-07-01T09:00+02:00")).isEqualTo(at("2026-07-01T16:00Z"));
    }

    @Test
    void theSameDayIsReminded2HoursBeforeAndNothingIsSentTooCloseToTheBooking() {
        assertThat(due("2026-12-07T15:00+01:00", "2026-12-07T09:00+01:00")).isEqualTo(at("2026-12-07T13:00+01:00"));
        assertThat(due("2026-12-07T11:20+01:00", "2026-12-07T09:00+01:00")).as("2 h before is 9:20, too close").isZero();
        assertThat(due("2026-12-08T08:00+01:00", "2026-12-07T17:45+01:00")).as("the evening is 15 min away").isZero();
        assertThat(due("2026-12-08T08:00+01:00", "2026-12-07T21:00+01:00")).as("the evening has passed").isZero();
    }
}
