package fr.snp.dispatch.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real redis-server (or Redis Sentinel) process of the fault tests, on a free loopback port, in a directory of its
 * own: started, killed (SIGKILL), paused (SIGSTOP) and resumed (SIGCONT) as a failing machine would be. No password:
 * loopback only, and the process ends with the test. Redis 7.0 from Debian (the tests' CI installs it).
 */
public final class RedisProcess implements AutoCloseable {
    private final Process process;
    public final int port;
    public final Path dir;

    private RedisProcess(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /** A redis-server with an append-only file, and {@code extra} arguments (e.g. "--replicaof", "127.0.0.1", "6379"). */
    public static RedisProcess server(Path dir, String... extra) {
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--daemonize", "no", "--save", "", "--appendonly", "yes",
                "--logfile", dir.resolve("redis.log").toString()));
        cmd.addAll(List.of(extra));
        return start(cmd, port, dir);
    }

    /**
     * A Sentinel watching the master {@code name} at {@code masterPort} (quorum 2), declaring it down after
     * {@code downAfterMs}. Its configuration is a file it rewrites, as Sentinel requires.
     */
    public static RedisProcess sentinel(Path dir, String name, int masterPort, int downAfterMs) {
        int port = freePort();
        try {
            Files.createDirectories(dir);
            Path conf = dir.resolve("sentinel.conf");
            Files.writeString(conf, "port " + port + "\nbind 127.0.0.1\ndir " + dir + "\nlogfile " + dir.resolve("sentinel.log")
                    + "\nsentinel monitor " + name + " 127.0.0.1 " + masterPort + " 2\n"
                    + "sentinel down-after-milliseconds " + name + " " + downAfterMs + "\n"
                    + "sentinel failover-timeout " + name + " 10000\nsentinel parallel-syncs " + name + " 1\n");
            return start(new ArrayList<>(List.of("redis-server", conf.toString(), "--sentinel")), port, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RedisProcess start(List<String> cmd, int port, Path dir) {
        try {
            Files.createDirectories(dir);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            RedisProcess r = new RedisProcess(p, port, dir);
            r.awaitPing();
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long pid() { return process.pid(); }

    public boolean alive() { return process.isAlive(); }

    public String uri() { return "redis://127.0.0.1:" + port; }

    /** The machine dies: no flush, no goodbye to the replicas. */
    public void kill() {
        process.destroyForcibly();
        try { process.waitFor(10, TimeUnit.SECONDS); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
    }

    /** The process stops answering (a frozen VM, a long GC of the host) but keeps its sockets. */
    public void pause() { signal("STOP"); }

    public void resume() { signal("CONT"); }

    private void signal(String name) {
        try {
            int rc = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start().waitFor();
            if (rc != 0) throw new IllegalStateException("kill -" + name + " failed: " + rc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code f} on a short-lived connection of its own. */
    public <T> T call(Function<io.lettuce.core.api.sync.RedisCommands<String, String>, T> f) {
        RedisClient client = RedisClient.create(uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return f.apply(c.sync());
        } finally {
            client.shutdown(0, 1, TimeUnit.SECONDS);
        }
    }

    private void awaitPing() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("redis-server exited at start, see " + dir);
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                s.getOutputStream().write("PING\r\n".getBytes());
                s.setSoTimeout(500);
                byte[] buf = new byte[64];
                int n = s.getInputStream().read(buf);
                if (n > 0 && new String(buf, 0, n).startsWith("+PONG")) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            try { Thread.sleep(50); } catch (InterruptedException e) { Thread.currentThread().interrupt(); return; }
        }
        throw new IllegalStateException("redis-server not ready after 15 s");
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) resume(); // a paused process does not act on SIGTERM until resumed
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
