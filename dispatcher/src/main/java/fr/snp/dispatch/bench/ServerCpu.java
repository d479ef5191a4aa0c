package fr.snp.dispatch.bench;

import io.lettuce.core.api.sync.RedisCommands;

import java.lang.management.ManagementFactory;

/**
 * CPU spent over a phase, per operation: this JVM's (the server's, when the load comes from a {@link LoadGenerator}
 * process) and Redis's (its used_cpu counters), plus what INFO commandstats says of the phase: Redis commands per
 * operation and microseconds per EVALSHA. CPU time per operation carries over to a bigger machine; throughput on
 * two shared cores does not.
 */
record ServerCpu(long jvmNs, long jitNs, double redisSeconds, java.util.Map<String, Long> byThread) {
    static ServerCpu start(RedisCommands<String, String> redis) {
        redis.configResetstat();
        return new ServerCpu(jvmCpuNs(), jitCpuNs(), redisCpu(redis), threadCpuNs());
    }

    /**
     * CPU time of this JVM's threads by kind: Lettuce's I/O (encoding commands, decoding replies and whatever runs
     * in their callbacks), Vert.x's event loops (HTTP, handlers), the rest (workers, GC is not a Java thread).
     */
    static java.util.Map<String, Long> threadCpuNs() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t == null) continue;
            long ns = threads.getThreadCpuTime(t.getThreadId());
            if (ns < 0) continue;
            String name = t.getThreadName();
            String kind = name.startsWith("lettuce-") ? "lettuce" : name.startsWith("vert.x-eventloop") ? "vertx" : "other";
            out.merge(kind, ns, Long::sum);
        }
        return out;
    }

    /**
     * The machine's CPU ticks in all and those stolen by the hypervisor (/proc/stat's first line; zeros elsewhere): on
     * a shared virtual machine, the share of a run's time the host gave to other guests, which no code change moves.
     */
    static long[] machineTicks() {
        try {
            String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) total += Long.parseLong(f[i]);
            return new long[]{total, f.length > 8 ? Long.parseLong(f[8]) : 0};
        } catch (java.io.IOException | RuntimeException e) {
            return new long[]{0, 0};
        }
    }

    /** serverUs: this JVM; redisUs: Redis; commands: Redis calls per operation; evalshaUs: time inside one script. */
    record PerOp(double serverUs, double redisUs, double commands, double evalshaUs, String threads) {
        @Override
        public String toString() {
            return String.format("server JVM %.0f us [%s], Redis %.0f us (%.1f commands%s)", serverUs, threads, redisUs,
                    commands, Double.isNaN(evalshaUs) ? "" : String.format(", %.0f us per EVALSHA", evalshaUs));
        }
    }

    /**
     * Waits (at most a minute) until the work the phase left behind is done: the outbox's consumer groups have read
     * and acknowledged every entry. A booking's notification is delivered after the booking answered; without this
     * wait its CPU would be counted in the next phase (a burst of raw bookings made the HTTP phase look 3x dearer).
     */
    static void drain(RedisCommands<String, String> redis, String... streams) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        for (String stream : streams) {
            while (System.currentTimeMillis() < deadline && !drained(redis, stream)) Thread.sleep(20);
        }
    }

    private static boolean drained(RedisCommands<String, String> redis, String stream) {
        if (redis.exists(stream) == 0) return true;
        for (Object group : redis.xinfoGroups(stream)) {
            java.util.List<?> fields = (java.util.List<?>) group;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                String name = String.valueOf(fields.get(i));
                Object value = fields.get(i + 1);
                // pending: read, not acknowledged; lag: not read yet (Redis 7)
                if ((name.equals("pending") || name.equals("lag")) && value instanceof Long n && n > 0) return false;
            }
        }
        return true;
    }

    PerOp per(RedisCommands<String, String> redis, int ops) {
        // the JIT compilers' threads left out: compiling the code a phase is the first to run is a one-off, not a cost
        // per operation (it was a third of the HTTP phase's CPU with a short warm-up on a busy machine)
        double jvmUs = (jvmCpuNs() - jvmNs - Math.max(0, jitCpuNs() - jitNs)) / 1000.0 / ops;
        double redisUs = (redisCpu(redis) - redisSeconds) * 1e6 / ops;
        long calls = 0;
        double evalsha = Double.NaN;
        for (String line : redis.info("commandstats").split("\r?\n")) {
            if (!line.startsWith("cmdstat_") || line.startsWith("cmdstat_info:") || line.startsWith("cmdstat_config")) continue;
            // cmdstat_evalsha:calls=10000,usec=…,usec_per_call=…,rejected_calls=0,failed_calls=0
            calls += Long.parseLong(line.replaceAll("^cmdstat_[^:]+:calls=([0-9]+),.*", "$1"));
            if (line.startsWith("cmdstat_evalsha:")) evalsha = Double.parseDouble(line.replaceAll(".*,usec_per_call=([0-9.]+),.*", "$1"));
        }
        StringBuilder threads = new StringBuilder();
        threadCpuNs().forEach((kind, ns) -> threads.append(threads.length() == 0 ? "" : ", ").append(kind).append(' ')
                .append(Math.round((ns - byThread.getOrDefault(kind, 0L)) / 1000.0 / ops)));
        return new PerOp(jvmUs, redisUs, (double) calls / ops, evalsha, threads.toString());
    }

    static long jvmCpuNs() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * CPU time of the JIT compiler threads of this process (Linux: /proc/self/task/<tid>/stat, utime + stime in clock
     * ticks of 10 ms); 0 where /proc is not there. A compiler thread that exits takes its time with it: the bench's
     * warm-ups keep that to the first phase.
     */
    static long jitCpuNs() {
        long ticks = 0;
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) return 0;
        for (java.io.File task : tasks) {
            try {
                String comm = java.nio.file.Files.readString(task.toPath().resolve("comm")).strip();
                if (!comm.startsWith("C1 Compiler") && !comm.startsWith("C2 Compiler")) continue;
                String stat = java.nio.file.Files.readString(task.toPath().resolve("stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of proc(5): utime, stime
            } catch (java.io.IOException | RuntimeException gone) {
                // the thread ended meanwhile
            }
        }
        return ticks * 10_000_000L;
    }

    static double redisCpu(RedisCommands<String, String> redis) {
        String cpu = redis.info("cpu");
        return Double.parseDouble(field(cpu, "used_cpu_sys")) + Double.parseDouble(field(cpu, "used_cpu_user"));
    }

    private static String field(String info, String name) {
        for (String line : info.split("\r?\n")) if (line.startsWith(name + ":")) return line.substring(name.length() + 1).strip();
        throw new IllegalStateException(name + " not in INFO");
    }
}
