package fr.snp.dispatch.faults;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Rpps;
import fr.snp.dispatch.ops.Haproxy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The deployment under test, as processes: a {@link RedisSetup}, three dispatcher JVMs on it and the shipped HAProxy
 * configuration in front of them (TLS, health checks), the effectors' webhook receiver, and the tokens the clients
 * use. Every process it starts is stopped by {@link #close}.
 */
final class ProcessCluster implements AutoCloseable {
    static final int INSTANCES = 3;

    final Path dir;
    final RedisSetup redis;
    final WebhookReceiver webhooks;
    private final DispatcherProcess[] dispatchers = new DispatcherProcess[INSTANCES];
    private final int[] ports = new int[INSTANCES];
    private Process proxy;
    private final int proxyPort;
    private final Haproxy.TestCertificate certificate;
    final HttpClient http;
    final Api api;
    /** The CPTS platform (publishes slots, files requests and books: not SAS-regulated, so no weekly cap). */
    final String coordinator;
    final String ops;
    private String durability;
    /** Settings of a phase's own over the topology's (e.g. WAIT for more replicas). */
    private Map<String, String> overrides = Map.of();

    private ProcessCluster(Path dir, RedisSetup redis, WebhookReceiver webhooks, String durability) throws Exception {
        this.dir = dir;
        this.redis = redis;
        this.webhooks = webhooks;
        this.durability = durability;
        for (int i = 0; i < INSTANCES; i++) ports[i] = freePort();
        proxyPort = freePort();
        certificate = Haproxy.TestCertificate.make(dir);
        http = HttpClient.newBuilder().sslContext(certificate.trusting()).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        api = new Api("https://127.0.0.1:" + proxyPort, http);
        // the tokens are made by the operator's command, `java -jar dispatcher.jar token create`, run as a process on
        // the shared Redis (one Redis, Sentinel or a cluster: the command connects as the server does)
        coordinator = tokenCreate(dir, "--role", "coordinator", "--name", "fault coordinator", "--territory", "36",
                "--org", "CPTS-TEST", "--cpts", "CPTS-TEST", "--days", "1");
        ops = tokenCreate(dir, "--role", "ops", "--name", "fault ops", "--territory", "36", "--org", "OPS-TEST", "--days", "1");
    }

    /** The token the command prints (its first line), or the command's whole output in the failure. */
    private String tokenCreate(Path dir, String... options) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-cp", System.getProperty("java.class.path"), "fr.snp.dispatch.Main",
                "token", "create"));
        cmd.addAll(List.of(options));
        ProcessBuilder b = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(dir.resolve("token-create.log").toFile());
        b.environment().remove("REDIS_URL");
        b.environment().put("DISPATCH_REDIS_URL", redis.url());
        redis.dispatcherSettings().forEach((k, v) ->
                b.environment().put("DISPATCH_" + k.toUpperCase(java.util.Locale.ROOT).replace('.', '_'), v));
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty() || out.contains("\n")) {
            throw new IllegalStateException("token create failed: " + out + " " + java.nio.file.Files.readString(dir.resolve("token-create.log")));
        }
        return out;
    }

    static ProcessCluster start(Path dir, RedisSetup redis, String durability) throws Exception {
        ProcessCluster c = new ProcessCluster(dir, redis, new WebhookReceiver(), durability);
        try {
            c.startDispatchers();
            c.routeTo(INSTANCES);
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    private Map<String, String> settings() {
        Map<String, String> s = new HashMap<>(Map.of("redis.url", redis.url(), "redis.durability", durability,
                "links.keys", TestServer.LINK_KEYS, "http.instances", "1",
                "limits.writesPerMinute", "0", "limits.activeHoldsPerPrincipal", "0", "limits.liveStreamsPerPrincipal", "0",
                // a comparison of index and Redis every second: the convergence after a fault is measured to the second
                "index.checkSeconds", "1",
                "webhooks.requireHttps", "false", "webhooks.allowedHosts", "127.0.0.1"));
        s.put("outbox.retryBaseMs", "200");
        s.putAll(redis.dispatcherSettings());
        s.putAll(overrides);
        return s;
    }

    /** Every instance (re)started with the cluster's durability, in parallel (a JVM takes seconds to start). */
    private void startDispatchers() throws Exception {
        List<CompletableFuture<DispatcherProcess>> starting = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            int n = i;
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return DispatcherProcess.start(dir.resolve("dispatchers"), "dispatcher" + (n + 1), ports[n], settings());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (int i = 0; i < INSTANCES; i++) dispatchers[i] = starting.get(i).get(90, TimeUnit.SECONDS);
    }

    /** All instances stopped and started again with another durability level (same Redis, same data). */
    void restartDispatchers(String durability) throws Exception { restartDispatchers(durability, Map.of()); }

    void restartDispatchers(String durability, Map<String, String> overrides) throws Exception {
        this.overrides = Map.copyOf(overrides);
        for (int i = 0; i < INSTANCES; i++) {
            if (dispatchers[i] != null) dispatchers[i].close();
            dispatchers[i] = null;
        }
        this.durability = durability;
        // one after the other: three JVMs loading a large index at once on a small machine time out their first reads
        for (int i = 0; i < INSTANCES; i++) {
            dispatchers[i] = DispatcherProcess.start(dir.resolve("dispatchers"), "dispatcher" + (i + 1), ports[i], settings());
        }
        routeTo(INSTANCES);
    }

    /** HAProxy (re)started in front of the first {@code n} instances. */
    void routeTo(int n) throws Exception {
        stopProxy();
        Map<String, String> env = new HashMap<>(Map.of("SNP_PROXY_BIND", "127.0.0.1:" + proxyPort,
                "SNP_PROXY_CERT", certificate.pem().toString(), "SNP_DISPATCHER", "127.0.0.1:" + ports[0]));
        if (n >= 2) env.put("SNP_DISPATCHER_2", "127.0.0.1:" + ports[1]);
        if (n >= 3) env.put("SNP_DISPATCHER_3", "127.0.0.1:" + ports[2]);
        proxy = Haproxy.start(Haproxy.OPS.resolve("haproxy/haproxy.cfg"), env, dir.resolve("haproxy.log"), proxyPort);
        Haproxy.awaitUp(api);
    }

    String proxyBase() { return "https://127.0.0.1:" + proxyPort; }

    /** Each live instance directly (not through the proxy): each answers for its own index. */
    List<Api> instanceApis() {
        List<Api> out = new ArrayList<>();
        for (DispatcherProcess d : dispatchers) if (d != null && d.alive()) out.add(new Api(d.base()));
        return out;
    }

    List<DispatcherProcess> live() {
        List<DispatcherProcess> out = new ArrayList<>();
        for (DispatcherProcess d : dispatchers) if (d != null && d.alive()) out.add(d);
        return out;
    }

    /** SIGKILL of one instance (left dead: the proxy's health check takes it out). */
    void killDispatcher(int i) throws InterruptedException { dispatchers[i].kill(); }

    /** Every live instance answers /health again (Redis reached, index loaded). */
    void awaitInstancesHealthy() throws Exception {
        for (DispatcherProcess d : live()) d.awaitHealthy(Duration.ofSeconds(30));
        Haproxy.awaitUp(api);
    }

    /** CPU-ms so far of every live instance, summed. */
    long dispatchersCpuMs() {
        return live().stream().mapToLong(d -> CpuTime.ms(d.pid())).sum();
    }

    /** {@code n} effectors of territory 36, each with its webhook at the test's receiver. */
    List<String> effectors(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            JsonObject body = new JsonObject().put("rpps", Rpps.withCheckDigit(String.format("10888%05d", i)))
                    .put("firstName", "Faute").put("lastName", "Matrice" + i).put("specialty", "SM54")
                    .put("cpts", new JsonArray().add("CPTS-TEST")).put("webhookUrl", webhooks.url())
                    .put("locations", new JsonArray().add(new JsonObject().put("name", "Cabinet").put("communeInsee", "36044")));
            Api.Response r = api.post("/api/v1/effectors", coordinator, body);
            if (r.status() != 201) throw new IllegalStateException("effector not created: " + r);
            ids.add(r.json().getString("id"));
        }
        return ids;
    }

    private void stopProxy() throws InterruptedException {
        if (proxy != null) {
            proxy.destroyForcibly();
            proxy.waitFor(10, TimeUnit.SECONDS);
            proxy = null;
        }
    }

    static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        try {
            stopProxy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (DispatcherProcess d : dispatchers) if (d != null) d.close();
        webhooks.close();
    }
}
