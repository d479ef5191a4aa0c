package fr.snp.dispatch.notifications;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.util.concurrent.CompletionStage;

/** What ops and the coordinator see of a territory's notifications: the backlog not yet delivered. */
public final class Outbox {
    private final RedisClusterAsyncCommands<String, String> redis;

    public Outbox(RedisClusterAsyncCommands<String, String> redis) { this.redis = redis; }

    public CompletionStage<OutboxWorker.Backlog> backlog(String territory) { return OutboxWorker.backlog(redis, territory); }
}
