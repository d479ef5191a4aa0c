package fr.snp.dispatch.fhir;

import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.config.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The SAS platform's FHIR listener over mutual TLS, against a throwaway CA ({@link TestPki}): a listed client
 * certificate reaches the FHIR routes as the principal the allow-list names; an unlisted subject (signed by the
 * trusted CA) gets 403 with an OperationOutcome; a self-signed, an expired, a revoked (fhir.crl, also when the CRL
 * is replaced after the start) or no certificate, and TLS 1.1, never get past the handshake. Each refusal is asserted for what it is: an HTTP status, or a TLS failure with no response.
 */
class MutualTlsTest {
    static final String SAS = "CN=sas.sante.fr,OU=ANS";

    @TempDir
    static Path dir;
    static TestPki pki;
    static Vertx vertx;
    static FhirListener listener;
    static FhirListener.Config config;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create(dir);
        // through the settings, as the server reads them (port 1 then replaced by a free one)
        Settings settings = Settings.defaultsWith(Map.of("fhir.port", "1",
                "fhir.keyStore", pki.server().p12().toString(), "fhir.keyStorePassword", TestPki.PASSWORD,
                "fhir.trustedCa", pki.caPem().toString(),
                "fhir.clients", SAS + " -> SAS-NATIONAL:36,85 ; CN=sas-recette.sante.fr,OU=ANS -> SAS-RECETTE:75"));
        FhirListener.Config c = FhirListener.config(settings);
        config = new FhirListener.Config("127.0.0.1", 0, c.keyStore(), c.keyStorePassword(), c.trustedCa(), c.clients());
        vertx = Vertx.vertx();
        listener = FhirListener.start(vertx, config, placeholderRoutes(vertx)).toCompletionStage().toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Stands for the FHIR routes: a placeholder CapabilityStatement that tells which principal reached it. */
    static Router placeholderRoutes(Vertx vertx) {
        Router r = Router.router(vertx);
        r.get("/metadata").handler(ctx -> {
            Principal p = ctx.get(FhirListener.PRINCIPAL);
            ctx.response().putHeader("Content-Type", "application/fhir+json").end(new JsonObject()
                    .put("resourceType", "CapabilityStatement").put("status", "active").put("kind", "instance")
                    .put("fhirVersion", "4.0.1")
                    .put("principal", new JsonObject().put("id", p.id()).put("role", p.role().wireName())
                            .put("name", p.name()).put("org", p.org()).put("territories", p.territoryList())).encode());
        });
        return r;
    }

    @Test
    void aListedClientReachesTheRoutesAsItsPrincipal() throws Exception {
        HttpResponse<String> r = get(pki.clientContext(pki.client(SAS)), "/fhir/metadata");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonObject p = new JsonObject(r.body()).getJsonObject("principal");
        assertThat(p.getString("org")).isEqualTo("SAS-NATIONAL");
        assertThat(p.getString("territories")).isEqualTo("36, 85");
        assertThat(p.getString("role")).isEqualTo("regulator");
        assertThat(p.getString("name")).isEqualTo("SAS platform");
        assertThat(p.getString("id")).matches("mtls-[0-9a-f]{12}");
        // the key the API's own handlers read their principal from
        java.lang.reflect.Field key = Class.forName("fr.snp.dispatch.api.Authenticator").getDeclaredField("PRINCIPAL");
        key.setAccessible(true);
        assertThat(FhirListener.PRINCIPAL).isEqualTo(key.get(null));
        // a renewed certificate (new key, same subject, O and C differing) is the same principal for the audit trail
        HttpResponse<String> renewed = get(pki.clientContext(pki.client("CN=sas.sante.fr,OU=ANS,O=Agence du numerique en sante,C=FR")),
                "/fhir/metadata");
        assertThat(renewed.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(renewed.body()).getJsonObject("principal").getString("id")).isEqualTo(p.getString("id"));
        // the second entry of the list: its own organisation, territories and id
        JsonObject other = new JsonObject(get(pki.clientContext(pki.client("CN=sas-recette.sante.fr,OU=ANS")),
                "/fhir/metadata").body()).getJsonObject("principal");
        assertThat(other.getString("org")).isEqualTo("SAS-RECETTE");
        assertThat(other.getString("territories")).isEqualTo("75");
        assertThat(other.getString("id")).isNotEqualTo(p.getString("id"));
    }

    @Test
    void anUnlistedSubjectSignedByTheCaGets403WithAnOperationOutcome() throws Exception {
        for (String subject : List.of("CN=someone.example,OU=ANS", "CN=sas.sante.fr,OU=OTHER", "CN=sas.sante.fr",
                "CN=sas.sante.fr,OU=ANS,OU=EXTRA")) {
            HttpResponse<String> r = get(pki.clientContext(pki.client(subject)), "/fhir/metadata");
            assertThat(r.statusCode()).as(subject).isEqualTo(403);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/fhir+json");
            JsonObject outcome = new JsonObject(r.body());
            assertThat(outcome.getString("resourceType")).isEqualTo("OperationOutcome");
            JsonObject issue = outcome.getJsonArray("issue").getJsonObject(0);
            assertThat(issue.getString("severity")).isEqualTo("error");
            assertThat(issue.getString("code")).isEqualTo("forbidden");
            assertThat(issue.getString("diagnostics")).contains("not allowed");
        }
        // refused on every path, not only under /fhir
        assertThat(get(pki.clientContext(pki.client("CN=someone.example,OU=ANS")), "/elsewhere").statusCode()).isEqualTo(403);
    }

    @Test
    void whatTheRoutesDoNotServeIsAnOperationOutcome() throws Exception {
        HttpResponse<String> r = get(pki.clientContext(pki.client(SAS)), "/fhir/Nothing");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(r.body()).getJsonArray("issue").getJsonObject(0).getString("code")).isEqualTo("not-found");
    }

    @Test
    void badSettingsStopTheStartNamingTheSetting() throws Exception {
        Map<String, String> good = Map.of("fhir.port", "1", "fhir.keyStore", pki.server().p12().toString(),
                "fhir.keyStorePassword", TestPki.PASSWORD, "fhir.trustedCa", pki.caPem().toString(),
                "fhir.clients", SAS + " -> SAS:36");
        assertThat(FhirListener.config(Settings.defaultsWith(Map.of()))).as("off by default").isNull();
        assertThat(FhirListener.config(Settings.defaultsWith(good))).isNotNull();
        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
        Map<String, String> bad = Map.of(
                "fhir.keyStore", dir.resolve("missing.p12").toString(),
                "fhir.keyStorePassword", "wrong",
                "fhir.trustedCa", notPem.toString(),
                "fhir.clients", "",
                "fhir.crl", dir.resolve("missing.crl").toString(),
                "fhir.crlReloadSeconds", "-1");
        bad.forEach((key, value) -> {
            Map<String, String> s = new java.util.HashMap<>(good);
            s.put(key, value);
            String setting = key.equals("fhir.keyStorePassword") ? "fhir.keyStore" : key;
            assertThatThrownBy(() -> FhirListener.config(Settings.defaultsWith(s))).as(key)
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("setting " + setting);
        });
        // the server itself refuses to start, before it starts anything (no Redis is needed to see it)
        Map<String, String> s = new java.util.HashMap<>(good);
        s.put("fhir.trustedCa", dir.resolve("missing.pem").toString());
        assertThatThrownBy(() -> fr.snp.dispatch.Dispatcher.start(Settings.defaultsWith(s), false, java.time.Clock.systemUTC()))
                .hasMessageContaining("setting fhir.trustedCa").hasMessageContaining("missing.pem");
        Map<String, String> missingCrl = new java.util.HashMap<>(good);
        missingCrl.put("fhir.crl", pki.crl(dir.resolve("present.crl"), false) + ", " + dir.resolve("missing.crl"));
        assertThatThrownBy(() -> fr.snp.dispatch.Dispatcher.start(Settings.defaultsWith(missingCrl), false, java.time.Clock.systemUTC()))
                .hasMessageContaining("setting fhir.crl: cannot read").hasMessageContaining("missing.crl");
        // not a CRL; a CRL of another CA (it could revoke nothing we accept: the wrong file)
        for (Path wrong : List.of(notPem, TestPki.create(dir.resolve("crl-other-ca")).crl(dir.resolve("other.crl"), false))) {
            Map<String, String> w = new java.util.HashMap<>(good);
            w.put("fhir.crl", wrong.toString());
            assertThatThrownBy(() -> FhirListener.config(Settings.defaultsWith(w))).as(wrong.toString())
                    .hasMessageContaining("setting fhir.crl: " + wrong)
                    .hasMessageContaining(wrong.equals(notPem) ? "is not a CRL" : "not signed by a CA of fhir.trustedCa");
        }
        Map<String, String> withCrl = new java.util.HashMap<>(good);
        withCrl.put("fhir.crl", dir.resolve("present.crl").toString());
        assertThat(FhirListener.config(Settings.defaultsWith(withCrl)).crl().files()).containsExactly(dir.resolve("present.crl"));
        assertThat(FhirListener.config(Settings.defaultsWith(withCrl)).crlReloadSeconds()).as("default").isEqualTo(3600);
    }

    /** Wired in the server: fhir.port set, the listener is up, in front of the FHIR routes the merge plugs in. */
    @Test
    void theServerStartsTheListenerWhenFhirPortIsSet() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        try (TestServer server = TestServer.start(Map.of("fhir.port", String.valueOf(port),
                "fhir.keyStore", pki.server().p12().toString(), "fhir.keyStorePassword", TestPki.PASSWORD,
                "fhir.trustedCa", pki.caPem().toString(), "fhir.clients", SAS + " -> SAS-NATIONAL:36",
                "fhir.cpts", "CPTS-TEST|CPTS de test|36|360000001"))) {
            assertThat(server.dispatcher.fhirPort()).isEqualTo(port);
            // past the certificate check to the FHIR routes, which do not serve this
            HttpResponse<String> listed = get(pki.clientContext(pki.client(SAS)), port, "/fhir/NoSuchResource");
            assertThat(listed.statusCode()).isEqualTo(404);
            assertThat(new JsonObject(listed.body()).getString("resourceType")).isEqualTo("OperationOutcome");
            assertThat(new JsonObject(get(pki.clientContext(pki.client(SAS)), port, "/fhir/metadata").body())
                    .getString("resourceType")).isEqualTo("CapabilityStatement");
            // the INT_R04 search, as the certificate's principal (SAS-NATIONAL, Indre): a free SNP slot of Indre is found
            String effector = server.effector("36044", null);
            String slot = server.slot(effector, 120, "AMB", "SNP");
            String rpps = server.api.get("/api/v1/effectors/" + effector, server.token(fr.snp.dispatch.domain.Role.COORDINATOR))
                    .json().getString("rpps");
            java.time.OffsetDateTime now = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).withNano(0);
            String query = "/fhir/Slot?start=ge" + now + "&start=le" + now.plusDays(2)
                    + "&schedule.actor:Practitioner.identifier=urn:oid:1.2.250.1.71.4.2.1%7C8" + rpps + "&status=free"
                    + "&_include=Slot:schedule&_include:iterate=Schedule:actor";
            HttpResponse<String> found = get(pki.clientContext(pki.client(SAS)), port, query.replace("+", "%2B"));
            assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
            JsonObject bundle = new JsonObject(found.body());
            assertThat(bundle.getInteger("total")).isEqualTo(1);
            assertThat(bundle.encode()).contains(slot);
            // the effector's CPTS is in fhir.cpts: the Slot names it, and the Organization carries its FINESS prefixed 1
            assertThat(bundle.encode()).contains("HealthcareService/");
            String all = get(pki.clientContext(pki.client(SAS)), port, (query + "&_include=Slot:service-type-reference"
                    + "&_include:iterate=HealthcareService:organization").replace("+", "%2B")).body();
            assertThat(all).contains("\"1360000001\"").contains("CPTS de test");
            // INT_R02 on this listener: the account is kept for the certificate's organisation and territories
            HttpResponse<String> created = HttpClient.newBuilder().sslContext(pki.clientContext(pki.client(SAS)))
                    .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build()
                    .send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/fhir/Practitioner"))
                            .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/fhir+json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    SasValidatorTest.example("Practitioner-ExamplePractitionerRegul4.json"))).build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonObject account = new JsonObject(server.redis.hget(fr.snp.dispatch.redis.Keys.REGULATORS,
                    new JsonObject(created.body()).getString("id")));
            assertThat(account.getString("org")).isEqualTo("SAS-NATIONAL");
            assertThat(account.getJsonArray("territories").getList()).containsExactly("36");
            assertThat(get(pki.clientContext(pki.client("CN=someone.example,OU=ANS")), port, "/fhir/metadata").statusCode())
                    .isEqualTo(403);
            assertThatThrownBy(() -> get(pki.clientContext(null), port, "/fhir/metadata")).isInstanceOf(IOException.class);
        }
        // the FHIR port taken: the server does not start (and closes what it had started)
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> TestServer.start(Map.of("fhir.port", String.valueOf(taken.getLocalPort()),
                    "fhir.keyStore", pki.server().p12().toString(), "fhir.keyStorePassword", TestPki.PASSWORD,
                    "fhir.trustedCa", pki.caPem().toString(), "fhir.clients", SAS + " -> SAS-NATIONAL:36")).close())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("the FHIR listener")
                    .hasMessageContaining(":" + taken.getLocalPort());
        }
    }

    @Test
    void theAllowListSyntax() {
        FhirClients c = FhirClients.parse(" OU=ANS , CN=sas.sante.fr -> SAS-NATIONAL : 36, 85 ;; CN=a\\,b,OU=X->ORG:2A ");
        FhirClients.Client sas = c.match(new javax.security.auth.x500.X500Principal("CN=sas.sante.fr,OU=ANS,O=ANS,C=FR"));
        assertThat(sas).isNotNull();
        assertThat(sas.org()).isEqualTo("SAS-NATIONAL");
        assertThat(sas.territories()).containsExactly("36", "85");
        assertThat(c.match(new javax.security.auth.x500.X500Principal("CN=a\\,b,OU=X")).territories()).containsExactly("2A");
        assertThat(c.match(new javax.security.auth.x500.X500Principal("CN=SAS.SANTE.FR,OU=ANS"))).as("case-sensitive").isNull();
        for (String wrong : List.of("CN=x,OU=y", "CN=x,OU=y -> ORG", "CN=x -> ORG:36", "CN=x,OU=y,O=z -> ORG:36",
                "CN=x,OU=y -> ORG:Indre", "CN=x,OU=y -> ORG:36; OU=y,CN=x -> OTHER:85", "not a dn -> ORG:36"))
            assertThatThrownBy(() -> FhirClients.parse(wrong)).as(wrong).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("setting fhir.clients");
    }

    @Test
    void aSelfSignedCertificateWithAListedSubjectIsRefusedAtTheHandshake() throws Exception {
        assertHandshakeRefused(pki.clientContext(pki.selfSignedClient(SAS)), "certificate_unknown");
    }

    @Test
    void anExpiredCertificateSignedByTheCaIsRefusedAtTheHandshake() throws Exception {
        assertHandshakeRefused(pki.clientContext(pki.expiredClient(SAS)), "certificate_unknown");
    }

    @Test
    void aRevokedCertificateIsRefusedWhileAnotherOfTheSameCaGetsIn() throws Exception {
        TestPki.Issued revokedByPem = pki.client(SAS);
        TestPki.Issued revokedByDer = pki.client(SAS);
        TestPki.Issued valid = pki.client(SAS);
        // without the CRLs, each gets in: what refuses them below is their revocation, nothing else
        for (TestPki.Issued c : List.of(revokedByPem, revokedByDer, valid))
            assertThat(get(pki.clientContext(c), "/fhir/metadata").statusCode()).isEqualTo(200);
        Path pem = pki.crl(dir.resolve("revoked.crl.pem"), false, revokedByPem.certificate());
        Path der = pki.crl(dir.resolve("revoked.crl"), true, revokedByDer.certificate());
        assertThat(Files.readString(der, StandardCharsets.ISO_8859_1)).doesNotContain("-----BEGIN");
        FhirListener withCrl = listen(Map.of("fhir.crl", pem + " , " + der, "fhir.crlReloadSeconds", "0"));
        try {
            assertHandshakeRefused(pki.clientContext(revokedByPem), withCrl.port(), "certificate_unknown");
            assertHandshakeRefused(pki.clientContext(revokedByDer), withCrl.port(), "certificate_unknown");
            HttpResponse<String> r = get(pki.clientContext(valid), withCrl.port(), "/fhir/metadata");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(new JsonObject(r.body()).getJsonObject("principal").getString("org")).isEqualTo("SAS-NATIONAL");
        } finally {
            withCrl.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The CRL file replaced while the listener runs (IGC-Santé publishes daily): the newly revoked certificate is
     * refused within the reload period, without a restart; an unusable file then keeps the lists in force.
     */
    @Test
    void aCrlReplacedAfterTheStartRevokesWithinTheReloadPeriod() throws Exception {
        TestPki.Issued soonRevoked = pki.client(SAS);
        TestPki.Issued valid = pki.client(SAS);
        Path crl = pki.crl(dir.resolve("reloaded.crl"), false);
        FhirListener watching = listen(Map.of("fhir.crl", crl.toString(), "fhir.crlReloadSeconds", "1"));
        try {
            assertThat(get(pki.clientContext(soonRevoked), watching.port(), "/fhir/metadata").statusCode()).isEqualTo(200);
            pki.crl(crl, false, soonRevoked.certificate());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (refusedAtHandshake(pki.clientContext(soonRevoked), watching.port()) == null) {
                assertThat(System.nanoTime()).as("still admitted 15 s after the CRL revoking it").isLessThan(deadline);
                Thread.sleep(200);
            }
            assertHandshakeRefused(pki.clientContext(soonRevoked), watching.port(), "certificate_unknown");
            assertThat(get(pki.clientContext(valid), watching.port(), "/fhir/metadata").statusCode()).isEqualTo(200);
            // a half-written download: not a CRL; the revocation stays in force (looked at again and again meanwhile)
            Files.writeString(crl, "-----BEGIN X509 CRL-----\nMIIB");
            Thread.sleep(2_500);
            assertHandshakeRefused(pki.clientContext(soonRevoked), watching.port(), "certificate_unknown");
            assertThat(get(pki.clientContext(valid), watching.port(), "/fhir/metadata").statusCode()).isEqualTo(200);
            // and a good file after it is taken: the revocation lifted, the certificate gets in again
            pki.crl(crl, false);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (refusedAtHandshake(pki.clientContext(soonRevoked), watching.port()) != null) {
                assertThat(System.nanoTime()).as("still refused 15 s after the CRL lifting it").isLessThan(deadline);
                Thread.sleep(200);
            }
        } finally {
            watching.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** A listener of its own on a free port, from the settings of the shared one plus {@code extra}. */
    static FhirListener listen(Map<String, String> extra) throws Exception {
        Map<String, String> s = new java.util.HashMap<>(Map.of("fhir.port", "1",
                "fhir.keyStore", pki.server().p12().toString(), "fhir.keyStorePassword", TestPki.PASSWORD,
                "fhir.trustedCa", pki.caPem().toString(), "fhir.clients", SAS + " -> SAS-NATIONAL:36,85"));
        s.putAll(extra);
        FhirListener.Config c = FhirListener.config(Settings.defaultsWith(s));
        FhirListener.Config any = new FhirListener.Config("127.0.0.1", 0, c.keyStore(), c.keyStorePassword(),
                c.trustedCa(), c.clients(), c.crl(), c.crlReloadSeconds());
        return FhirListener.start(vertx, any, placeholderRoutes(vertx)).toCompletionStage().toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    /** The TLS alert that refused the handshake, or null when an HTTP answer came. */
    static String refusedAtHandshake(SSLContext tls, int port) throws Exception {
        try {
            get(tls, port, "/fhir/metadata");
            return null;
        } catch (IOException e) {
            return chain(e).stream().filter(t -> t instanceof SSLException).map(Throwable::getMessage).findFirst()
                    .orElseThrow(() -> e);
        }
    }

    @Test
    void noClientCertificateIsRefusedAtTheHandshake() throws Exception {
        assertHandshakeRefused(pki.clientContext(null), "bad_certificate");
    }

    @Test
    void aCertificateFromAnotherCaIsRefusedAtTheHandshake() throws Exception {
        TestPki other = TestPki.create(dir.resolve("other-ca"));
        SSLContext tls = TestPki.context(other.client(SAS).p12(), pki.caPem());
        assertHandshakeRefused(tls, "certificate_unknown");
    }

    /**
     * TLS 1.1 (and 1.0): this JVM's java.security disables them on both sides, which would hide whether the listener
     * itself refuses them. So a second JVM, with them re-enabled, runs the listener with the same configuration and
     * a TLS 1.1 client against it (and a TLS 1.2 client, to show that the probe itself works).
     */
    @Test
    void tls11IsRefusedEvenWhereTheJvmAllowsIt() throws Exception {
        Path security = dir.resolve("old-tls.security");
        Files.writeString(security, "jdk.tls.disabledAlgorithms=SSLv3, RC4, DES, MD5withRSA, DH keySize < 1024, "
                + "EC keySize < 224, 3DES_EDE_CBC, anon, NULL\n");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Djava.security.properties=" + security,
                "-cp", System.getProperty("java.class.path"), OldTlsProbe.class.getName(),
                pki.server().p12().toString(), pki.caPem().toString(), pki.client(SAS).p12().toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as(out).contains("TLSv1.2 ACCEPTED 200").contains("TLSv1.1 REFUSED javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version")
                .contains("TLSv1 REFUSED javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version");
    }

    /** The second JVM of {@link #tls11IsRefusedEvenWhereTheJvmAllowsIt}: args server.p12, ca.pem, client.p12. */
    public static final class OldTlsProbe {
        public static void main(String[] args) throws Exception {
            FhirListener.Config c = new FhirListener.Config("127.0.0.1", 0,
                    io.vertx.core.buffer.Buffer.buffer(Files.readAllBytes(Path.of(args[0]))), TestPki.PASSWORD,
                    io.vertx.core.buffer.Buffer.buffer(Files.readAllBytes(Path.of(args[1]))), FhirClients.parse(SAS + " -> SAS:36"));
            Vertx v = Vertx.vertx();
            try {
                FhirListener l = FhirListener.start(v, c, placeholderRoutes(v)).toCompletionStage().toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
                SSLContext tls = TestPki.context(Path.of(args[2]), Path.of(args[1]));
                for (String protocol : List.of("TLSv1.2", "TLSv1.1", "TLSv1")) {
                    try {
                        System.out.println(protocol + " ACCEPTED " + rawGet(tls, l.port(), protocol).split(" ")[1]);
                    } catch (IOException e) {
                        System.out.println(protocol + " REFUSED " + e);
                    }
                }
            } finally {
                v.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The status line of GET /fhir/metadata over a socket that offers only {@code protocol}. */
    static String rawGet(SSLContext tls, int port, String protocol) throws IOException {
        try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.setEnabledProtocols(new String[] {protocol});
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            out.write("GET /fhir/metadata HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            if (response.isEmpty()) throw new IOException("connection closed without a response");
            return response.substring(0, response.indexOf("\r\n"));
        }
    }

    static HttpResponse<String> get(SSLContext tls, String path) throws Exception { return get(tls, listener.port(), path); }

    static HttpResponse<String> get(SSLContext tls, int port, String path) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * No HTTP response at all, but the server's TLS alert about the client certificate (TLS 1.3 sends it after the
     * client's side of the handshake is over, so it may come on the first read), not a client-side failure such as
     * the client not trusting the server, which would fail the same way without proving anything. The JDK's server
     * answers a missing certificate with bad_certificate and a certificate whose chain or dates fail with
     * certificate_unknown: the alert tells that the certificate was sent and judged, not left out.
     */
    static void assertHandshakeRefused(SSLContext tls, String alert) { assertHandshakeRefused(tls, listener.port(), alert); }

    static void assertHandshakeRefused(SSLContext tls, int port, String alert) {
        assertThatThrownBy(() -> get(tls, port, "/fhir/metadata")).isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(chain(e)).as(String.valueOf(chain(e))).anyMatch(t -> t instanceof SSLException
                        && ("Received fatal alert: " + alert).equals(t.getMessage())));
    }

    static List<Throwable> chain(Throwable e) {
        List<Throwable> all = new ArrayList<>();
        for (Throwable t = e; t != null && !all.contains(t); t = t.getCause()) all.add(t);
        return all;
    }
}
