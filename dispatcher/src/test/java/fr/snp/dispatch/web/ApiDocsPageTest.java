package fr.snp.dispatch.web;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * /api/docs in a real browser: Swagger UI, served from the jar under the pages' Content-Security-Policy, shows every
 * operation of the contract, and in demo mode a call tried from the page goes out with the demo regulator's token.
 * (Swagger UI is English and technical by nature: the pages' French and accessibility checks are not applied to it.)
 */
class ApiDocsPageTest extends DemoServerTest {
    @Test
    void everyOperationIsShownAndACallCanBeTriedWithTheDemoToken() throws Exception {
        String contract = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/v1/openapi.json")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        JsonObject paths = new JsonObject(contract).getJsonObject("paths");
        int operations = 0;
        for (String p : paths.fieldNames()) {
            for (String key : paths.getJsonObject(p).fieldNames()) {
                if (java.util.Set.of("get", "post", "put", "patch", "delete").contains(key)) operations++; // not "parameters"
            }
        }

        ChromeDriver d = Browser.open(1280, 900);
        try {
            d.get(base + "/api/docs");
            WebDriverWait wait = new WebDriverWait(d, Duration.ofSeconds(30));
            // the tags are closed at first (docExpansion none): open each, then count the operations shown
            wait.until(x -> !x.findElements(By.cssSelector(".opblock-tag")).isEmpty());
            for (WebElement tag : d.findElements(By.cssSelector(".opblock-tag"))) tag.click();
            // counted once the count holds for a second (the tags open one after the other)
            int[] last = {-1};
            long[] since = {System.nanoTime()};
            wait.until(x -> {
                int now = x.findElements(By.cssSelector(".opblock")).size();
                if (now != last[0]) {
                    last[0] = now;
                    since[0] = System.nanoTime();
                }
                return now > 0 && System.nanoTime() - since[0] > 1_000_000_000L;
            });
            assertThat(d.findElements(By.cssSelector(".opblock"))).hasSize(operations);

            // GET /api/v1/me tried from the page: answered for the demo regulator (the token the page was handed)
            WebElement me = d.findElement(By.id("operations-access-me"));
            me.findElement(By.cssSelector(".opblock-summary")).click();
            wait.until(x -> !me.findElements(By.cssSelector(".try-out__btn")).isEmpty());
            me.findElement(By.cssSelector(".try-out__btn")).click();
            wait.until(x -> !me.findElements(By.cssSelector(".execute")).isEmpty());
            me.findElement(By.cssSelector(".execute")).click();
            wait.until(x -> !me.findElements(By.cssSelector(".live-responses-table tbody .response-col_status")).isEmpty());
            assertThat(me.findElement(By.cssSelector(".live-responses-table tbody .response-col_status")).getText()).contains("200");
            assertThat(me.findElement(By.cssSelector(".live-responses-table tbody .response-col_description")).getText())
                    .contains("regulator");
        } finally {
            d.quit();
        }
    }
}
