package fr.snp.dispatch.notifications;

import io.lettuce.core.api.async.RedisAsyncCommands;

import java.util.concurrent.CompletionStage;

/** What ops and the coordinator see of a territory's notifications: the backlog not yet delivered. */
public final class Outbox {
    private final RedisAsyncCommands<String, String> redis;

    public Outbox(RedisAsyncCommands<String, String> redis) { this.redis = redis; }

    public CompletionStage<OutboxWorker.Backlog> backlog(String territory) { return OutboxWorker.backlog(redis, territory); }
}
