package fr.snp.dispatch.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A private redis-server child process for demo mode and tests: redis-server from the PATH when there is one,
 * else the binary bundled in the embedded-redis artifact. Loopback only, a free port, append-only persistence
 * in its data directory. A previous instance left running on the same directory (JVM killed) is stopped first.
 */
public final class EmbeddedRedis implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedRedis.class.getName());
    private static final String BUNDLED_LINUX_AMD64 = "/redis-server-6.2.6-v5-linux-amd64";
    private static final String BUNDLED_LINUX_ARM64 = "/redis-server-6.2.7-linux-arm64";

    private final Process process;
    private final int port;
    private final String executable;

    private EmbeddedRedis(Process process, int port, String executable) {
        this.process = process;
        this.port = port;
        this.executable = executable;
    }

    /** Starts redis-server with AOF persistence in {@code dataDir} (created if needed) on a free loopback port. */
    public static EmbeddedRedis start(Path dataDir, boolean persistent) { return start(dataDir, persistent, true); }

    /** {@code pathFirst} false: always the bundled binary (what a fresh machine without Redis gets). */
    public static EmbeddedRedis start(Path dataDir, boolean persistent, boolean pathFirst) {
        try {
            Files.createDirectories(dataDir);
            Path absolute = dataDir.toAbsolutePath();
            stopLeftover(absolute.resolve("redis.pid"));
            String exe = pathFirst ? findExecutable() : bundledExecutable();
            int port = freePort();
            List<String> cmd = new ArrayList<>(List.of(exe, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--dir", absolute.toString(), "--pidfile", absolute.resolve("redis.pid").toString(),
                    "--daemonize", "no", "--save", "", "--protected-mode", "yes",
                    "--appendonly", persistent ? "yes" : "no", "--appendfsync", "everysec",
                    "--logfile", absolute.resolve("redis.log").toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            EmbeddedRedis redis = new EmbeddedRedis(p, port, exe);
            redis.awaitReady();
            LOG.info(() -> "embedded Redis (" + exe + ") on 127.0.0.1:" + port + ", data in " + absolute);
            return redis;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded Redis", e);
        }
    }

    public int port() { return port; }

    public String url() { return "redis://127.0.0.1:" + port; }

    public String executable() { return executable; }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("redis-server exited at start, see redis.log");
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                s.getOutputStream().write("PING\r\n".getBytes());
                byte[] buf = new byte[64];
                int n = s.getInputStream().read(buf);
                // while loading the AOF Redis answers -LOADING: wait until it says PONG
                if (n > 0 && new String(buf, 0, n).startsWith("+PONG")) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            try { Thread.sleep(50); } catch (InterruptedException e) { Thread.currentThread().interrupt(); return; }
        }
        throw new IllegalStateException("embedded Redis not ready after 20 s");
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM: Redis flushes the AOF and exits
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String findExecutable() throws IOException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, "redis-server");
            if (!dir.isEmpty() && Files.isExecutable(candidate)) return candidate.toString();
        }
        return bundledExecutable();
    }

    private static String bundledExecutable() throws IOException {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) throw new IllegalStateException("no redis-server on the PATH; install Redis or set REDIS_URL");
        String resource = arch.contains("aarch64") || arch.contains("arm64") ? BUNDLED_LINUX_ARM64 : BUNDLED_LINUX_AMD64;
        Path target = Path.of(System.getProperty("java.io.tmpdir"), "snp-dispatch-" + resource.substring(1));
        if (!Files.isExecutable(target)) {
            try (InputStream in = EmbeddedRedis.class.getResourceAsStream(resource)) {
                if (in == null) throw new IllegalStateException("bundled redis-server " + resource + " not found");
                Path tmp = Files.createTempFile(target.getParent(), "redis", ".part");
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return target.toString();
    }

    private static void stopLeftover(Path pidFile) {
        try {
            if (!Files.exists(pidFile)) return;
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            ProcessHandle.of(pid).filter(h -> h.info().command().orElse("").contains("redis")).ifPresent(h -> {
                LOG.warning("stopping a leftover embedded Redis (pid " + pid + ") on the same data directory");
                h.destroy();
                h.onExit().orTimeout(10, TimeUnit.SECONDS).join();
            });
        } catch (Exception ignored) {
            // a stale or unreadable pid file: nothing to stop
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
