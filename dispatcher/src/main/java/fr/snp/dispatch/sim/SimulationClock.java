package fr.snp.dispatch.sim;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's clock in simulation mode (simulation.clockControl=true) and in tests: time stands where it was
 * last set and moves when the simulator (or the test) says, so a year replays in minutes. Never used otherwise.
 */
public final class SimulationClock extends Clock implements fr.snp.dispatch.domain.ServerClock.Movable {
    private final AtomicLong nowMs = new AtomicLong(System.currentTimeMillis());

    @Override
    public void set(Instant instant) { nowMs.set(instant.toEpochMilli()); }

    public void advance(java.time.Duration d) { nowMs.addAndGet(d.toMillis()); }

    @Override
    public long millis() { return nowMs.get(); }

    @Override
    public Instant instant() { return Instant.ofEpochMilli(millis()); }

    @Override
    public ZoneId getZone() { return ZoneOffset.UTC; }

    @Override
    public Clock withZone(ZoneId zone) { throw new UnsupportedOperationException(); }
}
