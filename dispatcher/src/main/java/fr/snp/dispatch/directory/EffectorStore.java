package fr.snp.dispatch.directory;

import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.matching.SlotIndex;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.redis.LuaScript;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** Effectors in Redis (one hash per territory, id -> JSON), unique by RPPS within a territory. */
public final class EffectorStore {
    private static final LuaScript CREATE = LuaScript.beside(EffectorStore.class, "create_effector.lua");

    /** Created, or the id of the effector that already has this RPPS. */
    public record Created(boolean created, String id) {}

    private final RedisAsyncCommands<String, String> redis;
    private final SlotIndex index;
    private final String streamMaxLen;

    public EffectorStore(RedisAsyncCommands<String, String> redis, SlotIndex index, int streamMaxLen) {
        this.redis = redis;
        this.index = index;
        this.streamMaxLen = String.valueOf(streamMaxLen);
    }

    public static List<LuaScript> scripts() { return List.of(CREATE); }

    /** {@code effector} has the id "__ID__": the script gives it the next number of its territory. */
    public CompletionStage<Created> create(Effector effector) {
        String t = effector.territory();
        String json = effector.toJson().encode();
        return redis.sadd(Keys.TERRITORIES, t).thenCompose(ignored -> CREATE.<List<Object>>run(redis,
                ScriptOutputType.MULTI,
                new String[]{Keys.rppsIndex(t), Keys.sequence(t), Keys.effectors(t), Keys.events(t)},
                effector.rpps(), t, json, streamMaxLen)).thenCompose(raw -> {
            String code = (String) raw.get(0);
            String id = (String) raw.get(1);
            if (!"OK".equals(code)) return java.util.concurrent.CompletableFuture.completedFuture(new Created(false, id));
            return load(t, id).thenApply(e -> new Created(true, id));
        });
    }

    /** Reads one effector from Redis and puts it in the index. */
    public CompletionStage<Effector> load(String territory, String id) {
        return redis.hget(Keys.effectors(territory), id).thenApply(json -> {
            if (json == null) return null;
            Effector e = Effector.fromJson(new JsonObject(json));
            index.putEffector(e);
            return e;
        });
    }

    public CompletionStage<Integer> loadAll(String territory) {
        return redis.hgetall(Keys.effectors(territory)).thenApply((Map<String, String> all) -> {
            all.values().forEach(json -> index.putEffector(Effector.fromJson(new JsonObject(json))));
            return all.size();
        });
    }
}
