package fr.snp.dispatch.limits;

import fr.snp.dispatch.domain.Outcome;
import fr.snp.dispatch.domain.Refused;
import fr.snp.dispatch.redis.Key;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.redis.LuaScript;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Per-principal rate limit on the writes of the care flow (requests filed, holds, bookings): a fixed window of one
 * minute counted in Redis by one script, so every instance shares it. Nobody floods: a runaway client or a stolen
 * token is slowed to what a busy desk does, and told when to come back (429 RATE_LIMITED, Retry-After).
 */
public final class WriteLimits {
    public record RateCall(@Key String counter, int limit, long windowMs) {}

    private static final LuaScript<RateCall> RATE = LuaScript.beside(WriteLimits.class, "rate_limit.lua", RateCall.class);
    private static final long WINDOW_MS = 60_000;

    public static List<LuaScript<?>> scripts() { return List.of(RATE); }

    private final RedisClusterAsyncCommands<String, String> redis;
    private final int writesPerMinute;

    /** {@code writesPerMinute}: limits.writesPerMinute, 0 for no limit (no Redis call at all). */
    public WriteLimits(RedisClusterAsyncCommands<String, String> redis, int writesPerMinute) {
        this.redis = redis;
        this.writesPerMinute = writesPerMinute;
    }

    /** Counts one write of the principal; fails with RATE_LIMITED (and when to retry) beyond the limit. */
    public CompletionStage<Void> countWrite(String principalId) {
        if (writesPerMinute <= 0) return CompletableFuture.completedFuture(null);
        return RATE.<List<Object>>run(redis, ScriptOutputType.MULTI, new RateCall(Keys.writeRate(principalId),
                writesPerMinute, WINDOW_MS)).thenApply(r -> {
            if ((Long) r.get(0) == 0L) throw Refused.retryAfter(Outcome.RATE_LIMITED, (Long) r.get(1));
            return null;
        });
    }
}
