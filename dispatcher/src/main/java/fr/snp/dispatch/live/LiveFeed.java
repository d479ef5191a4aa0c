package fr.snp.dispatch.live;

import fr.snp.dispatch.auth.Credential;
import fr.snp.dispatch.auth.CredentialCheck;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * Fan-out of each territory's change stream to the open live connections (SSE) of this instance. The index
 * follower reads the stream (changes made by every instance) and hands each entry here; a subscriber writes it
 * on its own event loop. Stream entry ids order the events and let a reconnecting client resume without gaps.
 * The credentials that opened the connections are checked again every {@link #CHECK_MS}, so that a connection ends
 * soon after its token is revoked or expires, its session ends, or its person leaves the roster.
 */
public final class LiveFeed {
    private static final Logger LOG = Logger.getLogger(LiveFeed.class.getName());
    /**
     * How often the open connections' credentials are checked again. A stream may stay open for hours, long after
     * the 5 s caches that bound how long a revoked credential still opens requests; checked this often, it ends
     * within about this time (plus a Redis round trip or two) on every instance, whoever revoked it.
     */
    public static final long CHECK_MS = 2_000;

    /** One open connection. Called on the follower thread: implementations hop to their own event loop. */
    public interface Subscriber {
        void onEvent(String id, Map<String, String> entry);

        /** A notice that is not a slot change (e.g. a slot fits a waiting request); not replayed on reconnection. */
        default void onNotice(Notice notice) {}

        /** The credential this connection was opened with, checked every CHECK_MS; null: not checked (the server's own). */
        default Credential credential() { return null; }

        /** Whether the principal the credential stands for now may still follow this connection's feed. */
        default boolean allows(Principal current) { return true; }

        /** The credential no longer holds (or no longer allows it): say so and end. Called on any thread, maybe twice. */
        default void revoke() {}
    }

    /**
     * Something the desks of a territory are told once, live: its type ("waiting"), the requests it concerns (a
     * connection gets it only if its principal reaches them) and the JSON the page shows.
     */
    public record Notice(String type, List<String> requestIds, String json) {}

    /** Server-side listeners of every territory's changes (the waiting list's watcher); not counted as connections. */
    public interface Listener {
        void onChange(String territory, String id, Map<String, String> entry);
    }

    private final List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public void listen(Listener l) { listeners.add(l); }

    public void notice(String territory, Notice n) {
        Set<Subscriber> set = byTerritory.get(territory);
        if (set != null) for (Subscriber s : set) s.onNotice(n);
    }

    private final RedisClusterAsyncCommands<String, String> redis;
    private final CredentialCheck credentials;
    private final Map<String, Set<Subscriber>> byTerritory = new ConcurrentHashMap<>();
    /** A check under way: a slow Redis does not pile checks up. */
    private final AtomicBoolean checking = new AtomicBoolean();

    public LiveFeed(RedisClusterAsyncCommands<String, String> redis, CredentialCheck credentials) {
        this.redis = redis;
        this.credentials = credentials;
    }

    /** Checks the connections' credentials every {@link #CHECK_MS} on this Vert.x's timer (gone when it closes). */
    public void watchCredentials(io.vertx.core.Vertx vertx) { vertx.setPeriodic(CHECK_MS, id -> checkCredentials()); }

    /**
     * Checks the distinct credentials of every open connection of this instance at once (see {@link CredentialCheck}:
     * one batch of Redis reads, no cache) and ends each connection whose credential no longer holds or no longer
     * allows its feed. When Redis does not answer, nothing is ended: the next check decides. Completes with the
     * number of connections ended.
     */
    public CompletionStage<Integer> checkCredentials() {
        if (!checking.compareAndSet(false, true)) return CompletableFuture.completedFuture(0);
        Map<Credential, List<Subscriber>> open = new HashMap<>();
        for (Set<Subscriber> set : byTerritory.values()) {
            for (Subscriber s : set) {
                Credential c = s.credential();
                if (c != null) open.computeIfAbsent(c, k -> new ArrayList<>()).add(s);
            }
        }
        if (open.isEmpty()) {
            checking.set(false);
            return CompletableFuture.completedFuture(0);
        }
        CompletionStage<Map<Credential, Principal>> asked;
        try {
            asked = credentials.current(open.keySet());
        } catch (RuntimeException e) { // a command refused at once (Redis disconnected)
            asked = CompletableFuture.failedFuture(e);
        }
        return asked.handle((current, error) -> {
            checking.set(false);
            if (error != null) {
                LOG.warning("live connections' credentials not checked: " + error.getMessage());
                return 0;
            }
            int ended = 0;
            for (Map.Entry<Credential, List<Subscriber>> e : open.entrySet()) {
                Principal p = current.get(e.getKey());
                for (Subscriber s : e.getValue()) {
                    if (p == null || !s.allows(p)) {
                        s.revoke();
                        ended++;
                    }
                }
            }
            return ended;
        });
    }

    /** The id of the territory's last change ("0-0" when none): where a new connection's flow starts. */
    public CompletionStage<String> lastId(String territory) {
        return redis.xrevrange(Keys.events(territory), Range.create("-", "+"), Limit.create(0, 1))
                .thenApply(last -> last.isEmpty() ? "0-0" : last.get(0).getId());
    }

    /** The changes after {@code fromId} (exclusive), at most {@code max}: what a reconnecting client missed. */
    public CompletionStage<List<Map.Entry<String, Map<String, String>>>> since(String territory, String fromId, int max) {
        return redis.xrange(Keys.events(territory), Range.create("(" + fromId, "+"), Limit.create(0, max)).thenApply(missed -> {
            List<Map.Entry<String, Map<String, String>>> out = new ArrayList<>(missed.size());
            missed.forEach(m -> out.add(Map.entry(m.getId(), m.getBody())));
            return out;
        });
    }
    private final AtomicInteger connections = new AtomicInteger();

    public void subscribe(String territory, Subscriber s) {
        byTerritory.computeIfAbsent(territory, t -> new CopyOnWriteArraySet<>()).add(s);
        connections.incrementAndGet();
    }

    public void unsubscribe(String territory, Subscriber s) {
        Set<Subscriber> set = byTerritory.get(territory);
        if (set != null && set.remove(s)) connections.decrementAndGet();
    }

    public void publish(String territory, String id, Map<String, String> entry) {
        for (Listener l : listeners) l.onChange(territory, id, entry);
        Set<Subscriber> set = byTerritory.get(territory);
        if (set != null) for (Subscriber s : set) s.onEvent(id, entry);
    }

    public int connections() { return connections.get(); }

    /** Open live connections by principal on this instance (limits.liveStreamsPerPrincipal). */
    private final Map<String, Integer> byPrincipal = new ConcurrentHashMap<>();

    /**
     * Counts one more live connection of the principal, unless it already has {@code cap} open here (0: no cap);
     * every admitted connection must {@link #leave} once. Per instance: the connections live in this JVM, and a
     * client spreading them over instances behind a load balancer still has at most cap × instances, which keeps
     * each instance's memory bounded (the point of the cap).
     */
    public boolean admit(String principalId, int cap) {
        boolean[] admitted = {false};
        byPrincipal.compute(principalId, (k, n) -> {
            int open = n == null ? 0 : n;
            if (cap > 0 && open >= cap) return n;
            admitted[0] = true;
            return open + 1;
        });
        return admitted[0];
    }

    public void leave(String principalId) {
        byPrincipal.computeIfPresent(principalId, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** Orders stream ids "ms-seq". */
    public static int compareIds(String a, String b) {
        int da = a.indexOf('-');
        int db = b.indexOf('-');
        int c = Long.compare(Long.parseLong(a.substring(0, da)), Long.parseLong(b.substring(0, db)));
        return c != 0 ? c : Long.compare(Long.parseLong(a.substring(da + 1)), Long.parseLong(b.substring(db + 1)));
    }
}
