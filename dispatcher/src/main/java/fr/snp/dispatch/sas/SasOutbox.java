package fr.snp.dispatch.sas;

import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.models.stream.PendingMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What ops see of the pushes to the national SAS platform (INT_R03): how many wait, how old the oldest is, and the
 * oldest few themselves (appointment, status, attempts, why the last attempt failed or waits). Appointment ids
 * and statuses only: no patient data. And the pushes set aside as dead letters (refused for good by the platform, or
 * behind one that was: see {@link SasPushWorker}), the newest first, since nothing retries those any more.
 */
public final class SasOutbox {
    /** How many waiting pushes the ops view lists. */
    static final int LISTED = 20;

    private final RedisClusterAsyncCommands<String, String> redis;
    private final boolean enabled;

    public SasOutbox(RedisClusterAsyncCommands<String, String> redis, boolean enabled) {
        this.redis = redis;
        this.enabled = enabled;
    }

    /** One push not yet taken by the platform. */
    public record Waiting(String appointmentId, String status, long seq, long attempts, long ageSeconds, String lastError) {}

    /** One push set aside: what it was, what the platform answered (0: not sent, behind a dead letter), why, when. */
    public record DeadLetter(String appointmentId, String status, long seq, int httpStatus, String reason, long atMs) {}

    /**
     * The pushes not yet taken by the platform in a territory, and the age of the oldest; the dead letters kept
     * ({@link SasPushWorker#DEAD_LETTER_RETENTION_MS}) and the newest few.
     */
    public record Backlog(boolean enabled, long pending, long oldestAgeSeconds, List<Waiting> oldest, long deadLetters,
                          List<DeadLetter> latestDeadLetters) {
        Backlog with(long count, List<DeadLetter> latest) {
            return new Backlog(enabled, pending, oldestAgeSeconds, oldest, count, latest);
        }
    }

    public boolean enabled() { return enabled; }

    public CompletionStage<Backlog> backlog(String territory) {
        String dead = Keys.sasDeadLetters(territory);
        CompletionStage<Long> deadCount = redis.xlen(dead);
        CompletionStage<List<DeadLetter>> deadLatest = redis.xrevrange(dead, Range.create("-", "+"), Limit.from(LISTED))
                .thenApply(list -> list.stream().map(SasOutbox::deadLetter).toList());
        return waiting(territory).thenCompose(b -> deadCount.thenCombine(deadLatest, b::with));
    }

    private static DeadLetter deadLetter(StreamMessage<String, String> m) {
        Map<String, String> b = m.getBody();
        return new DeadLetter(b.get("appt"), b.get("status"), Long.parseLong(b.getOrDefault("seq", "0")),
                Integer.parseInt(b.getOrDefault("httpStatus", "0")), b.get("reason"),
                fr.snp.dispatch.redis.StreamWorker.millisOf(m.getId()));
    }

    private CompletionStage<Backlog> waiting(String territory) {
        String stream = Keys.sasOutbox(territory);
        return redis.exists(stream).thenCompose(n -> n == 0 ? CompletableFuture.completedFuture(new Backlog(enabled, 0, 0, List.of(), 0, List.of()))
                : redis.xpending(stream, SasPushWorker.GROUP, Range.create("-", "+"), Limit.from(LISTED)).handle((pending, error) -> {
                    // no group yet (the worker never ran: push off): every entry waits
                    return error == null ? pending : null;
                }).thenCompose(pending -> pending == null ? unread(territory) : listed(territory, pending)));
    }

    /** Entries not read at all (no consumer group yet): their count and the oldest's age. */
    private CompletionStage<Backlog> unread(String territory) {
        return redis.xlen(Keys.sasOutbox(territory)).thenCombine(redis.xrange(Keys.sasOutbox(territory), Range.create("-", "+"),
                Limit.from(1)), (count, first) -> new Backlog(enabled, count,
                first.isEmpty() ? 0 : age(first.get(0).getId()), List.of(), 0, List.of()));
    }

    private CompletionStage<Backlog> listed(String territory, List<PendingMessage> pending) {
        String stream = Keys.sasOutbox(territory);
        CompletionStage<Long> count = redis.xpending(stream, SasPushWorker.GROUP).thenApply(s -> s.getCount());
        CompletionStage<Map<String, String>> errors = redis.hgetall(Keys.sasPushErrors(territory));
        List<CompletableFuture<List<StreamMessage<String, String>>>> entries = pending.stream()
                .map(p -> redis.xrange(stream, Range.create(p.getId(), p.getId())).toCompletableFuture()).toList();
        // every entry read before any is looked at (join() below never waits on Lettuce's thread)
        return CompletableFuture.allOf(entries.toArray(CompletableFuture[]::new)).thenCompose(read -> count.thenCombine(errors, (total, why) -> {
            List<Waiting> oldest = new ArrayList<>();
            for (int i = 0; i < pending.size(); i++) {
                List<StreamMessage<String, String>> m = entries.get(i).join();
                if (m.isEmpty()) continue;
                Map<String, String> body = m.get(0).getBody();
                PendingMessage p = pending.get(i);
                oldest.add(new Waiting(body.get("appt"), body.get("status"), Long.parseLong(body.getOrDefault("seq", "0")),
                        p.getRedeliveryCount(), age(p.getId()), why.get(p.getId())));
            }
            return new Backlog(enabled, total, pending.isEmpty() ? 0 : age(pending.get(0).getId()), oldest, 0, List.of());
        }));
    }

    /** Seconds since a stream entry was written (its id is Redis's clock in ms). */
    static long age(String streamId) {
        long ms = Long.parseLong(streamId.substring(0, streamId.indexOf('-')));
        return Math.max(0, (System.currentTimeMillis() - ms) / 1000);
    }
}
