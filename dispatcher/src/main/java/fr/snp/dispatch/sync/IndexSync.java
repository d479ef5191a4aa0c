package fr.snp.dispatch.sync;

import fr.snp.dispatch.directory.EffectorStore;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.live.LiveFeed;
import fr.snp.dispatch.directory.EffectorJson;
import fr.snp.dispatch.matching.SlotIndex;
import fr.snp.dispatch.matching.TerritoryIndex;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.redis.RedisConnections;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.vertx.core.json.JsonObject;

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
 * <p>
 * After Redis restarted from its AOF (the embedded one, supervised), Redis may have lost its last writes (up to a
 * second with appendfsync everysec), which the index still holds; and the change stream may end before the point
 * the follower had reached. {@link #reloadSoon} has the follower rebuild each territory's index from Redis and swap
 * it in, then follow each stream from its end as read before that rebuild.
 * <p>
 * <b>The index cannot drift unnoticed.</b> The follower also rebuilds the index when Redis is another server than
 * the one it loaded from (a new replication id: a failover, which may have lost the last writes and reuse their slot
 * versions), and when a territory's stream no longer holds the entry it had reached (trimmed past it: entries it
 * never read are gone). And every {@code index.checkSeconds} it compares each territory's index with Redis (counts by
 * status and an order-free hash of id, version and status of every slot starting from an hour ago), at a moment
 * when nothing is in flight (the stream's end unchanged before and after reading Redis, and equal to where the
 * follower stands); a difference rebuilds the index. {@link IndexChecks} keeps what was found, for ops and metrics.
 */
public final class IndexSync implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(IndexSync.class.getName());
    /** Slots read per pipelined batch: small enough that a batch is answered well within the command time-out. */
    private static final int BATCH = 500;

    private final RedisConnections connections;
    private final RedisClusterAsyncCommands<String, String> redis;
    private final SlotIndex index;
    private final EffectorStore effectors;
    private final LiveFeed live;
    private final Map<String, String> positions = new HashMap<>();
    private volatile boolean running = true;
    /** Reloads asked for (by restarts of Redis) and reloads done: the follower reloads while the first is ahead. */
    private final java.util.concurrent.atomic.AtomicLong reloadsAsked = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong reloadsDone = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.function.LongSupplier nowMs;
    private Thread follower;
    private RedisConnections.Dedicated followConnection;
    /** When the follower last went round (epoch ms): the dispatch_loop_last_tick_seconds{loop="index-follower"} gauge. */
    private volatile long lastTickMs = System.currentTimeMillis();
    /** A test's way to make the follower fail once (an Error, say); nothing in production. */
    volatile Runnable tickHook;
    private final IndexChecks checks;
    /** The replication id of the Redis the index was loaded from (a restart or a failover changes it). */
    private volatile String replid;
    /** How often the index is compared with Redis (ms; 0: never). */
    private volatile long checkMs;
    /** Set after the follower's Redis calls failed: on its next round it checks where it resumes. */
    private volatile boolean resumed;

    public IndexSync(RedisConnections connections, SlotIndex index, EffectorStore effectors,
                     LiveFeed live, java.util.function.LongSupplier nowMs) {
        this(connections, index, effectors, live, nowMs, new IndexChecks(), 0);
    }

    /** With the comparisons recorded in {@code checks}, made every {@code checkMs} (0: never). */
    public IndexSync(RedisConnections connections, SlotIndex index, EffectorStore effectors,
                     LiveFeed live, java.util.function.LongSupplier nowMs, IndexChecks checks, long checkMs) {
        this.checks = checks;
        this.checkMs = checkMs;
        this.nowMs = nowMs;
        this.live = live;
        this.connections = connections;
        this.redis = connections.async();
        this.index = index;
        this.effectors = effectors;
    }

    /** Loads every territory (blocking: done once, before the HTTP server listens). Returns slots loaded. */
    public int loadAll(long nowMs) throws Exception {
        replid = currentReplid();
        int total = 0;
        for (String territory : redis.smembers(Keys.TERRITORIES).get(30, TimeUnit.SECONDS)) {
            total += loadAtStart(territory, nowMs);
        }
        return total;
    }

    /**
     * A territory's first load, tried again when Redis answers too late: several instances starting together (a
     * deployment's restart) read tens of thousands of slots at once, and a batch answered after the store's command
     * time-out would otherwise stop the start (seen in the fault matrix with three JVMs started together).
     */
    private int loadAtStart(String territory, long nowMs) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return loadTerritory(territory, nowMs);
            } catch (java.util.concurrent.ExecutionException e) {
                if (attempt == LOAD_ATTEMPTS || !(e.getCause() instanceof io.lettuce.core.RedisCommandTimeoutException)) throw e;
                int next = attempt + 1;
                LOG.warning(() -> "loading territory " + territory + ": Redis answered too late, trying again (" + next + "/"
                        + LOAD_ATTEMPTS + ")");
                Thread.sleep(500L * attempt);
            }
        }
    }

    static final int LOAD_ATTEMPTS = 4;

    /**
     * Builds the territory's index afresh from Redis and swaps it in; the change stream is then followed from where
     * it ended before the build, so what changed during the build is applied to the new index.
     */
    private int loadTerritory(String t, long nowMs) throws Exception {
        LegacySlotIndex.migrate(redis, t);
        List<StreamMessage<String, String>> last = redis.xrevrange(Keys.events(t), Range.create("-", "+"),
                io.lettuce.core.Limit.create(0, 1)).get(30, TimeUnit.SECONDS);
        String streamEnd = last.isEmpty() ? "0-0" : last.get(0).getId();
        TerritoryIndex fresh = new TerritoryIndex();
        redis.hgetall(Keys.effectors(t)).get(30, TimeUnit.SECONDS)
                .values().forEach(json -> fresh.putEffector(EffectorJson.effector(new JsonObject(json))));
        redis.hgetall(Keys.load(t)).get(30, TimeUnit.SECONDS).forEach((field, value) -> {
            String[] parts = field.split(":"); // week:effector:s|a
            int[] current = fresh.load(parts[1], parts[0]);
            int v = Integer.parseInt(value);
            if (parts[2].equals("a")) fresh.setLoad(parts[1], parts[0], v, current[1]);
            else fresh.setLoad(parts[1], parts[0], current[0], v);
        });
        int read = forEachSlot(t, nowMs / 1000 - 86_400, id -> redis.hgetall(Keys.slot(t, id)), (id, h) -> {
            if (!h.isEmpty()) fresh.apply(SlotState.fromHash(id, h));
        });
        index.replace(t, fresh);
        synchronized (positions) { positions.put(t, streamEnd); }
        LOG.info(() -> "territory " + t + ": " + fresh.allEffectors().size() + " effectors, " + fresh.size() + " slots loaded");
        return read;
    }

    /**
     * Reads every slot of a territory starting from {@code fromSec} (by its effectors' start indexes) with
     * {@code read}, in pipelined batches, and hands each answer to {@code each} in start order; answers how many ids
     * the indexes named.
     */
    private <T> int forEachSlot(String t, long fromSec, java.util.function.Function<String, io.lettuce.core.RedisFuture<T>> read,
                                java.util.function.BiConsumer<String, T> each) throws Exception {
        List<String> ids = slotIds(t, fromSec);
        for (int from = 0; from < ids.size(); from += BATCH) {
            List<String> batch = ids.subList(from, Math.min(ids.size(), from + BATCH));
            List<CompletableFuture<T>> answers = new ArrayList<>(batch.size());
            for (String id : batch) answers.add(read.apply(id).toCompletableFuture());
            for (int i = 0; i < batch.size(); i++) each.accept(batch.get(i), answers.get(i).get(60, TimeUnit.SECONDS));
        }
        return ids.size();
    }

    /**
     * The ids of a territory's slots starting from {@code fromSec}, in start order: one ZRANGEBYSCORE per effector of
     * the territory (its effectors hash names them all: an effector is never removed), pipelined in batches.
     */
    private List<String> slotIds(String t, long fromSec) throws Exception {
        List<String> effectorIds = redis.hkeys(Keys.effectors(t)).get(60, TimeUnit.SECONDS);
        Range<Double> from = Range.create((double) fromSec, Double.POSITIVE_INFINITY);
        List<String> ids = new ArrayList<>();
        for (int at = 0; at < effectorIds.size(); at += BATCH) {
            List<String> batch = effectorIds.subList(at, Math.min(effectorIds.size(), at + BATCH));
            List<CompletableFuture<List<String>>> answers = new ArrayList<>(batch.size());
            for (String e : batch) answers.add(redis.zrangebyscore(Keys.effectorSlots(t, e), from).toCompletableFuture());
            for (int i = 0; i < batch.size(); i++) {
                for (String minute : answers.get(i).get(60, TimeUnit.SECONDS)) ids.add(Ids.slotOfMinute(batch.get(i), minute));
            }
        }
        ids.sort(java.util.Comparator.comparingLong(Ids::slotStart).thenComparing(java.util.Comparator.naturalOrder()));
        return ids;
    }

    /**
     * Asks the follower to rebuild every territory's index from Redis (after Redis restarted and may have lost its
     * last writes). Returns at once; the follower retries until Redis answers, and reloads once for asks made meanwhile.
     */
    public void reloadSoon() { reloadSoon("restart"); }

    /** The same, counted under {@code reason} (see {@link IndexChecks#REASONS}). */
    public void reloadSoon(String reason) {
        checks.reloaded(reason);
        reloadsAsked.incrementAndGet();
    }

    /** How many reloads asked by {@link #reloadSoon} are done. */
    public long reloadsDone() { return reloadsDone.get(); }

    /**
     * The reload, on the follower's thread, so that no stream entry read before it moves a position past the point
     * it resets. Territories the index knows but Redis lost (created in its last second) are emptied too.
     */
    private void reloadIfAsked() throws Exception {
        long asked = reloadsAsked.get();
        if (asked == reloadsDone.get()) return;
        replid = currentReplid();
        Set<String> all = new java.util.TreeSet<>(redis.smembers(Keys.TERRITORIES).get(30, TimeUnit.SECONDS));
        all.addAll(index.territories());
        int slots = 0;
        for (String t : all) slots += loadTerritory(t, nowMs.getAsLong());
        reloadsDone.set(asked);
        int loaded = slots;
        LOG.info(() -> "index reloaded from Redis after its restart: " + all.size() + " territories, " + loaded + " slots");
    }

    /** Follows the change streams on a connection of its own (XREAD BLOCK would stall shared commands). */
    public void follow() {
        followConnection = connections.connect();
        follower = new Thread(this::followLoop, "index-follower");
        follower.setDaemon(true);
        follower.start();
    }

    /** When the follower last went round (epoch ms); a follower dead or stuck stops moving it. */
    public long lastTickMs() { return lastTickMs; }

    private void followLoop() {
        RedisClusterCommands<String, String> sync = followConnection.sync();
        long nextTerritoryCheck = 0;
        long nextComparison = System.currentTimeMillis() + checkMs;
        while (running) {
            lastTickMs = System.currentTimeMillis();
            try {
                Runnable hook = tickHook;
                if (hook != null) hook.run();
                reloadIfAsked();
                if (resumed) {
                    // back after Redis failed us: is it the same Redis, and does each stream still hold our place?
                    resumed = false;
                    if (sourceChanged(sync)) continue;
                }
                if (checkMs > 0 && System.currentTimeMillis() >= nextComparison) {
                    nextComparison = System.currentTimeMillis() + checkMs;
                    if (!sourceChanged(sync)) compareWithRedis(sync);
                }
                if (System.currentTimeMillis() >= nextTerritoryCheck) {
                    // read before it is due again: on a cluster, the master holding the list may be away for a while
                    nextTerritoryCheck = System.currentTimeMillis() + 5_000;
                    Set<String> known = sync.smembers(Keys.TERRITORIES);
                    for (String t : known) {
                        boolean isNew;
                        synchronized (positions) { isNew = !positions.containsKey(t); }
                        if (isNew) synchronized (positions) { positions.put(t, "0-0"); }
                    }
                }
                // a territory this instance just created is followed at once (others are found by the check above)
                for (String t : index.territories()) synchronized (positions) { positions.putIfAbsent(t, "0-0"); }
                List<XReadArgs.StreamOffset<String>> offsets = new ArrayList<>();
                synchronized (positions) {
                    positions.forEach((t, id) -> offsets.add(XReadArgs.StreamOffset.from(Keys.events(t), id)));
                }
                if (offsets.isEmpty()) { Thread.sleep(500); continue; }
                List<StreamMessage<String, String>> messages = read(sync, offsets);
                for (StreamMessage<String, String> m : messages) apply(m);
                if (messages.isEmpty() && followConnection.isCluster()) Thread.sleep(CLUSTER_POLL_MS);
            } catch (Throwable e) {
                // any Throwable, an Error included: a dead follower would leave this instance's index silently behind
                // Redis while it goes on answering; nothing it holds outlives an iteration (an OutOfMemoryError's
                // garbage is gone once unwound), so it goes on from its positions after a pause, logged with the stack
                if (!running) return;
                if (e instanceof InterruptedException) Thread.interrupted(); // nobody interrupts it but close()
                resumed = true;
                // a reload waits for Redis to answer again: retried sooner, to leave the stale index early
                boolean reloading = reloadsAsked.get() != reloadsDone.get();
                if (reloading) LOG.log(Level.WARNING, "change stream follower: " + e.getMessage() + " (reloading when Redis answers)");
                else LOG.log(Level.SEVERE, "change stream follower: " + e + " (going on in a second)", e);
                try { Thread.sleep(reloading ? 200 : 1000); } catch (InterruptedException ie) { if (!running) return; }
            }
        }
    }

    /**
     * Whether the index must be rebuilt because Redis is not what it was loaded from: another replication id (a
     * failover or a restart), or a stream trimmed past the entry the follower reached. Asks the rebuild if so.
     */
    private boolean sourceChanged(RedisClusterCommands<String, String> sync) {
        String now = currentReplid();
        if (now != null && replid != null && !now.equals(replid)) {
            LOG.warning("Redis is another server than the index was loaded from (new replication id): rebuilding the index");
            replid = now;
            reloadSoon("new_master");
            return true;
        }
        Map<String, String> at;
        synchronized (positions) { at = new HashMap<>(positions); }
        for (Map.Entry<String, String> p : at.entrySet()) {
            if (p.getValue().equals("0-0")) continue;
            List<StreamMessage<String, String>> first;
            try {
                first = sync.xrange(Keys.events(p.getKey()), Range.create("-", "+"), io.lettuce.core.Limit.create(0, 1));
            } catch (io.lettuce.core.RedisException away) {
                // its master away (a cluster's other masters answer): checked again at the next round
                resumed = true;
                continue;
            }
            if (!first.isEmpty() && compareIds(first.get(0).getId(), p.getValue()) > 0) {
                LOG.warning("the change stream of " + p.getKey() + " was trimmed past the follower's place: rebuilding the index");
                reloadSoon("gap");
                return true;
            }
        }
        return false;
    }

    /** Compares each territory's index with Redis when nothing is in flight there; a difference rebuilds the index. */
    private void compareWithRedis(RedisClusterCommands<String, String> sync) throws Exception {
        long fromSec = nowMs.getAsLong() / 1000 - 3600;
        for (String t : index.territories()) {
            try {
                compareWithRedis(sync, t, fromSec);
            } catch (io.lettuce.core.RedisException | java.util.concurrent.ExecutionException
                     | java.util.concurrent.TimeoutException away) {
                // its master away (a cluster's others answer): compared at a later round
                continue;
            }
            if (reloadsAsked.get() != reloadsDone.get()) return; // a difference found: the rebuild covers the rest
        }
    }

    /** One territory's comparison, when nothing is in flight there (else left to a later round). */
    private void compareWithRedis(RedisClusterCommands<String, String> sync, String t, long fromSec) throws Exception {
        String before = streamEnd(sync, t);
        String at;
        synchronized (positions) { at = positions.getOrDefault(t, "0-0"); }
        if (!before.equals(at)) return; // entries still to read: compared at a later round
        TerritoryIndex.Digest stored = redisDigest(t, fromSec);
        if (!streamEnd(sync, t).equals(before)) return; // changed while read: a later round
        TerritoryIndex.Digest held = index.territory(t).digest(fromSec);
        IndexChecks.Check c = new IndexChecks.Check(System.currentTimeMillis(), fromSec, held, stored);
        checks.record(t, c);
        if (!c.inSync()) {
            LOG.warning("the index of " + t + " differs from Redis (index " + held + ", Redis " + stored + "): rebuilding it");
            reloadSoon("drift");
        }
    }

    /** Redis' side of {@link TerritoryIndex#digest}: the slots starting from {@code fromSec}, read in pipelined batches. */
    TerritoryIndex.Digest redisDigest(String t, long fromSec) throws Exception {
        long[] sums = new long[3]; // free, booked, hash
        forEachSlot(t, fromSec, id -> redis.hmget(Keys.slot(t, id), "v", "st", "s"), (id, h) -> {
            if (!h.get(0).hasValue() || !h.get(1).hasValue()) return;
            // no "s": the start is the one the id tells (SlotState.fromHash)
            long start = h.get(2).hasValue() ? Long.parseLong(h.get(2).getValue()) : Ids.slotStart(id);
            if (start < fromSec) return;
            fr.snp.dispatch.domain.SlotStatus st = fr.snp.dispatch.domain.SlotStatus.ofCode(h.get(1).getValue());
            if (st == fr.snp.dispatch.domain.SlotStatus.CANCELLED) return;
            sums[st == fr.snp.dispatch.domain.SlotStatus.FREE ? 0 : 1]++;
            sums[2] += TerritoryIndex.Digest.of(id, Long.parseLong(h.get(0).getValue()), st);
        });
        return new TerritoryIndex.Digest(sums[0], sums[1], sums[2]);
    }

    private static String streamEnd(RedisClusterCommands<String, String> sync, String t) {
        List<StreamMessage<String, String>> last = sync.xrevrange(Keys.events(t), Range.create("-", "+"),
                io.lettuce.core.Limit.create(0, 1));
        return last.isEmpty() ? "0-0" : last.get(0).getId();
    }

    /** Stream ids compared as (milliseconds, sequence). */
    static int compareIds(String a, String b) {
        int da = a.indexOf('-'), db = b.indexOf('-');
        int c = Long.compare(Long.parseLong(a.substring(0, da)), Long.parseLong(b.substring(0, db)));
        return c != 0 ? c : Long.compare(Long.parseLong(a.substring(da + 1)), Long.parseLong(b.substring(db + 1)));
    }

    /**
     * The new entries of every followed stream. One Redis: one XREAD of all streams, blocking up to half a second.
     * A cluster refuses a read of streams in several hash slots (CROSSSLOT), and a blocking read would stall the
     * other commands to that master on this connection: one non-blocking XREAD per territory, all sent at once (one
     * round trip to each master), the loop pausing {@link #CLUSTER_POLL_MS} when none had anything.
     */
    @SuppressWarnings("unchecked")
    private List<StreamMessage<String, String>> read(RedisClusterCommands<String, String> sync,
                                                     List<XReadArgs.StreamOffset<String>> offsets) throws Exception {
        if (!followConnection.isCluster()) {
            return sync.xread(XReadArgs.Builder.block(500).count(1000), offsets.toArray(new XReadArgs.StreamOffset[0]));
        }
        RedisClusterAsyncCommands<String, String> async = followConnection.async();
        List<java.util.concurrent.CompletableFuture<List<StreamMessage<String, String>>>> reads = new ArrayList<>();
        for (XReadArgs.StreamOffset<String> o : offsets) {
            reads.add(async.xread(XReadArgs.Builder.count(1000), o).toCompletableFuture());
        }
        // a master away fails its territories' reads only: the others' entries are applied (their live feeds and
        // indexes go on while it fails over), and the follower checks where it resumes at its next round
        List<StreamMessage<String, String>> all = new ArrayList<>();
        List<String> away = new ArrayList<>();
        for (int i = 0; i < reads.size(); i++) {
            try {
                all.addAll(reads.get(i).get(10, TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                away.add(offsets.get(i).getName());
            }
        }
        if (!away.isEmpty()) {
            resumed = true;
            if (!away.equals(lastAway)) LOG.warning("change streams unreadable (their master is away): " + away);
            Thread.sleep(CLUSTER_POLL_MS);
        }
        lastAway = away;
        return all;
    }

    /** The streams the last cluster read could not read (logged when it changes, not at every round). */
    private List<String> lastAway = List.of();

    /** How long the follower waits between reads on a cluster when nothing came (how late other instances see a change). */
    static final long CLUSTER_POLL_MS = 50;

    /**
     * The replication id(s) of the Redis answering now, or null when it cannot be known (a managed Redis may refuse
     * INFO): the failover check then rests on the comparisons and the gap check alone. On a cluster, every master's:
     * a failover of any one rebuilds the index.
     */
    private String currentReplid() { return connections.replicationIds(); }

    /** The last entry of a territory's stream the follower has applied ("0-0": none yet), for tests. */
    String position(String territory) {
        synchronized (positions) { return positions.getOrDefault(territory, "0-0"); }
    }

    /** What the comparisons found, and the rebuilds by reason. */
    public IndexChecks checks() { return checks; }

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
