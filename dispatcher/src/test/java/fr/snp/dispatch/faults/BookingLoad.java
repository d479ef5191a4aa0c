package fr.snp.dispatch.faults;

import fr.snp.dispatch.Api;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Concurrent clients booking through the proxy, as regulators' consoles do: each files a request, then books one
 * free slot of its own with an Idempotency-Key of its own, and records the first answer as it came (ok, refused or
 * unknown), with the key, so that a checker can read every acknowledged booking back and settle every unknown one.
 * An unknown answer is not retried here: the checker replays it, once the fault is over.
 */
final class BookingLoad {
    enum Outcome { OK, REFUSED, UNKNOWN }

    /** One booking call: status -1 when no HTTP answer came at all (connection cut, time-out). */
    record Call(String key, String slot, String request, int status, String code, String appointment, long startNs, long endNs) {
        Outcome outcome() {
            if (status == 200 || status == 201) return Outcome.OK;
            if (status >= 400 && status < 500) return Outcome.REFUSED;
            return Outcome.UNKNOWN; // 5xx (503 OUTCOME_UNKNOWN, the proxy's 502/503), or no answer
        }
    }

    private final String phase;
    private final Api api;
    private final String token;
    private final Queue<String> slots;
    private final List<Thread> clients = new ArrayList<>();
    final List<Call> calls = new CopyOnWriteArrayList<>();
    /** When a request could not be filed (5xx or no answer): the store was away for clients just as much. */
    final List<Long> unclearRequestsNs = new CopyOnWriteArrayList<>();
    private volatile boolean running;
    private volatile Throwable failure;

    BookingLoad(String phase, Api api, String token, Queue<String> slots, int clients) {
        this.phase = phase;
        this.api = api;
        this.token = token;
        this.slots = slots;
        for (int c = 0; c < clients; c++) {
            int client = c;
            Thread t = new Thread(() -> run(client), "booking-" + phase + "-" + c);
            t.setDaemon(true);
            this.clients.add(t);
        }
    }

    BookingLoad start() {
        running = true;
        clients.forEach(Thread::start);
        return this;
    }

    /** Stops the clients (each finishes its call in flight) and gives every call made. */
    List<Call> stop() throws InterruptedException {
        running = false;
        for (Thread t : clients) t.join(60_000);
        if (failure != null) throw new AssertionError("a booking client failed", failure);
        return List.copyOf(calls);
    }

    private void run(int client) {
        try {
            int n = 0;
            while (running) {
                String slot = slots.poll();
                if (slot == null) return; // the phase's slots are all taken: the load ends by itself
                String request = fileRequest();
                if (request == null) return;
                String key = phase + "-" + client + "-" + n++;
                long start = System.nanoTime();
                Api.Response r;
                try {
                    r = api.book(token, slot, request, null, key);
                } catch (RuntimeException noAnswer) {
                    r = null;
                }
                long end = System.nanoTime();
                String code = null, appointment = null;
                if (r != null && r.body() != null && r.body().startsWith("{")) {
                    JsonObject j = r.json();
                    code = j.getString("code");
                    if (r.status() / 100 == 2) appointment = j.getString("id");
                }
                Call call = new Call(key, slot, request, r == null ? -1 : r.status(), code, appointment, start, end);
                calls.add(call);
                if (call.outcome() == Outcome.UNKNOWN) Thread.sleep(50); // no hot loop against a store that is away
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** A new request (not a booking: no key, simply asked again while the store is away); null once stopped. */
    private String fileRequest() throws InterruptedException {
        while (running) {
            Api.Response r;
            try {
                r = api.post("/api/v1/requests", token, requestBody());
            } catch (RuntimeException noAnswer) {
                r = null;
            }
            if (r != null && r.status() == 201) return r.json().getString("id");
            if (r != null && r.status() / 100 == 4) throw new AssertionError("request refused: " + r);
            unclearRequestsNs.add(System.nanoTime());
            Thread.sleep(50);
        }
        return null;
    }

    /** A nurse's call through the CPTS platform: not SAS-regulated, so no effector's weekly SAS cap applies. */
    static JsonObject requestBody() {
        return new JsonObject().put("origin", "NURSE").put("need", new JsonObject().put("within", "P7D"))
                .put("patient", new JsonObject().put("initials", "FM").put("birthYear", 1950).put("phone", "0612345678")
                        .put("communeInsee", "36044"));
    }
}
