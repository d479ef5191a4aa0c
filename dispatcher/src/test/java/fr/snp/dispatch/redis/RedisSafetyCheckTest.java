package fr.snp.dispatch.redis;

import fr.snp.dispatch.Dispatcher;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * At start, an external Redis that would lose acknowledged writes is refused, with a message naming the Redis
 * setting and the override (redis.allowUnsafe), which starts with a warning instead. Real redis-server processes.
 */
class RedisSafetyCheckTest {
    @TempDir
    Path dir;

    @Test
    void aRedisWithoutAppendOnlyFileIsRefusedAndTheOverrideStartsWithAWarning() throws Exception {
        try (RedisNode redis = RedisNode.start(dir.resolve("noaof"), "--appendonly", "no")) {
            assertThatThrownBy(() -> start(redis, Map.of("redis.durability", "relaxed")))
                    .hasMessageContaining("appendonly no").hasMessageContaining("appendonly yes")
                    .hasMessageContaining("redis.allowUnsafe=true");
            List<LogRecord> warnings = new CopyOnWriteArrayList<>();
            Handler h = capture(warnings);
            try (Dispatcher d = start(redis, Map.of("redis.durability", "relaxed", "redis.allowUnsafe", "true"))) {
                assertThat(d.port()).isPositive();
            } finally {
                Logger.getLogger(Durability.class.getName()).removeHandler(h);
            }
            assertThat(warnings).anySatisfy(r -> {
                assertThat(r.getLevel()).isEqualTo(Level.WARNING);
                assertThat(r.getMessage()).contains("appendonly no").contains("redis.allowUnsafe=true");
            });
        }
    }

    @Test
    void anEvictingRedisIsRefused() throws Exception {
        try (RedisNode redis = RedisNode.start(dir.resolve("lru"), "--appendonly", "yes",
                "--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lru")) {
            assertThatThrownBy(() -> start(redis, Map.of("redis.durability", "relaxed")))
                    .hasMessageContaining("maxmemory-policy allkeys-lru").hasMessageContaining("noeviction")
                    .hasMessageContaining("redis.allowUnsafe=true");
        }
    }

    @Test
    void strictOnASingleRedisNeedsFsyncAlways() throws Exception {
        try (RedisNode everysec = RedisNode.start(dir.resolve("everysec"), "--appendonly", "yes", "--appendfsync", "everysec")) {
            assertThatThrownBy(() -> start(everysec, Map.of("redis.durability", "strict", "redis.replicas", "0")))
                    .hasMessageContaining("appendfsync always").hasMessageContaining("appendfsync everysec");
            // with replicas to WAIT for, everysec on the master is accepted
            try (Dispatcher d = start(everysec, Map.of("redis.durability", "strict", "redis.replicas", "1"))) {
                assertThat(d.port()).isPositive();
            }
        }
        try (RedisNode always = RedisNode.start(dir.resolve("always"), "--appendonly", "yes", "--appendfsync", "always");
             Dispatcher d = start(always, Map.of("redis.durability", "strict", "redis.replicas", "0"))) {
            assertThat(d.port()).isPositive();
        }
    }

    /** A managed Redis that refuses CONFIG is asked INFO; one that refuses both is unknowable: the override is needed. */
    @Test
    void withoutConfigInfoIsReadAndWithoutEitherTheOverrideIsNeeded() throws Exception {
        try (RedisNode noConfig = RedisNode.start(dir.resolve("noconfig"), "--appendonly", "no",
                "--rename-command", "CONFIG", "")) {
            assertThatThrownBy(() -> start(noConfig, Map.of("redis.durability", "relaxed")))
                    .hasMessageContaining("appendonly no");
        }
        try (RedisNode blind = RedisNode.start(dir.resolve("blind"), "--appendonly", "yes",
                "--rename-command", "CONFIG", "", "--rename-command", "INFO", "")) {
            assertThatThrownBy(() -> start(blind, Map.of("redis.durability", "relaxed")))
                    .hasMessageContaining("cannot tell whether Redis keeps an append-only file")
                    .hasMessageContaining("redis.allowUnsafe=true");
            try (Dispatcher d = start(blind, Map.of("redis.durability", "relaxed", "redis.allowUnsafe", "true"))) {
                assertThat(d.port()).isPositive();
            }
        }
    }

    /** The embedded Redis (redis.url empty): relaxed keeps everysec, strict starts it with appendfsync always. */
    @Test
    void strictWithTheEmbeddedRedisFsyncsEveryWrite() throws Exception {
        try (TestServer relaxed = TestServer.startEmbedded(Map.of(), dir.resolve("embedded-auto"))) {
            assertThat(relaxed.redis.configGet("appendfsync")).containsEntry("appendfsync", "everysec");
        }
        try (TestServer strict = TestServer.startEmbedded(Map.of("redis.durability", "strict"), dir.resolve("embedded-strict"))) {
            assertThat(strict.redis.configGet("appendfsync")).containsEntry("appendfsync", "always");
            assertThat(strict.redis.configGet("appendonly")).containsEntry("appendonly", "yes");
        }
    }

    /** Sorted sets compact below 512 members: a warning (memory, not safety), and none with 512 or more. */
    @Test
    void smallCompactSortedSetsAreWarnedOf() throws Exception {
        try (RedisNode redis = RedisNode.start(dir.resolve("zset"), "--appendonly", "yes")) {
            io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.url());
            try (io.lettuce.core.api.StatefulRedisConnection<String, String> c = client.connect()) {
                assertThat(Durability.smallSortedSets(c.async())).contains("zset-max-listpack-entries 512");
                c.sync().configSet("zset-max-listpack-entries", "512");
                assertThat(Durability.smallSortedSets(c.async())).isNull();
            } finally {
                client.shutdown();
            }
        }
    }

    /** The embedded Redis keeps each effector's start index compact up to 512 slots. */
    @Test
    void theEmbeddedRedisKeepsSortedSetsOf512Compact() throws Exception {
        try (TestServer server = TestServer.startEmbedded(Map.of(), dir.resolve("embedded-zset"))) {
            assertThat(server.redis.configGet("zset-max-listpack-entries")).containsEntry("zset-max-listpack-entries", "512");
        }
    }

    private static Dispatcher start(RedisNode redis, Map<String, String> settings) throws Exception {
        Map<String, String> s = new HashMap<>(settings);
        s.put("redis.url", redis.url());
        s.put("http.port", "0");
        s.put("http.instances", "1");
        s.put("links.keys", TestServer.LINK_KEYS);
        return Dispatcher.start(Settings.defaultsWith(s), false, Clock.systemUTC());
    }

    private static Handler capture(List<LogRecord> into) {
        Handler h = new Handler() {
            @Override public void publish(LogRecord r) { into.add(r); }
            @Override public void flush() {}
            @Override public void close() {}
        };
        Logger.getLogger(Durability.class.getName()).addHandler(h);
        return h;
    }
}
