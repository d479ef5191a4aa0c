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
            // a client without the password reads nothing: asked on a raw socket, so that what is checked is Redis's
            // answer, not how a client library reports a refused handshake (Lettuce's varies with timing)
            try (java.net.Socket anonymous = new java.net.Socket("127.0.0.1", redis.port())) {
                anonymous.setSoTimeout(5_000);
                anonymous.getOutputStream().write("GET snp:probe\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String answer = new java.io.BufferedReader(new java.io.InputStreamReader(anonymous.getInputStream(),
                        java.nio.charset.StandardCharsets.US_ASCII)).readLine();
                assertThat(answer).startsWith("-NOAUTH");
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

    @Test
    void aRedisThatDiesUnaskedIsStartedAgainOnTheSamePortWithItsData() throws Exception {
        Path dir = Files.createTempDirectory("snp-restart");
        long lastPid;
        EmbeddedRedis redis = EmbeddedRedis.start(dir, true);
        try {
            java.util.concurrent.CountDownLatch restarted = new java.util.concurrent.CountDownLatch(1);
            redis.onRestart(restarted::countDown);
            RedisClient client = RedisClient.create(redis.url());
            try (var c = client.connect()) {
                c.sync().set("snp:probe", "before");
                long pid = redis.pid();
                int port = redis.port();
                ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL
                assertThat(restarted.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("started again").isTrue();
                assertThat(redis.pid()).isNotEqualTo(pid);
                assertThat(redis.port()).isEqualTo(port);
                assertThat(redis.restarts()).isEqualTo(1);
                // the same connection finds it again (same port and password), with the data of the AOF
                assertThat(c.sync().get("snp:probe")).isEqualTo("before");
            } finally {
                client.shutdown();
            }
            lastPid = redis.pid();
        } finally {
            redis.close();
        }
        // closed: asked to stop, so not started again
        Thread.sleep(600);
        assertThat(gone(lastPid)).isTrue();
        assertThat(redis.restarts()).isEqualTo(1);
        assertThat(Files.exists(dir.resolve("redis.pid"))).as("a clean stop removes its pid file").isFalse();
    }

    @Test
    void anOrphanedRedisOnTheDataDirectoryIsStoppedAndItsDataServed() throws Exception {
        Path dir = Files.createTempDirectory("snp-orphan").toRealPath();
        EmbeddedRedis.start(dir, true).close(); // the directory's password and configuration
        String password = Files.readString(dir.resolve("redis.password")).strip();
        int port = EmbeddedRedis.freePort();
        // as after a JVM killed with SIGKILL: a redis-server on the directory that is no child of ours (daemonized,
        // its parent gone) and that no one supervises
        Process launcher = new ProcessBuilder("/bin/sh", "-c", "umask 077 && exec redis-server \"$0\" --port " + port
                + " --bind 127.0.0.1 --dir \"$1\" --pidfile \"$1/redis.pid\" --daemonize yes --save '' --appendonly yes"
                + " --appendfsync everysec --logfile \"$1/redis.log\"", dir.resolve("redis.conf").toString(), dir.toString())
                .redirectErrorStream(true).start();
        assertThat(launcher.waitFor()).isZero();
        RedisClient orphanClient = RedisClient.create("redis://:" + password + "@127.0.0.1:" + port);
        long orphanPid;
        try {
            long deadline = System.currentTimeMillis() + 10_000;
            while (true) {
                try (var c = orphanClient.connect()) {
                    c.sync().set("snp:probe", "orphan");
                    break;
                } catch (io.lettuce.core.RedisConnectionException notYet) {
                    if (System.currentTimeMillis() > deadline) throw notYet;
                    Thread.sleep(50);
                }
            }
            orphanPid = Long.parseLong(Files.readString(dir.resolve("redis.pid")).strip());
        } finally {
            orphanClient.shutdown();
        }
        assertThat(ProcessHandle.current().children().anyMatch(h -> h.pid() == orphanPid)).as("not our child").isFalse();

        try {
            try (EmbeddedRedis next = EmbeddedRedis.start(dir, true)) {
                assertThat(gone(orphanPid)).as("the orphan was stopped before the start").isTrue();
                try (java.net.Socket s = new java.net.Socket()) {
                    assertThatThrownBy(() -> s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500))
                            .as("nothing listens on the orphan's port").isInstanceOf(java.io.IOException.class);
                }
                RedisClient client = RedisClient.create(next.url());
                try (var c = client.connect()) {
                    assertThat(c.sync().get("snp:probe")).as("the orphan's data, from the AOF").isEqualTo("orphan");
                } finally {
                    client.shutdown();
                }
            }
        } finally {
            // a failed run leaves no orphan of its own behind
            if (!gone(orphanPid)) ProcessHandle.of(orphanPid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aStalePidFileDoesNotStopTheStartNorKillsWhatItNames() throws Exception {
        Path dir = Files.createTempDirectory("snp-stale");
        Files.createDirectories(dir);
        Path pidFile = dir.resolve("redis.pid");

        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        Files.writeString(pidFile, dead.pid() + "\n");
        startsAndAnswers(dir);

        Files.writeString(pidFile, "not a pid\n");
        startsAndAnswers(dir);

        Process sleeper = new ProcessBuilder("sleep", "60").start(); // a live process that is no Redis
        try {
            Files.writeString(pidFile, sleeper.pid() + "\n");
            startsAndAnswers(dir);
            assertThat(sleeper.isAlive()).isTrue();
        } finally {
            sleeper.destroyForcibly();
        }

        // a Redis, but of another data directory (the pid was reused): left alone
        try (EmbeddedRedis other = EmbeddedRedis.start(Files.createTempDirectory("snp-other"), false)) {
            Files.writeString(pidFile, other.pid() + "\n");
            startsAndAnswers(dir);
            assertThat(gone(other.pid())).as("the other directory's Redis still runs").isFalse();
        }
    }

    private static void startsAndAnswers(Path dir) {
        try (EmbeddedRedis redis = EmbeddedRedis.start(dir, true)) {
            RedisClient client = RedisClient.create(redis.url());
            try (var c = client.connect()) {
                assertThat(c.sync().ping()).isEqualTo("PONG");
            } finally {
                client.shutdown();
            }
        }
    }

    /** Ended, or a zombie (a PID 1 that reaps nothing keeps orphans so, and they hold nothing any more). */
    private static boolean gone(long pid) throws java.io.IOException {
        Path stat = Path.of("/proc", String.valueOf(pid), "stat");
        if (!Files.exists(stat)) return true;
        String s;
        try {
            s = Files.readString(stat);
        } catch (java.nio.file.NoSuchFileException raced) {
            return true;
        }
        char state = s.charAt(s.lastIndexOf(')') + 2);
        return state == 'Z' || state == 'X';
    }
}
