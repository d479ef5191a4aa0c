package fr.snp.dispatch.sas;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.Consumer;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.models.stream.PendingMessage;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Pushes the SAS desks' appointments to the national SAS platform (INT_R03), from each territory's sas-outbox, the
 * way the notifications are delivered (see {@link fr.snp.dispatch.notifications.OutboxWorker}): read through a
 * consumer group ("sas-pushers"), acknowledged only once the platform took it, what failed claimed again after an
 * exponential back-off (outbox.retryBaseMs doubling up to outbox.retryMaxMs), never dropped.
 * <p>
 * <b>In order per appointment.</b> Each entry carries its appointment's sequence number (1: the booking, POSTed;
 * then each change, PUT); the appointment hash keeps the last one the platform took ({@code sasSent}). An entry
 * whose predecessor has not been taken yet is not sent: it is put back, to be looked at again after the base
 * back-off (its retry count stays at one, so it follows its predecessor closely), and the ops view says what it
 * waits for. So a cancellation made while the booking's POST keeps failing goes after that POST, whichever
 * instance holds which entry. Delivery is at least once: the POST is a conditional create, a PUT says the same
 * twice.
 * <p>
 * <b>Dead letters.</b> A push the platform refuses for good (an HTTP 4xx other than 408, 425, 429: the request itself
 * is wrong, sending it again as it is will not help) is tried {@code sas.maxRefusals} times in all (a refusal taken
 * back soon, after a fix on either side, still goes through), then set aside: acknowledged, recorded in the
 * territory's dead letters ({@link Keys#sasDeadLetters}, kept {@link #DEAD_LETTER_RETENTION_MS}), listed in the ops
 * backlog, counted by dispatch_sas_push_dead_letters (alert SasPushDeadLetter), in one script (sas_refused.lua).
 * No answer, a 5xx, 408, 425 and 429 say "later": those are retried without end, as before.
 * <p>
 * The appointment's later changes are set aside too, at once, without being sent, with the reason "predecessor #n
 * dead-lettered": sending them would break the order the platform relies on (a PUT "cancelled" of an appointment
 * whose POST was refused would create it there as cancelled; a "fulfilled" would skip the change refused before it),
 * and keeping them would make them wait forever. Ops see every one of them in the backlog, and can push the
 * appointment's current state by hand once the cause is fixed.
 */
public final class SasPushWorker extends fr.snp.dispatch.redis.StreamWorker {
    private static final Logger LOG = Logger.getLogger("fr.snp.dispatch.sas");
    public static final String GROUP = "sas-pushers";

    public record SentCall(@fr.snp.dispatch.redis.Key String appointment, long seq) {}

    private static final fr.snp.dispatch.redis.LuaScript<SentCall> SENT = fr.snp.dispatch.redis.LuaScript.beside(
            SasPushWorker.class, "sas_sent.lua", SentCall.class);

    public record RefusedCall(@fr.snp.dispatch.redis.Key String outbox, @fr.snp.dispatch.redis.Key String refusals,
                              @fr.snp.dispatch.redis.Key String errors, @fr.snp.dispatch.redis.Key String deadLetters,
                              @fr.snp.dispatch.redis.Key String appointment, String group, String entryId,
                              String appointmentId, String status, long seq, int httpStatus, String reason,
                              int maxRefusals, long keepSinceMs) {}

    private static final fr.snp.dispatch.redis.LuaScript<RefusedCall> REFUSED = fr.snp.dispatch.redis.LuaScript.beside(
            SasPushWorker.class, "sas_refused.lua", RefusedCall.class);

    /**
     * How long a dead letter stays listed: long enough for ops to notice, fix and push the appointment by hand after
     * a holiday; it holds no patient data (appointment id, status, HTTP status, our reason).
     */
    public static final long DEAD_LETTER_RETENTION_MS = 30L * 86_400_000;

    public static List<fr.snp.dispatch.redis.LuaScript<?>> scripts() { return List.of(SENT, REFUSED); }

    private final Services s;
    private final SasPush push;
    private final RegulatorIdentity identities;
    private final String identifierSystem;
    private final String orientationCategory;
    private final int maxRefusals;

    public SasPushWorker(fr.snp.dispatch.redis.RedisConnections connections, Services s, SasPush push, RegulatorIdentity identities, String identifierSystem,
                         String orientationCategory) {
        super(connections, () -> s.index().territories(), GROUP, "sas-push-worker", s.settings().integer("outbox.retryBaseMs"),
                s.settings().integer("outbox.retryMaxMs"), LOG);
        this.s = s;
        this.push = push;
        this.identities = identities;
        this.identifierSystem = identifierSystem;
        this.orientationCategory = orientationCategory;
        this.maxRefusals = Math.max(1, s.settings().integer("sas.maxRefusals"));
    }

    @Override
    protected String stream(String territory) { return Keys.sasOutbox(territory); }

    /**
     * Another instance's entry may still be on its way to the platform: it is not taken from that instance before
     * its push has timed out (sent twice at once, a late copy of an earlier status could land after a later one).
     */
    @Override
    protected long backoff(io.lettuce.core.models.stream.PendingMessage p, long standard) {
        return consumer.equals(p.getConsumer()) ? standard : Math.max(standard, push.timeoutMs() + 2_000);
    }

    @Override
    protected void deliver(RedisClusterCommands<String, String> redis, StreamMessage<String, String> m) throws InterruptedException {
        String stream = m.getStream();
        String t = stream.substring(stream.indexOf('{') + 1, stream.indexOf('}'));
        Map<String, String> entry = m.getBody();
        String appointmentId = entry.get("appt");
        String what = appointmentId + " " + entry.get("status") + " #" + entry.get("seq");
        try {
            long seq = Long.parseLong(entry.get("seq"));
            String key = Keys.appointment(t, appointmentId);
            Map<String, String> a = toMap(redis.hmget(key, "start", "end", "offset", "createdAt", "effector", "bookedBy", "sasSent",
                    "sasDeadLetter"));
            if (a.get("start") == null) throw new IllegalStateException("appointment not found");
            long sent = a.get("sasSent") == null ? 0 : Long.parseLong(a.get("sasSent"));
            if (seq <= sent) { // taken already (an answer or an acknowledgement lost on the way): done
                done(redis, t, m);
                return;
            }
            long deadLetter = a.get("sasDeadLetter") == null ? 0 : Long.parseLong(a.get("sasDeadLetter"));
            if (deadLetter > sent && deadLetter < seq) {
                // its predecessor was set aside: it will never be taken, so neither is this one (see the class comment)
                refused(t, m, key, seq, 0, "predecessor #" + deadLetter + " dead-lettered", 1);
                return;
            }
            if (seq > sent + 1) {
                // its predecessor is not taken yet: back, looked at again after the base back-off (retry count 1)
                redis.xclaim(stream, Consumer.from(GROUP, consumer), XClaimArgs.Builder.minIdleTime(0).retryCount(1).justid(),
                        m.getId());
                redis.hset(Keys.sasPushErrors(t), m.getId(), "waits for push #" + (sent + 1) + " of this appointment");
                return;
            }
            RegulatorIdentity.Operator operator = identities.of(a.get("bookedBy")).toCompletableFuture().get(5, TimeUnit.SECONDS);
            if (operator == null) {
                throw new IllegalStateException("no national id nor SAS UUID known for the principal " + a.get("bookedBy")
                        + " who booked it (give its token or roster entry an rpps or sasUuid)");
            }
            Effector e = s.index().effector(a.get("effector"));
            if (e == null) e = s.effectors().load(t, a.get("effector")).toCompletableFuture().get(5, TimeUnit.SECONDS);
            if (e == null) throw new IllegalStateException("effector " + a.get("effector") + " not found");
            SasAppointment appointment = new SasAppointment(identifierSystem, appointmentId, entry.get("status"),
                    Long.parseLong(a.get("start")), Long.parseLong(a.get("end")), Integer.parseInt(a.get("offset")),
                    Long.parseLong(a.get("createdAt")), operator, e.rpps(), orientationCategory);
            SasPush.Result r = seq == 1 ? push.create(appointment) : push.update(appointment);
            s.metrics().sasPush(r.ok() ? "ok" : r.status() == 0 ? "unreachable" : "refused");
            audit(t, "sas.push." + entry.get("status"), appointmentId, r.status());
            if (r.permanent()) {
                long n = refused(t, m, key, seq, r.status(), r.failure(), maxRefusals);
                if (n != -1) throw new IllegalStateException(r.failure() + " (refusal " + n + " of " + maxRefusals + ")");
                return;
            }
            if (!r.ok()) throw new IllegalStateException(r.failure());
            // recorded before the acknowledgement: whoever holds the next one may send it from now on
            SENT.<Long>run(async(), io.lettuce.core.ScriptOutputType.INTEGER, new SentCall(key, seq))
                    .toCompletableFuture().get(5, TimeUnit.SECONDS);
            done(redis, t, m);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            String reason = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                    ? e.getCause().getMessage() : e.getMessage();
            redis.hset(Keys.sasPushErrors(t), m.getId(), String.valueOf(reason));
            LOG.warning("SAS push " + t + ":" + m.getId() + " (" + what + ") not taken, will retry: " + reason);
        }
    }

    /**
     * Counts a permanent refusal of the entry, and sets it aside after {@code allowed} of them (sas_refused.lua):
     * answers the refusals counted, -1 when set aside, 0 when no longer pending (acknowledged by another instance).
     */
    private long refused(String t, StreamMessage<String, String> m, String appointmentKey, long seq, int httpStatus,
                         String reason, int allowed) throws Exception {
        Map<String, String> entry = m.getBody();
        Long n = REFUSED.<Long>run(async(), io.lettuce.core.ScriptOutputType.INTEGER, new RefusedCall(Keys.sasOutbox(t),
                Keys.sasPushRefusals(t), Keys.sasPushErrors(t), Keys.sasDeadLetters(t), appointmentKey, GROUP, m.getId(),
                entry.get("appt"), entry.get("status"), seq, httpStatus, reason, allowed,
                System.currentTimeMillis() - DEAD_LETTER_RETENTION_MS)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        if (n == -1) {
            // the appointment id, its status and numbers only: no patient data
            LOG.warning("SAS push " + t + ":" + m.getId() + " (" + entry.get("appt") + " " + entry.get("status") + " #" + seq
                    + ") set aside as a dead letter: " + reason);
        }
        return n;
    }

    /** Dead letters older than the retention go even when no new one comes to trim them. */
    @Override
    protected void housekeeping(RedisClusterCommands<String, String> redis, String territory) {
        redis.xtrim(Keys.sasDeadLetters(territory), io.lettuce.core.XTrimArgs.Builder
                .minId((System.currentTimeMillis() - DEAD_LETTER_RETENTION_MS) + "-0"));
    }

    private static Map<String, String> toMap(List<io.lettuce.core.KeyValue<String, String>> values) {
        Map<String, String> out = new java.util.HashMap<>();
        for (io.lettuce.core.KeyValue<String, String> kv : values) if (kv.hasValue()) out.put(kv.getKey(), kv.getValue());
        return out;
    }

    private void done(RedisClusterCommands<String, String> redis, String t, StreamMessage<String, String> m) {
        redis.xack(m.getStream(), GROUP, m.getId());
        redis.hdel(Keys.sasPushErrors(t), m.getId());
        redis.hdel(Keys.sasPushRefusals(t), m.getId());
    }

    /** What leaves the server for the SAS platform is traced like the webhooks (the appointment id, the answer). */
    private void audit(String territory, String action, String appointmentId, int result) {
        s.audit().record(territory, new fr.snp.dispatch.audit.AuditTrail.Entry(null, 0, "server", "system", "server", action,
                appointmentId, result, null));
    }

    @Override
    public void close() {
        super.close();
        push.close();
    }
}
