package fr.snp.dispatch.bench;

import io.lettuce.core.api.sync.RedisCommands;

import java.lang.management.ManagementFactory;

/**
 * CPU spent over a phase, per operation: this JVM's (the server's, when the load comes from a {@link LoadGenerator}
 * process) and Redis's (its used_cpu counters), plus what INFO commandstats says of the phase: Redis commands per
 * operation and microseconds per EVALSHA. CPU time per operation carries over to a bigger machine; throughput on
 * two shared cores does not.
 */
record ServerCpu(long jvmNs, long jitNs, double redisSeconds) {
    static ServerCpu start(RedisCommands<String, String> redis) {
        redis.configResetstat();
        return new ServerCpu(jvmCpuNs(), jitCpuNs(), redisCpu(redis));
    }

    /** serverUs: this JVM; redisUs: Redis; commands: Redis calls per operation; evalshaUs: time inside one script. */
    record PerOp(double serverUs, double redisUs, double commands, double evalshaUs) {
        @Override
        public String toString() {
            return String.format("server JVM %.0f us, Redis %.0f us (%.1f commands%s)", serverUs, redisUs, commands,
                    Double.isNaN(evalshaUs) ? "" : String.format(", %.0f us per EVALSHA", evalshaUs));
        }
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
        return new PerOp(jvmUs, redisUs, (double) calls / ops, evalsha);
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
