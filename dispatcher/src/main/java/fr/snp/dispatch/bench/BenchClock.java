package fr.snp.dispatch.bench;

import fr.snp.dispatch.domain.ServerClock;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The bench's clock: the real time, shifted when the bench says. Doctors answer feedback once an appointment has
 * started; the bench books slots of the coming days, then moves its clock a week on to measure feedback on them.
 * Movable, so the scripts take the server's time as an argument rather than Redis's TIME (a few bytes more per
 * call; nothing else changes).
 */
final class BenchClock extends Clock implements ServerClock.Movable {
    private volatile long offsetMs;

    @Override
    public void set(Instant instant) { offsetMs = instant.toEpochMilli() - System.currentTimeMillis(); }

    @Override
    public long millis() { return System.currentTimeMillis() + offsetMs; }

    @Override
    public Instant instant() { return Instant.ofEpochMilli(millis()); }

    @Override
    public ZoneId getZone() { return ZoneOffset.UTC; }

    @Override
    public Clock withZone(ZoneId zone) { throw new UnsupportedOperationException(); }
}
