package fr.snp.dispatch.faults;

import fr.snp.dispatch.Api;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Checks a phase's bookings once the fault is over, through the API only (what a client can prove):
 * <ol>
 *   <li>every acknowledged booking (201/200) reads back as booked, on its slot, and the slot names it (else lost);</li>
 *   <li>every unknown one is replayed with its Idempotency-Key until it settles: to one appointment, or a 409;</li>
 *   <li>no slot has two appointments (two appointments of ours reading back as booked on one slot);</li>
 *   <li>every instance's index digest equals the one computed from Redis, and the instances agree (how long it took);</li>
 *   <li>every booked appointment got its 'booked' webhook, and no webhook named an appointment that does not exist.</li>
 * </ol>
 * It reports what it found rather than failing at the first finding: the negative control needs the counts.
 */
final class Checker {
    /** What the checks found for one phase. */
    record Findings(int acknowledged, int lost, int doubles, int unknown, int settledBooked, int settledRefused,
                    int unsettled, int booked, int notificationsMissing, int ghostNotifications, long convergenceMs,
                    List<String> examples) {
        boolean clean() {
            return lost == 0 && doubles == 0 && unsettled == 0 && notificationsMissing == 0 && ghostNotifications == 0
                    && convergenceMs >= 0 && convergenceMs <= 5_000;
        }
    }

    private final Api proxy;
    private final String token;
    private final String opsToken;
    private final WebhookReceiver webhooks;
    /** Appointments named by a webhook and already found to exist (so not asked again at the next phase). */
    private final Set<String> notifiedAndReal = ConcurrentHashMap.newKeySet();
    /** Appointments named by a webhook and found not to exist, counted at the phase that found them only. */
    private final Set<String> ghosts = ConcurrentHashMap.newKeySet();
    private final ExecutorService pool = Executors.newFixedThreadPool(8);

    Checker(Api proxy, String token, String opsToken, WebhookReceiver webhooks) {
        this.proxy = proxy;
        this.token = token;
        this.opsToken = opsToken;
        this.webhooks = webhooks;
    }

    Findings check(List<BookingLoad.Call> calls, List<Api> instances) throws Exception {
        List<String> examples = new ArrayList<>();
        // 1. acknowledged bookings, read back before anything is replayed (a replay would book a lost one again)
        List<BookingLoad.Call> acknowledged = calls.stream().filter(c -> c.outcome() == BookingLoad.Outcome.OK).toList();
        Map<BookingLoad.Call, Boolean> kept = parallel(acknowledged, c -> bookedOn(c.appointment(), c.slot()));
        int lost = 0;
        for (var e : kept.entrySet()) {
            if (!e.getValue()) {
                lost++;
                if (examples.size() < 5) examples.add("lost: " + e.getKey().key() + " → " + e.getKey().appointment());
            }
        }
        // 2. unknown ones settled by replaying their key
        List<BookingLoad.Call> unknown = calls.stream().filter(c -> c.outcome() == BookingLoad.Outcome.UNKNOWN).toList();
        Map<BookingLoad.Call, Api.Response> settled = parallel(unknown, this::settle);
        int settledBooked = 0, settledRefused = 0, unsettled = 0;
        Map<String, String> appointmentOfSlot = new HashMap<>(); // what our keys booked, slot → appointment
        for (BookingLoad.Call c : acknowledged) if (kept.get(c)) appointmentOfSlot.put(c.slot(), c.appointment());
        for (var e : settled.entrySet()) {
            int s = e.getValue().status();
            if (s == 200 || s == 201) {
                settledBooked++;
                appointmentOfSlot.put(e.getKey().slot(), e.getValue().json().getString("id"));
            } else if (s == 409) {
                settledRefused++;
            } else {
                unsettled++;
                if (examples.size() < 10) examples.add("unsettled: " + e.getKey().key() + " → " + e.getValue());
            }
        }
        // 3. one appointment per slot: the slot names the appointment its key got, and no other of ours is booked on it
        Map<String, String> slotNames = parallel(List.copyOf(appointmentOfSlot.keySet()),
                slot -> proxy.get("/api/v1/slots/" + slot, token).json().getString("appointmentId"));
        int doubles = 0;
        for (var e : appointmentOfSlot.entrySet()) {
            String named = slotNames.get(e.getKey());
            if (named != null && !named.equals(e.getValue()) && bookedOn(e.getValue(), e.getKey()) && bookedOn(named, e.getKey())) {
                doubles++;
                if (examples.size() < 15) examples.add("double: slot " + e.getKey() + " has " + named + " and " + e.getValue());
            }
        }
        // 4. every instance's index against Redis (asked of each instance directly, not through the proxy)
        long convergence = convergence(instances, 15_000);
        // 5. notifications
        Set<String> booked = Set.copyOf(appointmentOfSlot.values());
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline && !booked.stream().allMatch(webhooks::booked)) Thread.sleep(200);
        int missing = (int) booked.stream().filter(a -> !webhooks.booked(a)).count();
        if (missing > 0) examples.add("no 'booked' webhook for e.g. " + booked.stream().filter(a -> !webhooks.booked(a)).findFirst().orElse(""));
        List<String> named = webhooks.events.keySet().stream().filter(a -> !notifiedAndReal.contains(a) && !ghosts.contains(a)).toList();
        Map<String, Boolean> exists = parallel(named, a -> booked.contains(a) || proxy.get("/api/v1/appointments/" + a, token).status() == 200);
        int newGhosts = 0;
        for (var e : exists.entrySet()) {
            if (e.getValue()) notifiedAndReal.add(e.getKey());
            else {
                newGhosts++;
                this.ghosts.add(e.getKey());
                if (examples.size() < 20) examples.add("webhook for an appointment that does not exist: " + e.getKey());
            }
        }
        return new Findings(acknowledged.size(), lost, doubles, unknown.size(), settledBooked, settledRefused, unsettled,
                booked.size(), missing, newGhosts, convergence, examples);
    }

    /** The appointment reads back as booked, on that slot. */
    private boolean bookedOn(String appointment, String slot) {
        Api.Response r = readable("/api/v1/appointments/" + appointment);
        if (r.status() != 200) return false;
        JsonObject a = r.json();
        return "booked".equals(a.getString("status")) && slot.equals(a.getJsonObject("slot").getString("id"));
    }

    /** A read after the fault: a 5xx (a proxy still marking an instance up, say) is asked again, a few times. */
    private Api.Response readable(String path) {
        Api.Response r = null;
        for (int i = 0; i < 20; i++) {
            try {
                r = proxy.get(path, token);
                if (r.status() < 500) return r;
            } catch (RuntimeException noAnswer) {
                // asked again
            }
            sleep(250);
        }
        throw new AssertionError("no answer to " + path + " after the fault: " + r);
    }

    /** The unknown call replayed with its key until it gets a clear answer (30 s at most). */
    private Api.Response settle(BookingLoad.Call c) {
        long deadline = System.currentTimeMillis() + 30_000;
        Api.Response r = null;
        while (System.currentTimeMillis() < deadline) {
            try {
                r = proxy.book(token, c.slot(), c.request(), null, c.key());
                if (r.status() < 500) return r;
            } catch (RuntimeException noAnswer) {
                // asked again
            }
            sleep(250);
        }
        return r != null ? r : new Api.Response(-1, "no answer", Map.of());
    }

    /**
     * How long until every instance's last comparison, made after now, found its index equal to Redis, with the same
     * digest on every instance: ms, or -1 if not within {@code timeoutMs}.
     */
    long convergence(List<Api> instances, long timeoutMs) throws InterruptedException {
        long start = System.currentTimeMillis();
        Instant since = Instant.ofEpochMilli(start);
        while (System.currentTimeMillis() - start < timeoutMs) {
            Set<String> hashes = new java.util.HashSet<>();
            boolean all = true;
            for (Api i : instances) {
                try {
                    Api.Response r = i.get("/api/v1/ops/index?territory=36", opsToken);
                    JsonObject j = r.status() == 200 ? r.json() : null;
                    if (j == null || !j.getBoolean("compared") || Instant.parse(j.getString("at")).isBefore(since)
                            || !j.getBoolean("inSync")) {
                        all = false;
                        break;
                    }
                    hashes.add(j.getJsonObject("index").encode());
                } catch (RuntimeException noAnswer) {
                    all = false;
                    break;
                }
            }
            if (all && hashes.size() == 1) return System.currentTimeMillis() - start;
            Thread.sleep(100);
        }
        return -1;
    }

    private <T, R> Map<T, R> parallel(List<T> items, Function<T, R> f) throws Exception {
        List<Future<R>> futures = new ArrayList<>();
        for (T item : items) futures.add(pool.submit((Callable<R>) () -> f.apply(item)));
        Map<T, R> out = new HashMap<>();
        for (int i = 0; i < items.size(); i++) out.put(items.get(i), futures.get(i).get());
        return out;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void close() { pool.shutdownNow(); }
}
