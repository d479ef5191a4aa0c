package fr.snp.dispatch.booking;

import fr.snp.dispatch.availability.AvailabilityPlanner;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.matching.SlotIndex;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.redis.LuaScript;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;

/**
 * Every change of a slot's state, each one Lua script run atomically in Redis (scripts beside this class). The
 * new state each script returns goes into this instance's index at once; other instances get it from the
 * territory's change stream.
 */
public final class SlotCommands {
    private static final LuaScript PUBLISH = slotScript("publish.lua");
    private static final LuaScript HOLD = slotScript("hold.lua");
    private static final LuaScript RELEASE_HOLD = slotScript("release_hold.lua");
    private static final LuaScript BOOK = slotScript("book.lua");
    private static final LuaScript CANCEL = slotScript("cancel.lua");
    private static final LuaScript WITHDRAW = slotScript("withdraw.lua");
    private static final LuaScript RELEASE_AUDIENCE = slotScript("release_audience.lua");
    private static final LuaScript FEEDBACK = slotScript("feedback.lua");
    private static final LuaScript REMIND = LuaScript.beside(SlotCommands.class, "remind.lua");

    /** Slot scripts share slot_events.lua (the change-stream append), put in front of each. */
    private static LuaScript slotScript(String file) {
        return LuaScript.beside(SlotCommands.class, file, "slot_events.lua", LuaScript.STATS_PRELUDE);
    }

    public static List<LuaScript> scripts() {
        return List.of(PUBLISH, HOLD, RELEASE_HOLD, BOOK, CANCEL, WITHDRAW, RELEASE_AUDIENCE, FEEDBACK, REMIND);
    }

    private final RedisAsyncCommands<String, String> redis;
    private final SlotIndex index;
    private final String streamMaxLen;
    private final AvailabilityPlanner calendar;
    private final String reminderAfterSeconds;

    public SlotCommands(RedisAsyncCommands<String, String> redis, SlotIndex index, int streamMaxLen,
                        AvailabilityPlanner calendar, int reminderAfterHours) {
        this.redis = redis;
        this.index = index;
        this.streamMaxLen = String.valueOf(streamMaxLen);
        this.calendar = calendar;
        this.reminderAfterSeconds = String.valueOf(reminderAfterHours * 3600L);
    }

    /** The statistics hash of the local day a slot starts in (the slot id says when). */
    private String slotDay(String territory, String slotId) {
        return Keys.stats(territory, calendar.day(Instant.ofEpochSecond(Ids.slotStart(slotId))));
    }

    private String requestDay(String territory, String requestId) {
        return Keys.stats(territory, calendar.day(Instant.ofEpochMilli(Ids.createdAtMs(requestId))));
    }

    /** A slot to publish; audiences and releaseTo are masks, releaseAtMs 0 when the slot is not reserved. */
    public record NewSlot(String effectorId, int location, long start, long end, int offsetSeconds, String mode,
                          int audiences, long releaseAtMs, int releaseTo, String week) {
        public String id() { return Ids.slot(effectorId, start); }
    }

    public CompletionStage<ScriptReply> publish(NewSlot s) {
        String t = Ids.territoryOf(s.effectorId());
        String id = s.id();
        return run(PUBLISH, id, new String[]{Keys.slot(t, id), Keys.slotsByStart(t), Keys.events(t), slotDay(t, id)},
                id, s.effectorId(), String.valueOf(s.location()), String.valueOf(s.start()), String.valueOf(s.end()),
                String.valueOf(s.offsetSeconds()), s.mode(), String.valueOf(s.audiences()),
                String.valueOf(s.releaseAtMs()), String.valueOf(s.releaseTo()), s.week(), streamMaxLen);
    }

    /** {@code sharedQueue}: the caller may act on any request of the territory, not only its own. */
    public CompletionStage<ScriptReply> hold(String slotId, String requestId, long ttlMs, long nowMs, int audienceMask,
                                             String principal, boolean sharedQueue) {
        String t = Ids.territoryOf(slotId);
        return run(HOLD, slotId, new String[]{Keys.slot(t, slotId), Keys.hold(t, slotId), Keys.request(t, requestId),
                        Keys.events(t)},
                slotId, Ids.hold(), requestId, String.valueOf(ttlMs), String.valueOf(nowMs),
                String.valueOf(audienceMask), streamMaxLen, principal, sharedQueue ? "1" : "0");
    }

    public CompletionStage<ScriptReply> releaseHold(String slotId, String holdId) {
        String t = Ids.territoryOf(slotId);
        return run(RELEASE_HOLD, slotId, new String[]{Keys.slot(t, slotId), Keys.hold(t, slotId), Keys.events(t)},
                slotId, holdId, streamMaxLen);
    }

    /** The booking itself. {@code fingerprint} identifies what the Idempotency-Key was first used for. */
    public CompletionStage<ScriptReply> book(String slotId, String appointmentId, String requestId, String holdId,
                                             String principal, String idempotencyKey, long nowMs, int audienceMask,
                                             Effector effector, int idempotencyTtlSeconds, boolean sharedQueue) {
        String t = Ids.territoryOf(slotId);
        String fingerprint = slotId + "/" + requestId;
        return run(BOOK, slotId, new String[]{Keys.slot(t, slotId), Keys.hold(t, slotId),
                        Keys.appointment(t, appointmentId), Keys.idempotency(t, principal, idempotencyKey),
                        Keys.request(t, requestId), Keys.load(t), Keys.events(t), slotDay(t, slotId), requestDay(t, requestId),
                        Keys.outbox(t), Keys.awaitingFeedback(t), Keys.reminders(t)},
                slotId, appointmentId, requestId, holdId == null ? "" : holdId, fingerprint, String.valueOf(nowMs),
                String.valueOf(audienceMask), String.valueOf(effector.weeklySasCap()), principal,
                String.valueOf(idempotencyTtlSeconds), streamMaxLen, sharedQueue ? "1" : "0",
                calendar.hour(Instant.ofEpochSecond(Ids.slotStart(slotId))), String.join(",", new TreeSet<>(effector.cpts())),
                reminderAfterSeconds);
    }

    public CompletionStage<ScriptReply> cancel(String appointmentId, String slotId, String requestId, long nowMs,
                                               String reason, String principal) {
        String t = Ids.territoryOf(appointmentId);
        return run(CANCEL, slotId, new String[]{Keys.appointment(t, appointmentId), Keys.slot(t, slotId),
                        Keys.request(t, requestId), Keys.load(t), Keys.events(t), slotDay(t, slotId), requestDay(t, requestId),
                        Keys.outbox(t), Keys.awaitingFeedback(t), Keys.reminders(t)},
                appointmentId, String.valueOf(nowMs), reason, principal, streamMaxLen);
    }

    public CompletionStage<ScriptReply> withdraw(String slotId) {
        String t = Ids.territoryOf(slotId);
        return run(WITHDRAW, slotId, new String[]{Keys.slot(t, slotId), Keys.hold(t, slotId), Keys.events(t),
                        slotDay(t, slotId)},
                slotId, streamMaxLen);
    }

    public CompletionStage<ScriptReply> releaseAudience(String slotId, long nowMs) {
        String t = Ids.territoryOf(slotId);
        return run(RELEASE_AUDIENCE, slotId, new String[]{Keys.slot(t, slotId), Keys.events(t), slotDay(t, slotId)},
                slotId, String.valueOf(nowMs), streamMaxLen);
    }

    /** The effector's answer after the appointment (seen, reoriented, noshow, cancelled). */
    public CompletionStage<ScriptReply> feedback(String appointmentId, String slotId, String answer, long nowMs,
                                                 String comment, String principal) {
        String t = Ids.territoryOf(appointmentId);
        return run(FEEDBACK, slotId, new String[]{Keys.appointment(t, appointmentId), slotDay(t, slotId),
                        Keys.awaitingFeedback(t), Keys.reminders(t)},
                answer, String.valueOf(nowMs), comment == null ? "" : comment, principal, appointmentId);
    }

    /** Puts the due feedback reminders of a territory in its outbox (each once); returns how many. */
    public CompletionStage<Long> sendDueReminders(String territory, long nowMs) {
        return REMIND.run(redis, ScriptOutputType.INTEGER, new String[]{Keys.reminders(territory), Keys.outbox(territory)},
                String.valueOf(nowMs / 1000), "500");
    }

    private CompletionStage<ScriptReply> run(LuaScript script, String slotId, String[] keys, String... args) {
        return script.<List<Object>>run(redis, ScriptOutputType.MULTI, keys, args).thenApply(raw -> {
            ScriptReply reply = ScriptReply.parse(raw);
            if (!reply.slot().isEmpty()) {
                SlotState state = SlotState.fromHash(slotId, reply.slot());
                index.apply(state);
                if (reply.loadAll() >= 0) {
                    index.setLoad(state.effectorId(), state.week(), reply.loadAll(), reply.loadSas());
                }
            }
            return reply;
        });
    }
}
