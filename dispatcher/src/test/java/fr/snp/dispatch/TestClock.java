package fr.snp.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock the test moves forward, so that slots can start and end without waiting. */
public final class TestClock extends Clock {
    private final AtomicLong offsetMs = new AtomicLong();

    public void advance(Duration d) { offsetMs.addAndGet(d.toMillis()); }

    @Override
    public long millis() { return System.currentTimeMillis() + offsetMs.get(); }

    @Override
    public Instant instant() { return Instant.ofEpochMilli(millis()); }

    @Override
    public ZoneId getZone() { return ZoneOffset.UTC; }

    @Override
    public Clock withZone(ZoneId zone) { throw new UnsupportedOperationException(); }
}
