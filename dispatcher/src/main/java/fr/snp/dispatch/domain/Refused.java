package fr.snp.dispatch.domain;

/** A state change or a read refused for a reason the caller can act on: an {@link Outcome} and, maybe, more words. */
public final class Refused extends RuntimeException {
    public final Outcome outcome;
    public final String field;

    public Refused(Outcome outcome) { this(outcome, outcome.message, null); }

    public Refused(Outcome outcome, String message) { this(outcome, message, null); }

    public Refused(Outcome outcome, String message, String field) {
        super(message, null, false, false);
        this.outcome = outcome;
        this.field = field;
    }
}
