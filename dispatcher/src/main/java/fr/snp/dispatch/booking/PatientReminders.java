package fr.snp.dispatch.booking;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * When a patient who agreed to be told gets their one reminder: at 18:00 the evening before an appointment on a
 * later day, or 2 hours before a same-day one. None when that moment is already past or too close to the booking
 * (the confirmation just said it all): 30 minutes at least after booking.
 */
public final class PatientReminders {
    static final LocalTime EVENING = LocalTime.of(18, 0);
    static final long SAME_DAY_BEFORE_SECONDS = 2 * 3600;
    static final long AFTER_BOOKING_AT_LEAST_SECONDS = 30 * 60;

    private PatientReminders() {}

    /** The due time (epoch s), or 0 for no reminder. */
    public static long dueAt(long startSec, long bookedAtMs, ZoneId zone) {
        ZonedDateTime start = Instant.ofEpochSecond(startSec).atZone(zone);
        ZonedDateTime booked = Instant.ofEpochMilli(bookedAtMs).atZone(zone);
        long due = start.toLocalDate().isAfter(booked.toLocalDate())
                ? start.toLocalDate().minusDays(1).atTime(EVENING).atZone(zone).toEpochSecond()
                : startSec - SAME_DAY_BEFORE_SECONDS;
        return due >= bookedAtMs / 1000 + AFTER_BOOKING_AT_LEAST_SECONDS && due < startSec ? due : 0;
    }
}
