package fr.snp.dispatch.auth;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.Dispatcher;
import fr.snp.dispatch.SseStream;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Two instances on one Redis, as deployed behind a load balancer. A credential taken away on one side (a token
 * revoked or expired, a person removed from the roster or their role changed, a session logged out) ends the live
 * streams it opened on the other within 5 s, with an "event: revoked", and its plain API calls there are refused
 * within 5 s (the caches' bound); a stream whose credential still holds stays open and keeps getting events.
 */
class RevocationTest {
    static final String ISSUER = "https://idp.test/psc";
    static final AtomicInteger SUBJECTS = new AtomicInteger(810_000_100);
    static final long BOUND_MS = 5_000;
    static final AtomicInteger SLOTS = new AtomicInteger();

    /** Instance A, with the Redis both share: where credentials are taken away. */
    static TestServer a;
    /** Instance B: where the streams are open and the calls are made. */
    static Dispatcher b;
    static Api apiB;
    static String baseB;
    /** What the command line does (`token revoke`, `user remove`): stores of its own, on a connection of its own. */
    static RedisClient cliClient;
    static StatefulRedisConnection<String, String> cliConnection;
    static TokenStore cliTokens;
    static Roster cliRoster;
    static String effector;

    @BeforeAll
    static void start() throws Exception {
        a = TestServer.start();
        b = a.secondInstance();
        baseB = "http://127.0.0.1:" + b.port();
        apiB = new Api(baseB);
        cliClient = RedisClient.create(a.redisServer.url());
        cliConnection = cliClient.connect();
        cliTokens = new TokenStore(cliConnection.async());
        cliRoster = new Roster(cliConnection.async());
        effector = a.effector("36044", null);
    }

    @AfterAll
    static void stop() {
        if (cliConnection != null) cliConnection.close();
        if (cliClient != null) cliClient.shutdown();
        if (b != null) b.close();
        if (a != null) a.close();
    }

    @Test
    void aRevokedTokenEndsItsStreamAndItsCallsOnTheOtherInstanceWithinFiveSeconds() throws Exception {
        String revoked = a.token(Role.REGULATOR, "poste révoqué", "SAS-36", Set.of());
        String kept = a.token(Role.REGULATOR, "poste gardé", "SAS-36", Set.of());
        try (SseStream stream = new SseStream(baseB, revoked, null); SseStream control = new SseStream(baseB, kept, null)) {
            stream.next("ready");
            control.next("ready");
            long opened = System.nanoTime();
            // B has the token in its cache: the revocation must still reach it
            assertThat(apiB.get("/api/v1/me", revoked).status()).isEqualTo(200);
            Thread.sleep(1_000);

            long t0 = System.nanoTime();
            assertThat(cliTokens.revoke(TokenStore.hash(revoked).substring(0, 16)).toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .isEqualTo(1L);
            long refusedMs = msUntil(() -> apiB.get("/api/v1/me", revoked), 401, t0);
            long endedMs = msUntilEnded(stream, t0);
            System.out.printf("token revoked on A: stream on B ended after %d ms, B refused the token after %d ms%n",
                    endedMs, refusedMs);
            assertRevokedEvent(stream);
            assertThat(endedMs).as("stream on B ended (ms after the revocation)").isLessThan(BOUND_MS);
            assertThat(refusedMs).as("B refused the token (ms after the revocation)").isLessThan(BOUND_MS);
            assertStreamGivenBack(TokenStore.hash(revoked).substring(0, 16));
            assertStillLive(control, opened);
        }
    }

    @Test
    void aTokenThatExpiresWhileItsStreamIsOpenEndsIt() throws Exception {
        var created = a.dispatcher.services().tokens().create(new Principal(null, Role.OSNP, "poste court", Set.of("36"),
                "SAS-36", Set.of()), Duration.ofSeconds(3)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        Instant expiresAt = Instant.parse(new JsonObject(a.redis.hget(fr.snp.dispatch.redis.Keys.TOKENS,
                TokenStore.hash(created.getKey()))).getString("expiresAt"));
        try (SseStream stream = new SseStream(baseB, created.getKey(), null)) {
            stream.next("ready");
            long endedAt = endedAt(stream, 10_000);
            long afterExpiry = System.currentTimeMillis() - (System.nanoTime() - endedAt) / 1_000_000 - expiresAt.toEpochMilli();
            System.out.printf("token expired: stream on B ended %d ms after its expiry%n", afterExpiry);
            assertRevokedEvent(stream);
            assertThat(afterExpiry).isBetween(0L, BOUND_MS);
        }
    }

    @Test
    void aPersonRemovedFromTheRosterLosesTheStreamTheirSessionsTicketOpened() throws Exception {
        String removed = person(Role.REGULATOR);
        String kept = person(Role.OSNP);
        String session = session(removed);
        String keptSession = session(kept);
        try (SseStream stream = SseStream.ticket(baseB, ticket(session)); SseStream control = SseStream.ticket(baseB, ticket(keptSession))) {
            stream.next("ready");
            control.next("ready");
            long opened = System.nanoTime();
            // B has the person's roster entry in its cache
            assertThat(withCookie(session).status()).isEqualTo(200);
            Thread.sleep(1_000);

            long t0 = System.nanoTime();
            assertThat(cliRoster.remove(ISSUER, removed).toCompletableFuture().get(5, TimeUnit.SECONDS)).isTrue();
            long refusedMs = msUntil(() -> withCookie(session), 401, t0);
            long endedMs = msUntilEnded(stream, t0);
            System.out.printf("person removed from the roster on A: stream on B ended after %d ms, B refused the session "
                    + "after %d ms%n", endedMs, refusedMs);
            assertRevokedEvent(stream);
            assertThat(endedMs).as("stream on B ended (ms after the removal)").isLessThan(BOUND_MS);
            assertThat(refusedMs).as("B refused the session (ms after the removal)").isLessThan(BOUND_MS);
            assertThat(withCookie(session).code()).isEqualTo("SESSION_ENDED");
            assertStreamGivenBack(TokenStore.hash(Roster.field(ISSUER, removed)).substring(0, 16));
            assertStillLive(control, opened);
        }
    }

    @Test
    void aSessionLoggedOutOnOneInstanceLosesItsStreamOnTheOther() throws Exception {
        String subject = person(Role.REGULATOR);
        String session = session(subject);
        try (SseStream stream = SseStream.ticket(baseB, ticket(session))) {
            stream.next("ready");
            long t0 = System.nanoTime();
            assertThat(a.api.send("POST", "/logout", null, null, Map.of("Cookie", "snp_session=" + session)).status())
                    .isEqualTo(200);
            long endedMs = msUntilEnded(stream, t0);
            System.out.printf("logout on A: stream on B ended after %d ms%n", endedMs);
            assertRevokedEvent(stream);
            assertThat(endedMs).isLessThan(BOUND_MS);
            assertThat(withCookie(session).code()).isEqualTo("SESSION_ENDED");
        }
    }

    @Test
    void aPersonWhoseRoleNoLongerFollowsTheFeedLosesTheirStream() throws Exception {
        String subject = person(Role.OSNP);
        try (SseStream stream = SseStream.ticket(baseB, ticket(session(subject)))) {
            stream.next("ready");
            long t0 = System.nanoTime();
            // now the data protection officer: the audit trail, not the live feed
            cliRoster.add(ISSUER, subject, new Principal(null, Role.DPO, "Personne " + subject, Set.of("36"), "DPO-36", Set.of()))
                    .toCompletableFuture().get(5, TimeUnit.SECONDS);
            long endedMs = msUntilEnded(stream, t0);
            System.out.printf("role changed on A: stream on B ended after %d ms%n", endedMs);
            assertRevokedEvent(stream);
            assertThat(endedMs).isLessThan(BOUND_MS);
        }
    }

    /**
     * An embedded widget's stream (a ticket asked with its widget session) ends when the pharmacy's API key is
     * revoked, and when the widget session's own quarter of an hour (here 3 s) is over.
     */
    @Test
    void aWidgetSessionsStreamEndsWithItsKeyAndWithItsTime() throws Exception {
        String key = a.token(Role.PHARMACIST, "Pharmacie révoquée", "PHARMA-REV", Set.of());
        a.dispatcher.services().people().widgets().addOrigin("PHARMA-REV", "https://pharmacie-rev.example")
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        String revoked = a.api.post("/api/v1/widget/sessions", key, null).json().getString("token");
        String brief = a.api.post("/api/v1/widget/sessions", key, new JsonObject().put("ttlSeconds", 3)).json().getString("token");
        try (SseStream byKey = SseStream.ticket(baseB, widgetTicket(revoked)); SseStream byTime = SseStream.ticket(baseB, widgetTicket(brief))) {
            byKey.next("ready");
            byTime.next("ready");
            long briefEnds = System.nanoTime() + 3_000_000_000L;
            long endedMs = msUntilEnded(byTime, briefEnds);
            System.out.printf("widget session expired: stream on B ended %d ms after%n", endedMs);
            assertRevokedEvent(byTime);
            assertThat(endedMs).isLessThan(BOUND_MS);
            assertThat(byKey.ended).as("the other session, its key valid, keeps its stream").isNotDone();

            long t0 = System.nanoTime();
            assertThat(cliTokens.revoke(TokenStore.hash(key).substring(0, 16)).toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .isEqualTo(1L);
            endedMs = msUntilEnded(byKey, t0);
            System.out.printf("widget's API key revoked on A: stream on B ended after %d ms%n", endedMs);
            assertRevokedEvent(byKey);
            assertThat(endedMs).isLessThan(BOUND_MS);
        }
    }

    /** A live ticket asked of B with a widget session, from the pharmacy's site. */
    static String widgetTicket(String session) {
        Api.Response r = apiB.send("POST", "/api/v1/live/ticket?territory=36", session, null,
                Map.of("Origin", "https://pharmacie-rev.example"));
        assertThat(r.status()).as("ticket: %s", r).isEqualTo(201);
        return r.json().getString("ticket");
    }

    @Test
    void demoTokensHoldWithoutRedisAndEveryKindHasAStore() throws Exception {
        // demo tokens live in memory only: a demo console's stream must not be taken for revoked
        TokenStore demo = new TokenStore(cliConnection.async());
        Principal desk = new Principal("demo-regulator", Role.REGULATOR, "démo", Set.of("36"), "SAS-36", Set.of());
        demo.enableDemoTokens(Map.of("demo-regulator", desk));
        assertThat(demo.current(java.util.List.of(TokenStore.hash("demo-regulator"), TokenStore.hash("not-a-token")))
                .toCompletableFuture().get(5, TimeUnit.SECONDS)).containsOnlyKeys(TokenStore.hash("demo-regulator"));
        // a kind of credential nobody checks would keep its streams open for ever: the check refuses to be built
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new CredentialCheck(demo))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SESSION");
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    /** A person put on the roster (through A), serving Indre; returns their subject. */
    static String person(Role role) throws Exception {
        String subject = String.valueOf(SUBJECTS.incrementAndGet());
        a.dispatcher.services().people().roster().add(ISSUER, subject, new Principal(null, role, "Personne " + subject,
                Set.of("36"), "SAS-36", Set.of())).toCompletableFuture().get(5, TimeUnit.SECONDS);
        return subject;
    }

    /** A session of that person, opened as the sign-in does; returns the cookie's value. */
    static String session(String subject) throws Exception {
        return a.dispatcher.services().people().sessions().open(ISSUER, subject).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    static Api.Response withCookie(String session) {
        return apiB.send("GET", "/api/v1/me", null, null, Map.of("Cookie", "snp_session=" + session));
    }

    /** A live ticket asked of B with the session, as the console does. */
    static String ticket(String session) {
        Api.Response r = apiB.send("POST", "/api/v1/live/ticket?territory=36", null, null, Map.of("Cookie", "snp_session=" + session));
        assertThat(r.status()).as("ticket: %s", r).isEqualTo(201);
        return r.json().getString("ticket");
    }

    /** When the stream ended (System.nanoTime()), waiting at most {@code ms}. */
    static long endedAt(SseStream s, long ms) throws Exception {
        try {
            return s.ended.get(ms, TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillOpen) {
            return fail("the stream is still open %d ms later", ms);
        }
    }

    /** Milliseconds from {@code t0} (System.nanoTime()) until the stream ended; fails after 8 s. */
    static long msUntilEnded(SseStream s, long t0) throws Exception {
        return (endedAt(s, 8_000 - (System.nanoTime() - t0) / 1_000_000) - t0) / 1_000_000;
    }

    /** Milliseconds from {@code t0} until the start of the first call that answers {@code status}; fails after 8 s. */
    static long msUntil(Supplier<Api.Response> call, int status, long t0) throws Exception {
        while (System.nanoTime() - t0 < 8_000_000_000L) {
            long sent = System.nanoTime();
            if (call.get().status() == status) return (sent - t0) / 1_000_000;
            Thread.sleep(50);
        }
        return fail("no %d within 8 s", status);
    }

    static void assertRevokedEvent(SseStream s) throws Exception {
        SseStream.Event last = s.poll("revoked", 1_000);
        assertThat(last).as("the stream's last event says why it ends").isNotNull();
        assertThat(new JsonObject(last.data()).getString("code")).isEqualTo("CREDENTIAL_REVOKED");
        assertThat(s.events).isEmpty();
    }

    /**
     * The ended stream gave its principal's place back (limits.liveStreamsPerPrincipal): with a cap of one, B admits
     * a stream of that principal again (then gives that place back too).
     */
    static void assertStreamGivenBack(String principalId) throws Exception {
        fr.snp.dispatch.live.LiveFeed feed = b.services().live();
        boolean admitted = false;
        for (int i = 0; i < 20 && !(admitted = feed.admit(principalId, 1)); i++) Thread.sleep(50);
        if (admitted) feed.leave(principalId);
        assertThat(admitted).as("the ended stream gave its principal's place back").isTrue();
    }

    /** The control: open after more than two checks since it opened, and still getting the territory's changes. */
    static void assertStillLive(SseStream control, long openedNanos) throws Exception {
        long left = 2 * fr.snp.dispatch.live.LiveFeed.CHECK_MS + 500 - (System.nanoTime() - openedNanos) / 1_000_000;
        if (left > 0) Thread.sleep(left);
        assertThat(control.ended).as("a stream whose credential holds stays open").isNotDone();
        String slot = a.slot(effector, 180 + 30 * SLOTS.incrementAndGet(), "AMB", "SNP");
        assertThat(new JsonObject(control.next("slot").data()).getString("slotId")).isEqualTo(slot);
        assertThat(control.events.stream().noneMatch(e -> e.name().equals("revoked"))).isTrue();
    }
}
