package fr.snp.dispatch.booking;

import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.redis.Keys;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each effector's start index (Keys.effectorSlots): a publication adds the slot (member its start minute, score its
 * start) and trims the slots that started more than a week ago, so that the set stays in Redis' compact encoding,
 * which the embedded Redis keeps up to 512 members. Real redis-server and dispatcher.
 */
class EffectorSlotIndexTest {

    @Test
    void publishingAddsTheSlotAndTrimsWhatStartedOverAWeekAgo() throws Exception {
        try (TestServer server = TestServer.start(Map.of("http.instances", "1"))) {
            String effector = server.effector("36044", null);
            String key = Keys.effectorSlots("36", effector);
            long now = server.dispatcher.services().nowMs() / 1000;
            // slots published long ago (written as publish.lua would have then)
            String eightDaysAgo = Ids.slot(effector, (now - 8 * 86_400) / 60 * 60);
            String sixDaysAgo = Ids.slot(effector, (now - 6 * 86_400) / 60 * 60);
            server.redis.zadd(key, Ids.slotStart(eightDaysAgo), Ids.slotMinute(eightDaysAgo));
            server.redis.zadd(key, Ids.slotStart(sixDaysAgo), Ids.slotMinute(sixDaysAgo));

            String slot = server.slot(effector, 120, "AMB", "SNP");
            assertThat(server.redis.zscore(key, Ids.slotMinute(slot))).isEqualTo((double) Ids.slotStart(slot));
            assertThat(server.redis.zscore(key, Ids.slotMinute(eightDaysAgo))).as("started over a week ago").isNull();
            assertThat(server.redis.zscore(key, Ids.slotMinute(sixDaysAgo))).as("within the week").isNotNull();
        }
    }

    @Test
    void anEffectorsIndexOf500SlotsStaysCompact() throws Exception {
        try (TestServer server = TestServer.start(Map.of("http.instances", "1"))) {
            String key = Keys.effectorSlots("36", "36-E999");
            long start = 2_000_000_000L;
            for (int i = 0; i < 500; i++) server.redis.zadd(key, start + i * 10_800L, Ids.slotMinute(Ids.slot("36-E999", start + i * 10_800L)));
            // "listpack" on Redis 7, "ziplist" on the bundled 6.2: the compact encoding either way
            assertThat(server.redis.objectEncoding(key)).isIn("listpack", "ziplist");
        }
    }
}
