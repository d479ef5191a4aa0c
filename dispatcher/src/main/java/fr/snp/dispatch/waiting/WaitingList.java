package fr.snp.dispatch.waiting;

import fr.snp.dispatch.auth.Access;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.auth.Reach;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.domain.Outcome;
import fr.snp.dispatch.domain.Refused;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.domain.ServerClock;
import fr.snp.dispatch.matching.Candidate;
import fr.snp.dispatch.redis.Key;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.redis.LuaScript;
import fr.snp.dispatch.requests.CareRequest;
import fr.snp.dispatch.requests.Requests;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The territory's waiting list (no peer does it live): a regulator or OSNP puts there an open request nothing fits,
 * and when a slot appears that fits it (published, freed by a cancellation, released to more audiences) the desks of
 * the territory are told at once, the most urgent first (the earliest end of window, then the longest wait). The
 * request leaves the list when booked (book.lua, counted as served from the list), closed (set_outcome.lua), taken
 * off, or when its window passes.
 */
public final class WaitingList {
    private static final String CLOCK = "/fr/snp/dispatch/redis/clock.lua";

    public record WaitCall(@Key String request, @Key String waiting, String requestId, long untilMs, String nowMs,
                           String callerId, Set<String> callerTerritories, String callerOrg, Reach callerReach) {}

    public record LeaveCall(@Key String request, @Key String waiting, String requestId, Set<String> callerTerritories,
                            String callerOrg, Reach callerReach) {}

    private static final LuaScript<WaitCall> WAIT = LuaScript.beside(WaitingList.class, "wait.lua", WaitCall.class,
            LuaScript.TENANCY_PRELUDE, CLOCK);
    private static final LuaScript<LeaveCall> LEAVE = LuaScript.beside(WaitingList.class, "leave.lua", LeaveCall.class,
            LuaScript.TENANCY_PRELUDE);

    public static List<LuaScript<?>> scripts() { return List.of(WAIT, LEAVE); }

    /** A waiting request, until when, and the slots that fit it now, ranked as a search would (usually none). */
    public record Waiting(CareRequest request, long untilMs, List<Candidate> fits) {
        /** Whether this slot is among the ones that fit the request now. */
        public boolean fits(String slotId) { return fits.stream().anyMatch(c -> c.slot().id().equals(slotId)); }
    }

    private final RedisClusterAsyncCommands<String, String> redis;
    private final Requests requests;
    private final ServerClock clock;

    public WaitingList(RedisClusterAsyncCommands<String, String> redis, Requests requests, ServerClock clock) {
        this.redis = redis;
        this.requests = requests;
        this.clock = clock;
    }

    /** Puts a request on the list until its window ends; answers the request as it is now. */
    public CompletionStage<CareRequest> put(Principal p, String requestId) {
        String t = Ids.territoryOf(requestId);
        return requests.read(p, requestId).thenCompose(r -> {
            if (r.appointmentId() != null) throw new Refused(Outcome.REQUEST_ALREADY_BOOKED);
            if (r.outcome() != null) throw new Refused(Outcome.REQUEST_CLOSED);
            WaitCall call = new WaitCall(Keys.request(t, requestId), Keys.waiting(t), requestId,
                    r.need().to().toInstant().toEpochMilli(), clock.forScripts(), p.id(), p.territories(), p.org(), p.reach());
            return WAIT.<List<Object>>run(redis, ScriptOutputType.MULTI, call);
        }).thenCompose(raw -> {
            Outcome o = Outcome.of((String) raw.get(0));
            if (!o.done) throw new Refused(o);
            return requests.read(p, requestId);
        });
    }

    /** Takes a request off the list (harmless if it was not there). */
    public CompletionStage<Outcome> remove(Principal p, String requestId) {
        String t = Ids.territoryOf(requestId);
        if (!p.serves(t)) return CompletableFuture.failedFuture(new Refused(Outcome.REQUEST_NOT_FOUND));
        return LEAVE.<List<Object>>run(redis, ScriptOutputType.MULTI, new LeaveCall(Keys.request(t, requestId), Keys.waiting(t),
                requestId, p.territories(), p.org(), p.reach())).thenApply(raw -> {
            Outcome o = Outcome.of((String) raw.get(0));
            if (!o.done) throw new Refused(o);
            return o;
        });
    }

    /**
     * The territory's waiting requests the principal reaches, most urgent first, each with the slots that fit it
     * now as this principal sees them. Requests whose window passed are dropped from the list first.
     */
    public CompletionStage<List<Waiting>> list(Principal p, String territory) {
        Access.territory(p, territory, "territory");
        long now = clock.nowMs();
        return redis.zremrangebyscore(Keys.waiting(territory), Range.create(Double.NEGATIVE_INFINITY, (double) now))
                .thenCompose(dropped -> redis.zrangeWithScores(Keys.waiting(territory), 0, -1))
                .thenCompose(entries -> {
                    List<CompletableFuture<Waiting>> reads = new ArrayList<>();
                    for (ScoredValue<String> e : entries) {
                        long until = (long) e.getScore();
                        reads.add(requests.read(p, e.getValue()).toCompletableFuture()
                                .thenApply(r -> r.status().equals("open") ? new Waiting(r, until, fits(p, r)) : null)
                                .exceptionally(notReached -> null)); // another organisation's, or expired
                    }
                    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> reads.stream()
                            .map(CompletableFuture::join).filter(Objects::nonNull).sorted(URGENT_FIRST).toList());
                });
    }

    /** The most urgent first: the earliest end of window, then the one waiting longest. */
    static final Comparator<Waiting> URGENT_FIRST = Comparator.comparingLong(Waiting::untilMs)
            .thenComparingLong(w -> w.request().waitingSinceMs() == null ? Long.MAX_VALUE : w.request().waitingSinceMs());

    /** A SAS desk of the territory: what the waiting list's notices are computed as. */
    static Principal desk(String territory) {
        return new Principal("waiting-list", Role.REGULATOR, "waiting list", Set.of(territory), "server", Set.of());
    }

    private List<Candidate> fits(Principal p, CareRequest r) { return requests.candidates(p, r); }
}
