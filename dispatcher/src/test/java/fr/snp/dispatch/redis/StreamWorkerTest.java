package fr.snp.dispatch.redis;

import fr.snp.dispatch.Await;
import io.lettuce.core.Consumer;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stream worker against a real Redis: the trimming never passes what a consumer group has not finished (unread or
 * pending entries stay, delivered and acknowledged ones go), the group's lag counts what it has not read, and the
 * reading loop survives an Error.
 */
class StreamWorkerTest {
    static EmbeddedRedis server;
    static RedisClient client;
    /** What the workers connect through, as the server's are. */
    static RedisConnections connections;
    static StatefulRedisConnection<String, String> connection;
    static RedisClusterCommands<String, String> redis;

    @BeforeAll
    static void start() throws Exception {
        server = EmbeddedRedis.start(Files.createTempDirectory("snp-stream-worker"), false);
        client = RedisClient.create(server.url());
        connections = RedisConnections.open(server.url(), false, io.lettuce.core.resource.ClientResources.create());
        connection = client.connect();
        redis = connection.sync();
    }

    @AfterAll
    static void stop() {
        connection.close();
        client.shutdown();
        connections.close();
        connections.resources().shutdown();
        server.close();
    }

    static List<String> add(String stream, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) ids.add(redis.xadd(stream, Map.of("n", String.valueOf(i))));
        return ids;
    }

    static List<String> read(String stream, String group, int count) {
        return redis.xreadgroup(Consumer.from(group, "c"), XReadArgs.Builder.count(count),
                XReadArgs.StreamOffset.lastConsumed(stream)).stream().map(StreamMessage::getId).toList();
    }

    static List<String> left(String stream) {
        return redis.xrange(stream, Range.create("-", "+")).stream().map(StreamMessage::getId).toList();
    }

    /** Trimmed "now" (no hour of delivered entries kept): only what the groups need stays. */
    static void trimNow(String stream) { StreamWorker.trim(redis, stream, System.currentTimeMillis() + 60_000); }

    @Test
    void theTrimmingKeepsWhatTheGroupHasNotReadOrStillHoldsAndDropsWhatItDelivered() {
        String stream = "snp:{t1}:outbox";
        List<String> ids = add(stream, 10);
        trimNow(stream);
        assertThat(left(stream)).as("no group yet: nobody read anything").isEqualTo(ids);

        redis.xgroupCreate(XReadArgs.StreamOffset.from(stream, "0"), "g");
        trimNow(stream);
        assertThat(left(stream)).as("a group that has read nothing").isEqualTo(ids);

        assertThat(read(stream, "g", 4)).isEqualTo(ids.subList(0, 4));
        redis.xack(stream, "g", ids.get(0), ids.get(1));
        trimNow(stream);
        // 0 and 1 delivered and acknowledged: gone; 2 and 3 pending, 4..9 unread: all kept
        assertThat(left(stream)).isEqualTo(ids.subList(2, 10));

        redis.xack(stream, "g", ids.get(2), ids.get(3));
        trimNow(stream);
        // nothing pending: cut at the last delivered one (kept itself, harmless); every unread one stays
        assertThat(left(stream)).isEqualTo(ids.subList(3, 10));

        // a pending entry behind acknowledged ones holds everything after it
        assertThat(read(stream, "g", 3)).isEqualTo(ids.subList(4, 7));
        redis.xack(stream, "g", ids.get(5), ids.get(6));
        trimNow(stream);
        assertThat(left(stream)).isEqualTo(ids.subList(4, 10));

        // the hour of delivered entries kept when trimmed for real
        redis.xack(stream, "g", ids.get(4));
        StreamWorker.trim(redis, stream, System.currentTimeMillis() - 3_600_000);
        assertThat(left(stream)).isEqualTo(ids.subList(4, 10));
    }

    @Test
    void everyGroupOfTheStreamCounts() {
        String stream = "snp:{t2}:outbox";
        List<String> ids = add(stream, 5);
        redis.xgroupCreate(XReadArgs.StreamOffset.from(stream, "0"), "fast");
        redis.xgroupCreate(XReadArgs.StreamOffset.from(stream, "0"), "slow");
        read(stream, "fast", 5);
        redis.xack(stream, "fast", ids.toArray(String[]::new));
        read(stream, "slow", 2);
        redis.xack(stream, "slow", ids.get(0));
        trimNow(stream);
        // "slow" still holds #1 and has not read #2..#4
        assertThat(left(stream)).isEqualTo(ids.subList(1, 5));
    }

    @Test
    void theLagCountsWhatTheGroupHasNotReadYet() throws Exception {
        String stream = "snp:{t3}:outbox";
        var async = connection.async();
        assertThat(StreamGroups.lag(async, stream, "g").toCompletableFuture().get(5, TimeUnit.SECONDS))
                .isEqualTo(new StreamGroups.Lag(0, null));
        List<String> ids = add(stream, 5);
        assertThat(StreamGroups.lag(async, stream, "g").toCompletableFuture().get(5, TimeUnit.SECONDS))
                .as("no group: all of it").isEqualTo(new StreamGroups.Lag(5, ids.get(0)));
        redis.xgroupCreate(XReadArgs.StreamOffset.from(stream, "0"), "g");
        read(stream, "g", 2);
        assertThat(StreamGroups.lag(async, stream, "g").toCompletableFuture().get(5, TimeUnit.SECONDS))
                .isEqualTo(new StreamGroups.Lag(3, ids.get(2)));
        // after a deletion Redis may not know the lag any more: counted by hand
        redis.xdel(stream, ids.get(3));
        assertThat(StreamGroups.lag(async, stream, "g").toCompletableFuture().get(5, TimeUnit.SECONDS))
                .isEqualTo(new StreamGroups.Lag(2, ids.get(2)));
    }

    /** Acknowledges every entry it is given, and remembers them. */
    static final class Recorder extends StreamWorker {
        final List<String> delivered = new CopyOnWriteArrayList<>();
        final String stream;

        Recorder(String territory, int concurrency) {
            super(connections, () -> Set.of(territory), "g", "test-worker-" + territory, 100, 1000, concurrency, 0,
                    java.util.logging.Logger.getLogger("test"));
            this.stream = "snp:{" + territory + "}:outbox";
        }

        @Override
        protected String stream(String territory) { return stream; }

        @Override
        protected void deliver(RedisClusterCommands<String, String> redis, StreamMessage<String, String> m) {
            delivered.add(m.getBody().get("n"));
            redis.xack(m.getStream(), group, m.getId());
        }
    }


    @Test
    void theLoopGoesOnAfterAnError() throws Exception {
        for (int concurrency : new int[]{1, 4}) {
            String territory = "t4c" + concurrency;
            try (Recorder worker = new Recorder(territory, concurrency)) {
                AtomicBoolean thrown = new AtomicBoolean();
                worker.tickHook = () -> {
                    if (thrown.compareAndSet(false, true)) throw new OutOfMemoryError("injected by the test");
                };
                worker.start();
                Await.until("the injected Error", 10_000, thrown::get);
                add(worker.stream, 3);
                Await.until("the entries written after the Error delivered", 10_000, () -> worker.delivered.size() == 3);
                assertThat(worker.delivered).containsExactly("0", "1", "2");
                assertThat(System.currentTimeMillis() - worker.lastTickMs()).as("the loop still ticks").isLessThan(2_000);
            }
        }
    }
}
