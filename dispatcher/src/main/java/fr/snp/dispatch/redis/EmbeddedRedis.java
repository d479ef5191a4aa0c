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
 * <p>
 * Supervised: when the process dies without {@link #close()} asking it to (killed, out of memory), it is started
 * again on the same data directory, port and password, so that Lettuce's auto-reconnect finds it and the AOF is
 * replayed; attempts are spaced by a growing back-off (0.2 s, 0.5 s, 1 s, 2 s, then every 5 s, without end), and
 * the listeners given to {@link #onRestart} run once the new process answers.
 */
public final class EmbeddedRedis implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedRedis.class.getName());
    /** zset-max-listpack-entries of the embedded Redis, and the least the start check asks of an external one. */
    public static final int ZSET_LISTPACK_ENTRIES = 512;
    private static final String BUNDLED_LINUX_AMD64 = "/redis-server-6.2.6-v5-linux-amd64";
    private static final String BUNDLED_LINUX_ARM64 = "/redis-server-6.2.7-linux-arm64";
    /** Delays before the successive attempts to start a dead Redis again; the last one repeats. */
    private static final long[] BACKOFF_MS = {200, 500, 1000, 2000, 5000};
    /** A process that lived this long was healthy: its death starts the back-off from the first step again. */
    private static final long HEALTHY_AFTER_MS = 30_000;

    private final List<String> command;
    private final Path dataDir;
    private final int port;
    private final String executable;
    private final String password;
    private final Object lock = new Object();
    private final java.util.concurrent.atomic.AtomicLong restarts = new java.util.concurrent.atomic.AtomicLong();
    private final List<Runnable> restartListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** One daemon thread for the restarts: a restart waits for Redis to load its AOF, never on a pool's thread. */
    private final java.util.concurrent.ScheduledExecutorService supervisor;
    /** Guarded by {@link #lock}: the running process, replaced at each restart. */
    private Process process;
    private long startedAtMs;
    /** Guarded by {@link #lock}: how many attempts failed in a row (the back-off step). */
    private int failedAttempts;
    private volatile boolean closed;

    private EmbeddedRedis(List<String> command, Path dataDir, int port, String executable, String password) {
        this.command = List.copyOf(command);
        this.dataDir = dataDir;
        this.password = password;
        this.port = port;
        this.executable = executable;
        this.supervisor = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "embedded-redis-supervisor");
            t.setDaemon(true);
            return t;
        });
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
            // each effector's start index (Keys.effectorSlots) stays a compact listpack up to 512 slots (a slot every
            // 3 h for two months) instead of 128, past which Redis turns it into a skiplist at ~8 times the bytes;
            // spelt "ziplist": the name the bundled 6.2 knows, which Redis 7 keeps as an alias of the listpack one
            Files.writeString(conf, "requirepass " + password + "\n" + "zset-max-ziplist-entries " + ZSET_LISTPACK_ENTRIES + "\n");
            Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
            List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "umask 077 && exec \"$0\" \"$@\"", exe, conf.toString(),
                    "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--dir", absolute.toString(), "--pidfile", absolute.resolve("redis.pid").toString(),
                    "--daemonize", "no", "--save", "", "--protected-mode", "yes",
                    "--appendonly", persistent ? "yes" : "no", "--appendfsync", appendfsync,
                    "--logfile", absolute.resolve("redis.log").toString()));
            EmbeddedRedis redis = new EmbeddedRedis(cmd, absolute, port, exe, password);
            try {
                redis.launch();
            } catch (RuntimeException | IOException failed) {
                redis.close();
                throw failed;
            }
            LOG.info(() -> "embedded Redis (" + exe + ") on 127.0.0.1:" + port + ", data in " + absolute);
            return redis;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded Redis", e);
        }
    }

    /** Starts the process, waits until it answers, then watches for its death. */
    private void launch() throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        synchronized (lock) {
            if (closed) { // closed while a restart was on its way: this process must not outlive us
                p.destroy();
                return;
            }
            process = p;
            startedAtMs = System.currentTimeMillis();
        }
        try {
            awaitReady(p);
        } catch (RuntimeException notReady) {
            p.destroyForcibly();
            throw notReady;
        }
        p.onExit().thenRun(() -> exited(p));
    }

    /** A process of ours ended: unless it was asked to, it is started again after the back-off. */
    private void exited(Process p) {
        long delay;
        synchronized (lock) {
            if (closed || p != process) return;
            if (System.currentTimeMillis() - startedAtMs >= HEALTHY_AFTER_MS) failedAttempts = 0;
            delay = BACKOFF_MS[Math.min(failedAttempts, BACKOFF_MS.length - 1)];
        }
        // the exit code only: redis.log in the data directory says why
        LOG.warning("embedded Redis (pid " + p.pid() + ") exited with code " + exitCode(p) + " unasked; starting it again on port "
                + port + " in " + delay + " ms");
        schedule(delay);
    }

    private void schedule(long delayMs) {
        try {
            supervisor.schedule(this::restart, delayMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // closed meanwhile: nothing to restart
        }
    }

    private void restart() {
        if (closed) return;
        try {
            launch();
            if (closed) return;
            long n = restarts.incrementAndGet();
            LOG.warning("embedded Redis started again (restart " + n + "), pid " + pid() + ", port " + port
                    + ", AOF replayed from " + dataDir);
            for (Runnable listener : restartListeners) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    LOG.log(java.util.logging.Level.WARNING, "after the embedded Redis restart: " + e, e);
                }
            }
        } catch (RuntimeException | IOException failed) {
            long delay;
            synchronized (lock) {
                if (closed) return;
                failedAttempts++;
                delay = BACKOFF_MS[Math.min(failedAttempts, BACKOFF_MS.length - 1)];
            }
            LOG.warning("embedded Redis did not start again (" + failed.getMessage() + "), next attempt in " + delay + " ms");
            schedule(delay);
        }
    }

    private static String exitCode(Process p) {
        try {
            return String.valueOf(p.exitValue());
        } catch (IllegalThreadStateException running) {
            return "?";
        }
    }

    /** Runs {@code listener} (on the supervisor's thread) each time a dead Redis has been started again and answers. */
    public void onRestart(Runnable listener) { restartListeners.add(listener); }

    /** How many times a Redis that died unasked was started again. */
    public long restarts() { return restarts.get(); }

    /** The running redis-server's process id (the last one started). */
    public long pid() {
        synchronized (lock) { return process.pid(); }
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

    private void awaitReady(Process process) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (closed) return;
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
        Process p;
        synchronized (lock) {
            closed = true; // before the signal: this exit is asked for, the supervisor must not undo it
            p = process;
        }
        supervisor.shutdownNow();
        if (p == null) return;
        p.destroy(); // SIGTERM: Redis flushes the AOF and exits
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
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

    /**
     * Stops the Redis an earlier run left on this data directory (the JVM was killed, its child lived on), and waits
     * until it is gone: two processes must never append to the same AOF. The pid file may be stale (the process is
     * dead, or its pid now names another process): only a live redis-server working in this very directory is
     * stopped, anything else is left alone and the file is ignored.
     */
    static void stopLeftover(Path pidFile) {
        long pid;
        try {
            if (!Files.exists(pidFile)) return;
            pid = Long.parseLong(Files.readString(pidFile).strip());
        } catch (IOException | NumberFormatException unreadable) {
            LOG.warning("ignoring an unreadable pid file " + pidFile);
            return;
        }
        ProcessHandle h = ProcessHandle.of(pid).orElse(null);
        if (h == null || gone(h) || !isRedisOf(h, pidFile.getParent())) {
            LOG.info(() -> "ignoring a stale pid file (pid " + pid + " is not a Redis of this data directory)");
            return;
        }
        LOG.warning("stopping a leftover embedded Redis (pid " + pid + ") on the same data directory");
        h.destroy(); // SIGTERM: it writes what it has to its AOF and exits
        if (!awaitGone(h, 10_000)) {
            LOG.warning("the leftover Redis (pid " + pid + ") did not stop within 10 s: killing it");
            h.destroyForcibly();
            if (!awaitGone(h, 5_000)) {
                throw new IllegalStateException("a leftover Redis (pid " + pid + ") still runs on " + pidFile.getParent()
                        + "; stop it before starting");
            }
        }
    }

    /** A live redis-server whose working directory is {@code dir} (Redis changes to its --dir at start). */
    private static boolean isRedisOf(ProcessHandle h, Path dir) {
        if (!h.info().command().orElse("").contains("redis")) return false;
        Path cwd = Path.of("/proc", String.valueOf(h.pid()), "cwd");
        try {
            return Files.isSameFile(cwd.toRealPath(), dir);
        } catch (IOException | SecurityException unknown) {
            // no /proc (not Linux): the name is all there is to go by
            return !Files.isDirectory(Path.of("/proc", "self"));
        }
    }

    /**
     * Ended, or ended and not reaped yet: a process orphaned to a PID 1 that reaps nothing (some containers) stays
     * a zombie, which {@link ProcessHandle#isAlive} still counts as alive, though it holds no file any more.
     */
    private static boolean gone(ProcessHandle h) {
        if (!h.isAlive()) return true;
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(h.pid()), "stat"));
            String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
            return state.equals("Z") || state.equals("X");
        } catch (IOException | RuntimeException noProc) {
            return false; // no /proc to read: isAlive said it runs
        }
    }

    private static boolean awaitGone(ProcessHandle h, long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!gone(h)) {
            if (System.currentTimeMillis() >= deadline) return false;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
