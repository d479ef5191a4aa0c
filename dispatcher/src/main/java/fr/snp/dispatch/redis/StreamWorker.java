package fr.snp.dispatch.redis;

import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.models.stream.PendingMessage;
import io.lettuce.core.models.stream.PendingMessages;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A durable outbox's worker: one thread reads each territory's stream through a consumer group (XREADGROUP, its own
 * connection, since the read blocks), hands every entry to {@link #deliver}, which acknowledges it (XACK) only once
 * done; what stays pending is claimed again (XCLAIM) after an exponential back-off (retryBaseMs doubling up to
 * retryMaxMs). The whole pending list is walked for that (page by page), so a crowd of entries to a dead receiver
 * never hides the ones behind them. The notifications and the SAS push are two of these, each with its stream and
 * group.
 * <p>
 * <b>Delivery.</b> With a concurrency of 1 every entry is delivered on the reading thread, in the order read (the SAS
 * push, which orders its pushes per appointment itself). Above 1, entries go to one ordered queue per receiver
 * ({@link #lane}) and the queues are served by a bounded pool of that many threads: a receiver gets its entries one
 * at a time in the order read, a slow or dead receiver holds its own queue only. An entry queued or on its way is
 * "in flight": not claimed again here, and its idle time is refreshed so no other instance claims it meanwhile.
 * <p>
 * <b>Trimming</b> (every minute) never passes what a consumer group has not finished: the stream is cut below the
 * smallest of every group's last-delivered id and oldest pending id (so an entry no group has read yet, or one still
 * pending, stays), and keeps an hour of delivered entries besides.
 * <p>
 * <b>Dead letters.</b> A worker may set aside entries pending longer than {@code deadLetterAfterMs} (see
 * {@link #deadLetter}); none by default.
 * <p>
 * <b>Supervision.</b> The reading loop and every delivery catch any {@link Throwable}, log it with its stack, back
 * off and go on: a worker that died would silently stop every notification while the rest of the server runs.
 * {@link #lastTickMs} says when the loop last went round (the dispatch_loop_last_tick_seconds gauge).
 */
public abstract class StreamWorker implements AutoCloseable {
    /** How many pending entries one XPENDING page lists. */
    static final int PAGE = 100;
    /** Entries in flight at most before the loop stops reading new ones (the queues stay bounded). */
    static final int MAX_IN_FLIGHT = 2_000;
    /** Delivered entries kept this long before trimming (a look back for ops). */
    static final long KEEP_DELIVERED_MS = 3_600_000;

    protected final Logger log;
    protected final String group;
    /** This instance's name in the group: each instance reads its own share, and claims what others left. */
    protected final String consumer = "dispatcher-" + UUID.randomUUID().toString().substring(0, 8);
    protected final long retryBaseMs;
    protected final long retryMaxMs;
    private final RedisConnections connections;
    private final Supplier<Collection<String>> territories;
    private final String threadName;
    private final int concurrency;
    protected final long deadLetterAfterMs;
    private final Set<String> groupsReady = ConcurrentHashMap.newKeySet();
    /** How far back a group lost by Redis is made again from (see the loop's NOGROUP case). */
    static final long REGROUP_WINDOW_MS = 10 * 60_000;
    /** 0, or when a group lost by Redis is made again from (epoch ms). */
    private volatile long regroupFromMs;
    private volatile boolean running = true;
    private Thread thread;
    private RedisConnections.Dedicated connection;
    /** The deliveries' connection when concurrent (never blocked by the loop's XREADGROUP). */
    private RedisConnections.Dedicated deliveries;
    private ExecutorService pool;
    /** Receiver -> its queue (guarded by itself). */
    private final Map<String, Lane> lanes = new HashMap<>();
    /** stream + " " + entry id of the entries queued or being delivered here. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    /** When the pending list is next walked (see the loop). */
    private long nextSweepMs;
    private volatile long lastTickMs = System.currentTimeMillis();
    private long nextTrimMs;
    /** A test's way to make the loop fail once (an Error, say); nothing in production. */
    volatile Runnable tickHook;

    protected StreamWorker(RedisConnections connections, Supplier<Collection<String>> territories, String group, String threadName,
                           long retryBaseMs, long retryMaxMs, Logger log) {
        this(connections, territories, group, threadName, retryBaseMs, retryMaxMs, 1, 0, log);
    }

    protected StreamWorker(RedisConnections connections, Supplier<Collection<String>> territories, String group, String threadName,
                           long retryBaseMs, long retryMaxMs, int concurrency, long deadLetterAfterMs, Logger log) {
        this.connections = connections;
        this.territories = territories;
        this.group = group;
        this.threadName = threadName;
        this.retryBaseMs = retryBaseMs;
        this.retryMaxMs = retryMaxMs;
        this.concurrency = Math.max(1, concurrency);
        this.deadLetterAfterMs = deadLetterAfterMs;
        this.log = log;
    }

    /**
     * Whether the entries just read (or claimed) on this connection may be delivered: true by default. A worker whose
     * entries tell the outside world of acknowledged changes waits, under redis.durability=strict, until they are on
     * a replica (the notifications outbox does); false leaves them pending, taken again at a later round.
     */
    protected boolean replicated(String stream) { return true; }

    /**
     * Whether the writes this loop's connection made on the master of {@code stream} (its XREADGROUP or XCLAIM: made
     * after the entries' XADD, so a replica that has them has the entries too) are kept as {@code durability} says
     * ({@link Durability#replicated}). One Redis: its only master; a cluster: the master of the stream's territory, on
     * the link that carried the read.
     */
    protected final boolean confirmedOnReplicas(String stream, Durability durability) throws InterruptedException {
        if (!durability.waits()) return true;
        long timeoutMs = durability.waitTimeoutMs() + 2_000;
        try {
            return connection.nodeOf(stream).thenCompose(durability::replicated).toCompletableFuture()
                    .get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException unconfirmed) {
            return false; // left pending: taken again at a later round
        }
    }

    /**
     * Hands over the entries just read whose streams {@link #replicated} says may go: one question for all of them on
     * one Redis (one WAIT covers every stream), one per territory on a cluster (each on its own master).
     */
    private void handReplicated(RedisClusterCommands<String, String> redis, List<StreamMessage<String, String>> fresh)
            throws InterruptedException {
        if (fresh.isEmpty()) return;
        if (!connection.isCluster()) {
            if (replicated(fresh.get(0).getStream())) for (StreamMessage<String, String> m : fresh) hand(redis, m);
            return;
        }
        Map<String, List<StreamMessage<String, String>>> byStream = new java.util.LinkedHashMap<>();
        for (StreamMessage<String, String> m : fresh) byStream.computeIfAbsent(m.getStream(), k -> new ArrayList<>()).add(m);
        for (Map.Entry<String, List<StreamMessage<String, String>>> e : byStream.entrySet()) {
            if (replicated(e.getKey())) for (StreamMessage<String, String> m : e.getValue()) hand(redis, m);
        }
    }

    /** The territory's stream this worker reads. */
    protected abstract String stream(String territory);

    /** Delivers one entry; acknowledges it (XACK) when done, leaves it pending to be retried otherwise. */
    protected abstract void deliver(RedisClusterCommands<String, String> redis, StreamMessage<String, String> m)
            throws InterruptedException;

    /**
     * The receiver of an entry, when delivery is concurrent: entries of one receiver are delivered one at a time, in
     * order. On the reading thread (keep it cheap). By default the whole stream is one receiver.
     */
    protected String lane(RedisClusterCommands<String, String> redis, StreamMessage<String, String> m) { return m.getStream(); }

    /**
     * Sets aside an entry pending longer than deadLetterAfterMs (due for a retry, not in flight here): records it and
     * acknowledges it, in one step. Answers whether it did; by default never (the entry is retried without end).
     */
    protected boolean deadLetter(RedisClusterCommands<String, String> redis, String territory, PendingMessage p) { return false; }

    /** How long a pending entry waits before it is claimed again; {@code standard} is the exponential back-off. */
    protected long backoff(PendingMessage p, long standard) { return standard; }

    /** Anything else of the territory's to tidy now and then (every minute or so, with the trimming); none by default. */
    protected void housekeeping(RedisClusterCommands<String, String> redis, String territory) {}

    /** This worker's own connection, for the scripts its delivery runs (not shared with the blocking read's thread). */
    protected io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands<String, String> async() {
        return (deliveries != null ? deliveries : connection).async();
    }

    /** When the reading loop last went round (epoch ms): a loop stuck or dead stops moving it. */
    public long lastTickMs() { return lastTickMs; }

    /** The name of the loop's thread (the loop label of the liveness gauge). */
    public String loopName() { return threadName; }

    /** The time part of a stream entry id "ms-seq" (Redis's clock). */
    public static long millisOf(String streamId) { return Long.parseLong(streamId.substring(0, streamId.indexOf('-'))); }

    /** The territory of a hash-tagged key or stream name ("snp:{36}:outbox" -> "36"). */
    protected static String territoryOf(String stream) { return stream.substring(stream.indexOf('{') + 1, stream.indexOf('}')); }

    public void start() {
        connection = connections.connect();
        if (concurrency > 1) {
            deliveries = connections.connect();
            java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
            pool = Executors.newFixedThreadPool(concurrency, r -> {
                Thread t = new Thread(r, threadName + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        thread = new Thread(this::loop, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        RedisClusterCommands<String, String> redis = connection.sync();
        while (running) {
            lastTickMs = System.currentTimeMillis();
            try {
                Runnable hook = tickHook;
                if (hook != null) hook.run();
                List<String> served = new ArrayList<>(territories.get());
                for (String t : served) ensureGroup(redis, t);
                if (served.isEmpty()) { Thread.sleep(200); continue; }
                // the pending list walked and the in-flight entries claimed again a few times per back-off, not at
                // every round: under a burst a round reads 50 entries, and walking thousands of pending ones and
                // re-claiming up to MAX_IN_FLIGHT at each (one XCLAIM of 14 kB took Redis 18 ms in the bench) made
                // the outbox cost Redis more than the bookings it tells of. Nothing is due sooner than retryBaseMs,
                // and no other instance takes an in-flight entry before several seconds (see OutboxWorker.backoff)
                long now = System.currentTimeMillis();
                if (now >= nextSweepMs) {
                    if (pool != null) keepInFlightClaimed(redis, served);
                    for (String t : served) retryDue(redis, t);
                    nextSweepMs = now + Math.max(1, retryBaseMs / 4);
                }
                if (inFlight.size() < MAX_IN_FLIGHT) {
                    List<StreamMessage<String, String>> fresh = readNew(redis, served);
                    handReplicated(redis, fresh);
                    if (fresh.isEmpty() && connection.isCluster()) Thread.sleep(Math.min(CLUSTER_POLL_MS, retryBaseMs));
                } else {
                    Thread.sleep(Math.min(500, retryBaseMs));
                }
                if (System.currentTimeMillis() >= nextTrimMs) {
                    for (String t : served) {
                        trim(redis, stream(t), System.currentTimeMillis() - KEEP_DELIVERED_MS);
                        housekeeping(redis, t);
                    }
                    nextTrimMs = System.currentTimeMillis() + 60_000;
                }
            } catch (Throwable e) {
                // any Throwable, an Error included: this loop is the only one delivering this outbox, and nothing it
                // holds outlives an iteration (an OutOfMemoryError's garbage is gone once the iteration unwound), so
                // going on after a pause is better than a worker dead in silence; if it keeps failing, the log says
                // it with the stack at each round and the loop's gauge and alert still show it ticking
                if (!running) return;
                if (e instanceof InterruptedException) Thread.interrupted(); // nobody interrupts it but close()
                // NOGROUP: the group is gone (a Redis that lost its last second, a failover to a replica that never
                // had it): made again at the next round rather than failing here for ever, from the entries of the
                // last minutes only (what it may not have delivered), not from the stream's start: a whole stream
                // sent again would text patients confirmations of days ago. Receivers dedupe by the delivery id.
                if (String.valueOf(e.getMessage()).contains("NOGROUP")) {
                    regroupFromMs = System.currentTimeMillis() - REGROUP_WINDOW_MS;
                    groupsReady.clear();
                }
                log.log(Level.SEVERE, threadName + ": " + e + " (going on in a second)", e);
                try { Thread.sleep(1000); } catch (InterruptedException ie) { if (!running) return; }
            }
        }
    }

    /**
     * Entries no consumer of the group was given yet, from every served territory. One Redis: one XREADGROUP of all
     * streams, blocking a while. A cluster refuses a read of streams in several hash slots (CROSSSLOT) and a blocking
     * read would stall that master's other commands on this connection: one non-blocking read per territory, the
     * loop pausing {@link #CLUSTER_POLL_MS} when none had anything.
     */
    @SuppressWarnings("unchecked")
    private List<StreamMessage<String, String>> readNew(RedisClusterCommands<String, String> redis, List<String> served) {
        Consumer<String> me = Consumer.from(group, consumer);
        if (!connection.isCluster()) {
            XReadArgs.StreamOffset<String>[] offsets = served.stream()
                    .map(t -> XReadArgs.StreamOffset.lastConsumed(stream(t))).toArray(XReadArgs.StreamOffset[]::new);
            return redis.xreadgroup(me, XReadArgs.Builder.block(Math.min(500, retryBaseMs)).count(50), offsets);
        }
        List<StreamMessage<String, String>> fresh = new ArrayList<>();
        for (String t : served) fresh.addAll(redis.xreadgroup(me, XReadArgs.Builder.count(50), XReadArgs.StreamOffset.lastConsumed(stream(t))));
        return fresh;
    }

    /** How long the loop waits between reads on a cluster when nothing came (how late a notification may leave). */
    static final long CLUSTER_POLL_MS = 100;

    /** Delivers a read or claimed entry: here and now (concurrency 1), or queued behind its receiver's earlier ones. */
    private void hand(RedisClusterCommands<String, String> redis, StreamMessage<String, String> m) throws InterruptedException {
        if (pool == null) {
            deliver(redis, m);
            return;
        }
        String key = m.getStream() + " " + m.getId();
        if (!inFlight.add(key)) return; // queued already
        String receiver;
        try {
            receiver = lane(redis, m);
        } catch (RuntimeException e) {
            inFlight.remove(key);
            throw e;
        }
        synchronized (lanes) {
            Lane lane = lanes.computeIfAbsent(receiver, Lane::new);
            lane.queue.add(m);
            if (!lane.scheduled) {
                lane.scheduled = true;
                execute(lane);
            }
        }
    }

    /** One receiver's queue: delivered one entry at a time, in order, by one pool thread at a time. */
    private final class Lane implements Runnable {
        final String receiver;
        final ArrayDeque<StreamMessage<String, String>> queue = new ArrayDeque<>();
        boolean scheduled;

        Lane(String receiver) { this.receiver = receiver; }

        @Override
        public void run() {
            // a few entries, then back at the end of the pool's queue: a busy receiver does not hold a thread for ever
            for (int i = 0; i < 20; i++) {
                StreamMessage<String, String> m;
                synchronized (lanes) {
                    m = queue.poll();
                    if (m == null) {
                        scheduled = false;
                        lanes.remove(receiver);
                        return;
                    }
                }
                deliverSupervised(m);
            }
            synchronized (lanes) { execute(this); }
        }
    }

    /** Runs a lane on the pool (refused once closing: what it holds stays pending, for the next start). */
    private void execute(Lane lane) {
        try {
            pool.execute(lane);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            lane.queue.forEach(m -> inFlight.remove(m.getStream() + " " + m.getId()));
            lane.queue.clear();
            lane.scheduled = false;
            lanes.remove(lane.receiver);
        }
    }

    private void deliverSupervised(StreamMessage<String, String> m) {
        try {
            if (running) deliver(deliveries.sync(), m);
        } catch (Throwable e) {
            // as in the loop: logged with its stack, the entry stays pending and is retried after its back-off
            if (e instanceof InterruptedException) Thread.interrupted();
            log.log(Level.SEVERE, threadName + ": delivering " + territoryOf(m.getStream()) + ":" + m.getId() + " failed: " + e
                    + " (retried later)", e);
        } finally {
            inFlight.remove(m.getStream() + " " + m.getId());
        }
    }

    /**
     * The entries queued here are claimed again (JUSTID, idle time back to zero, retry count unchanged): no other
     * instance takes them for abandoned while they wait behind their receiver's earlier ones.
     */
    private void keepInFlightClaimed(RedisClusterCommands<String, String> redis, List<String> served) {
        if (inFlight.isEmpty()) return;
        Map<String, List<String>> byStream = new HashMap<>();
        for (String key : inFlight) {
            int space = key.indexOf(' ');
            byStream.computeIfAbsent(key.substring(0, space), s -> new ArrayList<>()).add(key.substring(space + 1));
        }
        byStream.forEach((stream, ids) -> redis.xclaim(stream, Consumer.from(group, consumer),
                XClaimArgs.Builder.minIdleTime(0).justid(), ids.toArray(String[]::new)));
    }

    private void ensureGroup(RedisClusterCommands<String, String> redis, String t) {
        if (groupsReady.contains(t)) return;
        // a group made for the first time reads the whole stream; one made again after it was lost, the last minutes
        String from = regroupFromMs > 0 ? regroupFromMs + "-0" : "0";
        try {
            redis.xgroupCreate(XReadArgs.StreamOffset.from(stream(t), from), group, XGroupCreateArgs.Builder.mkstream());
        } catch (RedisBusyException exists) {
            // BUSYGROUP: created by another instance or an earlier run
        }
        groupsReady.add(t);
    }

    /**
     * Claims pending entries whose back-off has passed and delivers them again, oldest first, walking the whole
     * pending list a page at a time; those older than deadLetterAfterMs may be set aside instead.
     */
    private void retryDue(RedisClusterCommands<String, String> redis, String t) throws InterruptedException {
        String stream = stream(t);
        Range.Boundary<String> from = Range.Boundary.including("-");
        while (running) {
            List<PendingMessage> page = redis.xpending(stream, group, Range.from(from, Range.Boundary.including("+")),
                    Limit.from(PAGE));
            for (PendingMessage p : page) {
                if (inFlight.contains(stream + " " + p.getId())) continue;
                long wait = backoff(p, Math.min(retryMaxMs, retryBaseMs << Math.min(30, Math.max(0, p.getRedeliveryCount() - 1))));
                if (p.getMsSinceLastDelivery() < wait) continue;
                if (deadLetterAfterMs > 0 && System.currentTimeMillis() - millisOf(p.getId()) > deadLetterAfterMs
                        && deadLetter(redis, t, p)) {
                    continue;
                }
                List<StreamMessage<String, String>> claimed = redis.xclaim(stream, Consumer.from(group, consumer),
                        XClaimArgs.Builder.minIdleTime(wait), p.getId());
                if (!claimed.isEmpty() && !replicated(stream)) return;
                for (StreamMessage<String, String> m : claimed) hand(redis, m);
            }
            if (page.size() < PAGE) return;
            from = Range.Boundary.excluding(page.get(page.size() - 1).getId());
        }
    }

    /**
     * Cuts the stream below what every consumer group has finished with: the smallest of each group's last-delivered
     * id and oldest pending id, and of {@code keepSinceMs}. An entry no group has read yet, or one still pending, is
     * never trimmed; neither is anything when the stream has no group (nobody read it). Exact trimming (MINID
     * without "~": the approximate form only ever trims less, but exact is as cheap once a minute and plainer).
     */
    static void trim(RedisClusterCommands<String, String> redis, String stream, long keepSinceMs) {
        String safe = safeTrimPoint(redis, stream);
        if (safe == null) return;
        String keep = keepSinceMs + "-0";
        redis.xtrim(stream, XTrimArgs.Builder.minId(compareIds(safe, keep) < 0 ? safe : keep));
    }

    /** The smallest id some group still needs (its last-delivered one, or its oldest pending), null: keep everything. */
    static String safeTrimPoint(RedisClusterCommands<String, String> redis, String stream) {
        List<Map<String, Object>> groups = groups(redis, stream);
        if (groups.isEmpty()) return null;
        String safe = null;
        for (Map<String, Object> g : groups) {
            String name = String.valueOf(g.get("name"));
            String lastDelivered = String.valueOf(g.get("last-delivered-id"));
            safe = safe == null || compareIds(lastDelivered, safe) < 0 ? lastDelivered : safe;
            PendingMessages summary = redis.xpending(stream, name);
            if (summary.getCount() > 0) {
                String oldest = summary.getMessageIds().getLower().getValue();
                if (compareIds(oldest, safe) < 0) safe = oldest;
            }
        }
        return safe;
    }

    /** XINFO GROUPS of a stream, each group as field -> value; none when the stream does not exist. */
    public static List<Map<String, Object>> groups(RedisClusterCommands<String, String> redis, String stream) {
        List<Object> raw;
        try {
            raw = redis.xinfoGroups(stream);
        } catch (io.lettuce.core.RedisCommandExecutionException noSuchKey) {
            return List.of();
        }
        return parseGroups(raw);
    }

    /** XINFO GROUPS's reply (a list of field, value, field, value... per group) as maps. */
    public static List<Map<String, Object>> parseGroups(List<Object> raw) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : raw) {
            List<?> fields = (List<?>) o;
            Map<String, Object> g = new HashMap<>();
            for (int i = 0; i + 1 < fields.size(); i += 2) g.put(String.valueOf(fields.get(i)), fields.get(i + 1));
            out.add(g);
        }
        return out;
    }

    /** Orders two stream ids "ms-seq" as Redis does. */
    public static int compareIds(String a, String b) {
        int c = Long.compare(millisOf(a), millisOf(b));
        return c != 0 ? c : Long.compare(Long.parseLong(a.substring(a.indexOf('-') + 1)), Long.parseLong(b.substring(b.indexOf('-') + 1)));
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            try { thread.join(3000); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        }
        if (pool != null) {
            pool.shutdownNow();
            try { pool.awaitTermination(3, TimeUnit.SECONDS); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        }
        if (deliveries != null) deliveries.close();
        if (connection != null) connection.close();
    }
}
