package fr.snp.dispatch.redis;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * redis.durability=strict on a master with one replica (real redis-server processes): a booking is acknowledged
 * only once the replica has it (WAIT 1 on the connection that ran the script). A frozen replica (SIGSTOP) makes the
 * booking answer 503 OUTCOME_UNKNOWN within about the WAIT time-out; the retry with the same Idempotency-Key settles
 * it. And the loss it prevents, proven with the same checker: with relaxed, bookings acknowledged while the replica
 * lagged are gone after it takes over.
 */
class ReplicatedDurabilityTest {
    private static final int WAIT_MS = 400;

    @TempDir
    Path dir;

    @Test
    void aFrozenReplicaMakesABookingUnknownAndTheRetrySettlesIt() throws Exception {
        try (RedisNode master = RedisNode.start(dir.resolve("master"), "--appendonly", "yes");
             RedisNode replica = RedisNode.replicaOf(master, dir.resolve("replica"));
             TestServer server = TestServer.onRedis(master.url(), strict())) {
            String token = server.token(Role.REGULATOR);
            String effector = server.effector("36044", null);
            List<String> slots = new ArrayList<>();
            for (int i = 0; i < 4; i++) slots.add(server.slot(effector, 60 + 30 * i, "AMB", "SNP"));
            List<String> requests = new ArrayList<>();
            for (int i = 0; i < 4; i++) requests.add(server.requestId(Role.REGULATOR, "SAS_116117"));

            List<String> appointments = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Api.Response r = server.api.book(token, slots.get(i), requests.get(i), null, UUID.randomUUID().toString());
                assertThat(r.status()).as("booking %d with the replica following: %s", i, r).isEqualTo(201);
                appointments.add(r.json().getString("id"));
            }
            String unbooked = server.requestId(Role.REGULATOR, "SAS_116117");

            replica.freeze();
            String key = UUID.randomUUID().toString();
            long t0 = System.nanoTime();
            var pending = server.api.bookAsync(token, slots.get(3), requests.get(3), null, key);
            Thread.sleep(100);
            // while that booking's WAIT blocks its connection, the other commands go on (a connection of their own)
            long h0 = System.nanoTime();
            assertThat(server.api.get("/health", null).status()).isEqualTo(200);
            assertThat((System.nanoTime() - h0) / 1_000_000).as("health answered during the WAIT").isLessThan((long) WAIT_MS);
            Api.Response unknown = pending.join();
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(unknown.status()).as("booking while the replica is frozen: %s", unknown).isEqualTo(503);
            assertThat(unknown.code()).isEqualTo("OUTCOME_UNKNOWN");
            assertThat(unknown.json().containsKey("field")).isTrue();
            assertThat(unknown.json().getString("message")).contains("Idempotency-Key");
            assertThat(tookMs).as("answered within about the WAIT time-out").isBetween((long) WAIT_MS - 50, WAIT_MS + 1500L);

            // a cancellation and a request's outcome are acknowledged state changes too
            String cancel = "/api/v1/appointments/" + appointments.get(0) + "/cancel";
            Api.Response cancelUnknown = server.api.post(cancel, token, new io.vertx.core.json.JsonObject());
            assertThat(cancelUnknown.status()).as("cancel while frozen: %s", cancelUnknown).isEqualTo(503);
            assertThat(cancelUnknown.code()).isEqualTo("OUTCOME_UNKNOWN");
            String outcome = "/api/v1/requests/" + unbooked + "/outcome";
            io.vertx.core.json.JsonObject advice = new io.vertx.core.json.JsonObject().put("type", "ADVICE");
            assertThat(server.api.post(outcome, token, advice).code()).isEqualTo("OUTCOME_UNKNOWN");
            // counted for ops (dispatch_outcome_unknown_total, the StateChangesNotConfirmed alert): booking, cancel, outcome
            assertThat(server.dispatcher.services().bookings().durability().unknownOutcomes()).isEqualTo(3);

            // the retry reaching another instance (a connection that never wrote) while the replica still lags: still
            // unknown, not a replay of a booking the replica does not have
            try (fr.snp.dispatch.Dispatcher other = server.secondInstance(strict())) {
                Api.Response elsewhere = new Api("http://127.0.0.1:" + other.port()).book(token, slots.get(3), requests.get(3),
                        null, key);
                assertThat(elsewhere.status()).as("the retry on another instance while frozen: %s", elsewhere).isEqualTo(503);
                assertThat(elsewhere.code()).isEqualTo("OUTCOME_UNKNOWN");
            }

            replica.thaw();
            Api.Response cancelled = server.api.post(cancel, token, new io.vertx.core.json.JsonObject());
            for (int i = 0; i < 50 && cancelled.status() == 503; i++) {
                RedisNode.sleep(100);
                cancelled = server.api.post(cancel, token, new io.vertx.core.json.JsonObject());
            }
            assertThat(cancelled.status()).as("the cancel retried: %s", cancelled).isEqualTo(200);
            assertThat(server.api.post(outcome, token, advice).status()).as("the outcome retried").isEqualTo(200);
            Api.Response settled = retry(server, token, slots.get(3), requests.get(3), key);
            assertThat(settled.status()).as("the retry with the same key: %s", settled).isEqualTo(201);
            assertThat(settled.header("Idempotent-Replayed")).as("the first attempt had booked: replayed").isEqualTo("true");
            List<String> booked = appointmentsOf(server.redis, slots.get(3));
            assertThat(booked).as("exactly one appointment for the slot").containsExactly(settled.json().getString("id"));
            assertThat(replica.sync().exists(Keys.appointment("36", booked.get(0)))).isEqualTo(1L);
        }
    }

    /**
     * The negative control: the same failover, checked the same way, under relaxed and strict. Relaxed answers 201 to
     * bookings the lagging replica never gets: after the master dies and the replica takes over, the checker finds
     * them missing. Strict acknowledges only what the replica has (the others answered 503): none missing.
     */
    @Test
    void afterAFailoverRelaxedHasLostAcknowledgedBookingsAndStrictHasNot() throws Exception {
        Failover relaxed = failover("relaxed", dir.resolve("relaxed"));
        assertThat(relaxed.unconfirmed()).as("relaxed never answers 503").isZero();
        assertThat(relaxed.missing()).as("the checker finds the bookings acknowledged while the replica lagged missing")
                .hasSize(5).isSubsetOf(relaxed.acknowledged());

        Failover strict = failover("strict", dir.resolve("strict"));
        assertThat(strict.missing()).as("no acknowledged booking is missing after the failover").isEmpty();
        assertThat(strict.acknowledged()).as("those confirmed before the replica froze").hasSize(3);
        assertThat(strict.unconfirmed()).as("those made while it was frozen answered 503 OUTCOME_UNKNOWN").isEqualTo(5);
    }

    /** Acknowledged appointments, the 503 OUTCOME_UNKNOWN count, and the acknowledged ones the new master lacks. */
    private record Failover(List<String> acknowledged, int unconfirmed, List<String> missing) {}

    /**
     * 3 bookings with the replica following, 5 with it frozen (SIGSTOP), then the master is killed (SIGKILL) and the
     * replica takes over. A frozen replica on loopback still has the master's last bytes in its socket buffer (its
     * kernel took them): thawed, it would apply them. The lagging replica is therefore killed frozen as well and
     * started again from its own append-only file, as the new master (REPLICAOF NO ONE): it has what it applied.
     */
    private Failover failover(String durability, Path root) throws Exception {
        List<String> acknowledged = new ArrayList<>();
        List<String> lagging = new ArrayList<>();
        int unconfirmed = 0;
        RedisNode master = RedisNode.start(root.resolve("master"), "--appendonly", "yes");
        RedisNode replica = RedisNode.replicaOf(master, root.resolve("replica"));
        Map<String, String> settings = durability.equals("strict") ? strict()
                : Map.of("redis.durability", "relaxed", "redis.allowUnsafe", "false");
        try (TestServer server = TestServer.onRedis(master.url(), settings)) {
            String token = server.token(Role.REGULATOR);
            String effector = server.effector("36044", null);
            List<String> slots = new ArrayList<>();
            for (int i = 0; i < 8; i++) slots.add(server.slot(effector, 60 + 30 * i, "AMB", "SNP"));
            List<String> requests = new ArrayList<>();
            for (int i = 0; i < 8; i++) requests.add(server.requestId(Role.REGULATOR, "SAS_116117"));
            for (int i = 0; i < 3; i++) {
                Api.Response r = server.api.book(token, slots.get(i), requests.get(i), null, UUID.randomUUID().toString());
                assertThat(r.status()).as("%s: %s", durability, r).isEqualTo(201);
                acknowledged.add(r.json().getString("id"));
            }
            awaitCaughtUp(master, replica); // relaxed too: the replica has everything before it freezes
            replica.freeze();
            for (int i = 3; i < 8; i++) {
                Api.Response r = server.api.book(token, slots.get(i), requests.get(i), null, UUID.randomUUID().toString());
                if (r.status() == 201) {
                    acknowledged.add(r.json().getString("id"));
                    lagging.add(r.json().getString("id"));
                } else {
                    assertThat(r.code()).as("%s: %s", durability, r).isEqualTo("OUTCOME_UNKNOWN");
                    unconfirmed++;
                }
            }
            master.kill();
        } finally {
            master.close();
        }
        replica.kill();
        replica.close();
        try (RedisNode promoted = RedisNode.start(replica.dir, replica.port, "--appendonly", "yes")) {
            promoted.sync().replicaofNoOne();
            List<String> missing = missing(promoted.sync(), acknowledged);
            return new Failover(acknowledged, unconfirmed, missing);
        }
    }

    /** The checker: the acknowledged appointments a Redis does not have. */
    static List<String> missing(RedisCommands<String, String> redis, List<String> acknowledged) {
        return acknowledged.stream().filter(id -> redis.exists(Keys.appointment("36", id)) == 0).toList();
    }

    private static Map<String, String> strict() {
        return Map.of("redis.durability", "strict", "redis.replicas", "1", "redis.waitTimeoutMs", String.valueOf(WAIT_MS),
                "redis.allowUnsafe", "false");
    }

    private static Api.Response retry(TestServer server, String token, String slot, String request, String key) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        Api.Response r;
        do {
            r = server.api.book(token, slot, request, null, key);
        } while (r.status() == 503 && System.nanoTime() < deadline);
        return r;
    }

    private static void awaitCaughtUp(RedisNode master, RedisNode replica) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            String m = offset(master.sync().info("replication"), "master_repl_offset");
            if (m.equals(offset(replica.sync().info("replication"), "slave_repl_offset"))) return;
            RedisNode.sleep(20);
        }
        throw new IllegalStateException("the replica did not catch up");
    }

    private static String offset(String info, String field) {
        for (String line : info.split("\r?\n")) if (line.startsWith(field + ":")) return line.substring(field.length() + 1).strip();
        return "";
    }

    private static List<String> appointmentsOf(RedisCommands<String, String> redis, String slot) {
        List<String> ids = new ArrayList<>();
        for (String key : redis.keys(Keys.appointment("36", "*").replace("{", "\\{").replace("}", "\\}"))) {
            if (slot.equals(redis.hget(key, "slot"))) ids.add(redis.hget(key, "id"));
        }
        return ids;
    }
}
