package fr.snp.dispatch.bench;

import io.lettuce.core.api.sync.RedisCommands;

import java.lang.management.ManagementFactory;

/**
 * CPU spent over a phase, per operation: this JVM's (the server's, when the load comes from a {@link LoadGenerator}
 * process) and Redis's (its used_cpu counters), plus what INFO commandstats says of the phase: Redis commands per
 * operation and microseconds per EVALSHA. CPU time per operation carries over to a bigger machine; throughput on
 * two shared cores does not.
 */
record ServerCpu(long jvmNs, double redisSeconds) {
    static ServerCpu start(RedisCommands<String, String> redis) {
        redis.configResetstat();
        return new ServerCpu(jvmCpuNs(), redisCpu(redis));
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
        double jvmUs = (jvmCpuNs() - jvmNs) / 1000.0 / ops;
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

    static double redisCpu(RedisCommands<String, String> redis) {
        String cpu = redis.info("cpu");
        return Double.parseDouble(field(cpu, "used_cpu_sys")) + Double.parseDouble(field(cpu, "used_cpu_user"));
    }

    private static String field(String info, String name) {
        for (String line : info.split("\r?\n")) if (line.startsWith(name + ":")) return line.substring(name.length() + 1).strip();
        throw new IllegalStateException(name + " not in INFO");
    }
}
