package fr.snp.dispatch.booking;

import fr.snp.dispatch.auth.Access;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.auth.Reach;
import fr.snp.dispatch.availability.AvailabilityPlanner;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.domain.NewSlot;
import fr.snp.dispatch.domain.Outcome;
import fr.snp.dispatch.domain.Refused;
import fr.snp.dispatch.domain.ServerClock;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.matching.SlotIndex;
import fr.snp.dispatch.redis.Key;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.redis.LuaScript;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What effectors (or their CPTS coordinator) do with their slots: publish (one, a batch, or a rule turned into
 * slots), withdraw; and the server's own release of reserved slots when their time comes.
 */
public final class Publishing {
    private static final String SLOT_EVENTS = "/fr/snp/dispatch/booking/slot_events.lua";

    public record PublishCall(@Key String slot, @Key String effectorSlots, @Key String events, @Key String slotDay,
                              @Key String effectors, String slotId, String effectorId, int location, long startSec,
                              long endSec, int offset, String mode, int audiences, long releaseAt, int releaseTo,
                              String week, int streamMaxLen, String nowMs, Set<String> callerTerritories,
                              String callerOrg, Reach callerReach) {}

    public record WithdrawCall(@Key String slot, @Key String hold, @Key String events, @Key String slotDay,
                               @Key String effectors, String slotId, int streamMaxLen, Set<String> callerTerritories,
                               String callerOrg, Reach callerReach) {}

    public record ReleaseAudienceCall(@Key String slot, @Key String events, @Key String slotDay, String slotId,
                                      String nowMs, int streamMaxLen) {}

    private static final LuaScript<PublishCall> PUBLISH = LuaScript.beside(Publishing.class, "publish.lua",
            PublishCall.class, SLOT_EVENTS, LuaScript.STATS_PRELUDE, LuaScript.TENANCY_PRELUDE,
            "/fr/snp/dispatch/redis/clock.lua");
    private static final LuaScript<WithdrawCall> WITHDRAW = LuaScript.beside(Publishing.class, "withdraw.lua",
            WithdrawCall.class, SLOT_EVENTS, LuaScript.STATS_PRELUDE, LuaScript.TENANCY_PRELUDE);
    private static final LuaScript<ReleaseAudienceCall> RELEASE_AUDIENCE = LuaScript.beside(Publishing.class,
            "release_audience.lua", ReleaseAudienceCall.class, SLOT_EVENTS, LuaScript.STATS_PRELUDE,
            "/fr/snp/dispatch/redis/clock.lua");

    public static List<LuaScript<?>> scripts() { return List.of(PUBLISH, WITHDRAW, RELEASE_AUDIENCE); }

    /** A slot as it now is, and whether this call created it (false: it was there already, a harmless repeat). */
    public record Published(SlotState slot, boolean created) {}

    private final RedisClusterAsyncCommands<String, String> redis;
    private final SlotIndex index;
    private final ServerClock clock;
    private final AvailabilityPlanner calendar;
    private final int streamMaxLen;

    public Publishing(RedisClusterAsyncCommands<String, String> redis, SlotIndex index, ServerClock clock,
                      AvailabilityPlanner calendar, int streamMaxLen) {
        this.redis = redis;
        this.index = index;
        this.clock = clock;
        this.calendar = calendar;
        this.streamMaxLen = streamMaxLen;
    }

    /** The effector of {@code effectorId} if the principal manages it; 404 when unknown or not served, 403 otherwise. */
    public Effector managed(Principal p, String effectorId) {
        Effector e = Ids.isWellFormed(effectorId) && p.serves(Ids.territoryOf(effectorId)) ? index.effector(effectorId) : null;
        if (e == null) throw new Refused(Outcome.EFFECTOR_NOT_FOUND, "no effector " + effectorId);
        if (!Access.manages(p, e)) throw new Refused(Outcome.NOT_YOUR_EFFECTOR, "you may publish slots for your own effectors only");
        return e;
    }

    /** Publishes one slot (or finds it again). The caller checked {@link #managed} for its effector. */
    public CompletionStage<Published> publish(Principal p, NewSlot s) {
        String t = Ids.territoryOf(s.effectorId());
        String id = s.id();
        PublishCall call = new PublishCall(Keys.slot(t, id), Keys.effectorSlots(t, s.effectorId()), Keys.events(t),
                Keys.stats(t, calendar.day(Instant.ofEpochSecond(s.start()))), Keys.effectors(t), id, s.effectorId(),
                s.location(), s.start(), s.end(), s.offsetSeconds(), s.mode(), s.audiences(), s.releaseAtMs(), s.releaseTo(),
                s.week(), streamMaxLen, clock.forScripts(), p.territories(), p.org(), p.reach());
        return run(PUBLISH, call, id).thenApply(r -> {
            if (!r.outcome().done) throw new Refused(r.outcome());
            return new Published(SlotState.fromHash(id, r.slot()), r.ok());
        });
    }

    /** Publishes a batch, every slot concurrently; each is idempotent, so a retried batch is harmless. */
    public CompletionStage<List<Published>> publishAll(Principal p, List<NewSlot> slots) {
        List<CompletableFuture<Published>> replies = slots.stream().map(s -> publish(p, s).toCompletableFuture()).toList();
        return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
                .thenApply(done -> replies.stream().map(CompletableFuture::join).toList());
    }

    public CompletionStage<SlotState> withdraw(Principal p, String slotId) {
        String t = Ids.territoryOf(slotId);
        SlotState known = index.slot(slotId);
        Effector e = p.serves(t) ? index.effector(Ids.effectorOfSlot(slotId)) : null;
        if (e == null || !Access.seesSlot(p, t, e.id())) throw new Refused(Outcome.SLOT_NOT_FOUND);
        if (!Access.manages(p, e)) throw new Refused(Outcome.NOT_YOUR_EFFECTOR, "you may withdraw your own slots only");
        WithdrawCall call = new WithdrawCall(Keys.slot(t, slotId), Keys.hold(t, slotId), Keys.events(t),
                Keys.stats(t, calendar.day(Instant.ofEpochSecond(Ids.slotStart(slotId)))), Keys.effectors(t), slotId,
                streamMaxLen, p.territories(), p.org(), p.reach());
        return run(WITHDRAW, call, slotId).thenApply(r -> {
            if (!r.outcome().done) throw new Refused(r.outcome());
            return r.slot().isEmpty() ? known : SlotState.fromHash(slotId, r.slot());
        });
    }

    /** A slot as Redis holds it, if the principal may see it (else 404, whether it exists or not). */
    public CompletionStage<SlotState> read(Principal p, String slotId) {
        String t = Ids.territoryOf(slotId);
        if (!Access.seesSlot(p, t, Ids.effectorOfSlot(slotId))) {
            return CompletableFuture.failedFuture(new Refused(Outcome.SLOT_NOT_FOUND));
        }
        return redis.hgetall(Keys.slot(t, slotId)).thenApply(h -> {
            if (h.isEmpty()) throw new Refused(Outcome.SLOT_NOT_FOUND);
            return SlotState.fromHash(slotId, h);
        });
    }

    /** Writes down a due audience release (matching and booking already honour it without this). */
    public CompletionStage<Outcome> releaseAudience(String slotId) {
        String t = Ids.territoryOf(slotId);
        ReleaseAudienceCall call = new ReleaseAudienceCall(Keys.slot(t, slotId), Keys.events(t),
                Keys.stats(t, calendar.day(Instant.ofEpochSecond(Ids.slotStart(slotId)))), slotId, clock.forScripts(),
                streamMaxLen);
        return run(RELEASE_AUDIENCE, call, slotId).thenApply(ScriptReply::outcome);
    }

    private <C extends Record> CompletionStage<ScriptReply> run(LuaScript<C> script, C call, String slotId) {
        return Slots.run(redis, index, script, call, slotId);
    }
}
