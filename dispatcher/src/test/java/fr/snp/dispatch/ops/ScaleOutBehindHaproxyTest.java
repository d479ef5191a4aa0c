package fr.snp.dispatch.ops;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.Dispatcher;
import fr.snp.dispatch.SseStream;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three stateless dispatchers on one Redis behind the shipped HAProxy configuration ({@code ops/haproxy/haproxy.cfg},
 * as it is: TLS, leastconn, health checks, instances from the environment). Live feeds spread over the instances; one
 * instance is stopped: the feeds it held end, reconnect through the proxy with their Last-Event-ID, land on another
 * instance and receive every change made meanwhile, none twice; calls go on being answered through the proxy.
 */
class ScaleOutBehindHaproxyTest {

    @Test
    void feedsResumeOnAnotherInstanceWithoutAGapWhenOneStops(@TempDir Path dir) throws Exception {
        List<Process> proxies = new ArrayList<>();
        List<Dispatcher> others = new ArrayList<>();
        try (TestServer server = TestServer.start(Map.of("http.instances", "1"))) {
            // the territory exists before the other instances start (a new territory is found by their followers
            // within 5 s; not what this test is about)
            String effector = server.effector("36044", null);
            Dispatcher b = server.secondInstance(), c = server.secondInstance();
            others.add(b);
            others.add(c);
            List<Dispatcher> instances = List.of(server.dispatcher, b, c);
            int edgePort = freePort();
            String edge = "https://127.0.0.1:" + edgePort;
            Haproxy.TestCertificate cert = Haproxy.TestCertificate.make(dir);
            proxies.add(Haproxy.start(Haproxy.OPS.resolve("haproxy/haproxy.cfg"), Map.of(
                    "SNP_PROXY_BIND", "127.0.0.1:" + edgePort, "SNP_PROXY_CERT", cert.pem().toString(),
                    "SNP_DISPATCHER", "127.0.0.1:" + server.dispatcher.port(),
                    "SNP_DISPATCHER_2", "127.0.0.1:" + b.port(), "SNP_DISPATCHER_3", "127.0.0.1:" + c.port()),
                    dir.resolve("haproxy.log"), edgePort));
            HttpClient http = HttpClient.newBuilder().sslContext(cert.trusting()).version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            Api api = new Api(edge, http);
            Haproxy.awaitUp(api);
            String coordinator = server.token(Role.COORDINATOR);
            String regulator = server.token(Role.REGULATOR);

            // three feeds through the proxy: least connections puts one on each instance
            List<SseStream> feeds = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                SseStream f = new SseStream(http, edge, regulator, null);
                f.next("ready");
                feeds.add(f);
            }
            awaitTrue(() -> instances.stream().allMatch(d -> d.services().live().connections() == 1), "one feed per instance");
            String first = publish(api, coordinator, effector, 200);
            String[] lastId = new String[3];
            for (int i = 0; i < 3; i++) {
                SseStream.Event e = untilSlot(feeds.get(i), first);
                lastId[i] = e.id();
            }

            // the instance B stops; its feed ends, the others stay
            b.close();
            others.remove(b);
            List<String> meanwhile = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Api.Response r = api.post("/api/v1/slots", coordinator, slotBody(effector, 230 + 10 * i));
                assertThat(r.status()).as("answered through the proxy while an instance is gone: " + r).isEqualTo(201);
                meanwhile.add(r.json().getString("id"));
            }
            int ended = -1;
            long deadline = System.currentTimeMillis() + 10_000;
            while (ended < 0 && System.currentTimeMillis() < deadline) {
                for (int i = 0; i < 3; i++) if (feeds.get(i).ended.isDone()) ended = i;
                Thread.sleep(50);
            }
            assertThat(ended).as("the stopped instance's feed ended").isNotNegative();
            // the others got every change, once
            for (int i = 0; i < 3; i++) if (i != ended) assertThat(slotsOf(feeds.get(i), meanwhile.size())).containsExactlyElementsOf(meanwhile);

            // the ended one reconnects through the proxy with the last id it saw: another instance gives what it missed
            try (SseStream resumed = new SseStream(http, edge, regulator, lastOf(feeds.get(ended), lastId[ended]))) {
                assertThat(slotsOf(resumed, meanwhile.size())).as("resumed without a gap, nothing twice").containsExactlyElementsOf(meanwhile);
                // and then the live flow
                String after = publish(api, coordinator, effector, 400);
                assertThat(untilSlot(resumed, after)).isNotNull();
                assertThat(b.services().live().connections()).isZero();
            }
            // a booking through the proxy, on whichever instance: one appointment
            String request = api.post("/api/v1/requests", regulator, new JsonObject().put("origin", "SAS_116117")
                    .put("patient", new JsonObject().put("initials", "HA").put("birthYear", 1960).put("phone", "0612345678")
                            .put("communeInsee", "36044"))).json().getString("id");
            String key = UUID.randomUUID().toString();
            Api.Response booked = api.send("POST", "/api/v1/appointments", regulator, new JsonObject().put("slotId", meanwhile.get(0))
                    .put("requestId", request), Map.of("Idempotency-Key", key));
            assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
            Api.Response again = api.send("POST", "/api/v1/appointments", regulator, new JsonObject().put("slotId", meanwhile.get(0))
                    .put("requestId", request), Map.of("Idempotency-Key", key));
            assertThat(again.json().getString("id")).isEqualTo(booked.json().getString("id"));
            for (SseStream f : feeds) f.close();
        } finally {
            for (Process p : proxies) p.destroyForcibly();
            for (Dispatcher d : others) d.close();
        }
    }

    /**
     * The next call may land on another instance: an effector registered on one is served at once by another
     * (publishing its slots, reading it), before that one's change-stream follower has even seen it, or its territory.
     */
    @Test
    void anEffectorJustRegisteredOnOneInstanceIsServedAtOnceByAnother() throws Exception {
        try (TestServer server = TestServer.start(Map.of("http.instances", "1"))) {
            // the second instance starts before the territory has its first effector: its follower finds a new
            // territory within 5 s, its index learns an effector within milliseconds; the call must wait for neither
            Dispatcher b = server.secondInstance();
            try {
                Api onB = new Api("http://127.0.0.1:" + b.port());
                String coordinator = server.token(Role.COORDINATOR);
                for (int i = 0; i < 20; i++) {
                    String effector = server.effector("36044", null); // registered on the first instance
                    Api.Response slot = onB.post("/api/v1/slots", coordinator, slotBody(effector, 300 + i));
                    assertThat(slot.status()).as("publish on the other instance at once: " + slot).isEqualTo(201);
                    assertThat(onB.get("/api/v1/effectors/" + effector, coordinator).status()).isEqualTo(200);
                }
            } finally {
                b.close();
            }
        }
    }

    /** The id of the last event a feed received before it ended (or the one given when it received nothing more). */
    static String lastOf(SseStream feed, String known) {
        String last = known;
        for (SseStream.Event e : feed.events) if (e.id() != null) last = e.id();
        return last;
    }

    /** The slot ids of the next {@code n} slot events. */
    static List<String> slotsOf(SseStream feed, int n) throws InterruptedException {
        List<String> out = new ArrayList<>();
        Set<String> eventIds = new HashSet<>();
        while (out.size() < n) {
            SseStream.Event e = feed.next("slot");
            assertThat(eventIds.add(e.id())).as("event %s once", e.id()).isTrue();
            out.add(new JsonObject(e.data()).getString("slotId"));
        }
        return out;
    }

    static SseStream.Event untilSlot(SseStream feed, String slot) throws InterruptedException {
        while (true) {
            SseStream.Event e = feed.next("slot");
            if (slot.equals(new JsonObject(e.data()).getString("slotId"))) return e;
        }
    }

    static String publish(Api api, String coordinator, String effector, int inMinutes) {
        Api.Response r = api.post("/api/v1/slots", coordinator, slotBody(effector, inMinutes));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().getString("id");
    }

    static JsonObject slotBody(String effector, int inMinutes) {
        OffsetDateTime start = OffsetDateTime.now(ZoneId.of("Europe/Paris")).truncatedTo(ChronoUnit.MINUTES).plusMinutes(inMinutes);
        return new JsonObject().put("effectorId", effector).put("start", start.toString())
                .put("end", start.plusMinutes(10).toString()).put("mode", "AMB").put("audiences", new JsonArray().add("SNP"));
    }

    interface Check { boolean ok(); }

    static void awaitTrue(Check check, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!check.ok()) {
            assertThat(System.currentTimeMillis()).as(what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
