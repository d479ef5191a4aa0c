package fr.snp.dispatch.waiting;

import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.domain.Times;
import fr.snp.dispatch.live.LiveFeed;
import fr.snp.dispatch.matching.Candidate;
import fr.snp.dispatch.requests.Patient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.ZoneId;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Tells the desks when a slot that appeared fits a waiting request. Every instance watches the change stream (as
 * its index does) and tells its own live connections, so each desk hears it once. Slots that became free (published,
 * freed by a cancellation or a released hold, released to more audiences) are gathered for {@code batchMs} and
 * checked against the waiting list together: a burst of publications costs one read of the list.
 */
public final class WaitingWatcher implements LiveFeed.Listener, AutoCloseable {
    private static final Logger LOG = Logger.getLogger("fr.snp.dispatch.waiting");
    private static final Set<String> FREEING = Set.of("published", "cancelled", "released", "audience_released");

    private final WaitingList waiting;
    private final LiveFeed live;
    private final LongSupplier clock;
    private final ZoneId zone;
    private final Map<String, Set<String>> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "waiting-watcher");
        t.setDaemon(true);
        return t;
    });

    public WaitingWatcher(WaitingList waiting, LiveFeed live, LongSupplier clock, ZoneId zone, long batchMs) {
        this.waiting = waiting;
        this.live = live;
        this.clock = clock;
        this.zone = zone;
        timer.scheduleWithFixedDelay(this::flush, batchMs, batchMs, TimeUnit.MILLISECONDS);
        live.listen(this);
    }

    @Override
    public void onChange(String territory, String id, Map<String, String> entry) {
        if (!FREEING.contains(entry.get("type"))) return;
        SlotState slot = SlotState.fromHash(entry.get("id"), entry);
        if (!"free".equals(slot.apiStatus(clock.getAsLong()))) return;
        pending.computeIfAbsent(territory, t -> ConcurrentHashMap.newKeySet()).add(slot.id());
    }

    private void flush() {
        for (String territory : List.copyOf(pending.keySet())) {
            Set<String> slots = pending.remove(territory);
            if (slots == null || slots.isEmpty()) continue;
            waiting.list(WaitingList.desk(territory), territory).whenComplete((all, error) -> {
                if (error != null) {
                    LOG.warning("waiting list of " + territory + " not checked: " + error.getMessage());
                    return;
                }
                for (String slotId : new LinkedHashSet<>(slots)) {
                    List<WaitingList.Waiting> fitted = all.stream().filter(w -> w.fits(slotId)).toList();
                    if (!fitted.isEmpty()) live.notice(territory, notice(slotId, fitted));
                }
            });
        }
    }

    /** The slot, as it fits the most urgent request, and the requests it fits, most urgent first. */
    private LiveFeed.Notice notice(String slotId, List<WaitingList.Waiting> fitted) {
        Candidate best = fitted.get(0).fits().stream().filter(c -> c.slot().id().equals(slotId)).findFirst().orElseThrow();
        JsonArray requests = new JsonArray();
        for (WaitingList.Waiting w : fitted) {
            Patient p = w.request().patient();
            requests.add(new JsonObject().put("id", w.request().id()).put("initials", p.initials())
                    .put("birthYear", p.birthYear()).put("commune", p.communeName())
                    .put("until", Times.of(w.untilMs(), zone)));
        }
        JsonObject slot = new JsonObject().put("slotId", slotId)
                .put("start", Times.of(best.slot().startTime())).put("end", Times.of(best.slot().endTime()))
                .put("mode", best.slot().mode().name()).put("effector", best.effector().displayName())
                .put("distanceKm", Math.round(best.distanceKm() * 10) / 10.0);
        if (best.place() != null) slot.put("place", best.place().name()).put("commune", best.place().communeName());
        return new LiveFeed.Notice("waiting", fitted.stream().map(w -> w.request().id()).toList(),
                new JsonObject().put("slot", slot).put("requests", requests).encode());
    }

    @Override
    public void close() { timer.shutdownNow(); }
}
