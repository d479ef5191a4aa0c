package fr.snp.dispatch.ops;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.Dispatcher;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The housekeeping every instance runs on its own timer (audience releases, feedback and patient reminders) does each
 * thing once however many instances run it at the same moment: each step is one Lua script that takes what is due
 * and marks it done together. Three instances on one Redis, released together from a latch, each running the jobs
 * twenty times: one release event and one "released" count for the slot, one reminder in the outbox.
 */
class PeriodicJobsOnSeveralInstancesTest {

    @Test
    void threeInstancesRunningTheJobsTogetherDoEachThingOnce() throws Exception {
        try (TestServer server = TestServer.start(Map.of("http.instances", "1"))) {
            String effector = server.effector("36044", null);
            try (Dispatcher b = server.secondInstance(); Dispatcher c = server.secondInstance()) {
                // a slot reserved to the SAS for now, released to everyone in a second
                OffsetDateTime start = OffsetDateTime.now(ZoneId.of("Europe/Paris")).truncatedTo(ChronoUnit.MINUTES).plusMinutes(300);
                Api.Response published = server.api.post("/api/v1/slots", server.token(Role.COORDINATOR), new JsonObject()
                        .put("effectorId", effector).put("start", start.toString()).put("end", start.plusMinutes(15).toString())
                        .put("audiences", new JsonArray().add("SNP"))
                        .put("releaseAt", OffsetDateTime.now(ZoneId.of("Europe/Paris")).plusSeconds(1).toString())
                        .put("releaseTo", new JsonArray().add("PUBLIC")));
                assertThat(published.status()).as(published.toString()).isEqualTo(201);
                String slot = published.json().getString("id");
                // a feedback reminder already due (as the booking script would have scheduled it)
                String appointment = "36-Aperiodic0000000001";
                server.redis.zadd(Keys.reminders("36"), 1, appointment);
                Thread.sleep(1200);

                List<Dispatcher> all = List.of(server.dispatcher, b, c);
                ExecutorService pool = Executors.newFixedThreadPool(all.size());
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> runs = new ArrayList<>();
                for (Dispatcher d : all) {
                    runs.add(pool.submit(() -> {
                        go.await();
                        for (int i = 0; i < 20; i++) {
                            d.releaseDueAudiences();
                            d.sendDueReminders();
                        }
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> r : runs) r.get();
                pool.shutdown();
                Thread.sleep(500); // the scripts sent last have run

                List<StreamMessage<String, String>> events = server.redis.xrange(Keys.events("36"), Range.create("-", "+"));
                long releases = events.stream().filter(m -> slot.equals(m.getBody().get("id"))
                        && "audience_released".equals(m.getBody().get("type"))).count();
                assertThat(releases).as("one release event for the slot").isEqualTo(1);
                String day = server.dispatcher.services().planner().day(start.toInstant());
                assertThat(server.redis.hgetall(Keys.stats("36", day)).entrySet().stream()
                        .filter(e -> e.getKey().startsWith("released|")).mapToLong(e -> Long.parseLong(e.getValue())).max()
                        .orElse(0)).as("released counted once").isEqualTo(1);
                long reminders = server.redis.xrange(Keys.outbox("36"), Range.create("-", "+")).stream()
                        .filter(m -> "reminder".equals(m.getBody().get("type")) && appointment.equals(m.getBody().get("appt"))).count();
                assertThat(reminders).as("one reminder in the outbox").isEqualTo(1);
                assertThat(server.redis.zscore(Keys.reminders("36"), appointment)).isNull();
            }
        }
    }
}
