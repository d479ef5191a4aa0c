package fr.snp.dispatch.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The embedded Redis keeps health data private: a 0700 directory, 0600 files, a password of its own. */
class EmbeddedRedisTest {
    @Test
    void theDataDirectoryIsPrivateAndRedisWantsItsPassword() throws Exception {
        Path dir = Files.createTempDirectory("snp-private");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // as a umask 022 leaves it
        try (EmbeddedRedis redis = EmbeddedRedis.start(dir, true)) {
            RedisClient client = RedisClient.create(redis.url());
            try (var c = client.connect()) {
                c.sync().set("snp:probe", "x");
                c.sync().bgrewriteaof();
            } finally {
                client.shutdown();
            }
            RedisClient anonymous = RedisClient.create("redis://127.0.0.1:" + redis.port());
            try (var c = anonymous.connect()) {
                assertThatThrownBy(() -> c.sync().get("snp:probe")).isInstanceOf(RedisCommandExecutionException.class)
                        .hasMessageContaining("NOAUTH");
            } catch (io.lettuce.core.RedisConnectionException refusedAtHello) {
                assertThat(refusedAtHello).hasStackTraceContaining("NOAUTH"); // Redis 7 refuses the handshake itself
            } finally {
                anonymous.shutdown();
            }
            Thread.sleep(500); // the rewritten AOF lands
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
            try (Stream<Path> files = Files.walk(dir)) {
                files.filter(Files::isRegularFile).forEach(f -> {
                    try {
                        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as(f.toString())
                                .isEqualTo("rw-------");
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                });
            }
            assertThat(Files.readString(dir.resolve("redis.conf"))).startsWith("requirepass ");
        }
        // the same directory keeps its password: the data stays reachable after a restart
        String before = Files.readString(dir.resolve("redis.password"));
        try (EmbeddedRedis again = EmbeddedRedis.start(dir, true)) {
            assertThat(Files.readString(dir.resolve("redis.password"))).isEqualTo(before);
            RedisClient client = RedisClient.create(again.url());
            try (var c = client.connect()) {
                assertThat(c.sync().get("snp:probe")).isEqualTo("x");
            } finally {
                client.shutdown();
            }
        }
    }

    @Test
    void theBundledBinaryIsExtractedPrivatelyAndAnAlteredCopyIsReplaced() throws Exception {
        Path exe = Path.of(EmbeddedRedis.bundledExecutable());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(exe.getParent()))).isEqualTo("rwx------");
        byte[] good = Files.readAllBytes(exe);
        Files.write(exe, new byte[]{1, 2, 3}, java.nio.file.StandardOpenOption.APPEND); // altered on disk
        assertThat(Path.of(EmbeddedRedis.bundledExecutable())).isEqualTo(exe);
        assertThat(Files.readAllBytes(exe)).as("replaced by the bundled bytes").isEqualTo(good);
        try (EmbeddedRedis redis = EmbeddedRedis.start(Files.createTempDirectory("snp-bundled-run"), false, false)) {
            assertThat(redis.executable()).isEqualTo(exe.toString());
        }
    }
}
