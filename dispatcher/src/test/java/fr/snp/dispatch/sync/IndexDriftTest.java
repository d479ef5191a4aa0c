package fr.snp.dispatch.sync;

import fr.snp.dispatch.Await;
import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.domain.SlotStatus;
import fr.snp.dispatch.matching.TerritoryIndex;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.XAddArgs;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The index cannot drift from Redis unnoticed: a withdrawn slot is not brought back by a late copy of an older
 * event (tombstones); a change Redis holds but the index never heard of is found by the periodic comparison and the
 * index rebuilt; a change stream trimmed past the follower's place while it was away rebuilds the index when it
 * resumes. Each change "behind the index's back" is written to Redis directly, as a failover that lost writes, or a
 * trimmed stream, would leave things.
 */
class IndexDriftTest {


    static SlotState state(String id, SlotStatus status, long version) {
        Map<String, String> h = new HashMap<>(Map.of("e", "36-E1", "l", "0", "s", "2000000000", "n", "2000001200", "o", "3600",
                "m", "AMB", "a", "1", "st", status.code, "w", "2033-W20", "v", String.valueOf(version)));
        return SlotState.fromHash(id, h);
    }

    @Test
    void aWithdrawnSlotIsNotBroughtBackByALateOlderEvent() {
        TerritoryIndex index = new TerritoryIndex();
        String id = "36-E1-xyz";
        index.apply(state(id, SlotStatus.FREE, 1));
        index.apply(state(id, SlotStatus.CANCELLED, 3));
        assertThat(index.slot(id)).isNull();
        index.apply(state(id, SlotStatus.FREE, 2)); // a late copy of an earlier change
        assertThat(index.slot(id)).as("not brought back").isNull();
        index.apply(state(id, SlotStatus.FREE, 4)); // published again: a newer version
        assertThat(index.slot(id)).isNotNull();
        assertThat(index.slot(id).version()).isEqualTo(4);
        // the tombstone goes once the slot has ended
        index.apply(state(id, SlotStatus.CANCELLED, 5));
        index.pruneEndedBefore(2000001201);
        index.apply(state(id, SlotStatus.FREE, 2));
        assertThat(index.slot(id)).as("an ended slot's tombstone is pruned with it").isNotNull();
    }

    @Test
    void theDigestCountsAndHashesWhatTheIndexHolds() {
        TerritoryIndex a = new TerritoryIndex(), b = new TerritoryIndex();
        a.apply(state("36-E1-a", SlotStatus.FREE, 1));
        a.apply(state("36-E1-b", SlotStatus.BOOKED, 2));
        b.apply(state("36-E1-b", SlotStatus.BOOKED, 2)); // another order, the same slots
        b.apply(state("36-E1-a", SlotStatus.FREE, 1));
        assertThat(a.digest(0)).isEqualTo(b.digest(0));
        assertThat(a.digest(0).free()).isEqualTo(1);
        assertThat(a.digest(0).booked()).isEqualTo(1);
        b.apply(state("36-E1-a", SlotStatus.FREE, 3)); // one version apart
        assertThat(a.digest(0)).isNotEqualTo(b.digest(0));
        assertThat(a.digest(0).free()).isEqualTo(b.digest(0).free());
        assertThat(a.digest(2_000_000_001).free()).as("slots starting before the window are left out").isZero();
    }

    @Test
    void aChangeTheIndexNeverHeardOfIsFoundByTheComparisonAndTheIndexRebuilt() throws Exception {
        try (TestServer server = TestServer.start(Map.of("index.checkSeconds", "1", "http.instances", "1"))) {
            String effector = server.effector("36044", null);
            String slot = server.slot(effector, 120, "AMB", "SNP");
            server.slot(effector, 150, "AMB", "SNP");
            String ops = server.token(Role.OPS);
            Await.until("a first comparison, equal", 10_000, () -> {
                JsonObject j = server.api.get("/api/v1/ops/index?territory=36", ops).json();
                return j.getBoolean("compared") && j.getBoolean("inSync");
            });
            JsonObject equal = server.api.get("/api/v1/ops/index?territory=36", ops).json();
            assertThat(equal.getJsonObject("index")).isEqualTo(equal.getJsonObject("redis"));
            assertThat(equal.getJsonObject("index").getLong("free")).isGreaterThanOrEqualTo(2);

            // behind the index's back (as a failover that lost the change's event would leave it): booked in Redis
            server.redis.hset(Keys.slot("36", slot), Map.of("st", "b"));
            server.redis.hincrby(Keys.slot("36", slot), "v", 5);
            var index = server.dispatcher.services().index();
            assertThat(index.slot(slot).status()).isEqualTo(SlotStatus.FREE);
            Await.until("the index rebuilt with Redis' state", 10_000, () -> index.slot(slot) != null
                    && index.slot(slot).status() == SlotStatus.BOOKED);
            JsonObject after = server.api.get("/api/v1/ops/index?territory=36", ops).json();
            assertThat(after.getJsonObject("reloads").getLong("drift")).isGreaterThanOrEqualTo(1);
            Await.until("equal again", 10_000, () -> server.api.get("/api/v1/ops/index?territory=36", ops).json().getBoolean("inSync"));
            server.dispatcher.refreshMetrics(); // registers the territory's gauges (every 15 s otherwise)
            assertThat(server.dispatcher.services().metrics().scrape()).contains("dispatch_index_reloads_total{reason=\"drift\"}")
                    .contains("dispatch_index_in_sync{territory=\"36\"} 1.0");
            // a slot no longer offered once the index knows it is booked
            Api.Response request = server.request(Role.REGULATOR, "SAS_116117", "36044", new JsonObject().put("within", "PT24H"));
            assertThat(request.json().getJsonArray("candidates").stream().map(o -> ((JsonObject) o).getString("slotId")))
                    .doesNotContain(slot);
        }
    }

    @Test
    void aStreamTrimmedPastTheFollowersPlaceRebuildsTheIndexWhenItResumes() throws Exception {
        try (TestServer server = TestServer.start(Map.of("index.checkSeconds", "0", "http.instances", "1"))) {
            String effector = server.effector("36044", null);
            String slot = server.slot(effector, 120, "AMB", "SNP");
            String other = server.slot(effector, 150, "AMB", "SNP");
            var index = server.dispatcher.services().index();
            Await.until("both slots in the index", 5_000, () -> index.slot(slot) != null && index.slot(other) != null);
            IndexSync follower = server.dispatcher.indexSync();
            // the follower has read the territory's stream up to its end (the slots above reached the index from the
            // scripts' replies already)
            Await.until("the follower at the stream's end", 5_000, () -> {
                var last = server.redis.xrevrange(Keys.events("36"), io.lettuce.core.Range.create("-", "+"),
                        io.lettuce.core.Limit.create(0, 1));
                return !last.isEmpty() && last.get(0).getId().equals(follower.position("36"));
            });
            long gapsBefore = follower.checks().reloads("gap");
            AtomicBoolean done = new AtomicBoolean();
            // on the follower's own thread, between two reads: Redis changes a slot without its event reaching the
            // follower (the entries it has not read are trimmed away), then the follower's Redis call fails once
            follower.tickHook = () -> {
                if (!done.compareAndSet(false, true)) return;
                server.redis.hset(Keys.slot("36", slot), Map.of("st", "b"));
                server.redis.hincrby(Keys.slot("36", slot), "v", 5);
                Map<String, String> unrelated = new HashMap<>(server.redis.hgetall(Keys.slot("36", other)));
                unrelated.put("type", "noop-for-test");
                unrelated.put("id", other);
                server.redis.xadd(Keys.events("36"), unrelated);
                server.redis.xadd(Keys.events("36"), unrelated);
                server.redis.xtrim(Keys.events("36"), 1); // exact: only the newest stays, past the follower's place
                throw new IllegalStateException("injected by the test: the connection dropped");
            };
            Await.until("the index rebuilt after the gap", 10_000, () -> index.slot(slot) != null
                    && index.slot(slot).status() == SlotStatus.BOOKED);
            assertThat(follower.checks().reloads("gap")).isGreaterThan(gapsBefore);
        }
    }
}
