package fr.snp.dispatch.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The run's figures as a Markdown report: printed, and written to dispatcher/target/fault-matrix-{topology}.md. */
final class MatrixReport {
    private final String topology;
    private final List<String> quiet = new ArrayList<>();
    private final List<String> faults = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    MatrixReport(String topology) { this.topology = topology; }

    void quiet(int instances, LoadFigures f, double dispatcherCpuMsPerBooking, double redisCpuMsPerBooking) {
        quiet.add(String.format(Locale.ROOT, "| %d | %d | %.0f | %.1f | %.1f | %.2f | %.2f |", instances, f.ok(), f.perSecond(),
                f.p50Ms(), f.p99Ms(), dispatcherCpuMsPerBooking, redisCpuMsPerBooking));
    }

    void fault(String scenario, String durability, LoadFigures f, Checker.Findings c, long convergenceMs) {
        faults.add(String.format(Locale.ROOT, "| %s | %s | %s | %d | %d | %d | %d | %d | %d/%d/%d | %d | %d/%d | %s | %s |",
                scenario, durability, pause(f.pauseMs()), f.ok(), f.refused(),
                f.unknown(), c.lost(), c.doubles(), c.settledBooked(), c.settledRefused(), c.unsettled(), c.booked(),
                c.notificationsMissing(), c.ghostNotifications(), ms(convergenceMs), ms(c.convergenceMs())));
    }

    void note(String line) { notes.add(line); }

    private static String pause(double ms) {
        if (ms < 0) return "-";
        if (Double.isInfinite(ms)) return "no 201 again within the load";
        return String.format(Locale.ROOT, "%.0f", ms);
    }

    private static String ms(long v) { return v < 0 ? "not reached" : v + " ms"; }

    String markdown() {
        StringBuilder b = new StringBuilder("# Fault matrix (" + topology + ", 3 dispatcher JVMs behind HAProxy)\n\n");
        b.append("## Quiet phases (no fault, strict durability, 8 clients through HAProxy)\n\n")
                .append("| dispatchers | bookings | bookings/s | p50 ms | p99 ms | dispatcher CPU-ms/booking | Redis master CPU-ms/booking |\n")
                .append("|---|---|---|---|---|---|---|\n");
        quiet.forEach(l -> b.append(l).append('\n'));
        b.append("\nA booking here is two calls (file the request, book the slot); CPU is utime+stime of every dispatcher JVM"
                + " running (all three, whichever the proxy uses) and of the master redis-server, over the phase.\n\n");
        b.append("## Faults (under load)\n\n")
                .append("| scenario | durability | pause ms (first 5xx → next 201) | ok | refused | unknown | lost | doubles "
                        + "| unknown settled booked/409/unsettled | booked in all | webhooks missing/ghost | index convergence after fault "
                        + "| index convergence after settling |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        faults.forEach(l -> b.append(l).append('\n'));
        if (!notes.isEmpty()) {
            b.append('\n');
            notes.forEach(n -> b.append("- ").append(n).append('\n'));
        }
        return b.toString();
    }

    void write() throws java.io.IOException {
        String md = markdown();
        System.out.println(md);
        Path out = Path.of("target", "fault-matrix-" + topology + ".md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md);
    }
}
