package fr.snp.dispatch.bench;

import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The two shapes of load the bench applies. A closed loop ({@link #drive}): N clients, each sending its next
 * operation when the last answered; it finds the throughput ceiling, but its latency at saturation is only Little's
 * law (N / throughput). An open loop ({@link #openLoop}): operations fall due at a constant arrival rate whatever the
 * server does, as patients and desks do; latencies are counted from when each was due (no coordinated omission).
 * Used in process (the raw baselines) and by {@link LoadGenerator}, the load generator's own process.
 */
public final class Load {
    private Load() {}

    /** Runs {@code total} operations with at most {@code concurrency} in flight; latencies per operation. */
    static Result drive(int total, int concurrency, IntFunction<CompletableFuture<Boolean>> op) throws InterruptedException {
        Semaphore inFlight = new Semaphore(concurrency);
        CountDownLatch done = new CountDownLatch(total);
        long[] latencies = new long[total];
        AtomicInteger ok = new AtomicInteger();
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            inFlight.acquire();
            int index = i;
            long t0 = System.nanoTime();
            op.apply(i).whenComplete((success, error) -> {
                latencies[index] = System.nanoTime() - t0;
                if (error == null && Boolean.TRUE.equals(success)) ok.incrementAndGet();
                inFlight.release();
                done.countDown();
            });
        }
        done.await(10, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        Arrays.sort(latencies);
        return new Result(total, ok.get(), total / seconds, latencies[total / 2] / 1e6, latencies[total * 99 / 100] / 1e6);
    }

    record Result(int total, int ok, double perSecond, double p50ms, double p99ms) {
        JsonObject json() {
            return new JsonObject().put("total", total).put("ok", ok).put("perSecond", perSecond).put("p50ms", p50ms)
                    .put("p99ms", p99ms);
        }

        static Result of(JsonObject j) {
            return new Result(j.getInteger("total"), j.getInteger("ok"), j.getDouble("perSecond"), j.getDouble("p50ms"),
                    j.getDouble("p99ms"));
        }

        @Override
        public String toString() {
            return String.format("%,d ops (%,d ok) at %,.0f/s, p50 %.2f ms, p99 %.2f ms", total, ok, perSecond, p50ms, p99ms);
        }
    }

    /**
     * An open loop: requests fall due at a constant {@code rate} per second for {@code warmupSeconds + seconds}, over at most
     * {@code connections} in flight; one due while all are busy waits for the first that frees (in order), and every latency
     * counts from the request's scheduled time, not from when it could be sent (no coordinated omission). Only the requests
     * scheduled after the warm-up are measured.
     */
    static OpenResult openLoop(int rate, int warmupSeconds, int seconds, int connections,
                               IntFunction<CompletableFuture<Boolean>> op) throws InterruptedException {
        return openLoop(rate, warmupSeconds, seconds, connections, op, () -> {});
    }

    /** {@code measuring} runs once, when the first measured request falls due (the end of the warm-up). */
    static OpenResult openLoop(int rate, int warmupSeconds, int seconds, int connections,
                               IntFunction<CompletableFuture<Boolean>> op, Runnable measuring) throws InterruptedException {
        int warmup = rate * warmupSeconds;
        int total = warmup + rate * seconds;
        double periodNs = 1e9 / rate;
        Semaphore free = new Semaphore(connections);
        CountDownLatch done = new CountDownLatch(total);
        long[] latencies = new long[total - warmup];
        AtomicInteger ok = new AtomicInteger();
        java.util.concurrent.atomic.AtomicLong lastEnd = new java.util.concurrent.atomic.AtomicLong();
        int waited = 0;
        long maxWait = 0;
        long blockedUntil = Long.MIN_VALUE; // when the last request that found every connection busy got one
        long start = System.nanoTime() + 10_000_000;
        for (int i = 0; i < total; i++) {
            long due = start + (long) (i * periodNs);
            for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
                java.util.concurrent.locks.LockSupport.parkNanos(due - now);
            }
            boolean measured = i >= warmup;
            if (i == warmup) measuring.run();
            if (!free.tryAcquire()) {
                free.acquire();
                blockedUntil = System.nanoTime();
                if (measured) waited++;
            } else if (due < blockedUntil && measured) {
                waited++; // fell due while an earlier one was still waiting for a connection: it queued behind it
            }
            if (measured) maxWait = Math.max(maxWait, System.nanoTime() - due);
            int index = i;
            op.apply(i).whenComplete((success, error) -> {
                long end = System.nanoTime();
                if (index >= warmup) {
                    latencies[index - warmup] = end - due;
                    if (error == null && Boolean.TRUE.equals(success)) ok.incrementAndGet();
                    lastEnd.accumulateAndGet(end, Math::max);
                }
                free.release();
                done.countDown();
            });
        }
        if (!done.await(2, TimeUnit.MINUTES)) throw new IllegalStateException("open loop at " + rate + "/s: responses missing");
        long measuredStart = start + (long) (warmup * periodNs);
        int n = latencies.length;
        // the worst latency of the requests due in each second: a stall (a pause, a fork, a cold JIT) shows as one bad
        // second, a machine over its capacity as a climb
        double[] worstPerSecond = new double[seconds];
        for (int i = 0; i < n; i++) {
            int second = Math.min(seconds - 1, i / rate);
            worstPerSecond[second] = Math.max(worstPerSecond[second], latencies[i] / 1e6);
        }
        Arrays.sort(latencies);
        return new OpenResult(rate, seconds, connections, n, ok.get(), n / ((lastEnd.get() - measuredStart) / 1e9),
                latencies[n / 2] / 1e6, latencies[n * 99 / 100] / 1e6, latencies[n - 1] / 1e6, waited, maxWait / 1e6,
                worstPerSecond);
    }

    record OpenResult(int rate, int seconds, int connections, int total, int ok, double perSecond, double p50ms, double p99ms,
                      double maxMs, int waited, double maxWaitMs, double[] worstPerSecond) {
        JsonObject json() {
            io.vertx.core.json.JsonArray worst = new io.vertx.core.json.JsonArray();
            for (double w : worstPerSecond) worst.add(w);
            return new JsonObject().put("rate", rate).put("seconds", seconds).put("connections", connections).put("total", total)
                    .put("ok", ok).put("perSecond", perSecond).put("p50ms", p50ms).put("p99ms", p99ms).put("maxMs", maxMs)
                    .put("waited", waited).put("maxWaitMs", maxWaitMs).put("worstPerSecondMs", worst);
        }

        static OpenResult of(JsonObject j) {
            return new OpenResult(j.getInteger("rate"), j.getInteger("seconds"), j.getInteger("connections"),
                    j.getInteger("total"), j.getInteger("ok"), j.getDouble("perSecond"), j.getDouble("p50ms"),
                    j.getDouble("p99ms"), j.getDouble("maxMs"), j.getInteger("waited"), j.getDouble("maxWaitMs"),
                    j.getJsonArray("worstPerSecondMs").stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray());
        }

        @Override
        public String toString() {
            StringBuilder worst = new StringBuilder();
            for (double w : worstPerSecond) worst.append(worst.length() == 0 ? "" : " ").append(String.format("%.1f", w));
            return String.format("%,d requests over %d s (%,d ok), achieved %,.0f/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms "
                            + "(worst per second, ms: %s); %,d waited for one of the %d connections; longest delay from scheduled "
                            + "to sent %.2f ms%s", total, seconds, ok, perSecond, p50ms, p99ms, maxMs, worst, waited, connections,
                    maxWaitMs,
                    perSecond < 0.97 * rate ? " (over this machine's capacity: the backlog grew through the run)" : "");
        }
    }

}
