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
    private final String password;

    private EmbeddedRedis(Process process, int port, String executable, String password) {
        this.password = password;
        this.process = process;
        this.port = port;
        this.executable = executable;
    }

    /** Starts redis-server with AOF persistence in {@code dataDir} (created if needed) on a free loopback port. */
    public static EmbeddedRedis start(Path dataDir, boolean persistent) { return start(dataDir, persistent, true); }

    /** {@code pathFirst} false: always the bundled binary (what a fresh machine without Redis gets). */
    public static EmbeddedRedis start(Path dataDir, boolean persistent, boolean pathFirst) {
        return start(dataDir, persistent, pathFirst, "everysec");
    }

    /** {@code appendfsync}: "everysec" (the default), or "always" (redis.durability=strict: each write on disk first). */
    public static EmbeddedRedis start(Path dataDir, boolean persistent, String appendfsync) {
        return start(dataDir, persistent, true, appendfsync);
    }

    public static EmbeddedRedis start(Path dataDir, boolean persistent, boolean pathFirst, String appendfsync) {
        try {
            Files.createDirectories(dataDir);
            Path absolute = dataDir.toAbsolutePath();
            // health data on disk: the directory is the owner's only, and so is every file Redis writes (umask 077)
            Files.setPosixFilePermissions(absolute, PosixFilePermissions.fromString("rwx------"));
            try (var old = Files.walk(absolute)) { // files an earlier version left readable
                for (Path f : old.filter(Files::isRegularFile).toList()) {
                    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
                }
            }
            stopLeftover(absolute.resolve("redis.pid"));
            String exe = pathFirst ? findExecutable() : bundledExecutable();
            int port = freePort();
            String password = password(absolute);
            // the password goes in a private config file, not on the command line (which other users can list)
            Path conf = absolute.resolve("redis.conf");
            Files.writeString(conf, "requirepass " + password + "\n");
            Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
            List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "umask 077 && exec \"$0\" \"$@\"", exe, conf.toString(),
                    "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--dir", absolute.toString(), "--pidfile", absolute.resolve("redis.pid").toString(),
                    "--daemonize", "no", "--save", "", "--protected-mode", "yes",
                    "--appendonly", persistent ? "yes" : "no", "--appendfsync", appendfsync,
                    "--logfile", absolute.resolve("redis.log").toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            EmbeddedRedis redis = new EmbeddedRedis(p, port, exe, password);
            redis.awaitReady();
            LOG.info(() -> "embedded Redis (" + exe + ") on 127.0.0.1:" + port + ", data in " + absolute);
            return redis;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded Redis", e);
        }
    }

    public int port() { return port; }

    /** With the password: only this process (and whoever reads the private data directory) can connect. */
    public String url() { return "redis://:" + password + "@127.0.0.1:" + port; }

    /** The password of this data directory's Redis, made once (random) and kept in it (0600). */
    private static String password(Path dir) throws IOException {
        Path file = dir.resolve("redis.password");
        if (!Files.exists(file)) {
            byte[] random = new byte[24];
            new java.security.SecureRandom().nextBytes(random);
            Files.writeString(file, java.util.HexFormat.of().formatHex(random) + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
        return Files.readString(file).strip();
    }

    public String executable() { return executable; }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("redis-server exited at start, see redis.log");
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                s.getOutputStream().write(("AUTH " + password + "\r\nPING\r\n").getBytes());
                byte[] buf = new byte[128];
                StringBuilder answer = new StringBuilder();
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                s.setSoTimeout(200);
                while (answer.indexOf("\r\n", answer.indexOf("\r\n") + 2) < 0 && System.nanoTime() < until) {
                    int n = s.getInputStream().read(buf);
                    if (n < 0) break;
                    answer.append(new String(buf, 0, n));
                }
                // while loading the AOF Redis answers -LOADING: wait until it says PONG
                if (answer.toString().contains("+PONG")) return;
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

    /**
     * The redis-server bundled in the jar, extracted once into a directory of this user's only (0700) and checked
     * against the bundled bytes' SHA-256 at every start: a binary altered on disk is replaced, never run.
     */
    static String bundledExecutable() throws IOException {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) throw new IllegalStateException("no redis-server on the PATH; install Redis or set REDIS_URL");
        String resource = arch.contains("aarch64") || arch.contains("arm64") ? BUNDLED_LINUX_ARM64 : BUNDLED_LINUX_AMD64;
        byte[] bundled;
        try (InputStream in = EmbeddedRedis.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("bundled redis-server " + resource + " not found");
            bundled = in.readAllBytes();
        }
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "snp-dispatch-" + System.getProperty("user.name", "user"));
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path target = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
        if (!Files.isExecutable(target) || !java.util.Arrays.equals(sha256(Files.readAllBytes(target)), sha256(bundled))) {
            Path tmp = Files.createTempFile(dir, "redis", ".part");
            Files.write(tmp, bundled);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        return target.toString();
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
