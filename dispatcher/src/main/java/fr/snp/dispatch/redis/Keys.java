package fr.snp.dispatch.redis;

/**
 * Every Redis key of the dispatcher, in one place. Keys of a territory carry the hash tag {territory}, so each
 * Lua script touches keys of one cluster slot and the same scripts run on Redis Cluster.
 */
public final class Keys {
    private Keys() {}

    /** Set of territory codes that have data (not hash-tagged: read at start only). */
    public static final String TERRITORIES = "snp:territories";
    /** Hash sha256(token) -> JSON principal. Tokens themselves are never stored. */
    public static final String TOKENS = "snp:tokens";
    /** Hash sha256(token) -> when it was last used (epoch ms), written at most once a minute per instance. */
    public static final String TOKENS_USED = "snp:tokens:used";

    /**
     * Hash account id -> JSON of a regulator account the SAS platform sent (INT_R02; staff data). The accounts and
     * their two indexes share one hash tag: the script that writes them touches all three in one cluster slot.
     */
    public static final String REGULATORS = "snp:{sas-accounts}:regulators";
    /** Hash SAS technical UUID -> regulator account id. */
    public static final String REGULATORS_BY_UUID = "snp:{sas-accounts}:by-uuid";
    /** Hash national id ("8" + RPPS, or the ADELI form) -> regulator account id. */
    public static final String REGULATORS_BY_NATIONAL_ID = "snp:{sas-accounts}:by-national-id";

    private static String t(String territory) { return "snp:{" + territory + "}:"; }

    public static String slot(String territory, String slotId) { return t(territory) + "slot:" + slotId; }

    /**
     * Sorted set of one effector's slots by start (epoch seconds), the member being the slot id's start-minute part
     * ({@link fr.snp.dispatch.domain.Ids#slotMinute}): what an instance loads at start, effector by effector. One
     * small set per effector rather than one per territory: Redis keeps a sorted set of up to
     * {@code zset-max-listpack-entries} members (512 in the embedded Redis' configuration, 128 by default) as one
     * compact listpack, ~15 B a slot, where a territory's 50,000 cost ~128 B each in a skiplist and dictionary
     * (issue 14). publish.lua trims it of the slots that started more than 7 days ago (the slot hashes stay), so that
     * it stays compact: 28 days ahead (availability.horizonDays) and 7 back.
     */
    public static String effectorSlots(String territory, String effectorId) { return t(territory) + "slots:" + effectorId; }

    /**
     * The territory-wide sorted set of slot ids by start that versions before issue 14 kept; moved into the
     * {@link #effectorSlots} sets once at start ({@code sync/SlotIndexMigration}) and gone after that.
     */
    public static String legacySlotsByStart(String territory) { return t(territory) + "slots"; }

    /** String "holdId|requestId" with a PX time-to-live: the slot is held exactly while this key lives. */
    public static String hold(String territory, String slotId) { return t(territory) + "hold:" + slotId; }

    /**
     * String "slotId|holdId" with the PX time-to-live of that hold: the one hold a request has (hold.lua gives the
     * previous one back when the request holds another slot).
     */
    public static String requestHold(String territory, String requestId) { return t(territory) + "req-hold:" + requestId; }

    /**
     * Sorted set "slotId|holdId" -> hold end (epoch ms) of the holds a principal has in a territory: hold.lua counts
     * the live ones against limits.activeHoldsPerPrincipal. Per territory so that each script touches one cluster
     * slot (a principal serving several territories has the cap in each).
     */
    public static String principalHolds(String territory, String principalId) {
        return t(territory) + "holds-by:" + principalId;
    }

    /** Write counter of a principal (a fixed window, with its PX time-to-live): limits.writesPerMinute. */
    public static String writeRate(String principalId) { return "snp:rate:{" + principalId + "}"; }

    public static String appointment(String territory, String id) { return t(territory) + "appt:" + id; }

    public static String idempotency(String territory, String principal, String key) {
        return t(territory) + "idem:" + principal + ":" + key;
    }

    public static String request(String territory, String id) { return t(territory) + "req:" + id; }

    /** Hash "week:effector:s|a" -> bookings that week (s = SAS-regulated, a = all), for the cap and fairness. */
    public static String load(String territory) { return t(territory) + "load"; }

    /** Hash effectorId -> JSON (professional data only). */
    public static String effectors(String territory) { return t(territory) + "effectors"; }

    /** Hash effectorId -> JSON list of webhook signing secrets, newest first (two during a rotation). */
    public static String webhookSecrets(String territory) { return t(territory) + "webhook-secrets"; }

    public static String rppsIndex(String territory) { return t(territory) + "rpps"; }

    /** Hash of counters (effector numbers). */
    public static String sequence(String territory) { return t(territory) + "seq"; }

    /**
     * Statistics of one local day (yyyymmdd): hash "metric|dimension|value" -> count, bumped by the Lua scripts
     * in the same step as the state change they count. Appointments count in the day of their slot, requests in
     * the day they were made.
     */
    public static String stats(String territory, String day) { return t(territory) + "stats:" + day; }

    /**
     * Hash of the changes to a territory's statistics: day (yyyymmdd) -> changes to that day's hash, "*" -> changes
     * in all, "gen" -> made when the hash was (a flushed Redis gets another). Written by stats.lua's bump, which
     * derives this name from the day hash's (same hash tag, same cluster slot); read by the statistics read model to
     * reread only the days that changed. Anything else that ever changes or deletes a day hash (a retention of the
     * statistics, a repair) must count its change here too, or the instances' read models keep the old figures.
     */
    public static String statsRevision(String territory) { return t(territory) + "stats-rev"; }

    /**
     * Notifications to effectors (booked, cancelled, reminder), appended by the scripts in the same step as the
     * change; delivered through the consumer group "notifiers", acknowledged only once delivered.
     */
    public static String outbox(String territory) { return t(territory) + "outbox"; }

    /**
     * Appointments to push to the national SAS platform (INT_R03): "appt, status, seq" appended by the booking
     * scripts in the same step as the change (sas/sas_push.lua); delivered in order per appointment through the
     * consumer group "sas-pushers", acknowledged only once the platform took it.
     */
    public static String sasOutbox(String territory) { return t(territory) + "sas-outbox"; }

    /** Hash sas-outbox entry id -> why its last push attempt failed or waits (ops backlog); deleted once pushed. */
    public static String sasPushErrors(String territory) { return t(territory) + "sas-push-errors"; }

    /**
     * Hash sas-outbox entry id -> how many times the platform refused it for good (a 4xx other than 408, 425, 429);
     * deleted with the entry's error once pushed or set aside (sas.maxRefusals), so it holds pending entries only.
     */
    public static String sasPushRefusals(String territory) { return t(territory) + "sas-push-refusals"; }

    /**
     * The notifications set aside as dead letters (notifications/outbox_dead_letter.lua): a stream of "entry, type,
     * appt, e, channel, attempts, reason" (ids only, no patient data), the time being the entry id. Listed in the ops
     * backlog; trimmed by age ({@code OutboxWorker.DEAD_LETTER_RETENTION_MS}) on each addition and every minute.
     */
    public static String outboxDeadLetters(String territory) { return t(territory) + "outbox-dead-letters"; }

    /**
     * The pushes set aside as dead letters (sas/sas_refused.lua): a stream of "appt, status, seq, httpStatus, reason,
     * entry", the time being the entry id; no patient data. Listed in the ops backlog; trimmed by age (on each
     * addition and by the push worker's trimming pass, every minute: {@code SasPushWorker.DEAD_LETTER_RETENTION_MS}), unlike the
     * errors above, since nothing else removes a dead letter.
     */
    public static String sasDeadLetters(String territory) { return t(territory) + "sas-dead-letters"; }

    /** Booked appointments without feedback, by slot end (epoch s): the coordinator's follow-up list. */
    public static String awaitingFeedback(String territory) { return t(territory) + "awaiting"; }

    /** The same appointments by the time their one reminder is due (slot end + reminder delay). */
    public static String reminders(String territory) { return t(territory) + "reminders"; }

    /** A "médecin traitant" request: a priority patient without a regular doctor, for the CPTS to follow up. */
    public static String doctorRequest(String territory, String id) { return t(territory) + "dr:" + id; }

    /** The territory's "médecin traitant" requests by creation time. */
    public static String doctorRequests(String territory) { return t(territory) + "doctor-requests"; }

    /** Hash appointment reference ("36-K7Q2-M9XA", what the patient is told) -> appointment id. */
    public static String references(String territory) { return t(territory) + "refs"; }

    /**
     * A patient's requests by creation time, under a hash of their phone number (never the number itself), expiring
     * with the requests: how a desk finds the appointment of a patient who calls back.
     */
    public static String patientRequests(String territory, String phoneHash) { return t(territory) + "patient:" + phoneHash; }

    /**
     * Hash sms / email: how the patient of an appointment agreed to be told about it. Expires a day after the
     * appointment; never logged.
     */
    public static String patientContact(String territory, String appointmentId) { return t(territory) + "contact:" + appointmentId; }

    /** Hash outbox entry id -> JSON delivery record (channel, kind, status, times) of an appointment's patient messages. */
    public static String patientMessages(String territory, String appointmentId) { return t(territory) + "msgs:" + appointmentId; }

    /** Sorted set "appointmentId|channels" by the time the patient's reminder is due (epoch s). */
    public static String patientReminders(String territory) { return t(territory) + "patient-reminders"; }

    /**
     * The territory's waiting list: open requests nothing fitted, by the end of their window (epoch ms): the most
     * urgent first. A request leaves it when booked, closed, taken off, or when its window passes.
     */
    public static String waiting(String territory) { return t(territory) + "waiting"; }

    /** The territory's audit trail: a stream of accesses to patient data (no patient field), trimmed by retention. */
    public static String audit(String territory) { return t(territory) + "audit"; }

    /**
     * String + TTL (a day): the daily retention pass (pseudonymisation, expiry sweep, AOF rewrite) is taken by the
     * instance that sets it first, so that it runs once a day across instances and restarts.
     */
    public static final String RETENTION_PASS = "snp:retention-pass";

    /** Hash of server secrets shared by all instances (e.g. the feedback-link key, made once). */
    public static final String SECRETS = "snp:secrets";

    /** Change stream of every slot and effector change: keeps all instances' indexes (and live feeds) in step. */
    public static String events(String territory) { return t(territory) + "events"; }

    // --- people signed in through OpenID Connect (not hash-tagged: read by the HTTP layer, one key per call) ------
    /** Hash "issuer SPACE subject" -> JSON principal: the roster of people who may sign in, and as what. */
    public static final String ROSTER = "snp:roster";

    /** String + TTL: a signed-in person's session, under SHA-256 of the cookie's value (never the value itself). */
    public static String session(String idHash) { return "snp:session:" + idHash; }

    /** String + TTL (10 min): a login under way (PKCE verifier, nonce, page to return to), under SHA-256 of its state. */
    public static String login(String stateHash) { return "snp:login:" + stateHash; }

    /** String + TTL (60 s): a one-time ticket that opens the live feed, under SHA-256 of the ticket. */
    public static String liveTicket(String ticketHash) { return "snp:live-ticket:" + ticketHash; }

    // --- embedded widgets (not hash-tagged: read by the HTTP layer, one key per call) --------------------------------
    /** Hash organisation -> JSON array of the web origins allowed to embed its widget (what CORS answers). */
    public static final String ORG_ORIGINS = "snp:org-origins";

    /** String + TTL (15 min at most): a widget session, under SHA-256 of its token. */
    public static String widgetSession(String tokenHash) { return "snp:widget-session:" + tokenHash; }
}
