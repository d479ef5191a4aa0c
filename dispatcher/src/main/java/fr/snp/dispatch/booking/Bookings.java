package fr.snp.dispatch.booking;

import fr.snp.dispatch.auth.Access;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.auth.Reach;
import fr.snp.dispatch.availability.AvailabilityPlanner;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.domain.NewSlot;
import fr.snp.dispatch.domain.Outcome;
import fr.snp.dispatch.domain.PatientContact;
import fr.snp.dispatch.domain.Refused;
import fr.snp.dispatch.domain.ServerClock;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.matching.SlotIndex;
import fr.snp.dispatch.metrics.Metrics;
import fr.snp.dispatch.redis.Durability;
import fr.snp.dispatch.redis.Key;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.redis.LuaScript;
import fr.snp.dispatch.requests.Requests;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Taking a slot for a patient, and what follows: hold it while on the phone, book it (idempotent), cancel, the
 * effector's feedback. Each state change is one Lua script beside this class, called with a record naming its keys
 * and arguments; the tenancy is checked here and again in the script. The new slot state a script returns goes
 * into this instance's index at once; other instances get it from the territory's change stream.
 */
public final class Bookings {
    /** The SAS push queue (INT_R03): queueSasPush, sasPushed. */
    static final String SAS_PUSH_PRELUDE = "/fr/snp/dispatch/sas/sas_push.lua";
    private static final String[] SLOT_PRELUDES = {"/fr/snp/dispatch/booking/slot_events.lua", LuaScript.STATS_PRELUDE,
            LuaScript.TENANCY_PRELUDE, "/fr/snp/dispatch/redis/clock.lua", "/fr/snp/dispatch/messages/patient_messages.lua",
            SAS_PUSH_PRELUDE};

    public record HoldCall(@Key String slot, @Key String hold, @Key String request, @Key String events,
                           @Key String requestHold, @Key String previousSlot, @Key String previousHold,
                           @Key String principalHolds,
                           String slotId, String holdId, String requestId, long ttlMs, String nowMs, int audienceMask,
                           int streamMaxLen, String previousSlotId, int holdCap, Set<String> callerTerritories, String callerOrg,
                           Reach callerReach) {}

    public record ReleaseHoldCall(@Key String slot, @Key String hold, @Key String events, @Key String principalHolds,
                                  String slotId, String holdId,
                                  int streamMaxLen, Set<String> callerTerritories, String callerOrg, Reach callerReach) {}

    public record BookCall(@Key String slot, @Key String hold, @Key String appointment, @Key String idempotency,
                           @Key String request, @Key String load, @Key String events, @Key String slotDay,
                           @Key String requestDay, @Key String outbox, @Key String awaiting, @Key String reminders,
                           @Key String references, @Key String contact, @Key String messages,
                           @Key String patientReminders, @Key String waiting, @Key String principalHolds,
                           @Key String sasOutbox, String slotId, String appointmentId, String requestId,
                           String holdId, String fingerprint, String nowMs, int audienceMask, int weeklySasCap,
                           String callerId, int idempotencyTtl, int streamMaxLen, String hour, Set<String> cpts,
                           long reminderAfter, String reference, String contactSms, String contactEmail,
                           long contactTtl, String channels, long patientReminderAt, Set<String> callerTerritories,
                           String callerOrg, Reach callerReach, boolean sasPush) {}

    /** book_supernumerary.lua: a BookCall, the slot to make, and the effector's daily cap of such consultations. */
    public record SupernumeraryCall(@Key String slot, @Key String hold, @Key String appointment, @Key String idempotency,
                                    @Key String request, @Key String load, @Key String events, @Key String slotDay,
                                    @Key String requestDay, @Key String outbox, @Key String awaiting, @Key String reminders,
                                    @Key String references, @Key String contact, @Key String messages,
                                    @Key String patientReminders, @Key String waiting, @Key String effectorSlots,
                                    @Key String effectors, @Key String sasOutbox, String slotId, String appointmentId,
                                    String requestId, String holdId, String fingerprint, String nowMs, int audienceMask,
                                    int weeklySasCap, String callerId, int idempotencyTtl, int streamMaxLen, String hour,
                                    Set<String> cpts, long reminderAfter, String reference, String contactSms,
                                    String contactEmail, long contactTtl, String channels, long patientReminderAt,
                                    Set<String> callerTerritories, String callerOrg, Reach callerReach, String effectorId, int location,
                                    long startSec, long endSec, int offset, String mode, String week, String day,
                                    int dailyCap, boolean sasPush) {

        static SupernumeraryCall of(BookCall b, String effectorSlots, String effectors, NewSlot s, String day, int dailyCap) {
            return new SupernumeraryCall(b.slot(), b.hold(), b.appointment(), b.idempotency(), b.request(), b.load(),
                    b.events(), b.slotDay(), b.requestDay(), b.outbox(), b.awaiting(), b.reminders(), b.references(),
                    b.contact(), b.messages(), b.patientReminders(), b.waiting(), effectorSlots, effectors, b.sasOutbox(), b.slotId(),
                    b.appointmentId(),
                    b.requestId(), b.holdId(), b.fingerprint(), b.nowMs(), b.audienceMask(), b.weeklySasCap(), b.callerId(),
                    b.idempotencyTtl(), b.streamMaxLen(), b.hour(), b.cpts(), b.reminderAfter(), b.reference(),
                    b.contactSms(), b.contactEmail(), b.contactTtl(), b.channels(), b.patientReminderAt(),
                    b.callerTerritories(), b.callerOrg(), b.callerReach(), s.effectorId(),
                    s.location(), s.start(), s.end(), s.offsetSeconds(), s.mode(), s.week(), day, dailyCap, b.sasPush());
        }
    }

    public record CancelCall(@Key String appointment, @Key String slot, @Key String request, @Key String load,
                             @Key String events, @Key String slotDay, @Key String requestDay, @Key String outbox,
                             @Key String awaiting, @Key String reminders, @Key String contact, @Key String messages,
                             @Key String patientReminders, @Key String sasOutbox, String appointmentId, String nowMs,
                             String reason, String callerId, int streamMaxLen, Set<String> callerTerritories,
                             String callerOrg, Reach callerReach) {}

    public record FeedbackCall(@Key String appointment, @Key String slotDay, @Key String awaiting, @Key String reminders,
                               @Key String sasOutbox, String appointmentId, String answer, String nowMs, String comment, String callerId,
                               Set<String> callerTerritories, String callerOrg, Reach callerReach) {}

    public record ReadAppointmentCall(@Key String appointment, Set<String> callerTerritories, String callerOrg,
                                      Reach callerReach) {}

    public record PseudonymiseCall(@Key String appointment, @Key String references, @Key String contact,
                                   @Key String messages, String appointmentId, long endedBeforeSec, long nowMs) {}

    public record RemindCall(@Key String reminders, @Key String outbox, @Key String patientReminders, long nowSec, int batch) {}

    private static final LuaScript<HoldCall> HOLD = LuaScript.beside(Bookings.class, "hold.lua", HoldCall.class,
            with(SLOT_PRELUDES, "offer.lua"));
    private static final LuaScript<ReleaseHoldCall> RELEASE_HOLD = LuaScript.beside(Bookings.class, "release_hold.lua",
            ReleaseHoldCall.class, SLOT_PRELUDES);
    private static final LuaScript<BookCall> BOOK = LuaScript.beside(Bookings.class, "book.lua", BookCall.class,
            with(with(SLOT_PRELUDES, "offer.lua"), "book_core.lua"));
    private static final LuaScript<SupernumeraryCall> BOOK_SUPERNUMERARY = LuaScript.beside(Bookings.class,
            "book_supernumerary.lua", SupernumeraryCall.class, with(with(SLOT_PRELUDES, "offer.lua"), "book_core.lua"));
    private static final LuaScript<CancelCall> CANCEL = LuaScript.beside(Bookings.class, "cancel.lua", CancelCall.class,
            SLOT_PRELUDES);
    private static final LuaScript<FeedbackCall> FEEDBACK = LuaScript.beside(Bookings.class, "feedback.lua",
            FeedbackCall.class, SLOT_PRELUDES);
    private static final LuaScript<ReadAppointmentCall> READ = LuaScript.beside(Bookings.class, "read_appointment.lua",
            ReadAppointmentCall.class, LuaScript.TENANCY_PRELUDE);
    private static final LuaScript<PseudonymiseCall> PSEUDONYMISE = LuaScript.beside(Bookings.class, "pseudonymise.lua",
            PseudonymiseCall.class);
    private static final LuaScript<RemindCall> REMIND = LuaScript.beside(Bookings.class, "remind.lua", RemindCall.class);

    public static List<LuaScript<?>> scripts() {
        return List.of(HOLD, RELEASE_HOLD, BOOK, BOOK_SUPERNUMERARY, CANCEL, FEEDBACK, READ, REMIND, PSEUDONYMISE);
    }

    private static String[] with(String[] preludes, String extra) {
        String[] all = java.util.Arrays.copyOf(preludes, preludes.length + 1);
        all[preludes.length] = extra;
        return all;
    }

    private final RedisClusterAsyncCommands<String, String> redis;
    private final SlotIndex index;
    private final ServerClock clock;
    private final AvailabilityPlanner calendar;
    private final Metrics metrics;
    private final int streamMaxLen;
    private final long holdTtlMs;
    private final int idempotencyTtlSeconds;
    private final long reminderAfterSeconds;
    private final Set<PatientContact.Channel> patientChannels;
    private final int holdCap;
    /** Whether SAS desks' bookings are pushed to the national SAS platform (sas.baseUrl set). */
    private volatile boolean sasPush;
    /** How bookings, cancellations and feedback are kept before they are answered (redis.durability). */
    private volatile Durability durability;

    /** {@code patientChannels}: the channels a patient can be told by here (those with a provider, or the log in demo). */
    public Bookings(RedisClusterAsyncCommands<String, String> redis, SlotIndex index, ServerClock clock,
                    AvailabilityPlanner calendar, Metrics metrics, int streamMaxLen, int holdTtlSeconds,
                    int idempotencyTtlSeconds, int reminderAfterHours, Set<PatientContact.Channel> patientChannels) {
        this(redis, index, clock, calendar, metrics, streamMaxLen, holdTtlSeconds, idempotencyTtlSeconds, reminderAfterHours,
                patientChannels, 0);
    }

    /** {@code holdCap}: holds a principal may have at once in a territory (limits.activeHoldsPerPrincipal, 0: none). */
    public Bookings(RedisClusterAsyncCommands<String, String> redis, SlotIndex index, ServerClock clock,
                    AvailabilityPlanner calendar, Metrics metrics, int streamMaxLen, int holdTtlSeconds,
                    int idempotencyTtlSeconds, int reminderAfterHours, Set<PatientContact.Channel> patientChannels,
                    int holdCap) {
        this.holdCap = holdCap;
        this.patientChannels = Set.copyOf(patientChannels);
        this.redis = redis;
        this.index = index;
        this.clock = clock;
        this.calendar = calendar;
        this.metrics = metrics;
        this.streamMaxLen = streamMaxLen;
        this.holdTtlMs = holdTtlSeconds * 1000L;
        this.idempotencyTtlSeconds = idempotencyTtlSeconds;
        this.reminderAfterSeconds = reminderAfterHours * 3600L;
        this.durability = Durability.relaxed(redis);
    }

    /** Bookings, cancellations and feedback are answered once kept as this says (redis.durability); relaxed by default. */
    public void durability(Durability d) { this.durability = d; }

    public Durability durability() { return durability; }

    /** Turns the SAS push of new bookings on (sas.baseUrl set): their later changes follow whatever this says. */
    public void pushToSas(boolean on) { this.sasPush = on; }

    // --- hold ---------------------------------------------------------------------------------------------------

    /** A slot held for a request until {@code expiresAtMs}. */
    public record Hold(String holdId, String slotId, String requestId, long expiresAtMs, SlotState slot) {}

    public CompletionStage<Hold> hold(Principal p, String slotId, String requestId) {
        Effector e = offeredEffector(p, slotId, requestId);
        String t = Ids.territoryOf(slotId);
        return hold(p, e, t, slotId, requestId, Ids.hold(), "", 0).thenApply(r -> {
            if (r.outcome() == Outcome.TOO_MANY_HOLDS) {
                throw Refused.retryAfter(r.outcome(), Long.parseLong(r.detail())); // ms until the oldest hold ends
            }
            if (!r.ok()) throw new Refused(r.outcome());
            String[] hold = r.detail().split("\\|");
            return new Hold(hold[0], slotId, requestId, Long.parseLong(hold[1]), SlotState.fromHash(slotId, r.slot()));
        });
    }

    /**
     * One call of hold.lua. When the request holds another slot than {@code previousSlotId}, the script changes
     * nothing and names that slot (HOLD_ELSEWHERE): called again with its keys, it gives that hold back and takes
     * this one in one step. A few rounds at most (only a concurrent hold for the same request moves the pointer).
     */
    private CompletionStage<ScriptReply> hold(Principal p, Effector e, String t, String slotId, String requestId,
                                              String holdId, String previousSlotId, int round) {
        String previous = previousSlotId.isEmpty() ? slotId : previousSlotId;
        HoldCall call = new HoldCall(Keys.slot(t, slotId), Keys.hold(t, slotId), Keys.request(t, requestId), Keys.events(t),
                Keys.requestHold(t, requestId), Keys.slot(t, previous), Keys.hold(t, previous),
                Keys.principalHolds(t, p.id()), slotId, holdId, requestId, holdTtlMs, clock.forScripts(),
                p.viewer().maskFor(e), streamMaxLen, previousSlotId, holdCap, p.territories(), p.org(), p.reach());
        return HOLD.<List<Object>>run(redis, ScriptOutputType.MULTI, call).thenCompose(raw -> {
            if ("HOLD_ELSEWHERE".equals(raw.get(0))) {
                if (round >= 3) throw new IllegalStateException("the hold of request " + requestId + " keeps moving");
                return hold(p, e, t, slotId, requestId, holdId, (String) raw.get(1), round + 1);
            }
            ScriptReply reply = ScriptReply.parse(raw);
            Slots.apply(index, slotId, reply);
            // the slot given back for this request, if any: this instance's index sees it free at once
            if (!previousSlotId.isEmpty() && !reply.appointment().isEmpty()) {
                index.apply(SlotState.fromHash(previousSlotId, reply.appointment()));
            }
            return CompletableFuture.completedFuture(reply);
        });
    }

    public CompletionStage<SlotState> releaseHold(Principal p, String slotId, String holdId) {
        String t = Ids.territoryOf(slotId);
        if (!Access.seesSlot(p, t, Ids.effectorOfSlot(slotId))) throw new Refused(Outcome.SLOT_NOT_FOUND);
        ReleaseHoldCall call = new ReleaseHoldCall(Keys.slot(t, slotId), Keys.hold(t, slotId), Keys.events(t),
                Keys.principalHolds(t, p.id()), slotId,
                holdId, streamMaxLen, p.territories(), p.org(), p.reach());
        return run(RELEASE_HOLD, call, slotId).thenApply(r -> {
            if (!r.ok()) throw new Refused(r.outcome());
            return SlotState.fromHash(slotId, r.slot());
        });
    }

    // --- book ---------------------------------------------------------------------------------------------------

    /** The appointment, and whether this call only replayed an earlier one with the same Idempotency-Key. */
    public record Booked(Appointment appointment, boolean replayed) {}

    /**
     * Books a slot for a request. The same {@code idempotencyKey} from the same caller answers the first
     * appointment again, whatever happened since; used for another slot or request it is refused.
     */
    public CompletionStage<Booked> book(Principal p, String slotId, String requestId, String holdId, String idempotencyKey) {
        return book(p, slotId, requestId, holdId, idempotencyKey, PatientContact.NONE);
    }

    /** The channels of a contact this server can send by (a channel without a provider is left out). */
    public PatientContact reachable(PatientContact c) {
        return new PatientContact(patientChannels.contains(PatientContact.Channel.SMS) ? c.sms() : null,
                patientChannels.contains(PatientContact.Channel.EMAIL) ? c.email() : null);
    }

    /**
     * Books, and tells the patient by the channels of {@code contact} they agreed to: a confirmation now, a reminder
     * before (see {@link PatientReminders}), a message if it is cancelled.
     */
    public CompletionStage<Booked> book(Principal p, String slotId, String requestId, String holdId, String idempotencyKey,
                                        PatientContact contact) {
        long t0 = System.nanoTime();
        Effector e;
        try {
            e = offeredEffector(p, slotId, requestId);
        } catch (Refused r) {
            metrics.bookingResult(r.outcome.metric);
            throw r;
        }
        return finish(p, durable(BOOK, bookCall(p, e, slotId, requestId, holdId, idempotencyKey, contact, null), slotId), t0);
    }

    /**
     * Books a consultation outside the effector's published slots ("surnuméraire"): a regulator agreed a time with
     * an effector who accepts it (up to their daily cap). The slot is made for this patient in the same step as the
     * booking (book_supernumerary.lua); everything else is a booking like any other.
     */
    public CompletionStage<Booked> bookSupernumerary(Principal p, NewSlot s, String requestId, String idempotencyKey,
                                                     PatientContact contact) {
        long t0 = System.nanoTime();
        String t = Ids.territoryOf(s.effectorId());
        Effector e = p.serves(t) ? index.effector(s.effectorId()) : null;
        if (e == null) throw new Refused(Outcome.EFFECTOR_NOT_FOUND);
        if (!p.serves(Ids.territoryOf(requestId))) throw new Refused(Outcome.REQUEST_NOT_FOUND);
        if (!Ids.territoryOf(requestId).equals(t)) throw new Refused(Outcome.TERRITORY_MISMATCH);
        String slotId = s.id();
        BookCall b = bookCall(p, e, slotId, requestId, "", idempotencyKey, contact, s.end());
        SupernumeraryCall call = SupernumeraryCall.of(b, Keys.effectorSlots(t, s.effectorId()), Keys.effectors(t), s,
                calendar.day(Instant.ofEpochSecond(s.start())), e.supernumeraryDailyCap());
        return finish(p, durable(BOOK_SUPERNUMERARY, call, slotId), t0);
    }

    /** What book.lua needs for this booking ({@code endSec}: the slot's end when it is not in the index yet). */
    private BookCall bookCall(Principal p, Effector e, String slotId, String requestId, String holdId, String idempotencyKey,
                              PatientContact contact, Long endSec) {
        String t = Ids.territoryOf(slotId);
        String appointmentId = Ids.appointment(t, clock.nowMs());
        Instant start = Instant.ofEpochSecond(Ids.slotStart(slotId));
        PatientContact told = reachable(contact);
        long nowMs = clock.nowMs();
        if (endSec == null) {
            SlotState slot = index.slot(slotId);
            endSec = slot == null ? start.getEpochSecond() + 3600 : slot.end();
        }
        return new BookCall(Keys.slot(t, slotId), Keys.hold(t, slotId), Keys.appointment(t, appointmentId),
                Keys.idempotency(t, p.id(), idempotencyKey), Keys.request(t, requestId), Keys.load(t), Keys.events(t),
                Keys.stats(t, calendar.day(start)), requestDay(t, requestId), Keys.outbox(t), Keys.awaitingFeedback(t),
                Keys.reminders(t), Keys.references(t), Keys.patientContact(t, appointmentId),
                Keys.patientMessages(t, appointmentId), Keys.patientReminders(t), Keys.waiting(t),
                Keys.principalHolds(t, p.id()), Keys.sasOutbox(t), slotId, appointmentId,
                requestId, holdId == null ? "" : holdId, slotId + "/" + requestId, clock.forScripts(), p.viewer().maskFor(e),
                e.weeklySasCap(), p.id(), idempotencyTtlSeconds, streamMaxLen, calendar.hour(start), new TreeSet<>(e.cpts()),
                reminderAfterSeconds, Appointment.referenceOf(appointmentId), nullToEmpty(told.sms()),
                nullToEmpty(told.email()), Math.max(60, endSec - nowMs / 1000 + 86_400), channels(told),
                told.isEmpty() ? 0 : PatientReminders.dueAt(start.getEpochSecond(), nowMs, calendar.zone()),
                p.territories(), p.org(), p.reach(), pushesToSas(p));
    }

    /**
     * Whether a booking by this principal goes to the national SAS platform (INT_R03), if its request is
     * SAS-regulated (book_core.lua checks that): the push is on and a SAS desk books (a regulator or an OSNP
     * operator, the people the platform knows as its users, INT_R02). A pharmacy, an emergency department or a
     * CPTS platform booking for a SAS_116117 request is not the SAS's regulation: not pushed.
     */
    private boolean pushesToSas(Principal p) {
        return sasPush && (p.role() == fr.snp.dispatch.domain.Role.REGULATOR || p.role() == fr.snp.dispatch.domain.Role.OSNP);
    }

    /** The booking's answer: measured, and a replay read back as the caller (the first booking with that key was theirs). */
    private CompletionStage<Booked> finish(Principal p, CompletionStage<ScriptReply> reply, long t0) {
        return reply.whenComplete((r, error) -> {
            metrics.booking().record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
            metrics.bookingResult(error != null ? "error" : r.outcome().metric);
        }).thenCompose(r -> {
            if (r.ok()) return CompletableFuture.completedFuture(new Booked(Appointment.fromRedis(r.appointment()), false));
            if (r.outcome() != Outcome.REPLAY) throw new Refused(r.outcome());
            return read(p, r.detail()).thenApply(a -> new Booked(a, true));
        });
    }

    /**
     * The effector of a slot the principal may take for a request: the slot's territory is served (else the slot
     * is not found), the request is of the same territory (else not found when not served, a mismatch otherwise).
     */
    private Effector offeredEffector(Principal p, String slotId, String requestId) {
        String t = Ids.territoryOf(slotId);
        Effector e = p.serves(t) ? index.effector(Ids.effectorOfSlot(slotId)) : null;
        if (e == null) throw new Refused(Outcome.SLOT_NOT_FOUND);
        String requestTerritory = Ids.territoryOf(requestId);
        if (!p.serves(requestTerritory)) throw new Refused(Outcome.REQUEST_NOT_FOUND);
        if (!requestTerritory.equals(t)) throw new Refused(Outcome.TERRITORY_MISMATCH);
        return e;
    }

    // --- read ---------------------------------------------------------------------------------------------------

    /** An appointment the principal reaches, else 404 (whether it exists or not). */
    public CompletionStage<Appointment> read(Principal p, String appointmentId) {
        String t = Ids.territoryOf(appointmentId);
        if (!p.serves(t)) return CompletableFuture.failedFuture(new Refused(Outcome.APPOINTMENT_NOT_FOUND));
        return READ.<List<Object>>run(redis, ScriptOutputType.MULTI, new ReadAppointmentCall(Keys.appointment(t, appointmentId),
                p.territories(), p.org(), p.reach())).thenApply(raw -> {
            if (raw.isEmpty()) throw new Refused(Outcome.APPOINTMENT_NOT_FOUND);
            Appointment a = Appointment.fromRedis(ScriptReply.flat(raw));
            // the script checked the tenancy; Java checks it again on what it got
            if (!Access.reachesAppointment(p, a.territory(), a.org(), a.effectorId(), a.cpts())) {
                throw new Refused(Outcome.APPOINTMENT_NOT_FOUND);
            }
            return a;
        });
    }

    /** The appointment a patient was given the reference of ("36-K7Q2-M9XA"), as the principal reaches it. */
    public CompletionStage<Appointment> byReference(Principal p, String reference) {
        String t = reference.substring(0, reference.indexOf('-'));
        if (!p.serves(t)) return CompletableFuture.failedFuture(new Refused(Outcome.APPOINTMENT_NOT_FOUND));
        return redis.hget(Keys.references(t), reference).thenCompose(id -> id == null
                ? CompletableFuture.failedFuture(new Refused(Outcome.APPOINTMENT_NOT_FOUND)) : read(p, id));
    }

    /**
     * The appointments of a patient who calls back, found by phone number and initials, on a local day: through
     * the patient's requests (which hold the patient data), as the principal reaches them.
     */
    public CompletionStage<List<Appointment>> ofPatient(Principal p, Requests requests, String phone, String initials,
                                                        java.time.LocalDate day) {
        return requests.ofPatient(p, phone).thenCompose(found -> {
            List<CompletableFuture<Appointment>> reads = found.stream()
                    .filter(r -> r.appointmentId() != null && r.patient().initials().equalsIgnoreCase(initials))
                    .map(r -> read(p, r.appointmentId()).toCompletableFuture().exceptionally(notReached -> null)).toList();
            return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> reads.stream()
                    .map(CompletableFuture::join).filter(java.util.Objects::nonNull)
                    .filter(a -> Instant.ofEpochSecond(a.startSec()).atZone(calendar.zone()).toLocalDate().equals(day)).toList());
        });
    }

    /** Appointments of a territory whose slot ended before {@code endedBeforeSec} without feedback, as the principal reaches them. */
    public CompletionStage<List<Appointment>> awaitingFeedback(Principal p, String territory, long endedBeforeSec) {
        Access.territory(p, territory, "territory");
        return redis.zrangebyscore(Keys.awaitingFeedback(territory), Range.create(Double.NEGATIVE_INFINITY, (double) endedBeforeSec))
                .thenCompose(ids -> {
                    List<CompletableFuture<Appointment>> reads = ids.stream().map(id -> read(p, id).toCompletableFuture()
                            .exceptionally(error -> null)).toList(); // not reached by this principal: left out
                    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                            .thenApply(done -> reads.stream().map(CompletableFuture::join).filter(java.util.Objects::nonNull).toList());
                });
    }

    // --- cancel -------------------------------------------------------------------------------------------------

    /** The cancelled appointment, and whether its slot went back to the pool (it had not started). */
    public record Cancelled(Appointment appointment, boolean slotReleased) {}

    public CompletionStage<Cancelled> cancel(Principal p, String appointmentId, String reason) {
        return read(p, appointmentId).thenCompose(a -> cancel(p, a, reason)).thenApply(r -> {
            if (!r.outcome().done) throw new Refused(r.outcome());
            return new Cancelled(Appointment.fromRedis(r.appointment()), "1".equals(r.detail()));
        });
    }

    private CompletionStage<ScriptReply> cancel(Principal p, Appointment a, String reason) {
        String t = a.territory();
        CancelCall call = new CancelCall(Keys.appointment(t, a.id()), Keys.slot(t, a.slotId()), Keys.request(t, a.requestId()),
                Keys.load(t), Keys.events(t), Keys.stats(t, calendar.day(Instant.ofEpochSecond(a.startSec()))),
                requestDay(t, a.requestId()), Keys.outbox(t), Keys.awaitingFeedback(t), Keys.reminders(t),
                Keys.patientContact(t, a.id()), Keys.patientMessages(t, a.id()), Keys.patientReminders(t),
                Keys.sasOutbox(t), a.id(),
                clock.forScripts(), reason, p.id(), streamMaxLen, p.territories(), p.org(), p.reach());
        return durable(CANCEL, call, a.slotId());
    }

    // --- feedback -----------------------------------------------------------------------------------------------

    /**
     * The effector's answer (the first one stands). A cancellation before the slot starts first frees the slot
     * (cancel.lua, which counts it), then feedback.lua records the answer.
     */
    public CompletionStage<Appointment> answer(Principal p, String appointmentId, Feedback.Answer answer, String comment) {
        return read(p, appointmentId).thenCompose(a -> {
            CompletionStage<?> before = CompletableFuture.completedFuture(null);
            if (answer == Feedback.Answer.CANCELLED_BY_PATIENT && a.startSec() * 1000 > clock.nowMs() && a.booked()) {
                before = cancel(p, a, "PATIENT");
            }
            String t = a.territory();
            FeedbackCall call = new FeedbackCall(Keys.appointment(t, a.id()),
                    Keys.stats(t, calendar.day(Instant.ofEpochSecond(a.startSec()))), Keys.awaitingFeedback(t),
                    Keys.reminders(t), Keys.sasOutbox(t), a.id(), answer.stored, clock.forScripts(), comment, p.id(), p.territories(), p.org(),
                    p.reach());
            return before.thenCompose(x -> durable(FEEDBACK, call, null));
        }).thenApply(r -> {
            if (!r.outcome().done) throw new Refused(r.outcome());
            if (r.ok()) metrics.feedback(answer.stored);
            return Appointment.fromRedis(r.appointment());
        });
    }

    /**
     * Pseudonymises the territory's appointments whose slot ended more than {@code afterDays} ago (see
     * pseudonymise.lua), walking the appointment keys with SCAN (housekeeping, once a day); answers how many changed.
     */
    public CompletionStage<Long> pseudonymise(String territory, long nowMs, int afterDays) {
        long endedBefore = nowMs / 1000 - afterDays * 86_400L;
        String prefix = Keys.appointment(territory, "");
        java.util.concurrent.atomic.AtomicLong changed = new java.util.concurrent.atomic.AtomicLong();
        return scanFrom(io.lettuce.core.ScanCursor.INITIAL, prefix, territory, endedBefore, nowMs, changed).thenApply(v -> changed.get());
    }

    private CompletionStage<Void> scanFrom(io.lettuce.core.ScanCursor cursor, String prefix, String territory, long endedBefore,
                                           long nowMs, java.util.concurrent.atomic.AtomicLong changed) {
        return redis.scan(cursor, io.lettuce.core.ScanArgs.Builder.matches(prefix + "*")
                .limit(500)).thenCompose(page -> {
            List<CompletableFuture<Long>> done = page.getKeys().stream().map(key -> {
                String id = key.substring(prefix.length());
                return PSEUDONYMISE.<Long>run(redis, ScriptOutputType.INTEGER, new PseudonymiseCall(key, Keys.references(territory),
                        Keys.patientContact(territory, id), Keys.patientMessages(territory, id), id, endedBefore, nowMs))
                        .toCompletableFuture().thenApply(n -> { changed.addAndGet(n); return n; });
            }).toList();
            return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).thenCompose(v -> page.isFinished()
                    ? CompletableFuture.completedFuture(null)
                    : scanFrom(io.lettuce.core.ScanCursor.of(page.getCursor()), prefix, territory, endedBefore, nowMs, changed));
        });
    }

    /** Puts the due feedback reminders of a territory in its outbox (each once); returns how many. */
    public CompletionStage<Long> sendDueReminders(String territory, long nowMs) {
        return REMIND.run(redis, ScriptOutputType.INTEGER, new RemindCall(Keys.reminders(territory), Keys.outbox(territory),
                Keys.patientReminders(territory), nowMs / 1000, 500));
    }

    // --- plumbing -----------------------------------------------------------------------------------------------

    private static String nullToEmpty(String s) { return s == null ? "" : s; }

    private static String channels(PatientContact c) {
        return String.join(",", c.channels().stream().map(PatientContact.Channel::wire).toList());
    }

    /** Statistics of the local day a request was made in (its id says when). */
    private String requestDay(String territory, String requestId) {
        return Keys.stats(territory, calendar.day(Instant.ofEpochMilli(Ids.createdAtMs(requestId))));
    }

    private <C extends Record> CompletionStage<ScriptReply> run(LuaScript<C> script, C call, String slotId) {
        return Slots.run(redis, index, script, call, slotId);
    }

    /** An acknowledged state change (booking, cancellation, feedback): answered once kept as redis.durability says. */
    private <C extends Record> CompletionStage<ScriptReply> durable(LuaScript<C> script, C call, String slotId) {
        return Slots.run(durability, index, script, call, slotId);
    }
}
