package fr.snp.dispatch.redis;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.Dispatcher;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.config.Settings;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static fr.snp.dispatch.redis.RedisNode.cli;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server on Redis Sentinel (1 master, 2 replicas, 3 sentinels: real processes on loopback ports), reached by a
 * {@code redis-sentinel://} URL, while a regulator books one slot after another: the master is killed (SIGKILL), the
 * sentinels promote a replica, and the server books again on the new master by itself. Every booking is recorded with
 * its Idempotency-Key; each one that got no clear answer is replayed with its key until it settles. The durability
 * level is strict with one replica: an answer 201 means a replica has the booking. Then: every slot is booked (no
 * acknowledged booking lost), no slot has two appointments, every key names one appointment on its slot, the index
 * was rebuilt from the new master, and the pause (first refusal after the kill to the next booking) is printed and
 * bounded.
 */
@org.junit.jupiter.api.Tag("fault")
class SentinelFailoverTest {
    static final String MASTER = "snp";

    @Test
    void bookingsGoOnAfterTheMasterIsKilledAndNoSlotIsBookedTwice(@TempDir Path dir) throws Exception {
        List<RedisNode> all = new ArrayList<>();
        Dispatcher server = null;
        try {
            RedisNode master = RedisNode.start(dir.resolve("m"), "--appendonly", "yes");
            all.add(master);
            // each replica has finished its first sync (master_link_status:up): connected is not enough, a replica
            // waits for the master's first snapshot (wait_bgsave) and a failover meanwhile would promote an empty one
            List<RedisNode> replicas = new ArrayList<>();
            for (String r : List.of("r1", "r2")) replicas.add(RedisNode.replicaOf(master, dir.resolve(r)));
            all.addAll(replicas);
            List<RedisNode> sentinels = new ArrayList<>();
            for (String s : List.of("s1", "s2", "s3")) sentinels.add(RedisNode.sentinel(dir.resolve(s), MASTER, master.port, 1000));
            all.addAll(sentinels);
            nodes = List.copyOf(all);
            awaitUntil(20, () -> master.sync().info("replication").lines().filter(l -> l.startsWith("slave"))
                    .filter(l -> l.contains("state=online")).count() == 2
                    && sentinels.stream().allMatch(s -> sentinelReplicas(s) == 2));

            String url = "redis-sentinel://" + String.join(",", sentinels.stream().map(s -> "127.0.0.1:" + s.port).toList())
                    + "/0#" + MASTER;
            Map<String, String> settings = new HashMap<>(Map.of("redis.url", url, "http.port", "0", "http.instances", "1",
                    "links.keys", TestServer.LINK_KEYS, "limits.writesPerMinute", "0", "limits.activeHoldsPerPrincipal", "0",
                    // strict: a booking is answered once a replica has it, so every acknowledged one must be on the
                    // promoted replica (Sentinel promotes the most advanced); checked below slot by slot
                    "redis.durability", "strict"));
            settings.put("redis.replicas", "1");
            server = Dispatcher.start(Settings.defaultsWith(settings), false, Clock.systemUTC());
            Api api = new Api("http://127.0.0.1:" + server.port());
            String coordinator = token(server, Role.COORDINATOR, "CPTS-TEST", Set.of("CPTS-TEST"));
            String regulator = token(server, Role.REGULATOR, "SAS-36", Set.of());
            String effector = effector(api, coordinator, "36044", "1077700001");
            List<String> slots = new ArrayList<>();
            for (int i = 0; i < 40; i++) slots.add(slot(api, coordinator, effector, 120 + 30 * i));

            // one booking after another; the master dies after the tenth
            Map<String, String> keyOfSlot = new LinkedHashMap<>();
            Map<String, Integer> firstAnswer = new LinkedHashMap<>();
            long killedAt = 0, firstBookingAfter = 0;
            refusedSince = 0;
            for (int i = 0; i < slots.size(); i++) {
                if (i == 10) {
                    master.kill();
                    killedAt = System.nanoTime();
                }
                String slot = slots.get(i);
                String request = untilAnswered(() -> api.post("/api/v1/requests", regulator, requestBody()), 30);
                String key = "sentinel-" + i;
                keyOfSlot.put(slot, key);
                Api.Response booked = api.book(regulator, slot, request, null, key);
                firstAnswer.put(slot, booked.status());
                noteRefusal(booked);
                if (refusedSince > 0 && booked.status() == 201 && firstBookingAfter == 0) firstBookingAfter = System.nanoTime();
                // an unclear answer is replayed with its key until it settles (as a regulator's console would)
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (booked.status() >= 500 && System.nanoTime() < until) {
                    Thread.sleep(200);
                    booked = api.book(regulator, slot, request, null, key);
                    noteRefusal(booked);
                }
                if (booked.status() == 404 || booked.status() == 401) diagnose();
                assertThat(booked.status()).as("booking %s settles: %s", key, booked).isIn(201, 200, 409);
                if (refusedSince > 0 && firstBookingAfter == 0 && booked.status() < 300) firstBookingAfter = System.nanoTime();
            }
            int newMaster = sentinelMasterPort(sentinels.get(0));
            assertThat(newMaster).as("a replica was promoted").isNotEqualTo(master.port);
            assertThat(firstBookingAfter).as("a booking after the kill").isPositive();
            assertThat(refusedSince).as("the kill was felt (a 503 while no master answered)").isPositive();
            double pauseMs = (firstBookingAfter - refusedSince) / 1e6;
            System.out.printf("Sentinel failover: first refusal %.0f ms after the kill, next booking %.0f ms after that "
                    + "(the failover pause); first answers to the bookings %s%n", (refusedSince - killedAt) / 1e6, pauseMs,
                    firstAnswer.values());
            assertThat(pauseMs).as("failover pause (ms)").isLessThan(15_000);
            // the index was rebuilt from the new master (which may lack the old one's last writes)
            Dispatcher d = server;
            awaitUntil(10, () -> d.indexSync().checks().reloads("new_master") >= 1);

            // no slot twice; every key names one appointment, on the slot it was given for
            Set<String> appointments = new java.util.HashSet<>();
            for (String slot : slots) {
                JsonObject s = api.get("/api/v1/slots/" + slot, coordinator).json();
                assertThat(s.getString("status")).as(slot).isEqualTo("booked");
                String appointment = s.getString("appointmentId");
                assertThat(appointments.add(appointment)).as("one appointment per slot").isTrue();
                Api.Response read = api.get("/api/v1/appointments/" + appointment, regulator);
                assertThat(read.status()).isEqualTo(200);
                assertThat(read.json().getJsonObject("slot").getString("id")).isEqualTo(slot);
            }
        } finally {
            if (server != null) server.close();
            for (RedisNode p : all) p.close();
        }
    }

    /** How many replicas a sentinel knows (redis-cli prints one field per line: count the "name" fields). */
    static int sentinelReplicas(RedisNode sentinel) {
        return (int) cli(sentinel.port, "SENTINEL", "replicas", MASTER).lines().filter("name"::equals).count();
    }

    static int sentinelMasterPort(RedisNode sentinel) {
        String[] addr = cli(sentinel.port, "SENTINEL", "get-master-addr-by-name", MASTER).strip().split("\n");
        return Integer.parseInt(addr[1].strip());
    }


    interface Check { boolean ok() throws Exception; }

    static void awaitUntil(int seconds, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try { if (check.ok()) return; } catch (RuntimeException notYet) { /* again */ }
            Thread.sleep(100);
        }
        throw new AssertionError("not reached within " + seconds + " s");
    }

    /** When the first refusal (a 5xx: no master to write to) came after the kill; 0 before. */
    static volatile long refusedSince;

    static void noteRefusal(Api.Response r) {
        if (r.status() >= 500 && refusedSince == 0) refusedSince = System.nanoTime();
    }

    interface Call { Api.Response send(); }

    /** The id of what a call created, retrying while the store is away (a request is no booking: no key needed). */
    static String untilAnswered(Call call, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Api.Response r = call.send();
        noteRefusal(r);
        while (r.status() >= 500 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            r = call.send();
            noteRefusal(r);
        }
        if (r.status() == 401) diagnose();
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().getString("id");
    }

    /** The Redis processes of the running test, for a diagnosis when a call finds something missing. */
    static volatile List<RedisNode> nodes = List.of();

    static void diagnose() {
        for (RedisNode n : nodes) {
            if (!n.alive()) { System.out.println("node " + n.port + ": dead"); continue; }
            try {
                System.out.println("node " + n.port + ": " + cli(n.port, "INFO", "replication").lines()
                        .filter(l -> l.startsWith("role") || l.startsWith("master_port") || l.startsWith("master_repl_offset")
                                || l.startsWith("master_link_status")).toList()
                        + " tokens " + cli(n.port, "HLEN", Keys.TOKENS).strip() + " keys " + cli(n.port, "DBSIZE").strip());
            } catch (RuntimeException e) {
                System.out.println("node " + n.port + ": " + e);
            }
        }
    }

    static String token(Dispatcher d, Role role, String org, Set<String> cpts) throws Exception {
        return d.services().tokens().create(new Principal(null, role, role.name(), Set.of("36"), org, cpts))
                .toCompletableFuture().get(5, TimeUnit.SECONDS).getKey();
    }

    /** An effector of CPTS-TEST practising in {@code commune}, RPPS {@code rpps10} + its check digit (Redis set-up tests). */
    static String effector(Api api, String coordinator, String commune, String rpps10) {
        JsonObject body = new JsonObject().put("rpps", fr.snp.dispatch.domain.Rpps.withCheckDigit(rpps10))
                .put("firstName", "Test").put("lastName", "Redis").put("specialty", "SM54")
                .put("cpts", new JsonArray().add("CPTS-TEST")).put("weeklySasCap", 100)
                .put("locations", new JsonArray().add(new JsonObject().put("name", "Cabinet").put("communeInsee", commune)));
        Api.Response r = api.post("/api/v1/effectors", coordinator, body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().getString("id");
    }

    static String slot(Api api, String coordinator, String effector, int inMinutes) {
        OffsetDateTime start = OffsetDateTime.now(ZoneId.of("Europe/Paris")).truncatedTo(ChronoUnit.MINUTES).plusMinutes(inMinutes);
        Api.Response r = api.post("/api/v1/slots", coordinator, new JsonObject().put("effectorId", effector)
                .put("start", start.toString()).put("end", start.plusMinutes(20).toString()).put("mode", "AMB")
                .put("audiences", new JsonArray().add("SNP")));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().getString("id");
    }

    static JsonObject requestBody() {
        return new JsonObject().put("origin", "SAS_116117").put("need", new JsonObject().put("within", "PT48H"))
                .put("patient", new JsonObject().put("initials", "SF").put("birthYear", 1950).put("phone", "0612345678")
                        .put("communeInsee", "36044"));
    }
}
