package fr.snp.dispatch.sas;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.auth.TokenStore;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.fhir.SasValidator;
import fr.snp.dispatch.fhir.TestPki;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.sim.SimulationClock;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * INT_R03 against a stand-in for the national SAS platform run here: an HTTPS server on a loopback port that requires
 * a client certificate of the test CA (mutual TLS), validates every Appointment it receives against FrAppointmentSAS
 * with the IG's validator (offline) and records what came, in order. A SAS desk's booking is POSTed, each later change
 * PUT by identifier; other bookings are not pushed; a failing platform gets the pushes again, in order; a platform
 * that does not trust our certificate gets nothing, and the push waits in the ops backlog. A push refused for good
 * (422) is set aside as a dead letter after sas.maxRefusals attempts, with its appointment's later changes, while
 * 503 and 429 are retried without end; two instances on one stream keep each appointment's order through random
 * failures.
 */
class SasPushTest {
    static final String SYSTEM = "https://dispatch.test.snp.example/fhir/appointment-id";
    static final SimulationClock clock = new SimulationClock();
    @TempDir
    static Path dir;
    /** The test CA: it signs the stand-in's server certificate and ours (the client). */
    static TestPki pki;
    static TestPki.Issued ours;
    /** Another CA, which signed nothing of ours: trusted by a platform that does not trust us. */
    static TestPki otherCa;
    static Vertx vertx;
    static StandIn platform;
    static TestServer server;
    static String effector;
    static String effectorRpps;
    static String regulatorRpps;
    /** sas.maxRefusals here: small, so that a refused push is set aside within seconds (250 ms back-off doubling). */
    static final int MAX_REFUSALS = 3;
    static final String OSNP_SAS_UUID = "3f8c2b1e-6a4d-4f0e-9c57-1d2e3f4a5b6c";

    /** One request the stand-in received: how, for which identifier, which status, and what the validator said. */
    record Received(String method, String identifier, String status, JsonObject body, int answered,
                    CompletableFuture<List<String>> errors) {}

    /** The platform's side: mutual TLS (client certificate required), the profile checked, the sequence recorded. */
    static final class StandIn {
        final List<Received> received = new CopyOnWriteArrayList<>();
        final AtomicInteger failPosts = new AtomicInteger();
        /** When set, the next POST's appointment gets this status to every request about it, until taken off. */
        final AtomicInteger refuseNext = new AtomicInteger();
        /** Appointment identifier (system|value) -> the status every request about it gets. */
        final Map<String, Integer> refusing = new java.util.concurrent.ConcurrentHashMap<>();
        /** When above 0, the share of requests answered 503 at random (a platform having a bad day). */
        volatile double failingShare;
        final java.util.Random dice = new java.util.Random(20261130);
        final HttpServer http;

        StandIn(Path trustedCa) throws Exception {
            HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
                    .setKeyCertOptions(new PfxOptions().setPath(pki.server().p12().toString()).setPassword(TestPki.PASSWORD))
                    .setTrustOptions(new PemTrustOptions().addCertPath(trustedCa.toString()))
                    .setClientAuth(ClientAuth.REQUIRED);
            http = vertx.createHttpServer(options).requestHandler(req -> req.body().onSuccess(buffer -> {
                String path = req.path();
                boolean post = req.method().name().equals("POST");
                boolean put = req.method().name().equals("PUT");
                if (!path.equals("/fhir/Appointment") || !(post || put)
                        || !String.valueOf(req.getHeader("Content-Type")).startsWith("application/fhir+json")) {
                    req.response().setStatusCode(400).end(outcome("not an Appointment create or conditional update"));
                    return;
                }
                JsonObject body = new JsonObject(buffer);
                String identifier = body.getJsonArray("identifier").getJsonObject(0).getString("system") + "|"
                        + body.getJsonArray("identifier").getJsonObject(0).getString("value");
                if (post && !refusing.containsKey(identifier)) {
                    int armed = refuseNext.getAndSet(0);
                    if (armed != 0) refusing.put(identifier, armed);
                }
                Integer refusal = refusing.get(identifier);
                if (refusal == null && failingShare > 0) {
                    synchronized (dice) { if (dice.nextDouble() < failingShare) refusal = 503; }
                }
                int status = refusal != null ? refusal : post && failPosts.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 500
                        : put && !identifier.equals(req.getParam("identifier")) ? 400 : post ? 201 : 200;
                CompletableFuture<List<String>> validated = new CompletableFuture<>();
                received.add(new Received(req.method().name(), identifier, body.getString("status"), body, status, validated));
                vertx.executeBlocking(() -> {
                    List<String> errors = new ArrayList<>(contractErrors(body));
                    for (SasValidator.Issue i : SasValidator.errors(buffer.toString())) errors.add(i.toString());
                    return errors;
                }).onComplete(done -> {
                    List<String> errors = done.succeeded() ? done.result() : List.of("validator: " + done.cause());
                    validated.complete(errors);
                    if (status == 201) req.response().putHeader("Location", "https://127.0.0.1/fhir/Appointment/"
                            + UUID.randomUUID() + "/_history/1");
                    req.response().setStatusCode(errors.isEmpty() ? status : 422).putHeader("Content-Type", "application/fhir+json")
                            .end(status / 100 == 2 && errors.isEmpty() ? body.encode() : outcome("refused"));
                });
            })).listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        String base() { return "https://localhost:" + http.actualPort() + "/fhir"; }

        /** What reached the platform about one appointment, in order. */
        List<Received> of(String appointmentId) {
            return received.stream().filter(r -> r.identifier().equals(SYSTEM + "|" + appointmentId)).toList();
        }

        /** "POST booked 201", … */
        List<String> sequence(String appointmentId) {
            return of(appointmentId).stream().map(r -> r.method() + " " + r.status() + " " + r.answered()).toList();
        }

        /**
         * What the validator cannot check without FR Core 1.1.0 (the FrAppointmentOperator extension's definition is in
         * it: its slice is "cannot be evaluated", a documented gap), checked by hand as SAS-CONTRACT §4 says: exactly one
         * operator extension naming the regulator by IDNPS (urn:oid:1.2.250.1.71.4.2.1) or INTRN (urn:oid:1.2.250.1.213.3.6),
         * the effector as participant by IDNPS "8" + 11 digits, accepted.
         */
        static List<String> contractErrors(JsonObject a) {
            List<String> errors = new ArrayList<>();
            List<JsonObject> operators = a.getJsonArray("extension", new JsonArray()).stream().map(o -> (JsonObject) o)
                    .filter(e -> SasAppointment.OPERATOR_EXTENSION.equals(e.getString("url"))).toList();
            if (operators.size() != 1) {
                errors.add("appointmentOperator: " + operators.size() + " extensions, 1 required");
            } else {
                JsonObject id = operators.get(0).getJsonObject("valueReference", new JsonObject()).getJsonObject("identifier", new JsonObject());
                String type = id.getJsonObject("type", new JsonObject()).getJsonArray("coding", new JsonArray()).stream()
                        .map(c -> ((JsonObject) c).getString("code")).findFirst().orElse("");
                String system = id.getString("system", "");
                if (!(type.equals("IDNPS") && system.equals("urn:oid:1.2.250.1.71.4.2.1"))
                        && !(type.equals("INTRN") && system.equals("urn:oid:1.2.250.1.213.3.6"))) {
                    errors.add("appointmentOperator: identifier type " + type + " with system " + system);
                }
                if (id.getString("value", "").isBlank()) errors.add("appointmentOperator: no value");
            }
            JsonArray participants = a.getJsonArray("participant", new JsonArray());
            for (Object p : participants) {
                JsonObject actor = ((JsonObject) p).getJsonObject("actor", new JsonObject()).getJsonObject("identifier", new JsonObject());
                if (!"urn:oid:1.2.250.1.71.4.2.1".equals(actor.getString("system"))
                        || !actor.getString("value", "").matches("8\\d{11}")) {
                    errors.add("participant: not an IDNPS 8 + RPPS: " + actor.encode());
                }
                if (!"accepted".equals(((JsonObject) p).getString("status"))) errors.add("participant: not accepted");
            }
            if (participants.isEmpty()) errors.add("participant: none");
            return errors;
        }

        static String outcome(String text) {
            return new JsonObject().put("resourceType", "OperationOutcome").put("issue", new JsonArray().add(new JsonObject()
                    .put("severity", "error").put("code", "processing").put("diagnostics", text))).encode();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        // the validator takes seconds to load: beside the certificates and the servers
        CompletableFuture<Void> validator = CompletableFuture.runAsync(() -> {
            try { SasValidator.errors("{\"resourceType\":\"Basic\",\"code\":{\"text\":\"warm-up\"}}"); }
            catch (Exception e) { throw new IllegalStateException(e); }
        });
        pki = TestPki.create(dir);
        ours = pki.client("CN=cpts-test.snp.example,OU=SNP dispatcher");
        otherCa = TestPki.create(dir.resolve("other-ca"));
        vertx = Vertx.vertx();
        platform = new StandIn(pki.caPem());
        clock.set(java.time.LocalDate.of(2026, 11, 18).atTime(9, 0).atZone(java.time.ZoneId.of("Europe/Paris")).toInstant());
        server = TestServer.start(settings(platform), clock);
        effector = server.effector("36044", null);
        effectorRpps = server.dispatcher.services().index().effector(effector).rpps();
        // the regulator's token carries their RPPS, the OSNP operator's the SAS's UUID of them (INT_R02 will fill these)
        regulatorRpps = fr.snp.dispatch.domain.Rpps.withCheckDigit("1009876543");
        identify(server, server.token(Role.REGULATOR), "rpps", regulatorRpps);
        identify(server, server.token(Role.OSNP), "sasUuid", OSNP_SAS_UUID);
        validator.get(120, TimeUnit.SECONDS);
    }

    static Map<String, String> settings(StandIn platform) {
        return Map.of("sas.baseUrl", platform.base(), "sas.clientKeyStore", ours.p12().toString(),
                "sas.clientKeyStorePassword", TestPki.PASSWORD, "sas.trustedCa", pki.caPem().toString(),
                "sas.appointmentIdentifierSystem", SYSTEM, "sas.timeoutMs", "20000", "sas.maxRefusals", String.valueOf(MAX_REFUSALS),
                "outbox.retryBaseMs", "250", "outbox.retryMaxMs", "1000");
    }

    /** Adds an identity field to a token's stored principal, as an operator would (or INT_R02 will). */
    static void identify(TestServer s, String token, String field, String value) {
        String hash = TokenStore.hash(token);
        s.redis.hset(Keys.TOKENS, hash, new JsonObject(s.redis.hget(Keys.TOKENS, hash)).put(field, value).encode());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    // --- the scenarios ---------------------------------------------------------------------------------------------

    @Test
    void aRegulatorsBookingIsPostedThenItsFeedbackPut() throws Exception {
        String a = book(server, Role.REGULATOR, "SAS_116117", 30);
        await(() -> platform.sequence(a), List.of("POST booked 201"));
        JsonObject posted = platform.of(a).get(0).body();
        // the operator is the regulator by national id, the participant the effector, no patient anywhere
        JsonObject operator = posted.getJsonArray("extension").getJsonObject(0).getJsonObject("valueReference")
                .getJsonObject("identifier");
        assertThat(operator.getString("system")).isEqualTo("urn:oid:1.2.250.1.71.4.2.1");
        assertThat(operator.getString("value")).isEqualTo("8" + regulatorRpps);
        assertThat(operator.getJsonObject("type").getJsonArray("coding").getJsonObject(0).getString("code")).isEqualTo("IDNPS");
        JsonObject participant = posted.getJsonArray("participant").getJsonObject(0);
        assertThat(participant.getJsonObject("actor").getJsonObject("identifier").getString("value")).isEqualTo("8" + effectorRpps);
        assertThat(participant.getString("status")).isEqualTo("accepted");
        assertThat(posted.getString("start")).endsWith(":00+01:00"); // Paris wall-clock time with its seconds
        assertThat(posted.encode()).doesNotContain("0612345678").doesNotContain("\"TP\"").doesNotContain("patient");

        clock.advance(Duration.ofHours(1)); // the consultation is over
        Api.Response seen = server.api.post("/api/v1/appointments/" + a + "/feedback", server.token(Role.COORDINATOR),
                new JsonObject().put("answer", "seen"));
        assertThat(seen.status()).as(seen.toString()).isEqualTo(200);
        await(() -> platform.sequence(a), List.of("POST booked 201", "PUT fulfilled 200"));
        assertValid(a);
    }

    @Test
    void anOsnpOperatorsBookingCancelledIsPutCancelledWithTheSasUuid() throws Exception {
        String a = book(server, Role.OSNP, "SAS_116117", 40);
        await(() -> platform.sequence(a), List.of("POST booked 201"));
        JsonObject operator = platform.of(a).get(0).body().getJsonArray("extension").getJsonObject(0)
                .getJsonObject("valueReference").getJsonObject("identifier");
        assertThat(operator.getString("system")).isEqualTo("urn:oid:1.2.250.1.213.3.6");
        assertThat(operator.getString("value")).isEqualTo(OSNP_SAS_UUID);
        Api.Response cancelled = server.api.post("/api/v1/appointments/" + a + "/cancel", server.token(Role.OSNP),
                new JsonObject().put("reason", "PATIENT"));
        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
        await(() -> platform.sequence(a), List.of("POST booked 201", "PUT cancelled 200"));
        assertValid(a);
    }

    @Test
    void aNoShowThenTheAnswerTakenBackThenSeenArePutInTurn() throws Exception {
        String a = book(server, Role.REGULATOR, "SAMU_15", 50);
        clock.advance(Duration.ofHours(1));
        String link = server.dispatcher.services().feedbackLinks().token(a, clock.millis() / 1000);
        assertThat(server.api.post("/api/v1/feedback/" + link, null, new JsonObject().put("answer", "no-show")).status()).isEqualTo(200);
        await(() -> platform.sequence(a), List.of("POST booked 201", "PUT noshow 200"));
        assertThat(server.api.post("/api/v1/feedback/" + link + "/undo", null, "{}").status()).isEqualTo(200);
        assertThat(server.api.post("/api/v1/feedback/" + link, null, new JsonObject().put("answer", "seen")).status()).isEqualTo(200);
        await(() -> platform.sequence(a), List.of("POST booked 201", "PUT noshow 200", "PUT booked 200", "PUT fulfilled 200"));
        assertValid(a);
    }

    @Test
    void aSupernumeraryBookingIsPushedLikeAnyOther() throws Exception {
        String doctor = server.effector("36044", new JsonObject().put("supernumeraryDailyCap", 2));
        String start = java.time.Instant.ofEpochMilli(clock.millis()).atZone(java.time.ZoneId.of("Europe/Paris"))
                .toOffsetDateTime().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plusMinutes(45).toString();
        Api.Response r = server.api.send("POST", "/api/v1/appointments/supernumerary", server.token(Role.REGULATOR),
                new JsonObject().put("effectorId", doctor).put("requestId", server.requestId(Role.REGULATOR, "SAS_116117"))
                        .put("start", start).put("minutes", 15), Map.of("Idempotency-Key", UUID.randomUUID().toString()));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String a = r.json().getString("id");
        await(() -> platform.sequence(a), List.of("POST booked 201"));
        JsonObject posted = platform.of(a).get(0).body();
        assertThat(posted.getJsonArray("participant").getJsonObject(0).getJsonObject("actor").getJsonObject("identifier")
                .getString("value")).isEqualTo("8" + server.dispatcher.services().index().effector(doctor).rpps());
        assertThat(java.time.Duration.between(java.time.OffsetDateTime.parse(posted.getString("start")),
                java.time.OffsetDateTime.parse(posted.getString("end")))).isEqualTo(Duration.ofMinutes(15));
        assertValid(a);
    }

    @Test
    void bookingsOtherThanASasDesksAreNotPushed() {
        String pharmacy = book(server, Role.PHARMACIST, "PHARMACIST", 60);
        String platformOfTheCpts = book(server, Role.COORDINATOR, "SAS_116117", 70); // a CPTS desk, not the SAS's regulation
        String regulator = book(server, Role.REGULATOR, "SAS_116117", 80);
        // the SAS desk's booking, made last, went through: the others would have gone before it
        await(() -> platform.sequence(regulator), List.of("POST booked 201"));
        assertThat(platform.of(pharmacy)).isEmpty();
        assertThat(platform.of(platformOfTheCpts)).isEmpty();
        for (String a : List.of(pharmacy, platformOfTheCpts)) {
            assertThat(server.redis.hget(Keys.appointment("36", a), "sasSeq")).as("queued for the SAS: %s", a).isNull();
            // and their later changes are not pushed either
            Api.Response c = server.api.post("/api/v1/appointments/" + a + "/cancel", server.token(Role.COORDINATOR),
                    new JsonObject().put("reason", "OTHER"));
            assertThat(c.status()).as(c.toString()).isEqualTo(200);
        }
        assertThat(server.redis.xrange(Keys.sasOutbox("36"), io.lettuce.core.Range.create("-", "+")))
                .noneMatch(m -> Set.of(pharmacy, platformOfTheCpts).contains(m.getBody().get("appt")));
    }

    @Test
    void aPlatformFailingTwiceGetsTheBookingAgainAndTheCancellationOnlyAfterIt() throws Exception {
        platform.failPosts.set(2);
        String a = book(server, Role.REGULATOR, "SAS_116117", 90);
        await(() -> platform.sequence(a).size() >= 1, true); // the first POST failed (500)...
        Api.Response cancelled = server.api.post("/api/v1/appointments/" + a + "/cancel", server.token(Role.REGULATOR),
                new JsonObject().put("reason", "PATIENT"));
        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200); // ...and the patient cancels meanwhile
        // the ops view shows both waiting: the booking's failure, the cancellation behind it
        JsonObject sas = server.api.get("/api/v1/ops/outbox?territory=36", server.token(Role.OPS)).json().getJsonObject("sasPush");
        assertThat(sas.getBoolean("enabled")).isTrue();
        assertThat(sas.getLong("pending")).isGreaterThanOrEqualTo(1);
        await(() -> platform.sequence(a), List.of("POST booked 500", "POST booked 500", "POST booked 201", "PUT cancelled 200"));
        assertValid(a);
        await(() -> server.redis.hget(Keys.appointment("36", a), "sasSent"), "2");
    }

    @Test
    void aRegulatorWithoutKnownIdentityWaitsInTheBacklogUntilOneIsGiven() throws Exception {
        String anonymous = server.token(Role.REGULATOR, "regulator without RPPS", "SAS-36", Set.of());
        String a = bookAs(server, anonymous, Role.REGULATOR, "SAS_116117", 100);
        awaitUntil(() -> waiting(server, a).map(w -> w.getString("lastError")).orElse(""),
                s -> s != null && s.contains("no national id nor SAS UUID"));
        assertThat(platform.of(a)).isEmpty();
        identify(server, anonymous, "sasUuid", "0a1b2c3d-0000-4000-8000-000000000001");
        await(() -> platform.sequence(a), List.of("POST booked 201"));
        await(() -> waiting(server, a).isPresent(), false);
        assertValid(a);
    }

    @Test
    void aPlatformThatDoesNotTrustOurCertificateGetsNothingAndThePushWaitsInTheBacklog() throws Exception {
        StandIn distrustful = new StandIn(otherCa.caPem()); // trusts another CA only
        try (TestServer other = TestServer.start(settings(distrustful), clock)) {
            String e = other.effector("36044", null);
            identify(other, other.token(Role.REGULATOR), "rpps", regulatorRpps);
            String slot = other.slot(e, 30, "AMB", "SNP");
            Api.Response r = other.api.book(other.token(Role.REGULATOR), slot, other.requestId(Role.REGULATOR, "SAS_116117"),
                    null, UUID.randomUUID().toString());
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            String a = r.json().getString("id");
            // tried (the handshake refused: nothing reached the platform's handler), failed, waiting, visible to ops
            awaitUntil(() -> waiting(other, a).map(w -> w.getLong("attempts")).orElse(0L), n -> n >= 2);
            JsonObject w = waiting(other, a).orElseThrow();
            assertThat(w.getString("status")).isEqualTo("booked");
            assertThat(w.getString("lastError")).isNotBlank();
            assertThat(distrustful.received).isEmpty();
            other.dispatcher.refreshMetrics();
            awaitUntil(() -> other.dispatcher.services().metrics().registry().find("dispatch_sas_push_backlog").tag("territory", "36")
                    .gauge().value(), v -> v >= 1);
            assertThat(other.dispatcher.services().metrics().scrape()).contains("dispatch_sas_pushes_total{result=\"unreachable\"}");
        } finally {
            distrustful.http.close();
        }
    }

    /**
     * sas.crl: the platform's certificate revoked, the push fails at the handshake and nothing reaches the platform;
     * the same push without the CRL is taken (what fails is the revocation, nothing else).
     */
    @Test
    void aRevokedPlatformCertificateGetsNothing() throws Exception {
        SasAppointment a = new SasAppointment(SYSTEM, "36-Acrl" + UUID.randomUUID().toString().substring(0, 8), "booked",
                1_795_999_980L, 1_796_001_180L, 3600, 1_795_990_000_000L,
                new RegulatorIdentity.Operator(RegulatorIdentity.Kind.INTRN, OSNP_SAS_UUID), effectorRpps, "604");
        Map<String, String> s = new java.util.HashMap<>(settings(platform));
        s.put("sas.crl", pki.crl(dir.resolve("platform-revoked.crl"), true, pki.server().certificate()).toString());
        try (SasPush revoked = SasPush.from(vertx, fr.snp.dispatch.config.Settings.defaultsWith(s))) {
            SasPush.Result r = revoked.create(a);
            assertThat(r.status()).as(String.valueOf(r)).isZero();
            assertThat(r.failure()).isNotBlank();
        }
        assertThat(platform.of(a.appointmentId())).isEmpty();
        s.put("sas.crl", pki.crl(dir.resolve("platform-valid.crl"), false).toString());
        try (SasPush valid = SasPush.from(vertx, fr.snp.dispatch.config.Settings.defaultsWith(s))) {
            assertThat(valid.create(a).status()).isEqualTo(201);
        }
        assertThat(platform.of(a.appointmentId())).hasSize(1);
        // a CRL of another CA than sas.trustedCa's: the wrong file, the start stops naming the setting
        s.put("sas.crl", otherCa.crl(dir.resolve("foreign.crl"), false).toString());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SasPush.from(vertx, fr.snp.dispatch.config.Settings.defaultsWith(s)))
                .hasMessageContaining("setting sas.crl").hasMessageContaining("not signed by a CA of sas.trustedCa");
        // the server refuses to start before it starts anything: with no Redis to reach, a later check would fail on that
        s.put("redis.url", "redis://127.0.0.1:1");
        s.put("sas.crl", dir.resolve("missing.crl").toString());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> fr.snp.dispatch.Dispatcher.start(
                        fr.snp.dispatch.config.Settings.defaultsWith(s), false, java.time.Clock.systemUTC()))
                .hasMessageContaining("setting sas.crl: cannot read").hasMessageContaining("missing.crl");
    }

    @Test
    void aPushRefusedForGoodIsSetAsideAfterMaxRefusalsWithItsLaterChangesWhileOthersFlow() throws Exception {
        long deadBefore = sasView(server).getLong("deadLetters");
        String doctor = server.effector("36044", null); // a doctor of its own: no slot of another test in the way
        platform.refuseNext.set(422); // the platform finds this one's Appointment invalid, whatever we do
        String refused = bookWith(doctor, 30);
        String other = bookWith(doctor, 60);
        // the other appointment is not held up by the refused one
        await(() -> platform.sequence(other), List.of("POST booked 201"));
        awaitUntil(() -> deadLetters(server, refused), l -> l.size() == 1);
        JsonObject dead = deadLetters(server, refused).get(0);
        assertThat(dead.getString("status")).isEqualTo("booked");
        assertThat(dead.getLong("seq")).isEqualTo(1L);
        assertThat(dead.getInteger("httpStatus")).isEqualTo(422);
        assertThat(dead.getString("reason")).isEqualTo("the SAS platform answered 422");
        assertThat(java.time.Instant.parse(dead.getString("at"))).isBetween(java.time.Instant.now().minusSeconds(60),
                java.time.Instant.now());
        // tried exactly sas.maxRefusals times, then no more: no longer pending, nothing left of it in the errors
        assertThat(platform.sequence(refused)).containsExactly("POST booked 422", "POST booked 422", "POST booked 422");
        assertThat(waiting(server, refused)).isEmpty();
        assertThat(server.redis.hget(Keys.appointment("36", refused), "sasDeadLetter")).isEqualTo("1");
        assertThat(server.redis.hvals(Keys.sasPushRefusals("36"))).isEmpty();
        // its cancellation is set aside at once behind it, never sent (the platform would get it without its booking)
        Api.Response cancelled = server.api.post("/api/v1/appointments/" + refused + "/cancel", server.token(Role.REGULATOR),
                new JsonObject().put("reason", "PATIENT"));
        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
        awaitUntil(() -> deadLetters(server, refused), l -> l.size() == 2);
        JsonObject behind = deadLetters(server, refused).get(0); // the newest first
        assertThat(behind.getString("status")).isEqualTo("cancelled");
        assertThat(behind.getLong("seq")).isEqualTo(2L);
        assertThat(behind.getInteger("httpStatus")).isZero();
        assertThat(behind.getString("reason")).isEqualTo("predecessor #1 dead-lettered");
        assertThat(sasView(server).getLong("deadLetters")).isEqualTo(deadBefore + 2);
        // while the other appointment's changes keep flowing
        Api.Response otherCancelled = server.api.post("/api/v1/appointments/" + other + "/cancel", server.token(Role.REGULATOR),
                new JsonObject().put("reason", "PATIENT"));
        assertThat(otherCancelled.status()).as(otherCancelled.toString()).isEqualTo(200);
        await(() -> platform.sequence(other), List.of("POST booked 201", "PUT cancelled 200"));
        Thread.sleep(1_500); // longer than the longest back-off (outbox.retryMaxMs): a retry would have come
        assertThat(platform.sequence(refused)).hasSize(MAX_REFUSALS);
        assertThat(waiting(server, refused)).isEmpty();
        // counted in the metrics, which hold no appointment id
        server.dispatcher.refreshMetrics();
        awaitUntil(() -> server.dispatcher.services().metrics().registry().find("dispatch_sas_push_dead_letters")
                .tag("territory", "36").gauge().value(), v -> v == deadBefore + 2);
        assertThat(server.dispatcher.services().metrics().scrape()).doesNotContain(refused);
        assertValid(other);
        platform.refusing.remove(SYSTEM + "|" + refused);
    }

    @Test
    void aPlatformAnswering503Or429IsRetriedBeyondMaxRefusalsAndNothingIsSetAside() throws Exception {
        String doctor = server.effector("36044", null);
        for (int status : new int[]{503, 429}) {
            long deadBefore = sasView(server).getLong("deadLetters");
            platform.refuseNext.set(status);
            String a = bookWith(doctor, status == 503 ? 30 : 60);
            awaitUntil(() -> platform.sequence(a).size(), n -> n >= MAX_REFUSALS + 2);
            assertThat(platform.sequence(a)).allMatch(r -> r.equals("POST booked " + status));
            assertThat(deadLetters(server, a)).isEmpty();
            assertThat(sasView(server).getLong("deadLetters")).isEqualTo(deadBefore);
            assertThat(waiting(server, a).orElseThrow().getString("lastError")).isEqualTo("the SAS platform answered " + status);
            platform.refusing.remove(SYSTEM + "|" + a); // the platform is back
            awaitUntil(() -> platform.sequence(a), l -> l.get(l.size() - 1).equals("POST booked 201"));
            await(() -> server.redis.hget(Keys.appointment("36", a), "sasSent"), "1");
            assertThat(server.redis.hget(Keys.appointment("36", a), "sasDeadLetter")).isNull();
        }
    }

    @Test
    void twoInstancesPushingTheSameStreamKeepEachAppointmentsOrderThroughRandomFailures() throws Exception {
        String doctor = server.effector("36044", null);
        try (fr.snp.dispatch.Dispatcher second = server.secondInstance(settings(platform))) {
            platform.failingShare = 0.4;
            List<String> appointments = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String a = bookWith(doctor, 30 + 25 * i);
                appointments.add(a);
                // cancelled at once: its PUT is queued while the POST may be failing, read by either instance
                Api.Response c = server.api.post("/api/v1/appointments/" + a + "/cancel", server.token(Role.REGULATOR),
                        new JsonObject().put("reason", "PATIENT"));
                assertThat(c.status()).as(c.toString()).isEqualTo(200);
            }
            // the stand-in records a request as it comes: the worker records it taken once the answer is back
            for (String a : appointments) await(() -> server.redis.hget(Keys.appointment("36", a), "sasSent"), "2");
            platform.failingShare = 0;
            for (String a : appointments) {
                List<String> seen = platform.sequence(a);
                // what the platform took: the booking, then the cancellation, each once
                assertThat(seen.stream().filter(r -> !r.endsWith(" 503")).toList()).as(a)
                        .containsExactly("POST booked 201", "PUT cancelled 200");
                // and no attempt at the cancellation before the booking was taken, failed ones included
                assertThat(seen.indexOf("POST booked 201")).as("%s: %s", a, seen)
                        .isLessThan(seen.stream().filter(r -> r.startsWith("PUT")).map(seen::indexOf).min(Integer::compare).orElseThrow());
            }
            // the random failures did happen, and both instances read the stream
            assertThat(appointments.stream().flatMap(a -> platform.sequence(a).stream()).filter(r -> r.endsWith(" 503"))).isNotEmpty();
            assertThat(server.redis.xinfoConsumers(Keys.sasOutbox("36"), SasPushWorker.GROUP)).hasSizeGreaterThanOrEqualTo(2);
        } finally {
            platform.failingShare = 0;
        }
    }

    @Test
    void whichAnswersAreARefusalForGood() {
        for (int status : new int[]{400, 404, 409, 410, 412, 422}) {
            assertThat(new SasPush.Result(status, "x").permanent()).as("%d", status).isTrue();
        }
        // who we are refused (401, 403): every push at once, an operator's fix, then each must still go
        for (int status : new int[]{0, 401, 403, 408, 425, 429, 500, 502, 503, 504}) {
            assertThat(new SasPush.Result(status, "x").permanent()).as("%d", status).isFalse();
        }
        assertThat(new SasPush.Result(200, null).permanent()).isFalse();
    }

    @Test
    void theStandInsValidatorRefusesWhatTheProfileForbids() throws Exception {
        // the checks every scenario relies on have teeth: what we build passes, broken copies fail
        JsonObject ours = new SasAppointment(SYSTEM, "36-Atest", "booked", 1_795_999_980L, 1_796_001_180L, 3600,
                1_795_990_000_000L, new RegulatorIdentity.Operator(RegulatorIdentity.Kind.INTRN, OSNP_SAS_UUID), effectorRpps,
                "604").toFhir();
        assertThat(SasValidator.errors(ours.encode())).isEmpty();
        assertThat(StandIn.contractErrors(ours)).isEmpty();
        JsonObject declined = ours.copy();
        declined.getJsonArray("participant").getJsonObject(0).put("status", "declined");
        assertThat(SasValidator.errors(declined.encode())).as("the participant status ValueSet").isNotEmpty();
        JsonObject noStart = ours.copy();
        noStart.remove("start");
        assertThat(SasValidator.errors(noStart.encode())).as("start 1..1").isNotEmpty();
        // the operator's slice is an FR Core 1.1.0 gap for the validator: the stand-in's own check catches it
        JsonObject noOperator = ours.copy();
        noOperator.getJsonArray("extension").remove(0);
        assertThat(StandIn.contractErrors(noOperator)).isNotEmpty();
        JsonObject wrongSystem = ours.copy();
        wrongSystem.getJsonArray("extension").getJsonObject(0).getJsonObject("valueReference").getJsonObject("identifier")
                .put("system", "urn:oid:1.2.250.1.71.4.2.1"); // INTRN with the national system
        assertThat(StandIn.contractErrors(wrongSystem)).isNotEmpty();
        assertThat(ours.encode()).contains("\"start\":\"2026-11-30T").contains(":00+01:00\"");
    }

    @Test
    void theIdentitiesOfPeopleAndTokens() {
        String rpps = fr.snp.dispatch.domain.Rpps.withCheckDigit("1001234567");
        // a person signed in with Pro Santé Connect: the subject is "8" + RPPS
        assertThat(StoredRegulatorIdentity.operator(new JsonObject().put("id", "p").put("subject", "8" + rpps)))
                .isEqualTo(new RegulatorIdentity.Operator(RegulatorIdentity.Kind.IDNPS, "8" + rpps));
        // another provider's subject is not taken for an RPPS, even 11 digits that pass the check
        assertThat(StoredRegulatorIdentity.operator(new JsonObject().put("id", "p").put("subject", rpps))).isNull();
        assertThat(StoredRegulatorIdentity.operator(new JsonObject().put("id", "t").put("rpps", rpps)).value()).isEqualTo("8" + rpps);
        assertThat(StoredRegulatorIdentity.operator(new JsonObject().put("id", "t").put("sasUuid", "u-1")))
                .isEqualTo(new RegulatorIdentity.Operator(RegulatorIdentity.Kind.INTRN, "u-1"));
        String wrongCheckDigit = rpps.substring(0, 10) + (char) ('0' + (rpps.charAt(10) - '0' + 1) % 10);
        assertThat(StoredRegulatorIdentity.operator(new JsonObject().put("id", "t").put("rpps", wrongCheckDigit))).isNull();
    }

    // --- helpers -----------------------------------------------------------------------------------------------------

    static String book(TestServer s, Role role, String origin, int inMinutes) {
        return bookAs(s, s.token(role), role, origin, inMinutes);
    }

    /** A regulator's booking with a doctor of the test's own. */
    static String bookWith(String doctor, int inMinutes) {
        String slot = server.slot(doctor, inMinutes, "AMB", "SNP", "PUBLIC", "PRO", "CPTS");
        Api.Response r = server.api.book(server.token(Role.REGULATOR), slot, server.requestId(Role.REGULATOR, "SAS_116117"),
                null, UUID.randomUUID().toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().getString("id");
    }

    static String bookAs(TestServer s, String token, Role role, String origin, int inMinutes) {
        String slot = s.slot(effector, inMinutes, "AMB", "SNP", "PUBLIC", "PRO", "CPTS");
        Api.Response r = s.api.book(token, slot, s.requestId(role, origin), null, UUID.randomUUID().toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().getString("id");
    }

    /** The appointment's push as the ops backlog lists it, if it waits. */
    static java.util.Optional<JsonObject> waiting(TestServer s, String appointmentId) {
        JsonObject view = s.api.get("/api/v1/ops/outbox?territory=36", s.token(Role.OPS)).json();
        return view.getJsonObject("sasPush").getJsonArray("oldest").stream().map(o -> (JsonObject) o)
                .filter(o -> appointmentId.equals(o.getString("appointmentId"))).findFirst();
    }

    static JsonObject sasView(TestServer s) {
        return s.api.get("/api/v1/ops/outbox?territory=36", s.token(Role.OPS)).json().getJsonObject("sasPush");
    }

    /** The appointment's dead letters as the ops backlog lists them, the newest first. */
    static List<JsonObject> deadLetters(TestServer s, String appointmentId) {
        return sasView(s).getJsonArray("latestDeadLetters").stream().map(o -> (JsonObject) o)
                .filter(o -> appointmentId.equals(o.getString("appointmentId"))).toList();
    }

    /** Every push of the appointment that the platform took was valid FrAppointmentSAS (the validator's errors: none). */
    static void assertValid(String appointmentId) throws Exception {
        List<Received> all = platform.of(appointmentId);
        assertThat(all).isNotEmpty();
        for (Received r : all) {
            assertThat(r.errors().get(30, TimeUnit.SECONDS)).as("%s %s: %s", r.method(), r.status(), r.body().encode()).isEmpty();
        }
    }

    static <T> void await(Supplier<T> actual, T expected) { awaitUntil(actual, v -> java.util.Objects.equals(v, expected)); }

    static <T> void awaitUntil(Supplier<T> actual, java.util.function.Predicate<T> done) {
        long until = System.currentTimeMillis() + 20_000;
        T last = null;
        while (System.currentTimeMillis() < until) {
            last = actual.get();
            if (done.test(last)) return;
            try { Thread.sleep(50); } catch (InterruptedException e) { throw new IllegalStateException(e); }
        }
        throw new AssertionError("still " + last + " after 20 s");
    }
}
