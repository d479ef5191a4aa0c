package fr.snp.dispatch.bench;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.domain.Mode;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.domain.Viewer;
import fr.snp.dispatch.matching.MatchQuery;
import fr.snp.dispatch.matching.Matcher;
import fr.snp.dispatch.matching.RankingWeights;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;

/**
 * Matches on the live index of Indre once a millisecond while a phase loads the server, timing each match by the
 * wall clock and by its thread's CPU clock. The server's histogram (dispatch_match_seconds) can only see the wall
 * clock; on a saturated machine a thread preempted in the middle of a 100 us match shows milliseconds. The CPU clock
 * tells what the match itself cost under the same load (cache misses and all), the wall clock what it was made to wait.
 */
final class MatchSampler {
    record Times(int count, double wallP50Us, double wallP99Us, double cpuP50Us, double cpuP99Us) {}

    private final Thread thread;
    private volatile boolean running = true;
    private final long[] wall = new long[200_000];
    private final long[] cpu = new long[200_000];
    private int count;

    private MatchSampler(Services s, RankingWeights weights) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Matcher matcher = new Matcher(weights);
        Viewer viewer = new Viewer(Role.REGULATOR, Set.of());
        Random random = new Random(7);
        thread = new Thread(() -> {
            while (running && count < wall.length) {
                long nowMs = s.nowMs();
                MatchQuery q = query(random, nowMs / 1000, EnumSet.allOf(Mode.class), viewer);
                long c0 = threads.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                matcher.match(s.index().territory("36"), q, nowMs);
                long t1 = System.nanoTime();
                long c1 = threads.getCurrentThreadCpuTime();
                wall[count] = t1 - t0;
                cpu[count] = c1 - c0;
                count++;
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        }, "bench-match-sampler");
        thread.setDaemon(true);
    }

    /**
     * The bench's search: a patient at a random point of Indre and around, the next 24 h, 30 km, SAS-regulated, the
     * 10 best (what the quiet, loaded and growth measures all ask, so that their figures compare).
     */
    static MatchQuery query(Random random, long nowSec, java.util.Set<Mode> modes, Viewer viewer) {
        return new MatchQuery(46.3 + random.nextDouble() * 0.9, 1.0 + random.nextDouble() * 1.2, nowSec, nowSec + 86_400,
                modes, null, false, 30, true, viewer, 10);
    }

    static MatchSampler start(Services s, RankingWeights weights) {
        MatchSampler m = new MatchSampler(s, weights);
        m.thread.start();
        return m;
    }

    Times stop() throws InterruptedException {
        running = false;
        thread.join();
        int n = Math.max(1, count);
        long[] w = Arrays.copyOf(wall, n);
        long[] c = Arrays.copyOf(cpu, n);
        Arrays.sort(w);
        Arrays.sort(c);
        return new Times(count, w[n / 2] / 1e3, w[n * 99 / 100] / 1e3, c[n / 2] / 1e3, c[n * 99 / 100] / 1e3);
    }
}
