package fr.snp.dispatch.domain;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * How the API writes a date-time, the one place that does: RFC 3339 {@code date-time} with its offset, the seconds
 * always written ({@code 2026-12-01T10:00:00+01:00}, where Java's {@code toString()} leaves them out when zero), the
 * milliseconds only when the value has some ({@code 2026-12-01T10:00:12.250+01:00}), finer parts dropped. Here rather
 * than in the api package so that the live feed's waiting notices (package waiting) write times the same way.
 */
public final class Times {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX");
    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX");

    private Times() {}

    /** The date-time as the API writes it. */
    public static String of(OffsetDateTime t) {
        return (t.getNano() / 1_000_000 == 0 ? SECONDS : MILLIS).format(t);
    }

    /** An instant at a fixed offset (a slot's, an appointment's). */
    public static String of(long epochMs, ZoneOffset offset) {
        return of(Instant.ofEpochMilli(epochMs).atOffset(offset));
    }

    /** An instant at the offset a zone (the territory's) has then. */
    public static String of(long epochMs, ZoneId zone) {
        Instant i = Instant.ofEpochMilli(epochMs);
        return of(i.atOffset(zone.getRules().getOffset(i)));
    }

    /** An instant in UTC ({@code Z}): the operations' and the audit's times. */
    public static String utc(long epochMs) {
        return of(epochMs, ZoneOffset.UTC);
    }
}
