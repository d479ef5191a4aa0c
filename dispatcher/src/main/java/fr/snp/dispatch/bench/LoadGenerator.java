package fr.snp.dispatch.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The bench's load generator, in its own JVM so that the CPU the server spends per operation can be read from the
 * server's process alone (the figures then carry over to a bigger machine). Started by {@link Benchmark} with one
 * JSON argument (see {@link Spec}); prints {@code MEASURING} when the warm-up ends, {@code MEASURED} when the last
 * measured operation has answered, then {@code RESULT {json}}; the parent reads its CPU counters at the two marks.
 */
public final class LoadGenerator {
    /**
     * What to send: {@code op} book (lines "slotId requestId" of {@code file}: POST /api/v1/appointments with an
     * Idempotency-Key), match (POST /api/v1/requests, a random patient of Indre and around, the next 24 h), feedback
     * (lines of appointment ids: POST /api/v1/appointments/:id/feedback, seen or, one in twelve, no-show) or get
     * ({@code path}); closed ({@code concurrency} clients, {@code warmup} then {@code count} operations) or open
     * ({@code rate}/s for {@code warmupSeconds} then {@code seconds}, over at most {@code concurrency} connections).
     */
    record Spec(int port, String token, String op, String file, String path, boolean open, int concurrency, int warmup,
                int count, int rate, int warmupSeconds, int seconds, String keyPrefix) {
        static Spec of(JsonObject j) {
            return new Spec(j.getInteger("port"), j.getString("token"), j.getString("op"), j.getString("file"),
                    j.getString("path"), j.getBoolean("open", false), j.getInteger("concurrency", 32),
                    j.getInteger("warmup", 0), j.getInteger("count", 0), j.getInteger("rate", 0),
                    j.getInteger("warmupSeconds", 0), j.getInteger("seconds", 0), j.getString("keyPrefix", "lg"));
        }

        /** How many operations the run sends (warm-up included): as many lines the file must have. */
        int operations() { return open ? rate * (warmupSeconds + seconds) : warmup + count; }
    }

    public static void main(String[] args) throws Exception {
        // a load generator outliving its bench (killed, crashed) would go on sending to whatever takes the port next
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
        Spec spec = Spec.of(new JsonObject(args[0]));
        List<String[]> lines = new ArrayList<>();
        if (spec.file() != null) for (String l : Files.readAllLines(Path.of(spec.file()))) lines.add(l.split(" "));
        if (spec.file() != null && lines.size() < spec.operations()) {
            throw new IllegalArgumentException(spec.operations() + " operations, " + lines.size() + " lines in " + spec.file());
        }
        Vertx vertx = Vertx.vertx();
        HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
                .setDefaultPort(spec.port()), new PoolOptions().setHttp1MaxSize(spec.concurrency()));
        Random random = new Random(1);
        IntFunction<CompletableFuture<Boolean>> op = switch (spec.op()) {
            case "book" -> i -> send(http, HttpMethod.POST, "/api/v1/appointments", spec.token(), new JsonObject()
                    .put("slotId", lines.get(i)[0]).put("requestId", lines.get(i)[1]), spec.keyPrefix() + "-" + i, 201);
            case "match" -> i -> send(http, HttpMethod.POST, "/api/v1/requests", spec.token(), new JsonObject()
                    .put("origin", "SAS_116117").put("patient", new JsonObject().put("initials", "BE").put("birthYear", 1960)
                            .put("phone", "0612345678").put("lat", 46.3 + random.nextDouble() * 0.9)
                            .put("lng", 1.0 + random.nextDouble() * 1.2)).put("need", new JsonObject().put("within", "PT24H")),
                    null, 201);
            case "feedback" -> i -> send(http, HttpMethod.POST, "/api/v1/appointments/" + lines.get(i)[0] + "/feedback",
                    spec.token(), new JsonObject().put("answer", i % 12 == 0 ? "no-show" : "seen"), null, 200);
            case "get" -> i -> send(http, HttpMethod.GET, spec.path(), spec.token(), null, null, 200);
            default -> throw new IllegalArgumentException("unknown op " + spec.op());
        };
        JsonObject result;
        long[] cpuAtStart = new long[1];
        Runnable measuring = () -> {
            cpuAtStart[0] = ServerCpu.jvmCpuNs();
            System.out.println("MEASURING");
        };
        int measured;
        if (spec.open()) {
            // a fresh JVM: its JIT is cold and no connection is open yet. The open loop's warm-up second alone left a
            // stall of up to a second at the head of the measured seconds (the client's, not the server's): open every
            // connection and warm the client on GET /ping first, which uses none of the operations' lines
            Load.drive(5_000, spec.concurrency(), i -> send(http, HttpMethod.GET, "/ping", null, null, null, 200));
            Load.OpenResult r = Load.openLoop(spec.rate(), spec.warmupSeconds(), spec.seconds(), spec.concurrency(), op,
                    measuring);
            System.out.println("MEASURED");
            result = r.json();
            measured = spec.rate() * spec.seconds();
        } else {
            if (spec.warmup() > 0) Load.drive(spec.warmup(), spec.concurrency(), op);
            measuring.run();
            int offset = spec.warmup();
            Load.Result r = Load.drive(spec.count(), spec.concurrency(), i -> op.apply(offset + i));
            System.out.println("MEASURED");
            result = r.json();
            measured = spec.count();
        }
        // the client's own CPU per operation (its JIT included): what an HTTP call costs the machine besides the server
        result.put("clientCpuUs", (ServerCpu.jvmCpuNs() - cpuAtStart[0]) / 1000.0 / measured);
        System.out.println("RESULT " + result.encode());
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        System.exit(0);
    }

    /** One call; true when it answered {@code expected}. */
    static CompletableFuture<Boolean> send(HttpClientAgent http, HttpMethod method, String uri, String token,
                                                   JsonObject body, String key, int expected) {
        RequestOptions o = new RequestOptions().setMethod(method).setURI(uri);
        if (token != null) o.putHeader("Authorization", "Bearer " + token);
        if (body != null) o.putHeader("Content-Type", "application/json");
        if (key != null) o.putHeader("Idempotency-Key", key);
        return http.request(o).compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body.encode())))
                .compose(resp -> resp.body().map(b -> resp.statusCode() == expected))
                .toCompletionStage().toCompletableFuture();
    }

    /**
     * Runs a load generator in its own JVM (this one's java and class path, a small heap) and returns its result;
     * {@code atMark} is called with "MEASURING" and "MEASURED" as the child prints them, for the parent's counters.
     */
    static JsonObject run(JsonObject spec, java.util.function.Consumer<String> atMark) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                LoadGenerator.class.getName(), spec.encode()).redirectErrorStream(true).start();
        JsonObject result = null;
        List<String> output = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.equals("MEASURING") || line.equals("MEASURED")) atMark.accept(line);
                else if (line.startsWith("RESULT ")) result = new JsonObject(line.substring(7));
                else output.add(line);
            }
        }
        if (!p.waitFor(10, TimeUnit.MINUTES) || result == null) {
            p.destroyForcibly();
            throw new IllegalStateException("load generator failed: " + String.join("\n", output));
        }
        return result;
    }
}
