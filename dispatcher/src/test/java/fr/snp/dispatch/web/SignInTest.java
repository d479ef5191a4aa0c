package fr.snp.dispatch.web;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.domain.Role;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * People sign in to the console through a real OpenID Connect provider (mock-oauth2-server on a loopback port:
 * discovery, authorization code + PKCE, signed id tokens), on a server that is not in demo mode: the roster decides
 * who gets in and as what, the session is an HttpOnly SameSite=Strict cookie, logout ends it, and the live feed
 * opens with one-time tickets.
 */
class SignInTest {
    /** Pro Santé Connect-like: the RPPS comes in preferred_username, not in sub. */
    static final String RPPS = "810000000017";
    static final String CLIENT = "snp-console";

    static MockOAuth2Server oidc;
    static TestServer server;
    static String issuer;
    static String base;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        oidc = new MockOAuth2Server();
        oidc.start(InetAddress.getLoopbackAddress(), 0);
        issuer = oidc.issuerUrl("psc").toString();
        server = TestServer.start(Map.of("oidc.issuer", issuer, "oidc.clientId", CLIENT, "oidc.clientSecret", "test-secret",
                "oidc.subjectClaim", "preferred_username", "http.instances", "1"));
        base = "http://127.0.0.1:" + server.dispatcher.port();
        server.dispatcher.services().people().roster().add(issuer, RPPS, new Principal(null, Role.REGULATOR,
                "Dr Claire Martin", Set.of("36"), "SAS-36", Set.of())).toCompletableFuture().get();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (oidc != null) oidc.shutdown();
    }

    /** The provider's next sign-in is that of this person (sub is the provider's own id; the RPPS is a claim). */
    static void nextPerson(String rpps) {
        oidc.enqueueCallback(new DefaultOAuth2TokenCallback("psc", "psc-" + rpps, "JWT", List.of(CLIENT),
                Map.of("preferred_username", rpps), 3600));
    }

    @Test
    void aRosteredPersonSignsInSeesTheLiveFeedAndSignsOut() throws Exception {
        ChromeDriver d = Browser.open(1280, 900);
        try {
            d.get(base + "/console");
            WebDriverWait wait = ConsoleTest.wait(d, 15);
            wait.until(x -> !x.findElements(By.cssSelector("a.signin")).isEmpty());
            // not demo mode: no token field, a way to sign in
            assertThat(d.findElement(By.id("token")).isDisplayed()).isFalse();
            assertThat(d.findElement(By.id("live")).getText()).isEqualTo("Hors ligne");
            Browser.check(d, "console: signed out");

            nextPerson(RPPS);
            d.findElement(By.cssSelector("a.signin")).click();
            wait.until(x -> "En direct".equals(x.findElement(By.id("live")).getText()));
            assertThat(d.getCurrentUrl()).isEqualTo(base + "/console");
            assertThat(d.findElement(By.id("account")).getText()).contains("Connecté(e) : Dr Claire Martin");
            assertThat(d.findElement(By.id("token")).isDisplayed()).isFalse();
            Browser.check(d, "console: signed in, live");

            Cookie cookie = d.manage().getCookieNamed("snp_session");
            assertThat(cookie).isNotNull();
            assertThat(cookie.isHttpOnly()).isTrue();
            assertThat(cookie.getSameSite()).isEqualTo("Strict");
            assertThat(cookie.isSecure()).isFalse(); // loopback: plain HTTP
            // page scripts cannot read it
            assertThat((String) d.executeScript("return document.cookie")).doesNotContain(cookie.getValue());
            // Redis keeps a hash of the id, with the idle timeout (30 min), never the id itself
            String key = "snp:session:" + sha256Hex(cookie.getValue());
            assertThat(server.redis.keys("snp:session:*")).contains(key).noneMatch(k -> k.contains(cookie.getValue()));
            assertThat(server.redis.get(key)).doesNotContain(cookie.getValue());
            assertThat(server.redis.pttl(key)).isBetween(29 * 60_000L, 30 * 60_000L);

            // the cookie is a credential for the API, with the roster's role and territory
            Map<String, String> withCookie = Map.of("Cookie", "snp_session=" + cookie.getValue());
            Api.Response me = server.api.send("GET", "/api/v1/me", null, null, withCookie);
            assertThat(me.status()).isEqualTo(200);
            assertThat(me.json().getString("role")).isEqualTo("regulator");
            assertThat(me.json().getJsonArray("territories").getList()).containsExactly("36");
            // a change sent by another origin's page is refused, even with the cookie: by CORS for a site nobody
            // registered, and by the session itself for a pharmacy's registered widget site
            Api.Response crossSite = server.api.send("POST", "/api/v1/live/ticket?territory=36", null, null,
                    Map.of("Cookie", "snp_session=" + cookie.getValue(), "Origin", "http://127.0.0.2:9999"));
            assertThat(crossSite.status()).isEqualTo(403);
            assertThat(crossSite.code()).isEqualTo("WEB_ORIGIN_NOT_ALLOWED");
            server.dispatcher.services().people().widgets().addOrigin("PHARMA-SIGNIN", "https://pharmacie-signin.example")
                    .toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
            Api.Response widgetSite = server.api.send("POST", "/api/v1/live/ticket?territory=36", null, null,
                    Map.of("Cookie", "snp_session=" + cookie.getValue(), "Origin", "https://pharmacie-signin.example"));
            assertThat(widgetSite.status()).isEqualTo(403);
            assertThat(widgetSite.code()).isEqualTo("CROSS_ORIGIN_REQUEST");

            d.findElement(By.xpath("//button[normalize-space()='Se déconnecter']")).click();
            wait.until(x -> x.findElement(By.tagName("main")).getText().contains("Vous êtes déconnecté(e)."));
            Browser.check(d, "signed out page");
            assertThat(d.manage().getCookieNamed("snp_session")).isNull();
            assertThat(server.redis.exists(key)).isZero();
            Api.Response after = server.api.send("GET", "/api/v1/me", null, null, withCookie);
            assertThat(after.status()).isEqualTo(401);
            assertThat(after.code()).isEqualTo("SESSION_ENDED");
        } finally {
            d.quit();
        }
    }

    @Test
    void aCoordinatorSignsInToTheCoordinatorPage() throws Exception {
        String rpps = "810000000025";
        server.dispatcher.services().people().roster().add(issuer, rpps, new Principal(null, Role.COORDINATOR,
                "Coordination CPTS Test", Set.of("36"), "CPTS-TEST", Set.of("CPTS-TEST"))).toCompletableFuture().get();
        ChromeDriver d = Browser.open(1280, 900);
        try {
            d.get(base + "/coordinator");
            WebDriverWait wait = ConsoleTest.wait(d, 15);
            wait.until(x -> !x.findElements(By.cssSelector("a.signin")).isEmpty());
            assertThat(d.findElement(By.id("token")).isDisplayed()).isFalse();
            Browser.check(d, "coordinator: signed out");
            nextPerson(rpps);
            d.findElement(By.cssSelector("a.signin")).click();
            wait.until(x -> x.getCurrentUrl().equals(base + "/coordinator")
                    && x.findElement(By.id("account")).getText().contains("Connecté(e) : Coordination CPTS Test"));
            // the page loads what the session may see: the CPTS of the roster entry
            wait.until(x -> x.findElement(By.id("who")).getText().contains("Coordination CPTS Test"));
            Browser.check(d, "coordinator: signed in");
        } finally {
            d.quit();
        }
    }

    @Test
    void theConsoleSaysSoWhenItsAccessIsTakenAwayAndDoesNotReconnect() throws Exception {
        String rpps = "810000000041";
        var roster = server.dispatcher.services().people().roster();
        roster.add(issuer, rpps, new Principal(null, Role.REGULATOR, "Dr Paul Durand", Set.of("36"), "SAS-36", Set.of()))
                .toCompletableFuture().get();
        ChromeDriver d = Browser.open(1280, 900);
        try {
            d.get(base + "/console");
            WebDriverWait wait = ConsoleTest.wait(d, 15);
            wait.until(x -> !x.findElements(By.cssSelector("a.signin")).isEmpty());
            nextPerson(rpps);
            d.findElement(By.cssSelector("a.signin")).click();
            wait.until(x -> "En direct".equals(x.findElement(By.id("live")).getText()));
            // count what the page tries from now on: tickets asked, feeds opened
            d.executeScript("window.tries = 0; const f = window.fetch; window.fetch = (u, o) => { if (String(u).includes('/live/ticket')) "
                    + "window.tries++; return f(u, o); }; const E = window.EventSource; window.EventSource = function (u) { "
                    + "window.tries++; return new E(u); };");

            // taken off the roster while the console is open: the server ends its live feed, the page says why
            roster.remove(issuer, rpps).toCompletableFuture().get();
            ConsoleTest.wait(d, 5).until(x -> x.findElement(By.id("notice")).getText()
                    .equals("Votre accès a été retiré ou a expiré : reconnectez-vous."));
            assertThat(d.findElement(By.id("live")).getText()).isEqualTo("Hors ligne");
            Browser.check(d, "console: access taken away");
            // and does not try again (each try would ask for a ticket)
            Thread.sleep(3_000);
            assertThat(d.findElement(By.id("live")).getText()).isEqualTo("Hors ligne");
            assertThat(((Number) d.executeScript("return window.tries")).intValue()).as("reconnection attempts").isZero();
        } finally {
            d.quit();
        }
    }

    @Test
    void aSessionEndsWhenThePersonLeavesTheRosterOrItsAbsoluteEndPasses() throws Exception {
        var people = server.dispatcher.services().people();
        String rpps = "810000000033";
        people.roster().add(issuer, rpps, new Principal(null, Role.OSNP, "OSNP Test", Set.of("36"), "SAS-36", Set.of()))
                .toCompletableFuture().get();
        String id = people.sessions().open(issuer, rpps).toCompletableFuture().get();
        Map<String, String> cookie = Map.of("Cookie", "snp_session=" + id);
        assertThat(server.api.send("GET", "/api/v1/me", null, null, cookie).json().getString("role")).isEqualTo("osnp");
        // a bearer header is judged alone: a wrong token with a good cookie is refused
        assertThat(server.api.send("GET", "/api/v1/me", "not-a-token", null, cookie).code()).isEqualTo("UNAUTHENTICATED");
        people.roster().remove(issuer, rpps).toCompletableFuture().get();
        Api.Response removed = server.api.send("GET", "/api/v1/me", null, null, cookie);
        assertThat(removed.status()).isEqualTo(401);
        assertThat(removed.code()).isEqualTo("SESSION_ENDED");

        people.roster().add(issuer, rpps, new Principal(null, Role.OSNP, "OSNP Test", Set.of("36"), "SAS-36", Set.of()))
                .toCompletableFuture().get();
        String key = "snp:session:" + sha256Hex(id);
        assertThat(server.api.send("GET", "/api/v1/me", null, null, cookie).status()).isEqualTo(200);
        // twelve hours later (the stored absolute end moved back): ended, and forgotten
        io.vertx.core.json.JsonObject stored = new io.vertx.core.json.JsonObject(server.redis.get(key));
        server.redis.set(key, stored.put("endsAt", System.currentTimeMillis() - 1).encode());
        assertThat(server.api.send("GET", "/api/v1/me", null, null, cookie).code()).isEqualTo("SESSION_ENDED");
        assertThat(server.redis.exists(key)).isZero();
        people.roster().remove(issuer, rpps).toCompletableFuture().get();
    }

    static String sha256Hex(String s) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void aPersonNotOnTheRosterIsRefusedInFrench() throws Exception {
        ChromeDriver d = Browser.open(1280, 900);
        try {
            int sessions = server.redis.keys("snp:session:*").size();
            nextPerson("899999999993");
            d.get(base + "/login?to=/console");
            ConsoleTest.wait(d, 15).until(x -> x.getCurrentUrl().startsWith(base + "/login/callback"));
            String text = d.findElement(By.tagName("main")).getText();
            assertThat(text).contains("vous n'êtes pas inscrit(e) sur ce service");
            Browser.check(d, "sign-in refused: not on the roster");
            assertThat(d.manage().getCookieNamed("snp_session")).isNull();
            assertThat(server.redis.keys("snp:session:*")).hasSize(sessions);
        } finally {
            d.quit();
        }
    }

    @Test
    void theLoginRefusesAReturnAddressOfItsOwnAndAReplayedCallback() throws Exception {
        HttpResponse<String> elsewhere = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/login?to=https://evil.example/"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(elsewhere.statusCode()).isEqualTo(400);
        assertThat(elsewhere.headers().firstValue("Location")).isEmpty();
        // a state nobody started (or one already used) opens nothing
        HttpResponse<String> forged = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/login/callback?code=x&state=forged"))
                .header("Cookie", "snp_login=whatever").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(400);
        assertThat(forged.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("snp_session=") && !c.startsWith("snp_session=;"));
        // the authorization request carries a PKCE S256 challenge, a nonce and the registered redirect URI
        HttpResponse<String> login = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/login?to=/coordinator")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(302);
        String location = login.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(issuer).contains("code_challenge_method=S256").contains("code_challenge=")
                .contains("nonce=").contains("redirect_uri=" + java.net.URLEncoder.encode(base + "/login/callback",
                        java.nio.charset.StandardCharsets.UTF_8));
        assertThat(login.headers().allValues("Set-Cookie")).anyMatch(c -> c.startsWith("snp_login=") && c.toLowerCase().contains("httponly")
                && c.contains("SameSite=Lax"));
    }

    @Test
    void aLiveTicketOpensTheFeedOnceAndATokenInTheAddressOnlyInDemoMode() throws Exception {
        String token = server.token(Role.REGULATOR);
        Api.Response issued = server.api.post("/api/v1/live/ticket?territory=36", token, null);
        assertThat(issued.status()).isEqualTo(201);
        assertThat(issued.json().getLong("expiresInSeconds")).isEqualTo(60L);
        String ticket = issued.json().getString("ticket");
        assertThat(server.redis.ttl(server.redis.keys("snp:live-ticket:*").get(0))).isBetween(1L, 60L);

        HttpResponse<InputStream> first = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/live?territory=36&ticket=" + ticket))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(new String(first.body().readNBytes(12))).isEqualTo("retry: 2000\n");
        first.body().close();
        HttpResponse<String> second = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/live?territory=36&ticket=" + ticket))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(second.statusCode()).isEqualTo(401);
        assertThat(second.body()).contains("\"code\":\"UNAUTHENTICATED\"").contains("\"field\":\"ticket\"");

        // a ticket opens the territory it was asked for only (and is spent by trying)
        String for36 = server.api.post("/api/v1/live/ticket?territory=36", token, null).json().getString("ticket");
        HttpResponse<String> other = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/live?territory=85&ticket=" + for36))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(400);
        assertThat(server.redis.keys("snp:live-ticket:*")).isEmpty();
        // bad input changes nothing stored
        Api.Response noTerritory = server.api.post("/api/v1/live/ticket", token, null);
        assertThat(noTerritory.status()).isEqualTo(400);
        assertThat(noTerritory.json().getString("field")).isEqualTo("territory");
        assertThat(server.redis.keys("snp:live-ticket:*")).isEmpty();

        // outside demo mode a token in the address is refused, even a valid one
        HttpResponse<String> inUrl = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/live?territory=36&access_token=" + token))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(inUrl.statusCode()).isEqualTo(401);
    }

    /**
     * INT_R02 end to end: the national SAS platform created a regulator's account (national id, territory 36); the
     * regulator follows the booking link of a slot the platform showed them, signs in (their subject is their
     * national id), lands on the console with that slot, books it as that account, and loses the right the moment
     * the platform sends active=false: the API refuses the session at once and the console's live feed is closed.
     */
    @Test
    void aSasRegulatorSignsInAsTheirAccountBooksTheSlotOfTheLinkAndIsWithdrawnAtOnce() throws Exception {
        String nationalId = "8" + fr.snp.dispatch.domain.Rpps.withCheckDigit("1000000099");
        var accounts = server.dispatcher.services().regulators();
        var saved = accounts.save(new fr.snp.dispatch.sas.RegulatorAccounts.Account("6c1d6a5e-sas-uuid", nationalId, "Martin",
                "Léa", null, true), "SAS-NATIONAL", Set.of("36")).toCompletableFuture().get();
        assertThat(saved.created()).isTrue();
        // a slot an hour and a half away in Issoudun, which a Châteauroux patient's ranked list may not even show
        String effector = server.effector("36088", null);
        String slot = server.slot(effector, 90, "AMB", "SNP");

        ChromeDriver d = Browser.open(1280, 900);
        try {
            d.get(base + "/console?slot=" + slot + "&origin=sas");
            WebDriverWait wait = ConsoleTest.wait(d, 15);
            wait.until(x -> !x.findElements(By.cssSelector("a.signin")).isEmpty());
            nextPerson(nationalId);
            d.findElement(By.cssSelector("a.signin")).click();
            // back on the link's page, signed in as the account, the slot named before anything is typed
            wait.until(x -> "En direct".equals(x.findElement(By.id("live")).getText()));
            assertThat(d.getCurrentUrl()).isEqualTo(base + "/console?slot=" + slot + "&origin=sas");
            assertThat(d.findElement(By.id("account")).getText()).contains("Connecté(e) : Léa Martin");
            wait.until(x -> x.findElement(By.id("sas-slot")).isDisplayed());
            assertThat(d.findElement(By.id("sas-slot")).getText()).startsWith("Créneau choisi sur la plateforme SAS")
                    .contains("Test Effecteur").contains("Issoudun");
            assertThat(new org.openqa.selenium.support.ui.Select(d.findElement(By.name("origin"))).getFirstSelectedOption()
                    .getAttribute("value")).isEqualTo("SAS_116117");
            Browser.check(d, "console: opened from a SAS slot link");

            ConsoleTest.fillCaller(d, "LM", "1948", "0612345678", "Châte", "Châteauroux (36000)");
            d.findElement(By.cssSelector("#request button[type=submit]")).click();
            wait.until(x -> !x.findElements(By.cssSelector("#candidates li[data-slot]")).isEmpty());
            // the platform's slot first and chosen, whatever the ranking here
            assertThat(ConsoleTest.slots(d).get(0)).isEqualTo(slot);
            assertThat(d.executeScript("return document.querySelector('#candidates li[aria-selected=true]')?.dataset.slot"))
                    .isEqualTo(slot);
            assertThat(d.findElement(By.cssSelector("#candidates li[data-slot]")).getText()).contains("choisi sur la plateforme SAS");
            d.findElement(By.id("candidates")).sendKeys("r");
            wait.until(x -> x.findElement(By.id("notice")).getText().startsWith("Rendez-vous réservé"));
            assertThat(d.findElement(By.id("sas-slot")).isDisplayed()).as("the link served this call").isFalse();

            // booked by the account (its id is the principal's): what the INT_R03 push names as the operator
            String appointment = server.api.get("/api/v1/slots/" + slot, server.token(Role.COORDINATOR)).json().getString("appointmentId");
            assertThat(appointment).isNotNull();
            assertThat(server.redis.hget(fr.snp.dispatch.redis.Keys.appointment("36", appointment), "bookedBy")).isEqualTo(saved.id());

            Cookie cookie = d.manage().getCookieNamed("snp_session");
            Map<String, String> withCookie = Map.of("Cookie", "snp_session=" + cookie.getValue());
            Api.Response me = server.api.send("GET", "/api/v1/me", null, null, withCookie);
            assertThat(me.status()).isEqualTo(200);
            assertThat(me.json().getString("role")).isEqualTo("regulator");
            assertThat(me.json().getJsonArray("territories").getList()).containsExactly("36");

            // the platform withdraws the account: refused at the next request, the console's feed closed
            accounts.save(new fr.snp.dispatch.sas.RegulatorAccounts.Account("6c1d6a5e-sas-uuid", nationalId, "Martin", "Léa",
                    null, false), "SAS-NATIONAL", Set.of("36")).toCompletableFuture().get();
            Api.Response after = server.api.send("GET", "/api/v1/me", null, null, withCookie);
            assertThat(after.status()).isEqualTo(401);
            ConsoleTest.wait(d, 8).until(x -> x.findElement(By.id("notice")).getText()
                    .equals("Votre accès a été retiré ou a expiré : reconnectez-vous."));
            assertThat(d.findElement(By.id("live")).getText()).isEqualTo("Hors ligne");
        } finally {
            d.quit();
        }
    }

    /** Only our pages, and only the parameters they read, survive the sign-in: no open redirect, no markup. */
    @Test
    void theReturnPageKeepsOnlyWhatOurPagesRead() throws Exception {
        HttpResponse<String> kept = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/login?to="
                + java.net.URLEncoder.encode("/console?slot=36-E1-abc&origin=sas&token=x&territory=36", "UTF-8"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(kept.statusCode()).isEqualTo(302);
        String state = URI.create(kept.headers().firstValue("Location").orElseThrow()).getQuery().replaceAll(".*state=([^&]+).*", "$1");
        String stored = server.redis.get(server.redis.keys("snp:login:*").stream()
                .filter(k -> server.redis.get(k).contains("36-E1-abc")).findFirst().orElseThrow());
        assertThat(new io.vertx.core.json.JsonObject(stored).getString("to")).isEqualTo("/console?slot=36-E1-abc&origin=sas&territory=36");
        assertThat(state).isNotBlank();
        for (String bad : List.of("https://evil.example/console", "//evil.example", "/ops", "/console/../ops")) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/login?to="
                    + java.net.URLEncoder.encode(bad, "UTF-8"))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
        }
        HttpResponse<String> markup = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/login?to="
                + java.net.URLEncoder.encode("/console?slot=\"><script>&origin=javascript:x", "UTF-8"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(markup.statusCode()).isEqualTo(302);
        assertThat(server.redis.keys("snp:login:*").stream().map(server.redis::get))
                .noneMatch(j -> j.contains("script") || j.contains("javascript"));
    }
}
