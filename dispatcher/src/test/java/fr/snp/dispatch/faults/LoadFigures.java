package fr.snp.dispatch.faults;

import java.util.List;

/** What a phase's calls say: counts by outcome, rate, latency of the acknowledged ones, and the failover pause. */
record LoadFigures(int ok, int refused, int unknown, double perSecond, double p50Ms, double p99Ms, double pauseMs) {

    /**
     * {@code faultNs}: when the fault was injected (0: none). The pause runs from the first unclear answer (a 5xx or
     * no answer) to the end of the first booking acknowledged that was sent after it: how long clients could not book.
     */
    static LoadFigures of(List<BookingLoad.Call> calls, long faultNs) { return of(calls, List.of(), faultNs); }

    /** {@code unclearRequestsNs}: when filing a request (the step before booking) got a 5xx or no answer. */
    static LoadFigures of(List<BookingLoad.Call> calls, List<Long> unclearRequestsNs, long faultNs) {
        int ok = 0, refused = 0, unknown = 0;
        long first = Long.MAX_VALUE, last = Long.MIN_VALUE;
        for (BookingLoad.Call c : calls) {
            switch (c.outcome()) {
                case OK -> ok++;
                case REFUSED -> refused++;
                case UNKNOWN -> unknown++;
            }
            first = Math.min(first, c.startNs());
            last = Math.max(last, c.endNs());
        }
        double[] latencies = calls.stream().filter(c -> c.outcome() == BookingLoad.Outcome.OK)
                .mapToDouble(c -> (c.endNs() - c.startNs()) / 1e6).sorted().toArray();
        double pause = -1;
        if (faultNs > 0) {
            long firstUnclear = calls.stream().filter(c -> c.outcome() == BookingLoad.Outcome.UNKNOWN && c.endNs() >= faultNs)
                    .mapToLong(BookingLoad.Call::endNs).min().orElse(0);
            long firstUnclearRequest = unclearRequestsNs.stream().mapToLong(Long::longValue).filter(t -> t >= faultNs).min().orElse(0);
            if (firstUnclearRequest > 0 && (firstUnclear == 0 || firstUnclearRequest < firstUnclear)) firstUnclear = firstUnclearRequest;
            if (firstUnclear > 0) {
                long from = firstUnclear;
                long nextOk = calls.stream().filter(c -> c.outcome() == BookingLoad.Outcome.OK && c.startNs() > from)
                        .mapToLong(BookingLoad.Call::endNs).min().orElse(0);
                pause = nextOk > 0 ? (nextOk - firstUnclear) / 1e6 : Double.POSITIVE_INFINITY;
            } else {
                pause = 0; // no call went unanswered
            }
        }
        double seconds = calls.isEmpty() ? 0 : (last - first) / 1e9;
        return new LoadFigures(ok, refused, unknown, seconds > 0 ? ok / seconds : 0, percentile(latencies, 0.50),
                percentile(latencies, 0.99), pause);
    }

    private static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) return 0;
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
