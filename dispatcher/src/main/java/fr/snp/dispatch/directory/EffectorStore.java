package fr.snp.dispatch.directory;

import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.auth.Reach;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Outcome;
import fr.snp.dispatch.domain.Refused;
import fr.snp.dispatch.matching.SlotIndex;
import fr.snp.dispatch.redis.Key;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.redis.LuaScript;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Effectors in Redis (one hash per territory, id -> JSON), unique by RPPS within a territory. */
public final class EffectorStore {
    public record CreateCall(@Key String rpps, @Key String sequence, @Key String effectors, @Key String events,
                             String rppsNumber, String territory, String json,
                             int streamMaxLen, Set<String> callerTerritories, String callerOrg, Reach callerReach) {}

    private static final LuaScript<CreateCall> CREATE = LuaScript.beside(EffectorStore.class, "create_effector.lua",
            CreateCall.class, LuaScript.TENANCY_PRELUDE);

    /** Created, or the id of the effector that already has this RPPS. */
    public record Created(boolean created, String id) {}

    private final RedisAsyncCommands<String, String> redis;
    private final SlotIndex index;
    private final int streamMaxLen;

    public EffectorStore(RedisAsyncCommands<String, String> redis, SlotIndex index, int streamMaxLen) {
        this.redis = redis;
        this.index = index;
        this.streamMaxLen = streamMaxLen;
    }

    public static List<LuaScript<?>> scripts() { return List.of(CREATE); }

    /**
     * {@code effector} has the id "__ID__": the script gives it the next number of its territory. A coordinator
     * registers effectors of its own CPTS in a territory it serves.
     */
    public CompletionStage<Created> create(Principal p, Effector effector) {
        String t = effector.territory();
        if (!p.serves(t)) {
            return CompletableFuture.failedFuture(new Refused(Outcome.TERRITORY_NOT_SERVED, "the practice is in territory "
                    + t + "; you serve " + p.territoryList(), "locations[0].communeInsee"));
        }
        CreateCall call = new CreateCall(Keys.rppsIndex(t), Keys.sequence(t), Keys.effectors(t), Keys.events(t),
                effector.rpps(), t, EffectorJson.of(effector).encode(), streamMaxLen, p.territories(), p.org(),
                p.reach());
        // the set of territories is not hash-tagged (read at start only): written apart from the script
        return redis.sadd(Keys.TERRITORIES, t).thenCompose(added -> CREATE.<List<Object>>run(redis,
                ScriptOutputType.MULTI, call)).thenCompose(raw -> {
            Outcome code = Outcome.of((String) raw.get(0));
            String id = (String) raw.get(1);
            if (code == Outcome.EFFECTOR_EXISTS) return CompletableFuture.completedFuture(new Created(false, id));
            if (!code.done) throw new Refused(code, code == Outcome.NOT_YOUR_EFFECTOR
                    ? "a CPTS coordinator registers effectors of its own CPTS (" + p.org() + ") only" : code.message, "cpts");
            return load(t, id).thenApply(e -> new Created(true, id));
        });
    }

    /** Reads one effector from Redis and puts it in the index. */
    public CompletionStage<Effector> load(String territory, String id) {
        return redis.hget(Keys.effectors(territory), id).thenApply(json -> {
            if (json == null) return null;
            Effector e = EffectorJson.effector(new JsonObject(json));
            index.putEffector(e);
            return e;
        });
    }

    public CompletionStage<Integer> loadAll(String territory) {
        return redis.hgetall(Keys.effectors(territory)).thenApply((Map<String, String> all) -> {
            all.values().forEach(json -> index.putEffector(EffectorJson.effector(new JsonObject(json))));
            return all.size();
        });
    }
}
