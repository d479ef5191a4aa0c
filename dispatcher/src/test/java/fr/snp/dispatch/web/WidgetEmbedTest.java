package fr.snp.dispatch.web;

import com.sun.net.httpserver.HttpServer;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static fr.snp.dispatch.web.WidgetTest.await;
import static fr.snp.dispatch.web.WidgetTest.waitHeading;
import static fr.snp.dispatch.web.WidgetTest.widget;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The widget embedded as a pharmacy's web site does it, in Chromium: the site (another origin, served here by a
 * small host server) loads the script from the dispatcher, and its own back end trades the pharmacy's API key for a
 * widget session that the widget asks for at /snp-session. The page never holds the key. From the pharmacy's
 * registered site the pharmacist books; from a site nobody registered, the browser is refused and nothing is filed.
 */
class WidgetEmbedTest {
    static TestServer server;
    static String key;
    static HttpServer registered;
    static HttpServer unregistered;
    static final AtomicInteger sessionsHanded = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        key = server.token(Role.PHARMACIST, "Pharmacie de l'Hôtel de Ville", "PHARMA-EMBED", Set.of());
        registered = host();
        unregistered = host();
        server.dispatcher.services().people().widgets().addOrigin("PHARMA-EMBED", origin(registered))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        String effector = server.effector("36044", null);
        server.slot(effector, 90, "AMB", "PUBLIC");
    }

    @AfterAll
    static void stop() {
        registered.stop(0);
        unregistered.stop(0);
        server.close();
    }

    static String origin(HttpServer host) { return "http://127.0.0.1:" + host.getAddress().getPort(); }

    /**
     * A pharmacy's site: a page embedding the widget, and the back-end route that opens a widget session with the
     * pharmacy's API key (kept on the server, as the README tells integrators).
     */
    static HttpServer host() throws Exception {
        HttpServer host = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String dispatcher = "http://127.0.0.1:" + server.dispatcher.port();
        host.createContext("/", x -> {
            byte[] page = ("<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Pharmacie</title></head><body>"
                    + "<main><h1>Pharmacie de l'Hôtel de Ville</h1>"
                    + "<script type=\"module\" src=\"" + dispatcher + "/widget/snp-widget.js\"></script>"
                    + "<snp-widget data-session-url=\"/snp-session\" data-territory=\"36\"></snp-widget></main></body></html>")
                    .getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            x.sendResponseHeaders(200, page.length);
            x.getResponseBody().write(page);
            x.close();
        });
        host.createContext("/snp-session", x -> {
            try {
                HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(dispatcher
                                + "/api/v1/widget/sessions")).header("Authorization", "Bearer " + key)
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
                sessionsHanded.incrementAndGet();
                x.getResponseHeaders().add("Content-Type", "application/json");
                x.sendResponseHeaders(r.statusCode(), r.body().length);
                x.getResponseBody().write(r.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                x.sendResponseHeaders(500, -1);
            }
            x.close();
        });
        host.start();
        return host;
    }

    static int requestsFiled() { return server.redis.keys("snp:{36}:req:*").size(); }

    @Test
    void fromThePharmacysRegisteredSiteThePharmacistBooks() throws Exception {
        ChromeDriver driver = Browser.open(1280, 900);
        try {
            driver.get(origin(registered) + "/");
            waitHeading(driver, "Trouver un rendez-vous");
            WidgetTest.fillPatient(driver, "HV", "1948", "0612345679", "Chât", "Châteauroux (36000)");
            widget(driver).findElement(By.cssSelector("input[name=within][value=PT24H]")).click();
            widget(driver).findElement(By.cssSelector("button[type=submit]")).click();
            waitHeading(driver, "Créneaux disponibles");
            widget(driver).findElement(By.cssSelector("button[data-i='0']")).click();
            waitHeading(driver, "Confirmer le rendez-vous");
            widget(driver).findElement(By.id("confirm")).click();
            waitHeading(driver, "Rendez-vous confirmé");
            assertThat(sessionsHanded.get()).as("the widget asked the host site for its session").isPositive();
            assertThat(driver.getPageSource()).doesNotContain(key);
        } finally {
            driver.quit();
        }
    }

    @Test
    void fromASiteNobodyRegisteredTheBrowserIsRefusedAndNothingIsFiled() throws Exception {
        int before = requestsFiled();
        ChromeDriver driver = Browser.open(1280, 900);
        try {
            driver.get(origin(unregistered) + "/");
            waitHeading(driver, "Trouver un rendez-vous");
            // the widget says at once that it cannot work from here, in French
            String said = new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> {
                String text = await(driver, "#error").getText();
                return text.isBlank() ? null : text;
            });
            assertThat(said).contains("ne répond pas à ce site");
            // and a pharmacist who tries anyway files nothing
            SearchContext w = widget(driver);
            w.findElement(By.name("initials")).sendKeys("NR");
            w.findElement(By.name("birthYear")).sendKeys("1950");
            w.findElement(By.name("phone")).sendKeys("0612345671");
            w.findElement(By.name("commune")).sendKeys("Châteauroux (36000)");
            w.findElement(By.cssSelector("button[type=submit]")).click();
            Thread.sleep(500);
            assertThat(await(driver, "#error").getText()).isNotBlank();
            assertThat(WidgetTest.heading(driver)).contains("Trouver un rendez-vous");
        } finally {
            driver.quit();
        }
        assertThat(requestsFiled()).as("the browser never let the page's call through").isEqualTo(before);
    }
}
