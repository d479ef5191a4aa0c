package fr.snp.dispatch.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server child process of a test's, with the arguments it wants (a replica, no AOF, an evicting policy…),
 * on a free loopback port, without a password, that the test can freeze (SIGSTOP), thaw and kill (SIGKILL). Same
 * binary as {@link EmbeddedRedis}: the PATH's, else the bundled one.
 */
public final class RedisNode implements AutoCloseable {
    public final Path dir;
    public final int port;
    private final Process process;
    private final RedisClient client;
    private StatefulRedisConnection<String, String> connection;

    private RedisNode(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.client = RedisClient.create(url());
    }

    /** A redis-server keeping its files in {@code dir}, with {@code args} after the port, bind and directory. */
    public static RedisNode start(Path dir, String... args) throws IOException {
        return start(dir, EmbeddedRedis.freePort(), args);
    }

    public static RedisNode start(Path dir, int port, String... args) throws IOException {
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of(executable(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--save", "", "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        RedisNode r = new RedisNode(dir, port, p);
        r.awaitReady();
        return r;
    }

    /**
     * A Redis Sentinel watching the master {@code name} at {@code masterPort} (quorum 2), which it declares down after
     * {@code downAfterMs}. Its configuration is a file of its own, which Sentinel rewrites as it learns.
     */
    public static RedisNode sentinel(Path dir, String name, int masterPort, int downAfterMs) throws IOException {
        Files.createDirectories(dir);
        int port = EmbeddedRedis.freePort();
        Path conf = dir.resolve("sentinel.conf");
        Files.writeString(conf, "port " + port + "\nbind 127.0.0.1\ndir " + dir + "\nlogfile " + dir.resolve("sentinel.log")
                + "\nsentinel monitor " + name + " 127.0.0.1 " + masterPort + " 2\n"
                + "sentinel down-after-milliseconds " + name + " " + downAfterMs + "\n"
                + "sentinel failover-timeout " + name + " 10000\nsentinel parallel-syncs " + name + " 1\n");
        Process p = new ProcessBuilder(executable(), conf.toString(), "--sentinel").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        RedisNode r = new RedisNode(dir, port, p);
        r.awaitReady();
        return r;
    }

    public boolean alive() { return process.isAlive(); }

    /** A replica of {@code master}, AOF on (what it applied is on its disk). */
    public static RedisNode replicaOf(RedisNode master, Path dir) throws IOException {
        RedisNode r = start(dir, "--appendonly", "yes", "--replicaof", "127.0.0.1", String.valueOf(master.port));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!r.sync().info("replication").contains("master_link_status:up")) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("replica not in sync after 15 s");
            sleep(50);
        }
        // the AOF rewrite that follows the first sync done: what the replica applies from now on is in its AOF
        while (!r.rewriteDone()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("replica's AOF rewrite not done after 15 s");
            sleep(50);
        }
        return r;
    }

    private boolean rewriteDone() {
        String p = sync().info("persistence");
        return p.contains("aof_rewrite_in_progress:0") && p.contains("aof_rewrite_scheduled:0")
                && p.contains("aof_last_bgrewrite_status:ok");
    }

    private static String executable() throws IOException {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(d, "redis-server");
            if (!d.isEmpty() && Files.isExecutable(candidate)) return candidate.toString();
        }
        return EmbeddedRedis.bundledExecutable();
    }

    public String url() { return "redis://127.0.0.1:" + port; }

    public long pid() { return process.pid(); }

    /** A connection of the test's (made on first use). */
    public synchronized RedisCommands<String, String> sync() {
        if (connection == null || !connection.isOpen()) connection = client.connect();
        return connection.sync();
    }

    private volatile boolean frozen;

    public void freeze() {
        signal("STOP");
        frozen = true;
    }

    public void thaw() {
        signal("CONT");
        frozen = false;
    }

    /** SIGSTOP for {@code d}, then SIGCONT (also when interrupted). */
    public void freezeFor(java.time.Duration d) throws InterruptedException {
        freeze();
        try {
            Thread.sleep(d.toMillis());
        } finally {
            thaw();
        }
    }

    /** redis-cli's answer, as text (for what Lettuce's standalone API lacks: Sentinel's own commands, ROLE…). */
    public static String cli(int port, String... args) {
        try {
            List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port)));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stopped by {@link #freeze} and not thawed since: it answers nothing (a command to it waits for its time-out). */
    public boolean frozen() { return frozen; }

    /** SIGKILL: no shutdown, nothing flushed beyond what was written already. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** ProcessHandle cannot stop or continue a process: kill(1) can. */
    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) throw new IllegalStateException("kill -" + name + " failed");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            if (!process.isAlive()) throw new IllegalStateException("redis-server exited at start, see " + dir.resolve("redis.log"));
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                if ("PONG".equals(c.sync().ping())) return;
            } catch (RuntimeException notYet) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("redis-server not ready after 15 s", notYet);
            }
            sleep(50);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            signal("CONT"); // a frozen process would not see the SIGKILL's effects until thawed on some systems
            kill();
        }
        client.shutdown();
    }
}
