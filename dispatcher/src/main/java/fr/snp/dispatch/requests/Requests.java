package fr.snp.dispatch.requests;

import fr.snp.dispatch.auth.Access;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.auth.Reach;
import fr.snp.dispatch.availability.AvailabilityPlanner;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.domain.Mode;
import fr.snp.dispatch.domain.Origin;
import fr.snp.dispatch.domain.Outcome;
import fr.snp.dispatch.domain.OutcomeType;
import fr.snp.dispatch.domain.Refused;
import fr.snp.dispatch.domain.ServerClock;
import fr.snp.dispatch.matching.Candidate;
import fr.snp.dispatch.matching.MatchQuery;
import fr.snp.dispatch.matching.Matcher;
import fr.snp.dispatch.matching.SlotIndex;
import fr.snp.dispatch.metrics.Metrics;
import fr.snp.dispatch.redis.Key;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.redis.LuaScript;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Care requests: filed for a patient of a commune (its territory is the commune's, and must be one the caller
 * serves), matched at once against the in-memory index, read back with fresh candidates while open, closed with an
 * outcome when they end without an appointment. Stored one hash each, readable field names, expiring after the
 * retention period (they hold patient data); this class is the one place that reads and writes that form.
 */
public final class Requests {
    private static final String CLOCK = "/fr/snp/dispatch/redis/clock.lua";

    public record CreateCall(@Key String request, @Key String requestDay, @Key String patientRequests, String territory,
                             String id, Origin origin, boolean sas,
                             String createdBy, String org, long createdAt, String patient, String need,
                             long retentionSeconds, Set<String> callerTerritories, String callerOrg, Reach callerReach) {}

    public record OutcomeCall(@Key String request, @Key String requestDay, @Key String waiting, String requestId,
                              OutcomeType type, String details,
                              String nowMs, String callerId, boolean withAdvice, Set<String> callerTerritories,
                              String callerOrg, Reach callerReach) {}

    public record ReadCall(@Key String request, Set<String> callerTerritories, String callerOrg, Reach callerReach) {}

    private static final LuaScript<CreateCall> CREATE = LuaScript.beside(Requests.class, "create_request.lua",
            CreateCall.class, LuaScript.STATS_PRELUDE, LuaScript.TENANCY_PRELUDE);
    private static final LuaScript<OutcomeCall> SET_OUTCOME = LuaScript.beside(Requests.class, "set_outcome.lua",
            OutcomeCall.class, LuaScript.STATS_PRELUDE, LuaScript.TENANCY_PRELUDE, CLOCK);
    private static final LuaScript<ReadCall> READ = LuaScript.beside(Requests.class, "read_request.lua", ReadCall.class,
            LuaScript.TENANCY_PRELUDE);

    public static List<LuaScript<?>> scripts() { return List.of(CREATE, SET_OUTCOME, READ); }

    private final RedisClusterAsyncCommands<String, String> redis;
    private final SlotIndex index;
    private final Matcher matcher;
    private final Metrics metrics;
    private final ServerClock clock;
    private final AvailabilityPlanner calendar;
    private final long retentionSeconds;
    /** How a request, and its outcome, are kept before they are answered (redis.durability). */
    private volatile fr.snp.dispatch.redis.Durability durability;

    public Requests(RedisClusterAsyncCommands<String, String> redis, SlotIndex index, Matcher matcher, Metrics metrics,
                    ServerClock clock, AvailabilityPlanner calendar, long retentionSeconds) {
        this.redis = redis;
        this.index = index;
        this.matcher = matcher;
        this.metrics = metrics;
        this.clock = clock;
        this.calendar = calendar;
        this.retentionSeconds = retentionSeconds;
        this.durability = fr.snp.dispatch.redis.Durability.relaxed(redis);
    }

    /** A request and its outcome are answered once kept as this says (redis.durability); relaxed by default. */
    public void durability(fr.snp.dispatch.redis.Durability d) { this.durability = d; }

    /** A request just filed, with its ranked candidates. */
    public record Filed(CareRequest request, List<Candidate> candidates) {}

    /**
     * Files a request for a patient in {@code territory} (the patient's commune's). A patient outside every
     * territory the caller serves is refused, naming the served ones.
     */
    public CompletionStage<Filed> file(Principal p, String territory, Origin origin, Patient patient, Need need) {
        Access.patientTerritory(p, territory, patient.communeName(), patient.communeInsee());
        long now = clock.nowMs();
        CareRequest request = new CareRequest(Ids.request(territory, now), territory, origin, p.id(), p.org(), now, patient,
                need, null, null, null);
        List<Candidate> candidates = candidates(p, request);
        metrics.request(origin.name());
        CreateCall call = new CreateCall(Keys.request(territory, request.id()), requestDay(territory, request.id()),
                Keys.patientRequests(territory, phoneHash(patient.phone())), territory, request.id(), origin, origin.sasRegulated, p.id(), p.org(), now, patientJson(patient).encode(),
                needJson(need).encode(), retentionSeconds, p.territories(), p.org(), p.reach());
        // kept as redis.durability says before it is answered, like the booking made on it: a request answered 201
        // and then lost in a failover (the fault matrix's frozen master) left its booking unable to settle when
        // replayed with its key (404 REQUEST_NOT_FOUND instead of one appointment or a 409)
        return durability.<CreateCall, List<Object>>run(CREATE, ScriptOutputType.MULTI, call).thenApply(raw -> {
            Outcome o = Outcome.of((String) raw.get(0));
            if (!o.done) throw new Refused(o);
            return new Filed(request, candidates);
        });
    }

    /** A request the principal reaches, else 404 whether it exists or not. */
    public CompletionStage<CareRequest> read(Principal p, String id) {
        String t = Ids.territoryOf(id);
        if (!p.serves(t)) return CompletableFuture.failedFuture(new Refused(Outcome.REQUEST_NOT_FOUND));
        return READ.<List<Object>>run(redis, ScriptOutputType.MULTI, new ReadCall(Keys.request(t, id), p.territories(),
                p.org(), p.reach())).thenApply(raw -> {
            if (raw.isEmpty()) throw new Refused(Outcome.REQUEST_NOT_FOUND);
            CareRequest r = fromRedis(id, LuaScript.fields(raw));
            // the script checked the tenancy; Java checks it again on what it got
            if (!Access.reachesRequest(p, r.territory(), r.org())) throw new Refused(Outcome.REQUEST_NOT_FOUND);
            return r;
        });
    }

    /** Fresh ranked candidates for an open request, as this principal may see them. */
    public List<Candidate> candidates(Principal p, CareRequest r) {
        Need n = r.need();
        if (!n.to().toInstant().isAfter(java.time.Instant.ofEpochMilli(clock.nowMs()))) return List.of(); // the window has passed
        MatchQuery q = new MatchQuery(r.patient().lat(), r.patient().lng(), n.from().toEpochSecond(), n.to().toEpochSecond(),
                n.modes(), n.specialty(), r.patient().reducedMobility(), n.radiusKm(), r.origin().sasRegulated, p.viewer(),
                n.limit());
        long t0 = System.nanoTime();
        List<Candidate> ranked = matcher.match(index.territory(r.territory()), q, clock.nowMs());
        metrics.match().record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        return ranked;
    }

    /**
     * Closes a request without an appointment (advice, prescription…). The same outcome twice is harmless;
     * {@code details} is the outcome's JSON (pharmacy, comment, withAdvice).
     */
    public CompletionStage<CareRequest> close(Principal p, String id, OutcomeType type, JsonObject details, boolean withAdvice) {
        String t = Ids.territoryOf(id);
        if (!p.serves(t)) return CompletableFuture.failedFuture(new Refused(Outcome.REQUEST_NOT_FOUND));
        OutcomeCall call = new OutcomeCall(Keys.request(t, id), requestDay(t, id), Keys.waiting(t), id, type, details.encode(), clock.forScripts(),
                p.id(), withAdvice, p.territories(), p.org(), p.reach());
        return durability.<OutcomeCall, List<Object>>run(SET_OUTCOME, ScriptOutputType.MULTI, call).thenCompose(raw -> {
            Outcome o = Outcome.of((String) raw.get(0));
            if (!o.done) throw new Refused(o);
            return read(p, id);
        });
    }

    /**
     * The requests of a patient (by phone number) in the territories the principal serves, as it reaches them: how a
     * desk finds a patient who calls back. Newest first.
     */
    public CompletionStage<List<CareRequest>> ofPatient(Principal p, String phone) {
        List<CompletableFuture<List<CareRequest>>> perTerritory = new java.util.ArrayList<>();
        for (String t : new java.util.TreeSet<>(p.territories())) {
            perTerritory.add(redis.zrevrange(Keys.patientRequests(t, phoneHash(phone)), 0, 99).toCompletableFuture()
                    .thenCompose(ids -> {
                        List<CompletableFuture<CareRequest>> reads = ids.stream().map(id -> read(p, id).toCompletableFuture()
                                .exceptionally(notReached -> null)).toList();
                        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done ->
                                reads.stream().map(CompletableFuture::join).filter(java.util.Objects::nonNull).toList());
                    }));
        }
        return CompletableFuture.allOf(perTerritory.toArray(CompletableFuture[]::new))
                .thenApply(done -> perTerritory.stream().flatMap(f -> f.join().stream()).toList());
    }

    /**
     * The phone number as an index key holds it: a digest, so that no key name carries the number. (An unsalted
     * digest of a phone number can be reversed by trying them all: it keeps numbers out of key listings and logs,
     * it is not encryption.) Public for the retention test, which looks for it on disk too.
     */
    public static String phoneHash(String phone) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(("snp-phone:" + phone)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String requestDay(String territory, String id) {
        return Keys.stats(territory, calendar.day(Instant.ofEpochMilli(Ids.createdAtMs(id))));
    }

    // --- the Redis form -----------------------------------------------------------------------------------------

    static CareRequest fromRedis(String id, Map<String, String> h) {
        CareRequest.Outcome outcome = h.containsKey("outcome") ? new CareRequest.Outcome(OutcomeType.valueOf(h.get("outcome")),
                h.get("outcomeDetails"), Long.parseLong(h.get("outcomeAt")), h.get("outcomeBy")) : null;
        return new CareRequest(id, h.get("territory"), Origin.valueOf(h.get("origin")), h.get("createdBy"), h.get("org"),
                Long.parseLong(h.get("createdAt")), patient(new JsonObject(h.get("patient"))), need(new JsonObject(h.get("need"))),
                h.get("appointment"), outcome, h.containsKey("waitingSince") ? Long.valueOf(h.get("waitingSince")) : null);
    }

    public static JsonObject patientJson(Patient p) {
        return new JsonObject().put("initials", p.initials()).put("birthYear", p.birthYear()).put("phone", p.phone())
                .put("communeInsee", p.communeInsee()).put("commune", p.communeName()).put("lat", p.lat()).put("lng", p.lng())
                .put("ald", p.ald()).put("over70", p.over70()).put("css", p.css()).put("noRegularDoctor", p.noRegularDoctor())
                .put("reducedMobility", p.reducedMobility());
    }

    public static Patient patient(JsonObject j) {
        return new Patient(j.getString("initials"), j.getInteger("birthYear"), j.getString("phone"), j.getString("communeInsee"),
                j.getString("commune"), j.getDouble("lat"), j.getDouble("lng"), j.getBoolean("ald", false),
                j.getBoolean("over70", false), j.getBoolean("css", false), j.getBoolean("noRegularDoctor", false),
                j.getBoolean("reducedMobility", false));
    }

    public static JsonObject needJson(Need n) {
        JsonArray modes = new JsonArray();
        for (Mode m : Mode.values()) if (n.modes().contains(m)) modes.add(m.name());
        return new JsonObject().put("from", n.from().toString()).put("to", n.to().toString()).put("modes", modes)
                .put("specialty", n.specialty()).put("radiusKm", n.radiusKm()).put("limit", n.limit());
    }

    static Need need(JsonObject j) {
        Set<Mode> modes = EnumSet.noneOf(Mode.class);
        j.getJsonArray("modes").forEach(m -> modes.add(Mode.valueOf((String) m)));
        return new Need(OffsetDateTime.parse(j.getString("from")), OffsetDateTime.parse(j.getString("to")), modes,
                j.getString("specialty"), j.getDouble("radiusKm"), j.getInteger("limit"));
    }
}
