package fr.snp.dispatch.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One dispatcher as a real JVM ({@code java -cp <test classpath> fr.snp.dispatch.Main}, as a deployment runs it),
 * configured through the environment ({@code DISPATCH_<KEY>}, {@code PORT}), on a loopback port of its own.
 */
final class DispatcherProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    final int port;
    private final Process process;
    private final Path log;

    private DispatcherProcess(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** Started and answering /health with 200 (so Redis reached and the index loaded). */
    static DispatcherProcess start(Path dir, String name, int port, Map<String, String> settings) throws Exception {
        Files.createDirectories(dir);
        Path log = dir.resolve(name + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // small heaps and the serial collector: three JVMs share two cores with Redis, HAProxy and the test's own
        ProcessBuilder b = new ProcessBuilder(java, "-Xmx384m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "fr.snp.dispatch.Main").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .directory(dir.toFile());
        b.environment().remove("REDIS_URL");
        b.environment().put("PORT", String.valueOf(port));
        settings.forEach((k, v) -> b.environment().put("DISPATCH_" + k.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), v));
        DispatcherProcess d = new DispatcherProcess(name, port, b.start(), log);
        try {
            d.awaitHealthy(Duration.ofSeconds(60));
        } catch (Exception | Error e) {
            d.close();
            throw e;
        }
        return d;
    }

    String base() { return "http://127.0.0.1:" + port; }

    long pid() { return process.pid(); }

    boolean alive() { return process.isAlive(); }

    void awaitHealthy(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new AssertionError(name + " exited: " + tail());
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError(name + " not healthy in time: " + tail());
    }

    /** SIGKILL: no shutdown hook, connections cut as a crash cuts them. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    String tail() {
        try {
            String text = Files.readString(log);
            return text.substring(Math.max(0, text.length() - 3000));
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) return;
        process.destroy(); // SIGTERM: the shutdown hook closes the server
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
