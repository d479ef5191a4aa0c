package fr.snp.dispatch.faults;

import java.nio.file.Files;
import java.nio.file.Path;

/** A process' CPU time (user + system) as Linux counts it in /proc/&lt;pid&gt;/stat, in milliseconds. */
final class CpuTime {
    /** Linux' USER_HZ: the unit of utime and stime, 100 on every usual kernel ({@code getconf CLK_TCK}). */
    private static final long TICKS_PER_SECOND = 100;

    private CpuTime() {}

    static long ms(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // the command name (field 2) may hold spaces: fields are counted from the closing parenthesis
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime (field 14), stime (field 15)
            return ticks * 1000 / TICKS_PER_SECOND;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("no CPU time for pid " + pid, e);
        }
    }
}
