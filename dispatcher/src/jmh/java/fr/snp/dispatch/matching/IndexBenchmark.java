package fr.snp.dispatch.matching;

import fr.snp.dispatch.bench.MatchGrowth;
import fr.snp.dispatch.domain.Audience;
import fr.snp.dispatch.domain.Mode;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.domain.SlotStatus;
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

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The index's writes and its gauge count, on MatchGrowth's territory of 1,000 effectors: {@code apply} books and
 * frees one slot (a copy of its location's start-sorted arrays, so it grows with the slots per location),
 * {@code countFigures} is the 15-second pass over every slot behind the slot gauges.
 * <p>{@code mvn -B -pl dispatcher -Pjmh package -DskipTests && java -cp dispatcher/target/dispatcher.jar
 * org.openjdk.jmh.Main IndexBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class IndexBenchmark {
    @Param({"50", "1000"})
    int perEffector;

    TerritoryIndex index;
    SlotState[] slots;
    long version = 1_000_000_000L;
    long nowMs;
    int next;

    @Setup
    public void setUp() {
        nowMs = System.currentTimeMillis();
        long now = nowMs / 1000;
        index = MatchGrowth.territory(1_000, perEffector, now, new Random(7));
        Random r = new Random(3);
        slots = new SlotState[1024];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = index.slot("36-E" + r.nextInt(1_000) + "-" + r.nextInt(perEffector));
            if (slots[i] == null) throw new IllegalStateException("no such slot");
        }
    }

    @Benchmark
    public void apply() {
        SlotState s = slots[next++ & 1023];
        SlotStatus status = (version & 1) == 0 ? SlotStatus.BOOKED : SlotStatus.FREE;
        index.apply(new SlotState(s.id(), s.effectorId(), s.location(), s.start(), s.end(), s.offsetSeconds(), Mode.AMB,
                Audience.SNP.bit, 0, 0, false, status, 0, null, s.week(), version++));
    }

    @Benchmark
    public TerritoryIndex.SlotFigures countFigures() { return index.countFigures(nowMs); }
}
