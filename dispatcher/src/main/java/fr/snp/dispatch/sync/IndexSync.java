package fr.snp.dispatch.sync;

import fr.snp.dispatch.directory.EffectorStore;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.live.LiveFeed;
import fr.snp.dispatch.matching.SlotIndex;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps this instance's index equal to Redis: at start it notes where each territory's change stream ends, loads
 * effectors, weekly loads and the slots that have not ended, then follows the streams from the noted point, so
 * a change made meanwhile (here or by another instance) is applied once loaded (versions make it idempotent).
 * Each entry also goes to the live feed of the browsers connected to this instance.
 */
public final class IndexSync implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(IndexSync.class.getName());
    private static final int BATCH = 2000;

    private final RedisClient client;
    private final RedisAsyncCommands<String, String> redis;
    private final SlotIndex index;
    private final EffectorStore effectors;
    private final LiveFeed live;
    private final Map<String, String> positions = new HashMap<>();
    private volatile boolean running = true;
    private Thread follower;
    private StatefulRedisConnection<String, String> followConnection;
    /** When the follower last went round (epoch ms): the dispatch_loop_last_tick_seconds{loop="index-follower"} gauge. */
    private volatile long lastTickMs = System.currentTimeMillis();
    /** A test's way to make the follower fail once (an Error, say); nothing in production. */
    volatile Runnable tickHook;

    public IndexSync(RedisClient client, RedisAsyncCommands<String, String> redis, SlotIndex index, EffectorStore effectors,
                     LiveFeed live) {
        this.live = live;
        this.client = client;
        this.redis = redis;
        this.index = index;
        this.effectors = effectors;
    }

    /** Loads every territory (blocking: done once, before the HTTP server listens). Returns slots loaded. */
    public int loadAll(long nowMs) throws Exception {
        int total = 0;
        for (String territory : redis.smembers(Keys.TERRITORIES).get(30, TimeUnit.SECONDS)) {
            total += loadTerritory(territory, nowMs);
        }
        return total;
    }

    private int loadTerritory(String t, long nowMs) throws Exception {
        List<StreamMessage<String, String>> last = redis.xrevrange(Keys.events(t), Range.create("-", "+"),
                io.lettuce.core.Limit.create(0, 1)).get(30, TimeUnit.SECONDS);
        synchronized (positions) { positions.put(t, last.isEmpty() ? "0-0" : last.get(0).getId()); }
        effectors.loadAll(t).toCompletableFuture().get(30, TimeUnit.SECONDS);
        redis.hgetall(Keys.load(t)).get(30, TimeUnit.SECONDS).forEach((field, value) -> {
            String[] parts = field.split(":"); // week:effector:s|a
            int[] current = index.territory(t).load(parts[1], parts[0]);
            int v = Integer.parseInt(value);
            if (parts[2].equals("a")) index.setLoad(parts[1], parts[0], v, current[1]);
            else index.setLoad(parts[1], parts[0], current[0], v);
        });
        List<String> ids = redis.zrangebyscore(Keys.slotsByStart(t),
                Range.create((double) (nowMs / 1000 - 86_400), Double.POSITIVE_INFINITY)).get(60, TimeUnit.SECONDS);
        for (int from = 0; from < ids.size(); from += BATCH) {
            List<String> batch = ids.subList(from, Math.min(ids.size(), from + BATCH));
            List<CompletableFuture<Map<String, String>>> hashes = new ArrayList<>(batch.size());
            for (String id : batch) hashes.add(redis.hgetall(Keys.slot(t, id)).toCompletableFuture());
            for (int i = 0; i < batch.size(); i++) {
                Map<String, String> h = hashes.get(i).get(60, TimeUnit.SECONDS);
                if (!h.isEmpty()) index.apply(SlotState.fromHash(batch.get(i), h));
            }
        }
        LOG.info(() -> "territory " + t + ": " + index.territory(t).allEffectors().size() + " effectors, "
                + index.territory(t).size() + " slots loaded");
        return ids.size();
    }

    /** Follows the change streams on a connection of its own (XREAD BLOCK would stall shared commands). */
    public void follow() {
        followConnection = client.connect();
        follower = new Thread(this::followLoop, "index-follower");
        follower.setDaemon(true);
        follower.start();
    }

    /** When the follower last went round (epoch ms); a follower dead or stuck stops moving it. */
    public long lastTickMs() { return lastTickMs; }

    private void followLoop() {
        RedisCommands<String, String> sync = followConnection.sync();
        long nextTerritoryCheck = 0;
        while (running) {
            lastTickMs = System.currentTimeMillis();
            try {
                Runnable hook = tickHook;
                if (hook != null) hook.run();
                if (System.currentTimeMillis() >= nextTerritoryCheck) {
                    Set<String> known = sync.smembers(Keys.TERRITORIES);
                    for (String t : known) {
                        boolean isNew;
                        synchronized (positions) { isNew = !positions.containsKey(t); }
                        if (isNew) synchronized (positions) { positions.put(t, "0-0"); }
                    }
                    nextTerritoryCheck = System.currentTimeMillis() + 5_000;
                }
                // a territory this instance just created is followed at once (others are found by the check above)
                for (String t : index.territories()) synchronized (positions) { positions.putIfAbsent(t, "0-0"); }
                List<XReadArgs.StreamOffset<String>> offsets = new ArrayList<>();
                synchronized (positions) {
                    positions.forEach((t, id) -> offsets.add(XReadArgs.StreamOffset.from(Keys.events(t), id)));
                }
                if (offsets.isEmpty()) { Thread.sleep(500); continue; }
                @SuppressWarnings("unchecked")
                List<StreamMessage<String, String>> messages = sync.xread(XReadArgs.Builder.block(500).count(1000),
                        offsets.toArray(new XReadArgs.StreamOffset[0]));
                for (StreamMessage<String, String> m : messages) apply(m);
            } catch (Throwable e) {
                // any Throwable, an Error included: a dead follower would leave this instance's index silently behind
                // Redis while it goes on answering; nothing it holds outlives an iteration (an OutOfMemoryError's
                // garbage is gone once unwound), so it goes on from its positions after a pause, logged with the stack
                if (!running) return;
                if (e instanceof InterruptedException) Thread.interrupted(); // nobody interrupts it but close()
                LOG.log(Level.SEVERE, "change stream follower: " + e + " (going on in a second)", e);
                try { Thread.sleep(1000); } catch (InterruptedException ie) { if (!running) return; }
            }
        }
    }

    private void apply(StreamMessage<String, String> m) {
        String stream = m.getStream();
        String t = stream.substring(stream.indexOf('{') + 1, stream.indexOf('}'));
        synchronized (positions) { positions.put(t, m.getId()); }
        Map<String, String> body = m.getBody();
        String id = body.get("id");
        if ("effector".equals(body.get("type"))) {
            effectors.load(t, id);
            return;
        }
        SlotState s = SlotState.fromHash(id, body);
        index.apply(s);
        if (body.containsKey("la")) {
            index.setLoad(s.effectorId(), s.week(), Integer.parseInt(body.get("la")), Integer.parseInt(body.get("ls")));
        }
        live.publish(t, m.getId(), body);
    }

    @Override
    public void close() {
        running = false;
        if (follower != null) {
            try { follower.join(3000); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        }
        if (followConnection != null) followConnection.close();
    }
}
