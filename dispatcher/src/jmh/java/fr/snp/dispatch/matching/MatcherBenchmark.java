package fr.snp.dispatch.matching;

import fr.snp.dispatch.bench.MatchGrowth;
import fr.snp.dispatch.domain.Mode;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.domain.Viewer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One search on MatchGrowth's territory (~100 km across, 30 km radius, 24 h window, limit 10, AMB), by number of
 * effectors and slots per effector; a VR-accepting search too (it visits every place with teleconsultation slots).
 * <p>{@code mvn -B -pl dispatcher -Pjmh package -DskipTests && java -cp dispatcher/target/dispatcher.jar
 * org.openjdk.jmh.Main MatcherBenchmark} (add {@code -p territory=1000x50} for one size).
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MatcherBenchmark {
    /** Effectors x slots per effector: 50k slots; 1M slots; ten times the effectors (denser) at 50 each. */
    @Param({"1000x50", "1000x1000", "10000x50"})
    String territory;

    TerritoryIndex index;
    Matcher matcher;
    MatchQuery[] queries;
    MatchQuery[] teleconsultation;
    long nowMs;
    int next;

    @Setup
    public void setUp() {
        nowMs = System.currentTimeMillis();
        long now = nowMs / 1000;
        String[] size = territory.split("x");
        index = MatchGrowth.territory(Integer.parseInt(size[0]), Integer.parseInt(size[1]), now, new Random(7));
        matcher = new Matcher(new RankingWeights(0.4, 0.4, 0.2, 2, 3, 10));
        Random r = new Random(11);
        Viewer viewer = new Viewer(Role.REGULATOR, Set.of());
        queries = new MatchQuery[1024];
        teleconsultation = new MatchQuery[1024];
        for (int i = 0; i < queries.length; i++) {
            double lat = 46.3 + r.nextDouble() * 0.9, lng = 1.0 + r.nextDouble() * 1.2;
            queries[i] = new MatchQuery(lat, lng, now, now + 86_400, EnumSet.of(Mode.AMB), null, false, 30, true, viewer, 10);
            teleconsultation[i] = new MatchQuery(lat, lng, now, now + 86_400, EnumSet.allOf(Mode.class), null, false, 30, true, viewer, 10);
        }
    }

    @Benchmark
    public List<Candidate> match() { return matcher.match(index, queries[next++ & 1023], nowMs); }

    @Benchmark
    public List<Candidate> matchAnyMode() { return matcher.match(index, teleconsultation[next++ & 1023], nowMs); }
}
