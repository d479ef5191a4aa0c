package fr.snp.dispatch.redis;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.Dispatcher;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.config.Settings;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two dispatchers on a real Redis Cluster (3 masters, 3 replicas, redis-server processes on loopback ports), strict
 * durability with one replica: three territories whose hash tags fall on the three masters are booked through both
 * instances; each instance's index follows the other's bookings (one stream read per territory), notifications are
 * delivered from every territory's outbox, and /health names the three masters. Then the master serving territory
 * 37 is killed (SIGKILL) while bookings go on in all three: 36 and 41, on masters left alone, answer every booking;
 * 37 answers 503 until its replica is promoted and then books again; every booking answered 201 is on the cluster
 * after the failover, no slot has two appointments, every unclear answer settles when replayed with its key, and both
 * instances' indexes equal Redis again.
 */
class RedisClusterTest {
    /** Département codes whose hash tags {36}, {37}, {41} fall in the three masters' slot ranges (1619, 5746, 12067). */
    static final Map<String, String> COMMUNE = Map.of("36", "36044", "37", "37261", "41", "41018");

    @Test
    void bookingsSpreadOverThreeMastersSurviveTheFailoverOfOneAndTheOthersNeverNoticeIt(@TempDir Path dir) throws Exception {
        try (RedisClusterNodes cluster = RedisClusterNodes.start(dir, 3)) {
            Set<Integer> masters = new HashSet<>();
            for (String t : COMMUNE.keySet()) masters.add(cluster.masterOf("{" + t + "}").port);
            assertThat(masters).as("the three territories live on three masters").hasSize(3);

            Map<String, String> settings = new HashMap<>(Map.of("redis.url", cluster.url(), "redis.cluster", "true",
                    "http.port", "0", "http.instances", "1", "links.keys", TestServer.LINK_KEYS,
                    "limits.writesPerMinute", "0", "limits.activeHoldsPerPrincipal", "0",
                    "redis.durability", "strict", "redis.replicas", "1"));
            settings.put("index.checkSeconds", "1");
            try (Dispatcher a = Dispatcher.start(Settings.defaultsWith(settings), false, Clock.systemUTC());
                 Dispatcher b = Dispatcher.start(Settings.defaultsWith(settings), false, Clock.systemUTC())) {
                Api apiA = new Api("http://127.0.0.1:" + a.port()), apiB = new Api("http://127.0.0.1:" + b.port());
                Set<String> all = COMMUNE.keySet();
                String coordinator = token(a, Role.COORDINATOR, "CPTS-TEST", Set.of("CPTS-TEST"), all);
                String regulator = token(a, Role.REGULATOR, "SAS-CENTRE", Set.of(), all);
                String ops = token(a, Role.OPS, "OPS-CENTRE", Set.of(), all);

                Api.Response health = apiA.get("/health", null);
                assertThat(health.status()).as(health.toString()).isEqualTo(200);
                assertThat(health.json().getJsonObject("redisMasters").fieldNames()).as("every master named").hasSize(3);

                Map<String, List<String>> slots = new LinkedHashMap<>();
                for (String t : all) {
                    String effector = SentinelFailoverTest.effector(apiA, coordinator, COMMUNE.get(t), "10777" + t + "001");
                    List<String> ids = new ArrayList<>();
                    for (int i = 0; i < 24; i++) ids.add(SentinelFailoverTest.slot(apiA, coordinator, effector, 120 + 25 * i));
                    slots.put(t, ids);
                }
                // before the fault: bookings in every territory through both instances, each seen by the other
                // slot -> "key request" of the booking tried on it (none when its request could not be filed)
                Map<String, String> keyOfSlot = new HashMap<>();
                Map<String, String> appointmentOfSlot = new HashMap<>();
                for (String t : all) {
                    for (int i = 0; i < 4; i++) {
                        Api api = i % 2 == 0 ? apiA : apiB;
                        String slot = slots.get(t).get(i);
                        Api.Response r = book(api, regulator, t, slot, keyOfSlot);
                        assertThat(r.status()).as("booking in %s: %s", t, r).isEqualTo(201);
                        appointmentOfSlot.put(slot, r.json().getString("id"));
                    }
                }
                awaitDigestsEqualRedis(List.of(apiA, apiB), ops, all);
                for (String t : all) {
                    assertThat(apiB.get("/api/v1/ops/index?territory=" + t, ops).json().getJsonObject("index").getLong("booked"))
                            .as("instance B's index of %s holds A's bookings too", t).isEqualTo(4L);
                    // the statistics too, from each instance's read model (kept in step by revisions on that master)
                    java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneId.of("Europe/Paris"));
                    for (Api api : List.of(apiA, apiB)) {
                        assertThat(api.get("/api/v1/stats/noshow?territory=" + t + "&from=" + today.minusDays(1) + "&to="
                                + today.plusDays(1), ops).json().getJsonArray("rows").getJsonObject(0).getLong("booked"))
                                .as("bookings in the statistics of %s", t).isEqualTo(4L);
                    }
                }
                // notifications of every territory delivered (the outbox group read one stream at a time)
                fr.snp.dispatch.Await.until("every outbox delivered", 10_000, () -> {
                    for (String t : all) {
                        JsonObject o = apiA.get("/api/v1/ops/outbox?territory=" + t, ops).json();
                        if (o.getLong("pending") != 0 || o.getLong("unread") != 0) return false;
                    }
                    return true;
                });

                // the fault: the master of 37 dies while bookings go on in the three territories, one after another
                RedisNode victim = cluster.masterOf("{37}");
                Map<String, List<Integer>> answers = new LinkedHashMap<>();
                all.forEach(t -> answers.put(t, new ArrayList<>()));
                long killedAt = 0, firstRefusal = 0, firstBookingAfter = 0;
                boolean restarted = false;
                for (int i = 4; i < 24; i++) {
                    if (i == 6) {
                        victim.kill();
                        killedAt = System.nanoTime();
                    }
                    RedisNode promoted = killedAt > 0 && !restarted ? cluster.masterOf("{37}") : null;
                    if (promoted != null && promoted != victim) {
                        // its replica took over; the dead master is started again by its supervisor and becomes the
                        // promoted one's replica: until then strict durability (WAIT 1) has no replica to wait for in
                        // 37, whose bookings answer 503 OUTCOME_UNKNOWN (a deployment for strict runs 2 replicas)
                        cluster.restart(victim);
                        restarted = true;
                    }
                    for (String t : all) {
                        String slot = slots.get(t).get(i);
                        Api.Response r = book(i % 2 == 0 ? apiA : apiB, regulator, t, slot, keyOfSlot);
                        answers.get(t).add(r.status());
                        if (t.equals("37") && killedAt > 0) {
                            if (r.status() >= 500 && firstRefusal == 0) firstRefusal = System.nanoTime();
                            if (r.status() == 201 && firstRefusal > 0 && firstBookingAfter == 0) firstBookingAfter = System.nanoTime();
                        }
                        if (r.status() == 201) appointmentOfSlot.put(slot, r.json().getString("id"));
                    }
                    // the instance that did not take a booking of 36 learns of it from 36's stream meanwhile: a master
                    // away stalls the reads of its own territories only (a stale index would offer booked slots)
                    long booked36 = slots.get("36").stream().filter(appointmentOfSlot::containsKey).count();
                    for (Dispatcher instance : List.of(a, b)) {
                        fr.snp.dispatch.Await.until("36's bookings in both indexes while 37's master is away", 3_000,
                                () -> instance.services().index().territory("36").digest(0).booked() == booked36);
                    }
                    if (killedAt > 0 && firstBookingAfter == 0) Thread.sleep(300); // let the failover happen within the run
                }
                System.out.printf("Redis Cluster failover of territory 37's master: first refusal %.0f ms after the kill, next "
                        + "booking %.0f ms after that; answers %s%n", (firstRefusal - killedAt) / 1e6,
                        (firstBookingAfter - firstRefusal) / 1e6, answers);
                assertThat(answers.get("36")).as("36 is on a master left alone: every booking answered").containsOnly(201);
                assertThat(answers.get("41")).as("41 is on a master left alone: every booking answered").containsOnly(201);
                assertThat(answers.get("37")).as("37 felt the kill, then booked again").contains(503).endsWith(201);
                assertThat(firstBookingAfter).isPositive();

                // every unclear answer settles when replayed with its key (to the one appointment, or a refusal)
                for (String t : all) {
                    for (String slot : slots.get(t)) {
                        String key = keyOfSlot.get(slot);
                        if (key == null || appointmentOfSlot.containsKey(slot)) continue;
                        Api.Response r = settle(apiA, regulator, slot, key);
                        assertThat(r.status()).as("replay of %s: %s", key, r).isIn(200, 201, 409);
                        if (r.status() < 300) appointmentOfSlot.put(slot, r.json().getString("id"));
                    }
                }
                // slots whose request could not even be filed while 37 had no master: booked now, with keys of their own
                for (String t : all) {
                    for (String slot : slots.get(t)) {
                        if (appointmentOfSlot.containsKey(slot)) continue;
                        assertThat(keyOfSlot).as("a slot whose booking was tried is settled above").doesNotContainKey(slot);
                        Api.Response r = book(apiA, regulator, t, slot, keyOfSlot);
                        assertThat(r.status()).as("booking %s after the failover: %s", slot, r).isEqualTo(201);
                        appointmentOfSlot.put(slot, r.json().getString("id"));
                    }
                }
                // no acknowledged booking lost, no slot twice
                Set<String> seen = new HashSet<>();
                for (Map.Entry<String, String> e : appointmentOfSlot.entrySet()) {
                    JsonObject s = apiA.get("/api/v1/slots/" + e.getKey(), coordinator).json();
                    assertThat(s.getString("status")).as("slot %s of an acknowledged booking", e.getKey()).isEqualTo("booked");
                    assertThat(s.getString("appointmentId")).as("the acknowledged appointment is the slot's").isEqualTo(e.getValue());
                    assertThat(seen.add(e.getValue())).isTrue();
                    assertThat(apiA.get("/api/v1/appointments/" + e.getValue(), regulator).status()).isEqualTo(200);
                }
                assertThat(appointmentOfSlot).as("every slot offered was booked, once").hasSize(3 * 24);
                // both indexes rebuilt from the promoted replica, equal to Redis again
                assertThat(a.indexSync().checks().reloads("new_master") + b.indexSync().checks().reloads("new_master"))
                        .as("the failover was noticed").isPositive();
                awaitDigestsEqualRedis(List.of(apiA, apiB), ops, all);
                cluster.awaitHealthy(20);
                fr.snp.dispatch.Await.until("health UP with the promoted master", 10_000,
                        () -> apiA.get("/health", null).status() == 200);
            }
        }
    }

    /** Files a request for a patient of the territory and books the slot with a key of its own (recorded). */
    static Api.Response book(Api api, String regulator, String territory, String slot, Map<String, String> keyOfSlot) {
        Api.Response request = api.post("/api/v1/requests", regulator, requestBody(territory));
        if (request.status() != 201) return request; // the store away: the booking is not tried (nothing to replay)
        String key = "cluster-" + slot;
        keyOfSlot.put(slot, key + " " + request.json().getString("id"));
        return api.book(regulator, slot, request.json().getString("id"), null, key);
    }

    /**
     * A booking whose first answer was unclear, replayed as a console would: the same request, slot and key, until it
     * settles. {@code keyAndRequest} is what {@link #book} recorded.
     */
    static Api.Response settle(Api api, String regulator, String slot, String keyAndRequest) throws Exception {
        String[] kr = keyAndRequest.split(" ");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Api.Response r = api.book(regulator, slot, kr[1], null, kr[0]);
            if (r.status() < 500 || System.nanoTime() > deadline) return r;
            Thread.sleep(200);
        }
    }

    /** Each instance's last comparison of its index with Redis, for every territory, shows them equal. */
    static void awaitDigestsEqualRedis(List<Api> instances, String ops, Set<String> territories) throws Exception {
        long since = System.currentTimeMillis();
        fr.snp.dispatch.Await.until("every instance's index equal to Redis", 15_000, () -> {
            for (Api api : instances) {
                for (String t : territories) {
                    JsonObject j = api.get("/api/v1/ops/index?territory=" + t, ops).json();
                    if (!j.getBoolean("compared", false) || !j.getBoolean("inSync", false)) return false;
                    if (java.time.Instant.parse(j.getString("at")).toEpochMilli() < since) return false; // a fresh comparison
                }
            }
            return true;
        });
    }

    static String token(Dispatcher d, Role role, String org, Set<String> cpts, Set<String> territories) throws Exception {
        return d.services().tokens().create(new Principal(null, role, role.name(), territories, org, cpts))
                .toCompletableFuture().get(5, TimeUnit.SECONDS).getKey();
    }

    static JsonObject requestBody(String territory) {
        return new JsonObject().put("origin", "SAS_116117").put("need", new JsonObject().put("within", "PT48H"))
                .put("patient", new JsonObject().put("initials", "CL").put("birthYear", 1950).put("phone", "0612345678")
                        .put("communeInsee", COMMUNE.get(territory)));
    }
}
