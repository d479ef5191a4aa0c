package fr.snp.dispatch.redis;

import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.PendingMessage;
import io.lettuce.core.models.stream.PendingMessages;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A durable outbox's worker: one thread reads each territory's stream through a consumer group (XREADGROUP, its own
 * connection, since the read blocks), hands every entry to {@link #deliver}, which acknowledges it (XACK) only once
 * done; what stays pending is claimed again (XCLAIM) after an exponential back-off (retryBaseMs doubling up to
 * retryMaxMs), without end: an entry is never dropped. Entries acknowledged more than an hour ago are trimmed; a
 * pending one never is. The notifications and the SAS push are two of these, each with its stream and group.
 */
public abstract class StreamWorker implements AutoCloseable {
    protected final Logger log;
    protected final String group;
    /** This instance's name in the group: each instance reads its own share, and claims what others left. */
    protected final String consumer = "dispatcher-" + UUID.randomUUID().toString().substring(0, 8);
    protected final long retryBaseMs;
    protected final long retryMaxMs;
    private final RedisClient client;
    private final Supplier<Collection<String>> territories;
    private final String threadName;
    private final Set<String> groupsReady = new HashSet<>();
    private volatile boolean running = true;
    private Thread thread;
    private StatefulRedisConnection<String, String> connection;
    private long nextTrimMs;

    protected StreamWorker(RedisClient client, Supplier<Collection<String>> territories, String group, String threadName,
                           long retryBaseMs, long retryMaxMs, Logger log) {
        this.client = client;
        this.territories = territories;
        this.group = group;
        this.threadName = threadName;
        this.retryBaseMs = retryBaseMs;
        this.retryMaxMs = retryMaxMs;
        this.log = log;
    }

    /** The territory's stream this worker reads. */
    protected abstract String stream(String territory);

    /** Delivers one entry; acknowledges it (XACK) when done, leaves it pending to be retried otherwise. */
    protected abstract void deliver(RedisCommands<String, String> redis, StreamMessage<String, String> m)
            throws InterruptedException;

    /** How long a pending entry waits before it is claimed again; {@code standard} is the exponential back-off. */
    protected long backoff(PendingMessage p, long standard) { return standard; }

    /** Anything else of the territory's to tidy now and then (every minute or so, with the trimming); none by default. */
    protected void housekeeping(RedisCommands<String, String> redis, String territory) {}

    /** This worker's own connection, for the scripts its delivery runs (not shared with the blocking read's thread). */
    protected io.lettuce.core.api.async.RedisAsyncCommands<String, String> async() { return connection.async(); }

    /** The time part of a stream entry id "ms-seq" (Redis's clock). */
    public static long millisOf(String streamId) { return Long.parseLong(streamId.substring(0, streamId.indexOf('-'))); }

    /** The territory of a hash-tagged key or stream name ("snp:{36}:outbox" -> "36"). */
    protected static String territoryOf(String stream) { return stream.substring(stream.indexOf('{') + 1, stream.indexOf('}')); }

    public void start() {
        connection = client.connect();
        thread = new Thread(this::loop, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        RedisCommands<String, String> redis = connection.sync();
        while (running) {
            try {
                List<String> served = new ArrayList<>(territories.get());
                for (String t : served) ensureGroup(redis, t);
                if (served.isEmpty()) { Thread.sleep(200); continue; }
                for (String t : served) retryDue(redis, t);
                @SuppressWarnings("unchecked")
                XReadArgs.StreamOffset<String>[] offsets = served.stream()
                        .map(t -> XReadArgs.StreamOffset.lastConsumed(stream(t))).toArray(XReadArgs.StreamOffset[]::new);
                List<StreamMessage<String, String>> fresh = redis.xreadgroup(Consumer.from(group, consumer),
                        XReadArgs.Builder.block(Math.min(500, retryBaseMs)).count(50), offsets);
                for (StreamMessage<String, String> m : fresh) deliver(redis, m);
                if (System.currentTimeMillis() >= nextTrimMs) {
                    for (String t : served) { trim(redis, t); housekeeping(redis, t); }
                    nextTrimMs = System.currentTimeMillis() + 60_000;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (!running) return;
                log.log(Level.WARNING, threadName + ": " + e.getMessage() + " (retrying)");
                try { Thread.sleep(1000); } catch (InterruptedException ie) { return; }
            }
        }
    }

    private void ensureGroup(RedisCommands<String, String> redis, String t) {
        if (groupsReady.contains(t)) return;
        try {
            redis.xgroupCreate(XReadArgs.StreamOffset.from(stream(t), "0"), group, XGroupCreateArgs.Builder.mkstream());
        } catch (RedisBusyException exists) {
            // BUSYGROUP: created by another instance or an earlier run
        }
        groupsReady.add(t);
    }

    /** Claims pending entries whose back-off has passed and delivers them again, oldest first. */
    private void retryDue(RedisCommands<String, String> redis, String t) throws InterruptedException {
        List<PendingMessage> pending = redis.xpending(stream(t), group, Range.create("-", "+"), Limit.from(50));
        for (PendingMessage p : pending) {
            long wait = backoff(p, Math.min(retryMaxMs, retryBaseMs << Math.min(30, Math.max(0, p.getRedeliveryCount() - 1))));
            if (p.getMsSinceLastDelivery() < wait) continue;
            List<StreamMessage<String, String>> claimed = redis.xclaim(stream(t), Consumer.from(group, consumer),
                    XClaimArgs.Builder.minIdleTime(wait), p.getId());
            for (StreamMessage<String, String> m : claimed) deliver(redis, m);
        }
    }

    /** Drops entries delivered more than an hour ago; a pending one (and all after it) is never trimmed. */
    private void trim(RedisCommands<String, String> redis, String t) {
        PendingMessages summary = redis.xpending(stream(t), group);
        long hourAgo = System.currentTimeMillis() - 3_600_000;
        String minId = hourAgo + "-0";
        if (summary.getCount() > 0) {
            String oldest = summary.getMessageIds().getLower().getValue();
            if (millisOf(oldest) < hourAgo) minId = oldest;
        }
        redis.xtrim(stream(t), XTrimArgs.Builder.minId(minId));
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            try { thread.join(3000); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        }
        if (connection != null) connection.close();
    }
}
