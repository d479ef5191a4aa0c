package fr.snp.dispatch.coordination;

import fr.snp.dispatch.auth.Access;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.auth.Reach;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.domain.Outcome;
import fr.snp.dispatch.domain.Refused;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.domain.ServerClock;
import fr.snp.dispatch.redis.Key;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.redis.LuaScript;
import fr.snp.dispatch.requests.Patient;
import fr.snp.dispatch.requests.Requests;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * "Médecin traitant" requests, Lua-backed like every other state change: filed with their time-to-live in the same
 * step, followed up by the CPTS coordinator (status and note), listed for the coordinator of the CPTS that follows
 * them. The filer's CPTS follows a request: a coordinator's own, a pharmacist's CPTS membership.
 */
public final class DoctorRequests {
    private static final String TENANCY = LuaScript.TENANCY_PRELUDE;

    public record CreateCall(@Key String doctorRequest, @Key String doctorRequests, String id, long createdAt,
                             String createdBy, String createdByName, String org, String cpts, String patient,
                             String comment, long ttlSeconds, Set<String> callerTerritories, String callerOrg,
                             Reach callerReach) {}

    public record UpdateCall(@Key String doctorRequest, DoctorRequest.Status status, String note, String nowMs,
                             String callerId, Set<String> callerTerritories, String callerOrg, Reach callerReach) {}

    public record ListCall(@Key String doctorRequests, String keyPrefix, String status, Set<String> callerTerritories,
                           String callerOrg, Reach callerReach) {}

    private static final LuaScript<CreateCall> CREATE = LuaScript.beside(DoctorRequests.class, "create_doctor_request.lua",
            CreateCall.class, TENANCY);
    private static final LuaScript<UpdateCall> UPDATE = LuaScript.beside(DoctorRequests.class, "update_doctor_request.lua",
            UpdateCall.class, TENANCY, "/fr/snp/dispatch/redis/clock.lua");
    private static final LuaScript<ListCall> LIST = LuaScript.beside(DoctorRequests.class, "list_doctor_requests.lua",
            ListCall.class, TENANCY);

    public static List<LuaScript<?>> scripts() { return List.of(CREATE, UPDATE, LIST); }

    private final RedisClusterAsyncCommands<String, String> redis;
    private final ServerClock clock;
    private final long ttlSeconds;

    public DoctorRequests(RedisClusterAsyncCommands<String, String> redis, ServerClock clock, long ttlSeconds) {
        this.redis = redis;
        this.clock = clock;
        this.ttlSeconds = ttlSeconds;
    }

    public CompletionStage<DoctorRequest> file(Principal p, String territory, Patient patient, String comment) {
        Access.patientTerritory(p, territory, patient.communeName(), patient.communeInsee());
        long now = clock.nowMs();
        String id = Ids.request(territory, now).replace("-R", "-D");
        String cpts = p.role() == Role.COORDINATOR ? p.org() : (p.cpts().isEmpty() ? "" : new TreeSet<>(p.cpts()).first());
        CreateCall call = new CreateCall(Keys.doctorRequest(territory, id), Keys.doctorRequests(territory), id, now, p.id(),
                p.name(), p.org(), cpts, Requests.patientJson(patient).encode(), comment, ttlSeconds, p.territories(),
                p.org(), p.reach());
        return CREATE.<List<Object>>run(redis, ScriptOutputType.MULTI, call).thenApply(raw -> {
            Outcome o = Outcome.of((String) raw.get(0));
            if (!o.done) throw new Refused(o);
            return new DoctorRequest(id, territory, "OPEN", now, p.name(), p.org(), cpts, patient, comment, null, null);
        });
    }

    /** The requests the coordinator follows in a served territory, newest first. */
    public CompletionStage<List<DoctorRequest>> list(Principal p, String territory, DoctorRequest.Status status) {
        Access.territory(p, territory, "territory");
        String prefix = Keys.doctorRequest(territory, "");
        ListCall call = new ListCall(Keys.doctorRequests(territory), prefix, status == null ? "" : status.name(),
                p.territories(), p.org(), p.reach());
        return LIST.<List<Object>>run(redis, ScriptOutputType.MULTI, call).thenApply(raw -> {
            List<DoctorRequest> list = new ArrayList<>();
            for (Object item : raw) list.add(fromRedis(territory, flat(item)));
            return list;
        });
    }

    public CompletionStage<DoctorRequest> update(Principal p, String id, DoctorRequest.Status status, String note) {
        String t = Ids.territoryOf(id);
        if (!p.serves(t)) return CompletableFuture.failedFuture(new Refused(Outcome.DOCTOR_REQUEST_NOT_FOUND));
        UpdateCall call = new UpdateCall(Keys.doctorRequest(t, id), status, note, clock.forScripts(), p.id(), p.territories(),
                p.org(), p.reach());
        return UPDATE.<List<Object>>run(redis, ScriptOutputType.MULTI, call).thenApply(raw -> {
            Outcome o = Outcome.of((String) raw.get(0));
            if (!o.done) throw new Refused(o);
            return fromRedis(t, flat(raw.get(1)));
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> flat(Object fields) { return LuaScript.fields((List<Object>) fields); }

    private static DoctorRequest fromRedis(String territory, Map<String, String> h) {
        Patient patient = Requests.patient(new JsonObject(h.get("patient")));
        return new DoctorRequest(h.get("id"), territory, h.get("status"), Long.parseLong(h.get("createdAt")),
                h.get("createdByName"), h.get("org"), h.getOrDefault("cpts", ""), patient, emptyToNull(h.get("comment")),
                emptyToNull(h.get("note")), h.containsKey("updatedAt") ? Long.valueOf(h.get("updatedAt")) : null);
    }

    private static String emptyToNull(String s) { return s == null || s.isEmpty() ? null : s; }
}
