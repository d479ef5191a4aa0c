package fr.snp.dispatch.live;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fan-out of each territory's change stream to the open live connections (SSE) of this instance. The index
 * follower reads the stream (changes made by every instance) and hands each entry here; a subscriber writes it
 * on its own event loop. Stream entry ids order the events and let a reconnecting client resume without gaps.
 */
public final class LiveFeed {
    /** One open connection. Called on the follower thread: implementations hop to their own event loop. */
    public interface Subscriber {
        void onEvent(String id, Map<String, String> entry);
    }

    private final Map<String, Set<Subscriber>> byTerritory = new ConcurrentHashMap<>();
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
        Set<Subscriber> set = byTerritory.get(territory);
        if (set != null) for (Subscriber s : set) s.onEvent(id, entry);
    }

    public int connections() { return connections.get(); }

    /** Orders stream ids "ms-seq". */
    public static int compareIds(String a, String b) {
        int da = a.indexOf('-');
        int db = b.indexOf('-');
        int c = Long.compare(Long.parseLong(a.substring(0, da)), Long.parseLong(b.substring(0, db)));
        return c != 0 ? c : Long.compare(Long.parseLong(a.substring(da + 1)), Long.parseLong(b.substring(db + 1)));
    }
}
