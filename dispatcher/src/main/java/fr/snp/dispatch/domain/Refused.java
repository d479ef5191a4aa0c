package fr.snp.dispatch.domain;

/** A state change or a read refused for a reason the caller can act on: an {@link Outcome} and, maybe, more words. */
public final class Refused extends RuntimeException {
    public final Outcome outcome;
    public final String field;
    /** Seconds after which the same call may succeed (a limit: the Retry-After header), 0 when not known. */
    public final long retryAfterSeconds;

    public Refused(Outcome outcome) { this(outcome, outcome.message, null); }

    public Refused(Outcome outcome, String message) { this(outcome, message, null); }

    public Refused(Outcome outcome, String message, String field) {
        this(outcome, message, field, 0);
    }

    private Refused(Outcome outcome, String message, String field, long retryAfterSeconds) {
        super(message, null, false, false);
        this.outcome = outcome;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** A limit reached: the same call may succeed after {@code ms} (rounded up to whole seconds, at least 1). */
    public static Refused retryAfter(Outcome outcome, long ms) {
        return new Refused(outcome, outcome.message, null, Math.max(1, (ms + 999) / 1000));
    }
}
