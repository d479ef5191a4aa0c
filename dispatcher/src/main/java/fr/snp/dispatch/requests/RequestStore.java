package fr.snp.dispatch.requests;

import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.domain.Origin;
import fr.snp.dispatch.domain.OutcomeType;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.redis.LuaScript;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** Care requests in Redis: one hash each, expiring after the retention period. */
public final class RequestStore {
    private static final LuaScript SET_OUTCOME = LuaScript.beside(RequestStore.class, "set_outcome.lua");

    private final RedisAsyncCommands<String, String> redis;
    private final long retentionSeconds;

    public RequestStore(RedisAsyncCommands<String, String> redis, int retentionDays) {
        this.redis = redis;
        this.retentionSeconds = retentionDays * 86_400L;
    }

    public static List<LuaScript> scripts() { return List.of(SET_OUTCOME); }

    public CompletionStage<Boolean> create(CareRequest r) {
        String key = Keys.request(r.territory(), r.id());
        redis.hset(key, Map.of("origin", r.origin().name(), "sas", r.origin().sasRegulated ? "1" : "0",
                "by", r.createdBy(), "ca", String.valueOf(r.createdAtMs()), "pj", r.patient().encode(),
                "nj", r.need().encode()));
        return redis.expire(key, retentionSeconds);
    }

    public CompletionStage<CareRequest> get(String id) {
        String t = Ids.territoryOf(id);
        return redis.hgetall(Keys.request(t, id)).thenApply(h -> h.isEmpty() ? null : new CareRequest(id, t,
                Origin.valueOf(h.get("origin")), h.get("by"), Long.parseLong(h.get("ca")), new JsonObject(h.get("pj")),
                new JsonObject(h.get("nj")), h.get("ap"), h.get("oc"),
                h.containsKey("ocd") ? new JsonObject(h.get("ocd")) : null, Long.parseLong(h.getOrDefault("oca", "0"))));
    }

    /** {code, detail}: OK, ALREADY_SET, OUTCOME_ALREADY_SET, REQUEST_ALREADY_BOOKED or REQUEST_NOT_FOUND. */
    public CompletionStage<List<Object>> setOutcome(String id, OutcomeType type, JsonObject details, long nowMs,
                                                    String principal) {
        return SET_OUTCOME.run(redis, ScriptOutputType.MULTI, new String[]{Keys.request(Ids.territoryOf(id), id)},
                type.name(), details.encode(), String.valueOf(nowMs), principal);
    }
}
