package fr.snp.dispatch.matching;

import java.util.ArrayList;
import java.util.List;

/**
 * The best candidates seen so far, at most {@code limit}, at most {@code cap} per effector, in rank order (score
 * descending, then start, then slot id): what sorting every candidate and then skipping each effector's extra ones
 * and stopping at the limit would list, without the sort.
 * <p>Why it is exact: the list is always the top {@code limit} of S, where S keeps each effector's best {@code cap}
 * candidates seen. A candidate not listed is worse than the last listed (once the list is full), so when a new
 * candidate c of effector E can be listed, every candidate of E better than c is listed: if {@code cap} of them are,
 * c is not among E's best and is dropped; if E has {@code cap} listed and c is better than one of them, c takes the
 * place of E's worst listed (which leaves S, and nothing else enters the list for it, as c ranks above it);
 * otherwise c enters as in any bounded list, pushing out the last one.
 */
final class BestCandidates {
    private final int limit;
    private final int cap;
    private final List<Candidate> ranked = new ArrayList<>();

    BestCandidates(int limit, int cap) {
        if (limit < 1 || cap < 1) throw new IllegalArgumentException("limit and cap are at least 1");
        this.limit = limit;
        this.cap = cap;
    }

    /** Whether a candidate of this score, start and slot id would be listed now (so it is worth building). */
    boolean admits(double score, long start, String slotId) {
        return ranked.size() < limit || compare(score, start, slotId, ranked.get(ranked.size() - 1)) < 0;
    }

    boolean full() { return ranked.size() == limit; }

    /** The score of the last listed candidate (call when {@link #full}). */
    double worstScore() { return ranked.get(ranked.size() - 1).score(); }

    void offer(Candidate c) {
        if (!admits(c.score(), c.slot().start(), c.slot().id())) return;
        String effector = c.effector().id();
        int same = 0, better = 0, worstSame = -1;
        for (int i = 0; i < ranked.size(); i++) {
            Candidate listed = ranked.get(i);
            if (!listed.effector().id().equals(effector)) continue;
            same++;
            if (compare(listed, c) < 0) better++;
            worstSame = i;
        }
        if (better >= cap) return;
        if (same >= cap) ranked.remove(worstSame);
        else if (ranked.size() == limit) ranked.remove(ranked.size() - 1);
        int at = ranked.size();
        while (at > 0 && compare(c, ranked.get(at - 1)) < 0) at--;
        ranked.add(at, c);
        assert ranked.size() <= limit;
    }

    List<Candidate> ranked() { return List.copyOf(ranked); }

    /** Negative when a ranks before b. */
    static int compare(Candidate a, Candidate b) { return compare(a.score(), a.slot().start(), a.slot().id(), b); }

    private static int compare(double score, long start, String slotId, Candidate b) {
        int c = Double.compare(b.score(), score);
        if (c != 0) return c;
        c = Long.compare(start, b.slot().start());
        return c != 0 ? c : slotId.compareTo(b.slot().id());
    }
}
