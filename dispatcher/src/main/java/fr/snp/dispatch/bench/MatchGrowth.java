package fr.snp.dispatch.bench;

import fr.snp.dispatch.domain.Audience;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Mode;
import fr.snp.dispatch.domain.PracticeLocation;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.domain.SlotStatus;
import fr.snp.dispatch.domain.Viewer;
import fr.snp.dispatch.matching.Candidate;
import fr.snp.dispatch.matching.MatchQuery;
import fr.snp.dispatch.matching.Matcher;
import fr.snp.dispatch.matching.RankingWeights;
import fr.snp.dispatch.matching.TerritoryIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * How the match cost grows, in process (no HTTP, no Redis): with the number of slots (1k to 1M, same 1,000
 * effectors) and with the number of effectors (1,000 to 10,000, 50 slots each, on the same territory, so ten times
 * denser). The territory is ~100 km across (46.3-47.2 N, 1.0-2.2 E); a query is a regulator's SAS request from a
 * random point, 30 km, a 24 h window, AMB, limit 10. Each size is warmed up, then timed one match at a time.
 * <p>Run alone: {@code java -cp dispatcher/target/dispatcher.jar fr.snp.dispatch.bench.MatchGrowth}.
 */
public final class MatchGrowth {
    static final int EFFECTORS = 1_000;
    static final int WARMUP = 5_000;
    static final int MEASURED = 20_000;

    private MatchGrowth() {}

    public static void main(String[] args) {
        Figures f = new Figures();
        run(f);
        System.out.println(f.line());
    }

    /** Prints both tables and records their figures (match_p50_us_*, match_growth_*_ratio). */
    static void run(Figures f) {
        System.out.printf("%nMatch cost vs number of slots (in-process, 1,000 effectors, 30 km, 24 h window, regulator):%n");
        System.out.printf("%10s %10s %10s %10s%n", "slots", "p50 us", "p99 us", "mean us");
        double p50At1k = 0;
        for (int total : new int[]{1_000, 10_000, 100_000, 1_000_000}) {
            long[] t = matchTimes(EFFECTORS, Math.max(1, total / EFFECTORS));
            double p50 = p50(t);
            print(total, t);
            String size = total >= 1_000_000 ? (total / 1_000_000) + "m" : (total / 1_000) + "k";
            f.put("match_p50_us_" + size + "_slots", p50);
            if (total == 1_000) p50At1k = p50;
            if (total == 1_000_000) {
                f.put("match_p99_us_1m_slots", p99(t));
                f.put("match_growth_1k_to_1m_ratio", p50 / p50At1k);
            }
        }
        System.out.printf("%nMatch cost vs number of effectors (in-process, 50 slots each, same territory, 30 km, 24 h):%n");
        System.out.printf("%10s %10s %10s %10s%n", "effectors", "p50 us", "p99 us", "mean us");
        double p50At1000 = 0;
        for (int effectors : new int[]{1_000, 10_000}) {
            long[] t = matchTimes(effectors, 50);
            double p50 = p50(t);
            print(effectors, t);
            f.put("match_p50_us_" + effectors + "_effectors", p50);
            if (effectors == 1_000) p50At1000 = p50;
            else f.put("match_growth_1000_to_10000_effectors_ratio", p50 / p50At1000);
        }
    }

    private static void print(int size, long[] t) {
        double mean = Arrays.stream(t).average().orElse(0) / 1000;
        System.out.printf("%,10d %10.1f %10.1f %10.1f%n", size, p50(t), p99(t), mean);
    }

    private static double p50(long[] sorted) { return sorted[sorted.length / 2] / 1000.0; }

    private static double p99(long[] sorted) { return sorted[sorted.length * 99 / 100] / 1000.0; }

    /** Sorted match times (ns) on a fresh index of {@code effectors} with {@code perEffector} slots each over 28 days. */
    static long[] matchTimes(int effectors, int perEffector) {
        long nowMs = System.currentTimeMillis();
        long now = nowMs / 1000;
        TerritoryIndex index = territory(effectors, perEffector, now, new Random(7));
        Matcher matcher = new Matcher(new RankingWeights(0.4, 0.4, 0.2, 2, 3, 10));
        Viewer viewer = new Viewer(Role.REGULATOR, Set.of());
        Random r = new Random(11);
        long[] times = new long[MEASURED];
        for (int i = 0; i < WARMUP + MEASURED; i++) {
            MatchQuery q = MatchSampler.query(r, now, EnumSet.of(Mode.AMB), viewer);
            long t0 = System.nanoTime();
            List<Candidate> c = matcher.match(index, q, nowMs);
            long dt = System.nanoTime() - t0;
            if (i >= WARMUP) times[i - WARMUP] = dt;
            if (c.size() > 10) throw new IllegalStateException("more candidates than the limit");
        }
        Arrays.sort(times);
        return times;
    }

    /** Effectors at random points of the territory, one practice each, free SNP slots spread over 28 days. */
    public static TerritoryIndex territory(int effectors, int perEffector, long now, Random r) {
        TerritoryIndex index = new TerritoryIndex();
        List<Effector> all = new ArrayList<>(effectors);
        for (int i = 0; i < effectors; i++) {
            Effector e = new Effector("36-E" + i, "36", "10000000000", "A", "B", "SM54", List.of(new PracticeLocation(0, "c", "",
                    "36044", "x", 46.3 + r.nextDouble() * 0.9, 1.0 + r.nextDouble() * 1.2, "PRACTICE", true)), Set.of(), 20, 0, null, null);
            index.putEffector(e);
            all.add(e);
        }
        long span = 28L * 86_400; // slots spread over the 28-day publication horizon
        long version = 1;
        for (Effector e : all) {
            for (int k = 0; k < perEffector; k++) {
                long start = now + 900 + span * k / perEffector + r.nextInt(600);
                start -= start % 60;
                index.apply(new SlotState(e.id() + "-" + k, e.id(), 0, start, start + 900, 3600, Mode.AMB, Audience.SNP.bit, 0, 0,
                        false, SlotStatus.FREE, 0, null, "W", version++));
            }
        }
        return index;
    }
}
