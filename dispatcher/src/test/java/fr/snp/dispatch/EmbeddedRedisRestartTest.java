package fr.snp.dispatch;

import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.domain.SlotStatus;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.Range;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The zero-setup default survives the death of its Redis: the embedded redis-server killed (SIGKILL) while bookings
 * are made is started again on the same port and AOF, /health comes back by itself, acknowledged bookings are kept,
 * and the in-memory index is rebuilt from what Redis holds.
 */
class EmbeddedRedisRestartTest {

    /** One booking attempt as the caller saw it. */
    private record Attempt(String slotId, int status, String appointmentId, long answeredAtMs) {}

    @Test
    void aKilledEmbeddedRedisIsStartedAgainAndTheIndexReloaded() throws Exception {
        Path dir = Files.createTempDirectory("snp-supervised");
        try (TestServer server = TestServer.startEmbedded(Map.of(), dir)) {
            String regulator = server.token(Role.REGULATOR);
            List<String> slots = new ArrayList<>();
            for (int e = 0; e < 3; e++) {
                String effector = server.effector("36044", new JsonObject().put("weeklySasCap", 100));
                for (int i = 0; i < 12; i++) slots.add(server.slot(effector, 90 + e * 7 + i * 30, "AMB", "SNP"));
            }
            // two writes Redis "loses" (as the last second of an AOF with appendfsync everysec can be lost in a crash
            // of the machine, which a test cannot make): a booking the index holds and Redis does not, and a slot whose
            // publication Redis lost. A SIGKILL of the process alone loses nothing acknowledged (see below).
            // (the first effector's two earliest slots: a search offers an effector's earliest free slots)
            String lostBooking = slots.remove(0);
            String lostSlot = slots.remove(0);
            SlotState free = server.dispatcher.services().index().slot(lostBooking);
            server.dispatcher.services().index().apply(new SlotState(free.id(), free.effectorId(), free.location(), free.start(),
                    free.end(), free.offsetSeconds(), free.mode(), free.audiences(), free.releaseAtMs(), free.releaseTo(),
                    free.released(), SlotStatus.BOOKED, 0, "36-A-lost", free.week(), free.version() + 5));
            server.redis.del(Keys.slot("36", lostSlot));
            server.redis.zrem(Keys.effectorSlots("36", Ids.effectorOfSlot(lostSlot)), Ids.slotMinute(lostSlot));
            assertThat(server.dispatcher.services().index().slot(lostSlot)).isNotNull();

            // bookings one after the other, through the outage, until told to stop
            ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread booker = new Thread(() -> {
                for (String slot : slots) {
                    // as a desk's client does: a call refused during the outage is made again, the booking with the
                    // same Idempotency-Key (a booking whose answer was lost in the outage is then answered, not doubled)
                    String request = null;
                    while (!stop.get()) {
                        if (request == null) {
                            Api.Response r = server.request(Role.REGULATOR, "SAS_116117", "36044", null);
                            if (r.status() == 201) request = r.json().getString("id");
                            else attempts.add(new Attempt(slot, r.status(), null, System.currentTimeMillis()));
                        }
                        if (request != null) {
                            Api.Response b = server.api.book(regulator, slot, request, null, "k-" + slot);
                            attempts.add(new Attempt(slot, b.status(), b.status() == 201 ? b.json().getString("id") : null,
                                    System.currentTimeMillis()));
                            if (b.status() == 201) break;
                        }
                        try { Thread.sleep(50); } catch (InterruptedException e) { return; }
                    }
                    if (stop.get()) return;
                }
            }, "booker");
            booker.start();
            while (attempts.stream().filter(a -> a.status() == 201).count() < 4) Thread.sleep(20);

            long redisPid = server.redisServer.pid();
            int port = server.redisServer.port();
            ProcessHandle.of(redisPid).orElseThrow().destroyForcibly(); // SIGKILL: no AOF flush, no goodbye
            long killedAt = System.currentTimeMillis();

            boolean sawDown = false;
            long upAt = 0;
            while (System.currentTimeMillis() - killedAt < 15_000) {
                Api.Response health = server.api.get("/health", null);
                if (health.status() == 503) sawDown = true;
                if (sawDown && health.status() == 200) { upAt = System.currentTimeMillis(); break; }
                Thread.sleep(20);
            }
            assertThat(sawDown).as("/health answered 503 while Redis was dead").isTrue();
            assertThat(upAt).as("/health UP again without any action").isGreaterThan(0);
            assertThat(upAt - killedAt).as("back within a few seconds").isLessThan(8_000);
            assertThat(server.redisServer.pid()).as("a new redis-server").isNotEqualTo(redisPid);
            assertThat(server.redisServer.port()).isEqualTo(port);
            // counted once the supervisor has seen it answer, which /health may see a moment before
            long counted = System.currentTimeMillis() + 2_000;
            while (server.redisServer.restarts() == 0 && System.currentTimeMillis() < counted) Thread.sleep(10);
            assertThat(server.redisServer.restarts()).isEqualTo(1);

            // new bookings are made after the restart
            long upAtMs = upAt;
            long deadline = System.currentTimeMillis() + 10_000;
            while (attempts.stream().filter(a -> a.status() == 201 && a.answeredAtMs() > upAtMs).count() < 3
                    && System.currentTimeMillis() < deadline && booker.isAlive()) Thread.sleep(20);
            stop.set(true);
            booker.join(10_000);
            List<Attempt> booked = attempts.stream().filter(a -> a.status() == 201).toList();
            assertThat(booked.stream().filter(a -> a.answeredAtMs() > upAtMs).count()).as("bookings after the restart")
                    .isGreaterThanOrEqualTo(3);
            assertThat(attempts).as("a failed attempt is a 503 (Redis unavailable), nothing else")
                    .allMatch(a -> a.status() == 201 || a.status() == 503);

            // every acknowledged booking is still there: Redis write()s the AOF before it replies, so killing the
            // process (not the machine) loses nothing it acknowledged, even with appendfsync everysec
            for (Attempt a : booked) {
                Api.Response read = server.api.get("/api/v1/appointments/" + a.appointmentId(), regulator);
                assertThat(read.status()).as("appointment of " + a.slotId()).isEqualTo(200);
                assertThat(read.json().getString("status")).isEqualTo("booked");
            }

            // the change-stream follower resumed by itself: a slot published by another instance reaches this index
            String effectorId = server.dispatcher.services().index().slot(slots.get(0)).effectorId();
            String viaOther;
            try (Dispatcher other = server.secondInstance()) {
                java.time.OffsetDateTime start = java.time.OffsetDateTime.now(java.time.ZoneId.of("Europe/Paris"))
                        .truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plusHours(20);
                Api.Response published = new Api("http://127.0.0.1:" + other.port()).post("/api/v1/slots",
                        server.token(Role.COORDINATOR), new JsonObject().put("effectorId", effectorId).put("start", start.toString())
                                .put("end", start.plusMinutes(20).toString()).put("mode", "AMB").put("audiences", new JsonArray().add("SNP")));
                assertThat(published.status()).isEqualTo(201);
                viaOther = published.json().getString("id");
            }
            long followed = System.currentTimeMillis() + 5_000;
            while (server.dispatcher.services().index().slot(viaOther) == null && System.currentTimeMillis() < followed) {
                Thread.sleep(50);
            }
            assertThat(server.dispatcher.services().index().slot(viaOther)).as("followed from the stream").isNotNull();

            // the index is rebuilt from Redis: the lost booking and the lost slot are gone from it
            long until = System.currentTimeMillis() + 5_000;
            while (server.dispatcher.indexSync().reloadsDone() < 1 && System.currentTimeMillis() < until) Thread.sleep(50);
            assertThat(server.dispatcher.indexSync().reloadsDone()).as("reloaded after the restart").isEqualTo(1);
            while (!indexOf(server).equals(redisOf(server)) && System.currentTimeMillis() < until) Thread.sleep(50);
            assertThat(indexOf(server)).as("index = Redis").isEqualTo(redisOf(server));
            assertThat(server.dispatcher.services().index().slot(lostSlot)).isNull();
            assertThat(server.dispatcher.services().index().slot(lostBooking).status()).isEqualTo(SlotStatus.FREE);

            // a slot booked (before or after the kill) is not offered; the slot whose booking was lost is again
            Api.Response offer = server.api.post("/api/v1/requests", regulator, new JsonObject().put("origin", "SAS_116117")
                    .put("patient", new JsonObject().put("initials", "TP").put("birthYear", 1960).put("phone", "0612345678")
                            .put("communeInsee", "36044"))
                    .put("need", new JsonObject().put("within", "PT24H")).put("limit", 50));
            assertThat(offer.status()).isEqualTo(201);
            List<String> offered = new ArrayList<>();
            JsonArray candidates = offer.json().getJsonArray("candidates");
            for (int i = 0; i < candidates.size(); i++) offered.add(candidates.getJsonObject(i).getString("slotId"));
            assertThat(offered).doesNotContainAnyElementsOf(booked.stream().map(Attempt::slotId).toList());
            assertThat(offered).contains(lostBooking).doesNotContain(lostSlot);

            assertThat(server.dispatcher.services().metrics().scrape())
                    .contains("dispatch_embedded_redis_restarts_total 1.0");
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** The index's slots of Indre: id -> status and version. */
    private static Map<String, String> indexOf(TestServer server) {
        Map<String, String> m = new TreeMap<>();
        for (SlotState s : server.dispatcher.services().index().territory("36").slotsStarting(0, Long.MAX_VALUE)) {
            m.put(s.id(), s.status() + "/" + s.version());
        }
        return m;
    }

    /** What Redis holds of the same (the slots the index loads: not ended a day ago, not cancelled). */
    private static Map<String, String> redisOf(TestServer server) {
        Map<String, String> m = new TreeMap<>();
        long from = System.currentTimeMillis() / 1000 - 86_400;
        List<String> ids = new ArrayList<>();
        for (String e : server.redis.hkeys(Keys.effectors("36"))) {
            for (String minute : server.redis.zrangebyscore(Keys.effectorSlots("36", e), Range.create((double) from, Double.POSITIVE_INFINITY))) {
                ids.add(Ids.slotOfMinute(e, minute));
            }
        }
        for (String id : ids) {
            Map<String, String> h = new HashMap<>(server.redis.hgetall(Keys.slot("36", id)));
            if (h.isEmpty()) continue;
            SlotState s = SlotState.fromHash(id, h);
            if (s.status() != SlotStatus.CANCELLED) m.put(id, s.status() + "/" + s.version());
        }
        return m;
    }
}
