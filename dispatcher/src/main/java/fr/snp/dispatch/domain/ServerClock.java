package fr.snp.dispatch.domain;

import java.time.Clock;
import java.time.Instant;

/**
 * The server's time. The Lua scripts read Redis's own clock (redis.call('TIME')) so that every instance and Redis
 * agree on when a hold ends; with a movable clock (simulation mode, tests that move time) they get the server's
 * clock as an argument instead.
 */
public record ServerClock(Clock clock) {

    /** A clock that stands still and moves when told (sim/SimulationClock). */
    public interface Movable {
        void set(Instant instant);
    }

    public boolean movable() { return clock instanceof Movable; }

    public long nowMs() { return clock.millis(); }

    /** The nowMs argument of a script: empty means "use Redis's clock". */
    public String forScripts() { return movable() ? String.valueOf(clock.millis()) : ""; }

    /** Moves a movable clock; false when the clock is the real one (it never moves on request). */
    public boolean moveTo(Instant instant) {
        if (!(clock instanceof Movable m)) return false;
        m.set(instant);
        return true;
    }
}
