package fr.snp.dispatch.web;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.fail;

/**
 * A headless Debian chromium driven through /usr/bin/chromedriver, with no network but loopback (the flags the
 * machine notes ask for). Screenshots go to target/screenshots for review; {@link #check} is what every page state a
 * test reaches must pass (axe, and no technical word on screen).
 */
final class Browser {
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private Browser() {}

    static ChromeDriver open(int width, int height) throws Exception { return open(width, height, null); }

    /**
     * A browser whose own time zone is {@code timeZone} (the TZ of chromium's environment, which it inherits from
     * chromedriver), or the machine's when null: a page that formats times without naming Europe/Paris shows them
     * wrong there.
     */
    static ChromeDriver open(int width, int height, String timeZone) throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("chromium.binary", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--lang=fr-FR", "--user-data-dir=" + Files.createTempDirectory("chromium"));
        ChromeDriverService.Builder service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getProperty("chromedriver", "/usr/bin/chromedriver")))
                .usingAnyFreePort();
        if (timeZone != null) service.withEnvironment(Map.of("TZ", timeZone));
        ChromeDriver driver = new ChromeDriver(service.build(), options);
        driver.manage().window().setSize(new Dimension(width, height));
        driver.manage().timeouts().implicitlyWait(Duration.ZERO);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30)); // axe.run on the largest page
        return driver;
    }

    /** A dispatcher in demo mode (embedded Redis in a fresh directory, demo territory and tokens) for the pages. */
    static fr.snp.dispatch.Dispatcher demoServer(java.time.Clock clock) throws Exception {
        return fr.snp.dispatch.Dispatcher.start(fr.snp.dispatch.config.Settings.defaultsWith(java.util.Map.of("redis.url", "",
                "http.port", "0", "redis.embedded.dataDir", Files.createTempDirectory("snp-web").toString())), true, clock);
    }

    static void screenshot(ChromeDriver driver, String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * A picture of a named state for the README, taken only when the system property {@code screenshots.dir} is set.
     * To refresh them all (surefire passes -D properties on to the tests), from the repository's root:
     * <pre>
     * mvn -B -q -pl dispatcher test -Dtest='ConsoleTest,WidgetTest,PagesTest' -Dscreenshots.dir=$PWD/dispatcher/docs/screens
     * </pre>
     */
    static void readmeScreenshot(WebDriver driver, String name) throws IOException {
        String dir = System.getProperty("screenshots.dir");
        if (dir == null || dir.isBlank()) return;
        Path target = Path.of(dir);
        Files.createDirectories(target);
        // from the top of the page (a focused list may have scrolled it), at the window's size: under 150 kB each
        ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0)");
        byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        Files.write(target.resolve(name + ".png"), png);
    }

    /** What every page state a test reaches must pass: no serious accessibility fault, no technical word on screen. */
    static void check(WebDriver driver, String state) {
        assertAccessible(driver, state);
        assertPlainFrench(driver, state);
    }

    // --- axe-core -------------------------------------------------------------------------------------------------
    /*
     * axe.min.js is axe-core 4.14.1 (npm package axe-core, MPL-2.0, its license header kept), vendored in
     * src/test/resources/axe/ so that the tests run offline. To update it:
     *   npm view axe-core version          # the latest 4.x
     *   npm pack axe-core@<version> && tar xzf axe-core-<version>.tgz && cp package/axe.min.js dispatcher/src/test/resources/axe/
     * then change the version here and run the browser tests: a new version may bring new rules.
     */
    private static final String AXE_VERSION = "4.14.1";
    private static String axeSource;

    private static synchronized String axeSource() {
        if (axeSource == null) {
            try (InputStream in = Browser.class.getResourceAsStream("/axe/axe.min.js")) {
                if (in == null) throw new IllegalStateException("axe/axe.min.js is missing from the test resources");
                axeSource = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return axeSource;
    }

    /**
     * Runs axe-core on the page as it is now (the widget's open shadow root included) and fails listing every
     * violation of impact critical or serious: its rule, what it asks, and the elements at fault. Moderate and minor
     * findings are left to review.
     */
    static void assertAccessible(WebDriver driver, String state) {
        JavascriptExecutor js = (JavascriptExecutor) driver;
        // a page load drops the script; a state of the same page keeps it
        if (!Boolean.TRUE.equals(js.executeScript("return typeof window.axe === 'object' && axe.version === arguments[0]", AXE_VERSION))) {
            js.executeScript(axeSource());
        }
        Object answer = js.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, { resultTypes: ['violations'] })
                  .then(r => done(JSON.stringify(r.violations.filter(v => v.impact === 'critical' || v.impact === 'serious')
                    .map(v => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target) })))))
                  .catch(e => done(JSON.stringify({ error: String(e) })));
                """);
        String json = String.valueOf(answer);
        if (json.startsWith("{")) fail("axe could not run in state '%s': %s", state, new JsonObject(json).getString("error"));
        JsonArray violations = new JsonArray(json);
        if (violations.isEmpty()) return;
        StringBuilder b = new StringBuilder("axe " + AXE_VERSION + ": " + violations.size()
                + " critical or serious violation(s) in state '" + state + "':");
        for (Object o : violations) {
            JsonObject v = (JsonObject) o;
            b.append("\n  - ").append(v.getString("id")).append(" (").append(v.getString("impact")).append("): ")
                    .append(v.getString("help"));
            for (Object target : v.getJsonArray("targets")) b.append("\n      ").append(target);
        }
        fail(b.toString());
    }

    // --- no technical word on screen ----------------------------------------------------------------------------
    /**
     * What a user must never read: a field path of the API, the ranking's score, a JavaScript value that leaked
     * (null, undefined, NaN, [object …], Invalid Date), an answer code, the project's acronym, English words.
     */
    static final List<Pattern> FORBIDDEN = java.util.stream.Stream.of(
            "\\b(patient|need|pharmacy)\\.\\w", "(?i)\\bscore", "\\bnull\\b", "\\bundefined\\b", "\\bNaN\\b", "\\[object",
            "Invalid Date", "\\b[A-Z]+_[A-Z0-9_]+\\b", "\\bSNP\\b",
            "(?i)\\b(error|loading|submit|cancel|search|retry|book|booked|hold|slot|request|failed|unknown|invalid|not found)\\b",
            "\\b(the|is|must|please)\\b")
            .map(regex -> Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS)).toList(); // \b and \w know 'é'

    /** The page's visible text: the title, the document's text and that of each open shadow root (the widget). */
    static String visibleText(WebDriver driver) {
        return (String) ((JavascriptExecutor) driver).executeScript("""
                const texts = [document.title, document.body.innerText];
                const walk = (root) => root.querySelectorAll('*').forEach(e => {
                  if (!e.shadowRoot) return;
                  [...e.shadowRoot.children].filter(c => c.tagName !== 'STYLE').forEach(c => texts.push(c.innerText));
                  walk(e.shadowRoot);
                });
                walk(document);
                return texts.join('\\n');
                """);
    }

    static void assertPlainFrench(WebDriver driver, String state) {
        String text = visibleText(driver);
        List<String> found = new ArrayList<>();
        for (Pattern p : FORBIDDEN) {
            Matcher m = p.matcher(text);
            while (m.find()) {
                int from = Math.max(0, m.start() - 30), to = Math.min(text.length(), m.end() + 30);
                found.add("'" + m.group() + "' in \"…" + text.substring(from, to).replace('\n', ' ') + "…\"");
            }
        }
        if (!found.isEmpty()) fail("technical words on screen in state '" + state + "':\n  " + String.join("\n  ", found));
    }
}
