package fr.snp.dispatch.sync;

import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Moves a territory's start index as versions before issue 14 kept it (one sorted set of slot ids for the whole
 * territory, {@link Keys#legacySlotsByStart}) into one small sorted set per effector ({@link Keys#effectorSlots}),
 * so that a Redis written by those versions still loads. Run before each load of a territory: once the old set is
 * gone, it costs one empty ZRANGE.
 * <p>
 * Chunk by chunk, each entry is removed from the old set only after its copy is written (ZADD of the same member and
 * score is harmless when repeated): instances migrating at once, a crash midway, or an instance of the previous
 * version still adding to the old set during a rolling upgrade lose no entry; what such an instance adds after the
 * old set is emptied is moved at the next load (a start, or a rebuild of the index), and its instances' indexes have
 * it meanwhile from the change stream.
 */
final class LegacySlotIndex {
    private static final Logger LOG = Logger.getLogger(LegacySlotIndex.class.getName());
    /** Entries moved per round trip pair (read, then copy and remove). */
    static final int CHUNK = 1000;

    private LegacySlotIndex() {}

    /** Moves every entry of {@code t}'s old start index into the per-effector sets; answers how many were moved. */
    static int migrate(RedisClusterAsyncCommands<String, String> redis, String t) throws Exception {
        String old = Keys.legacySlotsByStart(t);
        int moved = 0;
        while (true) {
            List<ScoredValue<String>> chunk = redis.zrangeWithScores(old, 0, CHUNK - 1).get(60, TimeUnit.SECONDS);
            if (chunk.isEmpty()) break;
            List<CompletableFuture<Long>> copies = new ArrayList<>(chunk.size());
            String[] ids = new String[chunk.size()];
            for (int i = 0; i < chunk.size(); i++) {
                String id = chunk.get(i).getValue();
                ids[i] = id;
                copies.add(redis.zadd(Keys.effectorSlots(t, Ids.effectorOfSlot(id)), chunk.get(i).getScore(),
                        Ids.slotMinute(id)).toCompletableFuture());
            }
            for (CompletableFuture<Long> c : copies) c.get(60, TimeUnit.SECONDS);
            redis.zrem(old, ids).get(60, TimeUnit.SECONDS);
            moved += chunk.size();
        }
        if (moved > 0) {
            int n = moved;
            LOG.info(() -> "territory " + t + ": " + n + " slots moved from the territory's start index into one per effector");
        }
        return moved;
    }
}
