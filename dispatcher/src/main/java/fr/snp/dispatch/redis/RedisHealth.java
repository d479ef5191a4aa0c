package fr.snp.dispatch.redis;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Whether Redis answers a PING within a second (GET /health, the dispatch_redis_up gauge). */
public final class RedisHealth {
    private final RedisClusterAsyncCommands<String, String> redis;

    public RedisHealth(RedisClusterAsyncCommands<String, String> redis) { this.redis = redis; }

    public CompletionStage<Boolean> up() {
        return redis.ping().toCompletableFuture().orTimeout(1, TimeUnit.SECONDS).handle((pong, error) -> error == null
                && "PONG".equals(pong));
    }
}
