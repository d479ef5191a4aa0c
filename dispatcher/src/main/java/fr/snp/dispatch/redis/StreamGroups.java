package fr.snp.dispatch.redis;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What a consumer group has not read yet of its stream (its lag): the entries after its last-delivered id, which
 * XPENDING does not see. Redis 7 says it (XINFO GROUPS "lag"); when it cannot (it answers nil after some deletions),
 * the entries after the last-delivered id are counted, up to {@link #COUNTED}. A stream without the group: all of it.
 */
public final class StreamGroups {
    /** The most entries counted by hand when Redis does not give the lag. */
    static final int COUNTED = 10_000;

    private StreamGroups() {}

    /** Entries not yet read by the group, and the id of the first of them (null: none). */
    public record Lag(long unread, String firstUnreadId) {}

    public static CompletionStage<Lag> lag(RedisClusterAsyncCommands<String, String> redis, String stream, String group) {
        return redis.xinfoGroups(stream).handle((raw, error) -> error == null ? StreamWorker.parseGroups(raw)
                        : List.<Map<String, Object>>of()) // no such stream: nothing to read
                .thenCompose(groups -> {
                    Map<String, Object> g = groups.stream().filter(x -> group.equals(String.valueOf(x.get("name"))))
                            .findFirst().orElse(null);
                    Range<String> after = g == null ? Range.create("-", "+")
                            : Range.from(Range.Boundary.excluding(String.valueOf(g.get("last-delivered-id"))),
                            Range.Boundary.including("+"));
                    CompletionStage<List<StreamMessage<String, String>>> first = redis.xrange(stream, after, Limit.from(1));
                    Object lag = g == null ? null : g.get("lag");
                    CompletionStage<Long> count = lag instanceof Long n ? CompletableFuture.completedFuture(n)
                            : g == null ? redis.xlen(stream)
                            : redis.xrange(stream, after, Limit.from(COUNTED)).thenApply(l -> (long) l.size());
                    return count.thenCombine(first, (n, f) -> new Lag(n, f.isEmpty() ? null : f.get(0).getId()));
                });
    }
}
