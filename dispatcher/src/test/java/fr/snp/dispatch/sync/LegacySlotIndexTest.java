package fr.snp.dispatch.sync;

import fr.snp.dispatch.Dispatcher;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.ScoredValue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Redis written by a version before issue 14 (one territory-wide sorted set of slot ids by start) still loads: an
 * instance starting on it moves the entries into one sorted set per effector, deletes the old set, and its index
 * holds every slot. Real redis-server and dispatchers.
 */
class LegacySlotIndexTest {

    @Test
    void anInstanceStartingOnTheOldStartIndexMovesItIntoOnePerEffectorAndLoadsEverySlot() throws Exception {
        try (TestServer server = TestServer.start(Map.of("http.instances", "1"))) {
            List<String> effectors = List.of(server.effector("36044", null), server.effector("36044", null));
            List<String> slots = new ArrayList<>();
            for (int e = 0; e < effectors.size(); e++) {
                for (int i = 0; i < 3; i++) slots.add(server.slot(effectors.get(e), 60 + e * 7 + i * 30, "AMB", "SNP"));
            }
            // the layout the previous version wrote: every slot id in the territory's set, no per-effector set
            for (String e : effectors) {
                for (ScoredValue<String> m : server.redis.zrangeWithScores(Keys.effectorSlots("36", e), 0, -1)) {
                    server.redis.zadd(Keys.legacySlotsByStart("36"), m.getScore(), Ids.slotOfMinute(e, m.getValue()));
                }
                server.redis.del(Keys.effectorSlots("36", e));
            }
            assertThat(server.redis.zcard(Keys.legacySlotsByStart("36"))).isEqualTo(slots.size());

            try (Dispatcher second = server.secondInstance()) {
                assertThat(server.redis.exists(Keys.legacySlotsByStart("36"))).as("the old set is gone").isZero();
                for (String id : slots) {
                    assertThat(second.services().index().slot(id)).as(id).isNotNull();
                    assertThat(server.redis.zscore(Keys.effectorSlots("36", Ids.effectorOfSlot(id)), Ids.slotMinute(id)))
                            .as(id).isEqualTo((double) Ids.slotStart(id));
                }
                for (String e : effectors) assertThat(server.redis.zcard(Keys.effectorSlots("36", e))).isEqualTo(3);
            }
        }
    }

    /** More entries than one chunk: moved in several, none left behind; a second pass finds nothing to move. */
    @Test
    void aLargeOldIndexIsMovedChunkByChunk() throws Exception {
        try (TestServer server = TestServer.start(Map.of("http.instances", "1"))) {
            int n = LegacySlotIndex.CHUNK * 2 + 17;
            long start = 2_000_000_000L;
            for (int i = 0; i < n; i++) {
                long s = start + i * 3600L;
                server.redis.zadd(Keys.legacySlotsByStart("36"), s, Ids.slot("36-E" + (i % 7), s));
            }
            var redis = server.redis.getStatefulConnection().async();
            assertThat(LegacySlotIndex.migrate(redis, "36")).isEqualTo(n);
            assertThat(LegacySlotIndex.migrate(redis, "36")).isZero();
            assertThat(server.redis.exists(Keys.legacySlotsByStart("36"))).isZero();
            long total = 0;
            for (int e = 0; e < 7; e++) total += server.redis.zcard(Keys.effectorSlots("36", "36-E" + e));
            assertThat(total).isEqualTo(n);
            assertThat(server.redis.zscore(Keys.effectorSlots("36", "36-E3"), Ids.slotMinute(Ids.slot("36-E3", start + 3 * 3600L))))
                    .isEqualTo((double) (start + 3 * 3600L));
        }
    }
}
