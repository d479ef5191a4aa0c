package fr.snp.dispatch.web;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.Dispatcher;
import fr.snp.dispatch.config.Settings;
import fr.snp.dispatch.redis.EmbeddedRedis;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.sim.SimulationClock;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The coordinator's page (period, CPTS filter, n/N next to each rate, the trend by week, CSV of each table,
 * "Relancer" and "Clore") and the doctor's "Annuler ma réponse" on the feedback page, in a real browser against a
 * demo server whose Redis the test reads (the outbox) and whose clock it moves.
 */
class FollowUpPagesTest {
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    static final SimulationClock clock = new SimulationClock();
    static EmbeddedRedis redisServer;
    static RedisClient client;
    static StatefulRedisConnection<String, String> redis;
    static Dispatcher server;
    static Api api;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        redisServer = EmbeddedRedis.start(Files.createTempDirectory("snp-followup"), false);
        server = Dispatcher.start(Settings.defaultsWith(Map.of("redis.url", redisServer.url(), "http.port", "0", "redis.allowUnsafe", "true")), true, clock);
        base = "http://127.0.0.1:" + server.port();
        api = new Api(base);
        client = RedisClient.create(redisServer.url());
        redis = client.connect();
    }

    @AfterAll
    static void stop() {
        redis.close();
        client.shutdown();
        server.close();
        redisServer.close();
    }

    // --- fixtures through the API --------------------------------------------------------------------------------

    /** An effector of the demo coordinator's CPTS (CPTS Castelroussine). */
    static String coordinatorsEffector(int index) {
        return api.get("/api/v1/effectors?territory=36", "demo-coordinator").json().getJsonArray("effectors")
                .getJsonObject(index).getString("id");
    }

    /** A slot of an effector starting in {@code minutes}, booked by the SAS for a patient of Châteauroux. */
    static String book(String effector, int minutes, String initials) {
        var start = Instant.ofEpochMilli(clock.millis()).atZone(PARIS).toOffsetDateTime().truncatedTo(ChronoUnit.MINUTES)
                .plusMinutes(minutes);
        Api.Response slot = api.post("/api/v1/slots", "demo-coordinator", new JsonObject().put("effectorId", effector)
                .put("start", start.toString()).put("end", start.plusMinutes(20).toString())
                .put("audiences", new JsonArray().add("PUBLIC").add("PRO").add("SNP").add("CPTS")));
        assertThat(slot.status()).as(slot.toString()).isEqualTo(201);
        Api.Response request = api.post("/api/v1/requests", "demo-regulator", new JsonObject().put("origin", "SAS_116117")
                .put("patient", new JsonObject().put("initials", initials).put("birthYear", 1950).put("phone", "0611223344")
                        .put("communeInsee", "36044")));
        Api.Response booked = api.book("demo-regulator", slot.json().getString("id"), request.json().getString("id"), null,
                UUID.randomUUID().toString());
        assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
        return booked.json().getString("id");
    }

    static LocalDate today() { return Instant.ofEpochMilli(clock.millis()).atZone(PARIS).toLocalDate(); }

    static WebDriverWait wait(ChromeDriver d) {
        WebDriverWait w = new WebDriverWait(d, Duration.ofSeconds(10));
        w.pollingEvery(Duration.ofMillis(50));
        w.ignoring(org.openqa.selenium.StaleElementReferenceException.class); // the page re-renders its tables
        return w;
    }

    /** The text of a key-figure card, by its label's start. */
    static String card(org.openqa.selenium.WebDriver d, String label) {
        return (String) ((ChromeDriver) d).executeScript("const c = [...document.querySelectorAll('#figures > div')]"
                + ".find(c => c.querySelector('.muted').textContent.startsWith(arguments[0]));"
                + "return c ? c.querySelector('.figure').textContent : '';", label);
    }

    /** Custom dates, typed as a user does (the date inputs take the French order dd/mm/yyyy). */
    static void customPeriod(ChromeDriver d, LocalDate from, LocalDate to) {
        new Select(d.findElement(By.id("period"))).selectByValue("custom");
        d.executeScript("document.getElementById('from').value = arguments[0]; document.getElementById('to').value = arguments[1];",
                from.toString(), to.toString());
        d.findElement(By.cssSelector("#choice button[type=submit]")).click();
    }

    /** Keeps every CSV the page makes (its Blob and file name) instead of downloading it. */
    static void catchDownloads(ChromeDriver d) {
        d.executeScript("window.__csv = []; const create = URL.createObjectURL.bind(URL);"
                + "URL.createObjectURL = (b) => { window.__csv.push({ blob: b }); return create(b); };"
                + "HTMLAnchorElement.prototype.click = function () { window.__csv[window.__csv.length - 1].name = this.download; };");
    }

    /** The bytes of the last CSV made, and its file name. */
    @SuppressWarnings("unchecked")
    static Map.Entry<String, byte[]> lastCsv(ChromeDriver d) {
        List<Object> r = (List<Object>) d.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "const c = window.__csv[window.__csv.length - 1];"
                + "c.blob.arrayBuffer().then(b => done([c.name, c.blob.type, Array.from(new Uint8Array(b))]));");
        assertThat((String) r.get(1)).isEqualTo("text/csv;charset=utf-8");
        List<Long> bytes = (List<Long>) r.get(2);
        byte[] out = new byte[bytes.size()];
        for (int i = 0; i < out.length; i++) out[i] = bytes.get(i).byteValue();
        return Map.entry((String) r.get(0), out);
    }

    static String csvText(byte[] bytes) {
        // a UTF-8 byte order mark first, for French Excel
        assertThat(bytes).startsWith((byte) 0xEF, (byte) 0xBB, (byte) 0xBF);
        return new String(bytes, 3, bytes.length - 3, StandardCharsets.UTF_8);
    }

    /** Headings in order, a name on every button, a label on every field, text contrast of at least 4.5:1. */
    @SuppressWarnings("unchecked")
    static List<String> accessibilityProblems(ChromeDriver d) {
        return (List<String>) d.executeScript("""
                const problems = [];
                let last = 0;
                document.querySelectorAll('h1, h2, h3, h4').forEach(h => {
                  if (h.closest('[hidden]')) return;
                  const level = +h.tagName[1];
                  if (level > last + 1) problems.push('heading skipped: ' + h.textContent);
                  last = level;
                });
                document.querySelectorAll('button').forEach(b => {
                  if (!(b.getAttribute('aria-label') || b.textContent).trim()) problems.push('button without a name');
                });
                document.querySelectorAll('input, select').forEach(i => {
                  if (!i.labels || !i.labels.length) problems.push('field without a label: ' + i.id);
                });
                const lum = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => v / 255)
                  .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4))
                  .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
                const background = (el) => {
                  for (let e = el; e; e = e.parentElement) {
                    const m = getComputedStyle(e).backgroundColor.match(/[\\d.]+/g);
                    if (m && (m.length < 4 || +m[3] > 0)) return getComputedStyle(e).backgroundColor;
                  }
                  return 'rgb(255, 255, 255)';
                };
                document.querySelectorAll('header *, main *').forEach(el => {
                  if (el.closest('svg') || el.disabled || !el.getClientRects().length) return;
                  if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) return;
                  const a = lum(getComputedStyle(el).color), b = lum(background(el));
                  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
                  if (ratio < 4.5) problems.push('contrast ' + ratio.toFixed(2) + ': ' + el.textContent.trim().slice(0, 40));
                });
                return problems;""");
    }

    // --- the coordinator's page --------------------------------------------------------------------------------------

    @Test
    void theCoordinatorChoosesAPeriodSeesNOverNDownloadsEachTableAndFollowsUpMissingFeedback() throws Exception {
        String effector = coordinatorsEffector(0);
        String seen = book(effector, 30, "AA");
        String noshow = book(effector, 60, "BB");
        String toRemind = book(effector, 90, "CC");
        String toClose = book(effector, 120, "DD");
        clock.advance(Duration.ofHours(3));
        assertThat(api.post("/api/v1/appointments/" + seen + "/feedback", "demo-coordinator", new JsonObject().put("answer", "seen")).status())
                .isEqualTo(200);
        assertThat(api.post("/api/v1/appointments/" + noshow + "/feedback", "demo-coordinator", new JsonObject().put("answer", "no-show"))
                .status()).isEqualTo(200);
        LocalDate booked = today();
        clock.advance(Duration.ofHours(24)); // listed as awaiting feedback after feedback.reminderAfterHours
        Api.Response filed = api.post("/api/v1/doctor-requests", "demo-pharmacist", new JsonObject().put("patient",
                new JsonObject().put("initials", "MT").put("birthYear", 1938).put("phone", "0622334455").put("communeInsee", "36044")
                        .put("ald", true)));
        assertThat(filed.status()).isEqualTo(201);
        String range = "territory=36&from=" + booked.minusDays(1) + "&to=" + today();

        ChromeDriver d = Browser.open(1280, 800);
        try {
            d.get(base + "/coordinator?token=demo-coordinator");
            WebDriverWait wait = wait(d);
            wait.until(x -> x.findElements(By.cssSelector("#figures .figure")).size() == 8);
            wait.until(x -> x.findElements(By.cssSelector("#awaiting tr[data-id]")).size() >= 2);
            // a coordinator serves one CPTS: no filter to choose from
            assertThat(d.findElement(By.id("cpts-field")).isDisplayed()).isFalse();
            // the lists to act on come before the planning
            assertThat((Boolean) d.executeScript("return !!(document.getElementById('awaiting').compareDocumentPosition("
                    + "document.getElementById('planning')) & Node.DOCUMENT_POSITION_FOLLOWING)")).isTrue();

            // "Cette semaine": Monday to Sunday of the server's week
            new Select(d.findElement(By.id("period"))).selectByValue("week");
            DateTimeFormatter fr = DateTimeFormatter.ofPattern("d MMMM yyyy", Locale.FRENCH);
            String week = "Du " + today().with(DayOfWeek.MONDAY).format(fr) + " au " + today().with(DayOfWeek.SUNDAY).format(fr);
            wait.until(x -> x.findElement(By.id("period-text")).getText().startsWith(week));
            assertThat(d.findElement(By.id("period-text")).getText()).contains("CPTS Castelroussine");

            // dates around the appointments: the rates carry their n/N, as the API counts them
            customPeriod(d, booked.minusDays(1), today());
            JsonObject figures = api.get("/api/v1/stats/noshow?" + range, "demo-coordinator").json().getJsonArray("rows").getJsonObject(0);
            long answered = figures.getLong("fulfilled") + figures.getLong("noshow");
            assertThat(answered).isGreaterThanOrEqualTo(2);
            String expected = "(" + figures.getLong("noshow") + "/" + answered + ")";
            wait.until(x -> card(d, "Rendez-vous non honorés").endsWith(expected));
            assertThat(card(d, "Rendez-vous non honorés")).matches("\\d+(,\\d)? % \\(\\d+/\\d+\\)");
            JsonObject ind = api.get("/api/v1/stats/indicators?" + range, "demo-coordinator").json().getJsonArray("rows").getJsonObject(0);
            assertThat(card(d, "Taux de remplissage des créneaux")).endsWith("(" + ind.getLong("slotsFilled") + "/" + ind.getLong("slotsOffered") + ")");
            assertThat(card(d, "Effecteurs participants")).isEqualTo(ind.getLong("participatingEffectors") + " sur " + ind.getLong("effectors"));
            // the trend: one line per ISO week, the same counts as the API's
            JsonArray weeks = api.get("/api/v1/stats/weekly?" + range, "demo-coordinator").json().getJsonArray("rows");
            wait.until(x -> x.findElements(By.cssSelector("#trend tbody tr")).size() == weeks.size());
            assertThat(d.findElements(By.cssSelector("#trend-chart rect"))).hasSize(3 * weeks.size());
            long bookedInWeeks = weeks.stream().mapToLong(o -> ((JsonObject) o).getLong("booked")).sum();
            assertThat(bookedInWeeks).isEqualTo(figures.getLong("booked"));
            Browser.screenshot(d, "coordinator-followup-1-period");

            // a period without any appointment: other figures
            customPeriod(d, LocalDate.of(2020, 1, 1), LocalDate.of(2020, 1, 31));
            wait.until(x -> card(d, "Rendez-vous non honorés").equals("— (0/0)"));
            assertThat(d.findElement(By.id("period-text")).getText()).startsWith("Du 1 janvier 2020 au 31 janvier 2020");
            // dates the wrong way round: said in French, the field marked, nothing asked of the server
            customPeriod(d, LocalDate.of(2020, 2, 1), LocalDate.of(2020, 1, 1));
            wait.until(x -> x.findElement(By.id("choice-error")).getText().equals("La date de fin est avant la date de début."));
            assertThat(d.findElement(By.id("to")).getAttribute("aria-invalid")).isEqualTo("true");
            assertThat(d.findElement(By.id("period-text")).getText()).startsWith("Du 1 janvier 2020");
            customPeriod(d, booked.minusDays(1), today());
            wait.until(x -> card(d, "Rendez-vous non honorés").endsWith(expected));

            // CSV of each table: BOM, ";" and French headers, the rows shown
            catchDownloads(d);
            d.findElement(By.cssSelector("button[data-csv=trend]")).click();
            Map.Entry<String, byte[]> trend = lastCsv(d);
            assertThat(trend.getKey()).isEqualTo("evolution-par-semaine-" + booked.minusDays(1) + "-" + today() + ".csv");
            String[] lines = csvText(trend.getValue()).split("\r\n");
            assertThat(lines[0]).isEqualTo("Semaine;Du;Au;Demandes (territoire);Rendez-vous pris;Honorés;Non honorés;Annulés;"
                    + "Clos sans retour;Taux de non-venue (%);n;N");
            assertThat(lines).hasSize(weeks.size() + 1);
            long csvBooked = 0;
            for (int i = 1; i < lines.length; i++) csvBooked += Long.parseLong(lines[i].split(";", -1)[4]);
            assertThat(csvBooked).isEqualTo(figures.getLong("booked"));
            d.findElement(By.cssSelector("button[data-csv=figures]")).click();
            String figuresCsv = csvText(lastCsv(d).getValue());
            assertThat(figuresCsv).startsWith("Indicateur;Valeur;Taux (%);n;N\r\n")
                    .contains("Rendez-vous non honorés (patients absents sur rendez-vous renseignés);;");
            d.findElement(By.cssSelector("button[data-csv=awaiting]")).click();
            String awaitingCsv = csvText(lastCsv(d).getValue());
            String reference = api.get("/api/v1/appointments/" + toRemind, "demo-coordinator").json().getString("reference");
            assertThat(awaitingCsv).startsWith("Rendez-vous;Médecin;Référence;Demande de;Dernière relance;Nombre de relances\r\n")
                    .contains(";" + reference + ";116 117;;0");
            d.findElement(By.cssSelector("button[data-csv=doctors]")).click();
            String doctorsCsv = csvText(lastCsv(d).getValue());
            assertThat(doctorsCsv).contains("MT;1938;Châteauroux;ALD;").doesNotContain("0622334455"); // no phone in a file
            for (String t : List.of("origins", "planning")) {
                d.findElement(By.cssSelector("button[data-csv=" + t + "]")).click();
                assertThat(csvText(lastCsv(d).getValue()).split("\r\n").length).as(t).isGreaterThan(1);
            }

            // "Relancer": one reminder in the outbox, recorded; a second click within the hour sends nothing
            WebElement remind = row(d, toRemind).findElement(By.cssSelector("button[data-act=reminder]"));
            assertThat(remind.getAttribute("aria-label")).startsWith("Relancer Dr ");
            remind.click();
            wait.until(x -> x.findElement(By.id("awaiting-notice")).getText().startsWith("Relance envoyée à Dr "));
            assertThat(manualReminders(toRemind)).isEqualTo(1);
            wait.until(x -> row(x, toRemind).getText().contains("relancé le"));
            row(d, toRemind).findElement(By.cssSelector("button[data-act=reminder]")).click();
            wait.until(x -> x.findElement(By.id("awaiting-notice")).getText().startsWith("Une relance a déjà été envoyée à "));
            assertThat(manualReminders(toRemind)).isEqualTo(1);
            assertThat(api.get("/api/v1/appointments/" + toRemind, "demo-coordinator").json().getJsonObject("reminder").getInteger("count"))
                    .isEqualTo(1);

            // "Clore": the line goes, the appointment is counted apart
            long closedBefore = figures.getLong("closedWithoutFeedback");
            assertThat(card(d, "Rendez-vous clos sans retour")).isEqualTo(String.valueOf(closedBefore));
            row(d, toClose).findElement(By.cssSelector("button[data-act=close]")).click();
            wait.until(x -> x.findElements(By.cssSelector("#awaiting tr[data-id='" + toClose + "']")).isEmpty());
            wait.until(x -> card(x, "Rendez-vous clos sans retour").equals(String.valueOf(closedBefore + 1)));
            assertThat(d.findElement(By.id("awaiting-notice")).getText()).contains("clos sans retour");
            assertThat(api.get("/api/v1/appointments/" + toClose, "demo-coordinator").json().getString("status")).isEqualTo("closed");
            assertThat(api.get("/api/v1/stats/noshow?" + range, "demo-coordinator").json().getJsonArray("rows").getJsonObject(0)
                    .getLong("closedWithoutFeedback")).isEqualTo(closedBefore + 1);

            // a "médecin traitant" request closed with its own API: it leaves the list
            String mt = filed.json().getString("id");
            WebElement close = d.findElement(By.cssSelector("#doctor-requests tr[data-id='" + mt + "'] button[data-status=CLOSED]"));
            assertThat(close.getAttribute("aria-label")).isEqualTo("Clore la demande pour MT, 1938");
            close.click();
            wait.until(x -> x.findElements(By.cssSelector("#doctor-requests tr[data-id='" + mt + "']")).isEmpty());
            assertThat(api.get("/api/v1/doctor-requests?territory=36&status=CLOSED", "demo-coordinator").json().getJsonArray("requests")
                    .stream().map(o -> ((JsonObject) o).getString("id")).toList()).contains(mt);

            assertThat(accessibilityProblems(d)).isEmpty();
            Browser.screenshot(d, "coordinator-followup-2-lists");
        } finally {
            d.quit();
        }
    }

    static WebElement row(org.openqa.selenium.WebDriver d, String appointment) {
        return d.findElement(By.cssSelector("#awaiting tr[data-id='" + appointment + "']"));
    }

    /** Reminders sent by hand for an appointment (those of the housekeeping job carry no sender). */
    static long manualReminders(String appointment) {
        return redis.sync().xrange(Keys.outbox("36"), Range.create("-", "+")).stream()
                .filter(m -> "reminder".equals(m.getBody().get("type")) && appointment.equals(m.getBody().get("appt"))
                        && m.getBody().containsKey("by")).count();
    }

    @Test
    void opsChoosesACpts() throws Exception {
        ChromeDriver d = Browser.open(1280, 800);
        try {
            d.get(base + "/coordinator?token=demo-ops");
            WebDriverWait wait = wait(d);
            wait.until(x -> x.findElement(By.id("cpts-field")).isDisplayed());
            Select cpts = new Select(d.findElement(By.id("cpts")));
            assertThat(cpts.getOptions()).hasSize(7); // the territory, then its six CPTS
            assertThat(cpts.getOptions().get(0).getText()).isEqualTo("Toutes les CPTS du territoire");
            // the care flow's lists are the coordinator's
            assertThat(d.findElement(By.id("s-awaiting")).isDisplayed()).isFalse();
            assertThat(d.findElement(By.id("s-doctors")).isDisplayed()).isFalse();
            wait.until(x -> x.findElement(By.id("period-text")).getText().contains("tout le territoire"));
            int allRows = d.findElements(By.cssSelector("#planning tbody tr")).size();

            cpts.selectByValue("CPTS-BRENNE");
            wait.until(x -> x.findElement(By.id("period-text")).getText().contains("CPTS Brenne"));
            JsonObject ind = api.get("/api/v1/stats/indicators?territory=36&period=month&cpts=CPTS-BRENNE", "demo-ops").json()
                    .getJsonArray("rows").getJsonObject(0);
            wait.until(x -> card(x, "Effecteurs participants").equals(ind.getLong("participatingEffectors") + " sur " + ind.getLong("effectors")));
            assertThat(card(d, "Créneaux libérés puis utilisés")).isEqualTo("—"); // kept for the territory only
            assertThat(d.findElement(By.id("figures")).getText()).contains("Créneaux libérés puis utilisés (suivi pour tout le territoire)");
            wait.until(x -> x.findElements(By.cssSelector("#planning tbody tr")).size() < allRows);
            assertThat(d.findElements(By.cssSelector("#planning tbody tr"))).isNotEmpty();
            assertThat(accessibilityProblems(d)).isEmpty();
            Browser.screenshot(d, "coordinator-followup-3-ops");
        } finally {
            d.quit();
        }
    }

    // --- the doctor's "Annuler ma réponse" ----------------------------------------------------------------------------

    @Test
    void aDoctorTakesBackAnAnswerWithinFiveMinutesOnAPhoneAndNotAfter() throws Exception {
        String appointment = book(coordinatorsEffector(1), 20, "UN");
        clock.advance(Duration.ofHours(1));
        String link = server.services().feedbackLinks().url(appointment, clock.millis() / 1000);
        ChromeDriver phone = Browser.open(390, 844);
        try {
            phone.get(link);
            phone.findElement(By.cssSelector("button[value=no-show]")).click();
            WebDriverWait wait = wait(phone);
            wait.until(x -> x.findElement(By.tagName("main")).getText().contains("Merci"));
            String until = Instant.ofEpochMilli(clock.millis()).plus(Duration.ofMinutes(5)).atZone(PARIS)
                    .format(DateTimeFormatter.ofPattern("HH'h'mm"));
            String text = phone.findElement(By.tagName("main")).getText();
            assertThat(text).contains("Patient absent").contains("jusqu'à " + until + " (heure de Paris)")
                    .containsPattern("encore (5 min 00|4 min 5\\d) s");
            assertThat(api.get("/api/v1/appointments/" + appointment, "demo-regulator").json().getString("status")).isEqualTo("noshow");
            // the time left counts down in the page
            wait.until(x -> x.findElement(By.cssSelector("form.undo .left")).getText().startsWith("encore 4 min 5"));
            Browser.screenshot(phone, "feedback-undo-1-phone");

            phone.findElement(By.xpath("//button[normalize-space()='Annuler ma réponse']")).click();
            wait.until(x -> x.findElement(By.tagName("main")).getText().contains("Votre réponse a été annulée"));
            assertThat(phone.findElements(By.cssSelector("button[name=answer]"))).hasSize(4); // to answer again
            assertThat(api.get("/api/v1/appointments/" + appointment, "demo-regulator").json().getString("status")).isEqualTo("booked");
            Browser.screenshot(phone, "feedback-undo-2-undone");
        } finally {
            phone.quit();
        }

        ChromeDriver desk = Browser.open(1280, 800);
        try {
            desk.get(link);
            desk.findElement(By.cssSelector("button[value=seen]")).click();
            WebDriverWait wait = wait(desk);
            wait.until(x -> x.findElement(By.tagName("main")).getText().contains("Merci"));
            clock.advance(Duration.ofMinutes(5).plusSeconds(30)); // the server's clock: the page's countdown has not run out
            desk.findElement(By.xpath("//button[normalize-space()='Annuler ma réponse']")).click();
            wait.until(x -> x.findElement(By.tagName("main")).getText().contains("Le délai pour annuler cette réponse est passé"));
            assertThat(api.get("/api/v1/appointments/" + appointment, "demo-regulator").json().getString("status")).isEqualTo("fulfilled");
            Browser.screenshot(desk, "feedback-undo-3-too-late");
            desk.findElement(By.linkText("Revenir au rendez-vous")).click();
            wait.until(x -> x.findElement(By.tagName("main")).getText().contains("Réponse déjà donnée : Patient vu"));
            assertThat(desk.findElements(By.cssSelector("form.undo"))).isEmpty();
        } finally {
            desk.quit();
        }
    }
}
