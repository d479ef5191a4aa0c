package fr.snp.dispatch.redis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Whether Redis answers a PING within a second (GET /health, the dispatch_redis_up gauge). On a cluster every master
 * is asked: one master away is a share of the territories unable to book, which the health check must say (and name).
 */
public final class RedisHealth {
    private final RedisConnections redis;

    public RedisHealth(RedisConnections redis) { this.redis = redis; }

    /** Each master (one without a cluster) by its address, and whether it answered. */
    public record Report(Map<String, Boolean> masters) {
        public boolean up() { return !masters.isEmpty() && masters.values().stream().allMatch(Boolean::booleanValue); }
    }

    public CompletionStage<Report> report() {
        return redis.masters().toCompletableFuture().orTimeout(1, TimeUnit.SECONDS).handle((masters, error) -> {
            if (error != null) return CompletableFuture.completedFuture(new Report(Map.of("cluster", false)));
            List<CompletableFuture<Boolean>> pings = new ArrayList<>();
            for (RedisConnections.Node n : masters) {
                pings.add(n.async().ping().toCompletableFuture().orTimeout(1, TimeUnit.SECONDS)
                        .handle((pong, failed) -> failed == null && "PONG".equals(pong)));
            }
            return CompletableFuture.allOf(pings.toArray(CompletableFuture[]::new)).thenApply(v -> {
                Map<String, Boolean> up = new LinkedHashMap<>();
                for (int i = 0; i < masters.size(); i++) up.put(masters.get(i).address(), pings.get(i).join());
                return new Report(up);
            });
        }).thenCompose(f -> f);
    }

    public CompletionStage<Boolean> up() { return report().thenApply(Report::up); }
}
