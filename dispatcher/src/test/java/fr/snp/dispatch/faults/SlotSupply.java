package fr.snp.dispatch.faults;

import fr.snp.dispatch.Api;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Free slots for the booking load, published by the coordinator in batches (one call per effector and batch of up
 * to 500): each effector's slots follow one another, ten minutes each, from an hour from now (no two overlap).
 */
final class SlotSupply {
    private static final int MINUTES = 10;
    private static final int BATCH = 500;
    /** Four weeks of ten-minute slots end the availability horizon (availability.horizonDays=28): a little less. */
    private static final int PER_EFFECTOR = 27 * 24 * 60 / MINUTES;

    private final Api api;
    private final String coordinator;
    private final List<String> effectors;
    private final int[] next;
    private final OffsetDateTime origin = OffsetDateTime.now(ZoneId.of("Europe/Paris")).truncatedTo(ChronoUnit.HOURS).plusHours(2);

    SlotSupply(Api api, String coordinator, List<String> effectors) {
        this.api = api;
        this.coordinator = coordinator;
        this.effectors = List.copyOf(effectors);
        this.next = new int[effectors.size()];
    }

    /** {@code n} new free slots, spread over the effectors (and so over their webhook queues), in shuffled order. */
    Queue<String> publish(int n) {
        List<String> ids = new ArrayList<>(n);
        int perEffector = (n + effectors.size() - 1) / effectors.size();
        for (int e = 0; e < effectors.size() && ids.size() < n; e++) {
            int wanted = Math.min(perEffector, n - ids.size());
            while (wanted > 0) {
                int batch = Math.min(BATCH, wanted);
                if (next[e] + batch > PER_EFFECTOR) throw new IllegalStateException("effector " + e + " has no room for more slots");
                JsonArray slots = new JsonArray();
                for (int i = 0; i < batch; i++) {
                    OffsetDateTime start = origin.plusMinutes((long) MINUTES * next[e]++);
                    slots.add(new JsonObject().put("effectorId", effectors.get(e)).put("start", start.toString())
                            .put("end", start.plusMinutes(MINUTES).toString()).put("mode", "AMB")
                            .put("audiences", new JsonArray().add("SNP")));
                }
                Api.Response r = api.post("/api/v1/slots", coordinator, new JsonObject().put("slots", slots));
                if (r.status() != 201) throw new IllegalStateException("slots not published: " + r);
                r.json().getJsonArray("slots").forEach(s -> ids.add(((JsonObject) s).getString("id")));
                wanted -= batch;
            }
        }
        java.util.Collections.shuffle(ids);
        return new ConcurrentLinkedQueue<>(ids);
    }
}
