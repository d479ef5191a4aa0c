package fr.snp.dispatch.audit;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.ops.Haproxy;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.domain.Links;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reverse proxy's access log carries no secret and no patient value. A real HAProxy 2.6 runs the recommended
 * configuration shipped in ops/haproxy/haproxy.cfg (as it is: addresses and certificate from the environment), with
 * TLS, in front of a dispatcher; behind it, a second HAProxy logs as a plain operator's would (option httplog with
 * the Referer and the User-Agent captured): the control. A whole flow goes through both — a refused token, a request,
 * the slots search, an option, a booking with the patient's phone, initials, year of birth, mobile and e-mail, the
 * patient calling back (found by phone and initials), a person signing in through OpenID Connect (the code in the
 * callback's address, the session cookie), the console pages, the live feed opened with one-time tickets, the
 * doctor's feedback link page, the patient's link page and the cancellation from it (with the Referer an old browser
 * would send). Then:
 * <ul>
 * <li>the plain log holds the link signatures, the tickets, the sign-in code and the patient's phone and initials
 * (what the check looks for is there to find: it can fail);</li>
 * <li>the recommended log and the server's own log hold none of them, nor any token, session cookie or patient
 * value; and no ticket seen in any log still opens the feed.</li>
 * </ul>
 */
class ProxyAccessLogTest {
    static final Path OPS = Haproxy.OPS;
    static final String RPPS = "810000000041";
    static final String CLIENT = "snp-console";
    static final String BROWSER = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36";

    @Test
    void theRecommendedAccessLogKeepsNoSecretAndNoPatientValue(@TempDir Path dir) throws Exception {
        String shipped = Files.readString(OPS.resolve("haproxy/haproxy.cfg"));
        // the proxy cuts signatures with the rule the dispatcher's own logs use, the very same text (path and Referer)
        assertThat(shipped.split(Pattern.quote("\"" + Links.SIGNED_LINK + "\""), -1)).hasSize(3);
        // a live feed's heartbeat (every 15 s) keeps it open through the proxy: both timeouts are longer
        for (String side : List.of("client", "server")) {
            Matcher timeout = Pattern.compile("(?m)^\\s*timeout " + side + " (\\d+)s$").matcher(shipped);
            assertThat(timeout.find()).as("timeout " + side).isTrue();
            assertThat(Integer.parseInt(timeout.group(1))).as("timeout " + side).isGreaterThan(15);
        }

        List<String> serverLog = new CopyOnWriteArrayList<>();
        SimpleFormatter format = new SimpleFormatter();
        Handler capture = new Handler() {
            @Override public void publish(LogRecord r) { serverLog.add(format.format(r)); }

            @Override public void flush() {}

            @Override public void close() {}
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);

        int edgePort = freePort();
        int plainPort = freePort();
        String edge = "https://127.0.0.1:" + edgePort;
        MockOAuth2Server oidc = new MockOAuth2Server();
        oidc.start(InetAddress.getLoopbackAddress(), 0);
        String issuer = oidc.issuerUrl("psc").toString();
        List<Process> proxies = new ArrayList<>();
        Path edgeLog = dir.resolve("edge.log");
        Path plainLog = dir.resolve("plain.log");
        try (TestServer server = TestServer.start(Map.of("http.publicBaseUrl", edge, "oidc.redirectBase", edge,
                "oidc.issuer", issuer, "oidc.clientId", CLIENT, "oidc.clientSecret", "test-secret",
                "oidc.subjectClaim", "preferred_username", "messages.sms.provider", "log", "messages.email.provider", "log",
                "outbox.logChannel", "true", "http.instances", "1"))) {
            // the plain operator's proxy, right in front of the dispatcher (the control; logasap: a live feed's line
            // is written when its answer starts, not when it ends)
            Path plainCfg = dir.resolve("plain.cfg");
            Files.writeString(plainCfg, """
                    global
                        log stdout format raw local0
                    defaults
                        mode http
                        log global
                        option httplog
                        option logasap
                        timeout connect 5s
                        timeout client 60s
                        timeout server 60s
                    frontend plain
                        bind 127.0.0.1:%d
                        capture request header Referer len 1024
                        capture request header User-Agent len 256
                        default_backend app
                    backend app
                        server app 127.0.0.1:%d
                    """.formatted(plainPort, server.dispatcher.port()));
            proxies.add(Haproxy.start(plainCfg, Map.of(), plainLog, plainPort));
            // the recommended one, at the edge, with TLS
            Haproxy.TestCertificate cert = Haproxy.TestCertificate.make(dir);
            proxies.add(Haproxy.start(OPS.resolve("haproxy/haproxy.cfg"), Map.of("SNP_PROXY_BIND", "127.0.0.1:" + edgePort,
                    "SNP_PROXY_CERT", cert.pem().toString(), "SNP_DISPATCHER", "127.0.0.1:" + plainPort), edgeLog, edgePort));
            HttpClient http = HttpClient.newBuilder().sslContext(cert.trusting()).version(HttpClient.Version.HTTP_1_1)
                    .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
            Api api = new Api(edge, http);
            Haproxy.awaitUp(api);

            // --- the flow, through both proxies ------------------------------------------------------------------
            String regulator = server.token(Role.REGULATOR);
            String coordinator = server.token(Role.COORDINATOR);
            assertThat(api.get("/api/v1/requests/36-Rabcdefgh1234", "sekrit-token-4242").status()).isEqualTo(401);
            String effector = ok(api.post("/api/v1/effectors", coordinator, new JsonObject()
                    .put("rpps", fr.snp.dispatch.domain.Rpps.withCheckDigit("1888888888")).put("firstName", "Paul").put("lastName", "Proxy")
                    .put("cpts", new JsonArray().add("CPTS-TEST")).put("locations", new JsonArray()
                            .add(new JsonObject().put("communeInsee", "36044").put("accessible", true))))).getString("id");
            var start = java.time.OffsetDateTime.now(ZoneId.of("Europe/Paris")).truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plusHours(3);
            String slot = ok(api.post("/api/v1/slots", coordinator, new JsonObject().put("effectorId", effector)
                    .put("start", start.toString()).put("end", start.plusMinutes(20).toString()).put("mode", "AMB")
                    .put("audiences", new JsonArray().add("SNP")))).getString("id");
            String request = ok(api.post("/api/v1/requests", regulator, new JsonObject().put("origin", "SAS_116117")
                    .put("patient", new JsonObject().put("initials", "QZX").put("birthYear", 1937).put("phone", "06 55 44 33 22")
                            .put("communeInsee", "36044")))).getString("id");
            assertThat(ok(api.get("/api/v1/requests/" + request, regulator)).getJsonArray("candidates")).isNotEmpty();
            String hold = ok(api.post("/api/v1/slots/" + slot + "/hold", regulator, new JsonObject().put("requestId", request)))
                    .getString("holdId");
            JsonObject appointment = ok(api.send("POST", "/api/v1/appointments", regulator, new JsonObject().put("slotId", slot)
                    .put("requestId", request).put("holdId", hold).put("patientContact", new JsonObject()
                            .put("sms", "06 44 33 22 11").put("email", "qzx.patient@example.org").put("consent", true)),
                    Map.of("Idempotency-Key", UUID.randomUUID().toString())));
            String appointmentId = appointment.getString("id");
            String reference = appointment.getString("reference");
            // the patient calls back: found by phone, initials and day, then by the reference they were told
            String today = LocalDate.now(ZoneId.of("Europe/Paris")).toString();
            assertThat(api.get("/api/v1/appointments?phone=0655443322&initials=QZX&date=" + today, regulator).status()).isEqualTo(200);
            assertThat(api.get("/api/v1/appointments?reference=" + reference, regulator).status()).isEqualTo(200);

            // a person signs in (OpenID Connect: the callback's address carries the code), then opens the pages
            server.dispatcher.services().people().roster().add(issuer, RPPS, new Principal(null, Role.REGULATOR, "Dr Proxy",
                    Set.of("36"), "SAS-36", Set.of())).toCompletableFuture().get();
            HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(edge + "/login?to=/console"))
                    .header("User-Agent", BROWSER).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).isEqualTo(302);
            String loginCookie = cookie(login, "snp_login");
            oidc.enqueueCallback(new DefaultOAuth2TokenCallback("psc", "psc-" + RPPS, "JWT", List.of(CLIENT),
                    Map.of("preferred_username", RPPS), 3600));
            HttpResponse<String> provider = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(login.headers().firstValue("Location").orElseThrow())).build(), HttpResponse.BodyHandlers.ofString());
            String callback = provider.headers().firstValue("Location").orElseThrow();
            assertThat(callback).startsWith(edge + "/login/callback?");
            Map<String, String> answer = query(URI.create(callback).getRawQuery());
            HttpResponse<String> signedIn = http.send(HttpRequest.newBuilder(URI.create(callback)).header("User-Agent", BROWSER)
                    .header("Cookie", "snp_login=" + loginCookie).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(200); // a page that moves on (SameSite=Strict)
            String session = cookie(signedIn, "snp_session");
            Map<String, String> browser = Map.of("Cookie", "snp_session=" + session, "User-Agent", BROWSER);
            for (String page : List.of("/console", "/assets/app.css", "/assets/session.js", "/assets/console.js", "/coordinator",
                    "/assets/coordinator.js", "/widget/demo.html", "/widget/snp-widget.js", "/api/v1/session", "/api/v1/me")) {
                assertThat(api.send("GET", page, null, null, browser).status()).as(page).isEqualTo(200);
            }
            // the live feed, opened with one-time tickets (the page's, with its session; software's, with its token)
            String pageTicket = ok(api.send("POST", "/api/v1/live/ticket?territory=36", null, null, browser)).getString("ticket");
            String softwareTicket = ok(api.post("/api/v1/live/ticket?territory=36", regulator, null)).getString("ticket");
            for (String ticket : List.of(pageTicket, softwareTicket)) {
                assertThat(openLive(cert.trusting(), edgePort, "/api/v1/live?territory=36&ticket=" + ticket))
                        .startsWith("HTTP/1.1 200").contains("text/event-stream").contains("retry: 2000");
            }

            // the doctor's link (the notification's), on a phone
            var links = server.dispatcher.services().feedbackLinks();
            String feedback = links.token(appointmentId, System.currentTimeMillis() / 1000);
            Map<String, String> phone = Map.of("User-Agent", BROWSER);
            assertThat(api.send("GET", "/feedback/" + feedback, null, null, phone).status()).isEqualTo(200);
            assertThat(api.send("GET", "/api/v1/feedback/" + feedback, null, null, phone).status()).isEqualTo(200);
            // the patient's link (the SMS'), its page and the cancellation, posted from the page (a Referer: an old
            // browser ignores the Referrer-Policy)
            String patient = links.patientLinks().tokenUntil(appointmentId, start.toEpochSecond());
            assertThat(api.send("GET", "/rdv/" + patient, null, null, phone).status()).isEqualTo(200);
            assertThat(api.send("GET", "/api/v1/patient-links/" + patient, null, null, phone).status()).isEqualTo(200);
            Map<String, String> form = Map.of("User-Agent", BROWSER, "Referer", edge + "/rdv/" + patient,
                    "Content-Type", "application/x-www-form-urlencoded");
            assertThat(api.send("POST", "/rdv/" + patient, null, "step=confirm", form).status()).isEqualTo(200);
            Api.Response cancelled = api.send("POST", "/rdv/" + patient, null, "step=cancel", form);
            assertThat(cancelled.status()).isEqualTo(200);
            assertThat(ok(api.get("/api/v1/appointments/" + appointmentId, regulator)).getString("status")).isEqualTo("cancelled");
            assertThat(api.send("POST", "/logout", null, null, browser).status()).isIn(200, 302, 303);

            // every request logged by both proxies (the live feeds' lines come when they close)
            String edgeText = awaitLines(edgeLog, "/logout", 2, "/api/v1/live?");
            String plainText = awaitLines(plainLog, "/logout", 2, "/api/v1/live?");
            Thread.sleep(300); // the outbox worker's last lines (the patient's cancellation message)
            String serverText = String.join("\n", serverLog);

            String feedbackSignature = feedback.substring(feedback.lastIndexOf('.') + 1);
            String patientSignature = patient.substring(patient.lastIndexOf('.') + 1);
            Map<String, String> secrets = new LinkedHashMap<>();
            secrets.put("the regulator's token", regulator);
            secrets.put("the coordinator's token", coordinator);
            secrets.put("the refused token", "sekrit-token-4242");
            secrets.put("the session cookie", session);
            secrets.put("the login cookie", loginCookie);
            secrets.put("the sign-in code", answer.get("code"));
            secrets.put("the sign-in state", answer.get("state"));
            secrets.put("the page's live ticket", pageTicket);
            secrets.put("the software's live ticket", softwareTicket);
            secrets.put("the feedback link's signature", feedbackSignature);
            secrets.put("the patient link's signature", patientSignature);
            Map<String, String> patientValues = new LinkedHashMap<>();
            for (String number : List.of("0655443322", "0644332211")) {
                patientValues.put("phone " + number, number);
                patientValues.put("phone " + number + " as dictated", number.replaceAll("(\\d\\d)(?!$)", "$1 "));
                patientValues.put("phone " + number + " +33", "+33" + number.substring(1));
                patientValues.put("phone " + number + " +33 encoded", "%2B33" + number.substring(1));
            }
            patientValues.put("e-mail", "qzx.patient@example.org");
            patientValues.put("e-mail encoded", "qzx.patient%40example.org");
            patientValues.put("initials", "QZX");

            // the control: a plain access log holds them (the check below can fail)
            assertThat(edgeText).as("the flow went through the recommended proxy").contains("/feedback/")
                    .contains("/rdv/").contains("/api/v1/patient-links/").contains("/api/v1/live?").contains("/login/callback?");
            for (String leaked : List.of("the feedback link's signature", "the patient link's signature", "the page's live ticket",
                    "the software's live ticket", "the sign-in code")) {
                assertThat(plainText).as("the plain log holds " + leaked).contains(secrets.get(leaked));
            }
            assertThat(plainText).as("the plain log holds the patient's phone").contains("0655443322");
            assertThat(wordAt(plainText, "QZX")).as("the plain log holds the patient's initials").isTrue();
            assertThat(plainText).as("the plain log holds the reference the patient was told").contains(reference);

            // the recommended proxy's log and the server's log hold none
            Map<String, String> logs = Map.of("the recommended proxy's access log", edgeText, "the server's log", serverText);
            logs.forEach((name, text) -> {
                secrets.forEach((what, value) -> assertThat(text).as(name + " holds " + what).doesNotContain(value));
                patientValues.forEach((what, value) -> assertThat(wordAt(text, value)).as(name + " holds the patient's " + what).isFalse());
                assertThat(wordAt(text, "1937") && wordAt(text, "QZX")).as(name + " holds the initials and year of birth").isFalse();
                // every link in it is cut by the dispatcher's rule (nothing left for Links.redact to cut)
                assertThat(Links.redact(text.replace("REDACTED", "…"))).as(name).isEqualTo(text.replace("REDACTED", "…"));
            });
            assertThat(edgeText).doesNotContain(reference).contains(".REDACTED").contains("ticket=-");
            // no ticket any log shows still opens the feed (the plain log's were spent by their use)
            Matcher tickets = Pattern.compile("[?&]ticket=([^&\\s\"]+)").matcher(edgeText + "\n" + plainText + "\n" + serverText);
            int seen = 0;
            while (tickets.find()) {
                seen++;
                HttpResponse<String> again = http.send(HttpRequest.newBuilder(URI.create(edge + "/api/v1/live?territory=36&ticket="
                        + tickets.group(1))).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(again.statusCode()).as("a ticket from a log opens the feed").isEqualTo(401);
            }
            assertThat(seen).isGreaterThanOrEqualTo(4);
        } finally {
            for (Process p : proxies) {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
            }
            oidc.shutdown();
            root.removeHandler(capture);
        }
    }

    // --- plumbing ---------------------------------------------------------------------------------------------------

    /**
     * Opens the live feed on its own TLS connection, reads until the stream's first line, and drops the connection
     * (the proxies log a stream when it ends: a connection reset here ends it now, where a TLS close would leave the
     * proxy streaming to a half-closed client until its next heartbeat fails).
     */
    static String openLive(SSLContext tls, int port, String pathAndQuery) throws Exception {
        Socket raw = new Socket();
        raw.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        try {
            javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket(raw, "127.0.0.1", port, true);
            javax.net.ssl.SSLParameters params = s.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(params);
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUser-Agent: " + BROWSER
                    + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            StringBuilder got = new StringBuilder();
            byte[] buf = new byte[1024];
            while (!got.toString().contains("retry: ")) {
                int n = s.getInputStream().read(buf);
                if (n < 0) break;
                got.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
            return got.toString();
        } finally {
            raw.setSoLinger(true, 0);
            raw.close();
        }
    }

    /** A value in a text as a value of its own (not inside a longer word or number: a year's digits occur in times). */
    static boolean wordAt(String text, String value) {
        return Pattern.compile("(?<![A-Za-z0-9])" + Pattern.quote(value) + "(?![A-Za-z0-9])").matcher(text).find();
    }

    static JsonObject ok(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
        return r.json();
    }

    static String cookie(HttpResponse<?> r, String name) {
        return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
                .map(c -> c.substring(name.length() + 1, c.indexOf(';') < 0 ? c.length() : c.indexOf(';')))
                .filter(v -> !v.isEmpty()).findFirst().orElseThrow(() -> new AssertionError("no cookie " + name + " in " + r.headers()));
    }

    static Map<String, String> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            m.put(java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), pair.substring(eq + 1));
        }
        return m;
    }



    /** The log once it has a line with {@code last} and {@code n} lines with {@code each}. */
    static String awaitLines(Path log, String last, int n, String each) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            String text = Files.readString(log, StandardCharsets.ISO_8859_1);
            if (text.contains(last) && text.split(Pattern.quote(each), -1).length > n) return text;
            assertThat(System.currentTimeMillis()).as("the log " + log.getFileName() + " complete: " + text).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) { return s.getLocalPort(); }
    }

}
