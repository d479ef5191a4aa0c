package fr.snp.dispatch.requests;

import fr.snp.dispatch.availability.AvailabilityPlanner;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.domain.Origin;
import fr.snp.dispatch.domain.OutcomeType;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.redis.LuaScript;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** Care requests in Redis: one hash each, expiring after the retention period. */
public final class RequestStore {
    private static final LuaScript CREATE = LuaScript.beside(RequestStore.class, "create_request.lua",
            LuaScript.STATS_PRELUDE);
    private static final LuaScript SET_OUTCOME = LuaScript.beside(RequestStore.class, "set_outcome.lua",
            LuaScript.STATS_PRELUDE);

    private final RedisAsyncCommands<String, String> redis;
    private final long retentionSeconds;
    private final AvailabilityPlanner calendar;

    public RequestStore(RedisAsyncCommands<String, String> redis, int retentionDays, AvailabilityPlanner calendar) {
        this.redis = redis;
        this.retentionSeconds = retentionDays * 86_400L;
        this.calendar = calendar;
    }

    public static List<LuaScript> scripts() { return List.of(CREATE, SET_OUTCOME); }

    /** Statistics of the local day a request was made in (its id says when). */
    private String requestDay(String territory, String id) {
        return Keys.stats(territory, calendar.day(Instant.ofEpochMilli(Ids.createdAtMs(id))));
    }

    public CompletionStage<Object> create(CareRequest r) {
        return CREATE.run(redis, ScriptOutputType.STATUS, new String[]{Keys.request(r.territory(), r.id()),
                        requestDay(r.territory(), r.id())},
                r.origin().name(), r.origin().sasRegulated ? "1" : "0", r.createdBy(), String.valueOf(r.createdAtMs()),
                r.patient().encode(), r.need().encode(), String.valueOf(retentionSeconds));
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
                                                    String principal, boolean withAdvice) {
        String t = Ids.territoryOf(id);
        return SET_OUTCOME.run(redis, ScriptOutputType.MULTI, new String[]{Keys.request(t, id), requestDay(t, id)},
                type.name(), details.encode(), String.valueOf(nowMs), principal, withAdvice ? "1" : "0");
    }
}
