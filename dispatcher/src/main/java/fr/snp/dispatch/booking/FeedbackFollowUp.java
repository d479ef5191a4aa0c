package fr.snp.dispatch.booking;

import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.auth.Reach;
import fr.snp.dispatch.availability.AvailabilityPlanner;
import fr.snp.dispatch.domain.Refused;
import fr.snp.dispatch.domain.ServerClock;
import fr.snp.dispatch.redis.Key;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.redis.LuaScript;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * What happens around feedback once an appointment is over: the coordinator sends one more reminder ("Relancer")
 * or closes it without feedback ("Clore"); the doctor takes back an answer given by mistake, within a few minutes.
 * Each is one Lua script beside this class; the tenancy is checked here (the appointment is read as the caller
 * first, {@link Bookings#read}) and again in the script.
 */
public final class FeedbackFollowUp {
    private static final String[] PRELUDES = {LuaScript.STATS_PRELUDE, LuaScript.TENANCY_PRELUDE,
            "/fr/snp/dispatch/redis/clock.lua", Bookings.SAS_PUSH_PRELUDE};

    public record RemindCall(@Key String appointment, @Key String outbox, String appointmentId, String nowMs,
                             long minIntervalMs, String callerId, Set<String> callerTerritories, String callerOrg,
                             Reach callerReach) {}

    public record CloseCall(@Key String appointment, @Key String slotDay, @Key String awaiting, @Key String reminders,
                            String appointmentId, String nowMs, String callerId, Set<String> callerTerritories,
                            String callerOrg, Reach callerReach) {}

    public record UndoCall(@Key String appointment, @Key String slotDay, @Key String awaiting, @Key String reminders,
                           @Key String sasOutbox, String appointmentId, String nowMs, long windowMs, long reminderAfter, String callerId,
                           Set<String> callerTerritories, String callerOrg, Reach callerReach) {}

    private static final LuaScript<RemindCall> REMIND = LuaScript.beside(FeedbackFollowUp.class, "resend_reminder.lua",
            RemindCall.class, PRELUDES);
    private static final LuaScript<CloseCall> CLOSE = LuaScript.beside(FeedbackFollowUp.class, "close_feedback.lua",
            CloseCall.class, PRELUDES);
    private static final LuaScript<UndoCall> UNDO = LuaScript.beside(FeedbackFollowUp.class, "undo_feedback.lua",
            UndoCall.class, PRELUDES);

    public static List<LuaScript<?>> scripts() { return List.of(REMIND, CLOSE, UNDO); }

    private final RedisClusterAsyncCommands<String, String> redis;
    private final Bookings bookings;
    private final ServerClock clock;
    private final AvailabilityPlanner calendar;
    private final long undoWindowMs;
    private final long reminderIntervalMs;
    private final long reminderAfterSeconds;

    public FeedbackFollowUp(RedisClusterAsyncCommands<String, String> redis, Bookings bookings, ServerClock clock,
                            AvailabilityPlanner calendar, int undoMinutes, int reminderIntervalMinutes,
                            int reminderAfterHours) {
        this.redis = redis;
        this.bookings = bookings;
        this.clock = clock;
        this.calendar = calendar;
        this.undoWindowMs = undoMinutes * 60_000L;
        this.reminderIntervalMs = reminderIntervalMinutes * 60_000L;
        this.reminderAfterSeconds = reminderAfterHours * 3600L;
    }

    /**
     * Until when the principal may still take back the appointment's answer (epoch ms), or null when it may not:
     * no answer, someone else's, or one that gave the slot back. The script decides again when asked.
     */
    public Long undoableUntilMs(Principal p, Appointment a) {
        Feedback f = a.feedback();
        if (f == null || !f.undoable() || !p.id().equals(f.by())) return null;
        long until = f.atMs() + undoWindowMs;
        return until > clock.nowMs() ? until : null;
    }

    /** How long after a reminder by hand the next one may go (ms). */
    public long reminderIntervalMs() { return reminderIntervalMs; }

    /** A reminder by hand: {@code sent} false when one went less than the interval ago (then {@code atMs} is its time). */
    public record Reminder(Appointment appointment, boolean sent, long atMs) {}

    public CompletionStage<Reminder> remind(Principal p, String appointmentId) {
        return bookings.read(p, appointmentId).thenCompose(a -> {
            String t = a.territory();
            return run(REMIND, new RemindCall(Keys.appointment(t, a.id()), Keys.outbox(t), a.id(), clock.forScripts(),
                    reminderIntervalMs, p.id(), p.territories(), p.org(), p.reach()));
        }).thenApply(r -> new Reminder(Appointment.fromRedis(r.appointment()), r.ok(), Long.parseLong(r.detail())));
    }

    /** Closes an appointment that never got feedback ("clos sans retour"); closing again is harmless. */
    public CompletionStage<Appointment> close(Principal p, String appointmentId) {
        return bookings.read(p, appointmentId).thenCompose(a -> {
            String t = a.territory();
            return durable(CLOSE, new CloseCall(Keys.appointment(t, a.id()), slotDay(a), Keys.awaitingFeedback(t),
                    Keys.reminders(t), a.id(), clock.forScripts(), p.id(), p.territories(), p.org(), p.reach()));
        }).thenApply(r -> Appointment.fromRedis(r.appointment()));
    }

    /**
     * Takes back the caller's own answer within the undo window: the appointment awaits feedback again (or is
     * closed again, if it was) and the statistics the answer counted are counted back.
     */
    public CompletionStage<Appointment> undo(Principal p, String appointmentId) {
        return bookings.read(p, appointmentId).thenCompose(a -> {
            String t = a.territory();
            return durable(UNDO, new UndoCall(Keys.appointment(t, a.id()), slotDay(a), Keys.awaitingFeedback(t),
                    Keys.reminders(t), Keys.sasOutbox(t), a.id(), clock.forScripts(), undoWindowMs, reminderAfterSeconds, p.id(),
                    p.territories(), p.org(), p.reach()));
        }).thenApply(r -> Appointment.fromRedis(r.appointment()));
    }

    private String slotDay(Appointment a) {
        return Keys.stats(a.territory(), calendar.day(Instant.ofEpochSecond(a.startSec())));
    }

    /** Closing or taking back feedback: an acknowledged state change, kept as the bookings' redis.durability says. */
    private <C extends Record> CompletionStage<ScriptReply> durable(LuaScript<C> script, C call) {
        return bookings.durability().<C, List<Object>>run(script, ScriptOutputType.MULTI, call).thenApply(raw -> {
            ScriptReply r = ScriptReply.parse(raw);
            if (!r.outcome().done) throw new Refused(r.outcome());
            return r;
        });
    }

    /** Runs a script; a refusal (not done) becomes the outcome's exception. */
    private <C extends Record> CompletionStage<ScriptReply> run(LuaScript<C> script, C call) {
        return script.<List<Object>>run(redis, ScriptOutputType.MULTI, call).thenApply(raw -> {
            ScriptReply r = ScriptReply.parse(raw);
            if (!r.outcome().done) throw new Refused(r.outcome());
            return r;
        });
    }
}
