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
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Effectors in Redis (one hash per territory, id -> JSON), unique by RPPS within a territory. */
public final class EffectorStore {
    public record CreateCall(@Key String rpps, @Key String sequence, @Key String effectors, @Key String events,
                             @Key String webhookSecrets, String rppsNumber, String territory, String json,
                             int streamMaxLen, String webhookSecret, Set<String> callerTerritories, String callerOrg,
                             Reach callerReach) {}

    public record RotateCall(@Key String effectors, @Key String webhookSecrets, String effectorId, String secret,
                             Set<String> callerTerritories, String callerOrg, Reach callerReach) {}

    private static final LuaScript<CreateCall> CREATE = LuaScript.beside(EffectorStore.class, "create_effector.lua",
            CreateCall.class, LuaScript.TENANCY_PRELUDE);
    private static final LuaScript<RotateCall> ROTATE = LuaScript.beside(EffectorStore.class, "rotate_webhook_secret.lua",
            RotateCall.class, LuaScript.TENANCY_PRELUDE);

    /** Created (with its webhook signing secret, shown once, or null), or the id of the effector that has this RPPS. */
    public record Created(boolean created, String id, String webhookSecret) {}

    private final RedisClusterAsyncCommands<String, String> redis;
    private final SlotIndex index;
    private final int streamMaxLen;

    public EffectorStore(RedisClusterAsyncCommands<String, String> redis, SlotIndex index, int streamMaxLen) {
        this.redis = redis;
        this.index = index;
        this.streamMaxLen = streamMaxLen;
    }

    public static List<LuaScript<?>> scripts() { return List.of(CREATE, ROTATE); }

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
        String secret = effector.webhookUrl() == null ? null : WebhookSignature.newSecret();
        CreateCall call = new CreateCall(Keys.rppsIndex(t), Keys.sequence(t), Keys.effectors(t), Keys.events(t),
                Keys.webhookSecrets(t), effector.rpps(), t, EffectorJson.of(effector).encode(), streamMaxLen,
                secret == null ? "" : secret, p.territories(), p.org(), p.reach());
        // the set of territories is not hash-tagged (read at start only): written apart from the script
        return redis.sadd(Keys.TERRITORIES, t).thenCompose(added -> CREATE.<List<Object>>run(redis,
                ScriptOutputType.MULTI, call)).thenCompose(raw -> {
            Outcome code = Outcome.of((String) raw.get(0));
            String id = (String) raw.get(1);
            if (code == Outcome.EFFECTOR_EXISTS) return CompletableFuture.completedFuture(new Created(false, id, null));
            if (!code.done) throw new Refused(code, code == Outcome.NOT_YOUR_EFFECTOR
                    ? "a CPTS coordinator registers effectors of its own CPTS (" + p.org() + ") only" : code.message, "cpts");
            return load(t, id).thenApply(e -> new Created(true, id, secret));
        });
    }

    /** Reads one effector from Redis and puts it in the index. */
    /** A new signing secret for an effector's webhook (the previous one still signs beside it); shown once. */
    public CompletionStage<String> rotateWebhookSecret(Principal p, String effectorId) {
        String t = fr.snp.dispatch.domain.Ids.territoryOf(effectorId);
        String secret = WebhookSignature.newSecret();
        return ROTATE.<List<Object>>run(redis, ScriptOutputType.MULTI, new RotateCall(Keys.effectors(t), Keys.webhookSecrets(t),
                effectorId, secret, p.territories(), p.org(), p.reach())).thenApply(raw -> {
            Outcome code = Outcome.of((String) raw.get(0));
            if (!code.done) throw new Refused(code);
            return secret;
        });
    }

    /** The signing secrets of an effector's webhook, newest first (empty: none). */
    public CompletionStage<List<String>> webhookSecrets(String territory, String effectorId) {
        return redis.hget(Keys.webhookSecrets(territory), effectorId).thenApply(json -> json == null ? List.<String>of()
                : new io.vertx.core.json.JsonArray(json).stream().map(Object::toString).toList());
    }

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
