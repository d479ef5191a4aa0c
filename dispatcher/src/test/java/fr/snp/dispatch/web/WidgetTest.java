package fr.snp.dispatch.web;

import fr.snp.dispatch.Api;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/** The pharmacist widget in a real browser, on the demo host page, against a demo-mode server. */
class WidgetTest extends DemoServerTest {
    static SearchContext widget(ChromeDriver driver) {
        return driver.findElement(By.cssSelector("snp-widget")).getShadowRoot();
    }

    static WebElement await(ChromeDriver driver, String css) {
        return new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> {
            try {
                WebElement e = widget(driver).findElement(By.cssSelector(css));
                return e.isDisplayed() ? e : null;
            } catch (org.openqa.selenium.NoSuchElementException | org.openqa.selenium.StaleElementReferenceException notYet) {
                return null; // not there yet, or the widget re-rendered meanwhile
            }
        });
    }

    static String heading(ChromeDriver driver) { return await(driver, "h2").getText(); }

    static void waitHeading(ChromeDriver driver, String text) throws Exception {
        try {
            new WebDriverWait(driver, Duration.ofSeconds(10))
                    .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(d -> heading(driver).contains(text));
        } catch (org.openqa.selenium.TimeoutException e) {
            Browser.screenshot(driver, "failed-waiting-for-" + text.replaceAll("\\W+", "-"));
            throw e;
        }
    }

    /** Types the patient's identity and picks the commune from the autocomplete, as a pharmacist does. */
    static void fillPatient(ChromeDriver driver, String initials, String birthYear, String phone, String typed, String choice) {
        SearchContext w = widget(driver);
        w.findElement(By.name("initials")).sendKeys(initials);
        w.findElement(By.name("birthYear")).sendKeys(birthYear);
        w.findElement(By.name("phone")).sendKeys(phone);
        WebElement commune = w.findElement(By.name("commune"));
        commune.sendKeys(typed);
        new WebDriverWait(driver, Duration.ofSeconds(5)).until(d ->
                !widget(driver).findElements(By.cssSelector("#communes option")).isEmpty());
        commune.clear();
        commune.sendKeys(choice);
    }

    /** Opens the demo host page and fills the patient form (the commune chosen from the suggestions). */
    static SearchContext openWithPatient(ChromeDriver driver, String initials, String birthYear, String phone) throws Exception {
        driver.get(base + "/widget/demo.html");
        waitHeading(driver, "Trouver un rendez-vous");
        SearchContext w = widget(driver);
        w.findElement(By.name("initials")).sendKeys(initials);
        w.findElement(By.name("birthYear")).sendKeys(birthYear);
        w.findElement(By.name("phone")).sendKeys(phone);
        WebElement commune = w.findElement(By.name("commune"));
        commune.sendKeys("Chât");
        new WebDriverWait(driver, Duration.ofSeconds(5)).until(d ->
                !widget(driver).findElements(By.cssSelector("#communes option")).isEmpty());
        commune.clear();
        commune.sendKeys("Châteauroux (36000)");
        return w;
    }

    /**
     * A home visit or a teleconsultation never sends the patient to a practice: the confirmation says what to do for
     * each mode. A doctor of the pharmacy's CPTS offers one slot of each mode, public, in three hours; a double click
     * on "Confirmer" books once.
     */
    @Test
    void theConfirmationFollowsTheModeAndADoubleClickBooksOnce() throws Exception {
        Api api = new Api(base);
        io.vertx.core.json.JsonObject doctor = new io.vertx.core.json.JsonObject().put("rpps", fr.snp.dispatch.domain.Rpps
                .withCheckDigit("1099000001")).put("firstName", "Paul").put("lastName", "Modes").put("homeVisitRadiusKm", 30)
                .put("phone", "0254000000").put("locations", new io.vertx.core.json.JsonArray().add(new io.vertx.core.json.JsonObject()
                        .put("communeInsee", "36044").put("address", "1 place Gambetta").put("accessible", true)));
        String effector = api.post("/api/v1/effectors", "demo-coordinator", doctor).json().getString("id");
        var start = java.time.ZonedDateTime.now(java.time.ZoneId.of("Europe/Paris")).plusHours(3).withSecond(0).withNano(0);
        for (String mode : new String[]{"AMB", "HH", "VR"}) {
            var s = start.plusMinutes(mode.equals("AMB") ? 0 : mode.equals("HH") ? 20 : 40).toOffsetDateTime();
            assertThat(api.post("/api/v1/slots", "demo-coordinator", new io.vertx.core.json.JsonObject().put("effectorId", effector)
                    .put("start", s.toString()).put("end", s.plusMinutes(15).toString()).put("mode", mode)
                    .put("audiences", new io.vertx.core.json.JsonArray().add("PUBLIC"))).status()).isEqualTo(201);
        }
        java.util.Map<String, String[]> expected = java.util.Map.of(
                "AMB", new String[]{"consultation au cabinet", "carte Vitale"},
                "HH", new String[]{"visite à domicile", "viendra au domicile du patient"},
                "VR", new String[]{"téléconsultation", "appellera le patient"});
        for (String mode : new String[]{"AMB", "HH", "VR"}) {
            ChromeDriver driver = Browser.open(1280, 900);
            try {
                SearchContext w = openWithPatient(driver, "MO", "1950", "0612345678");
                w.findElement(By.cssSelector("input[name=within][value=PT24H]")).click();
                w.findElement(By.cssSelector("input[name=mode][value=" + mode + "]")).click();
                w.findElement(By.cssSelector("button[type=submit]")).click();
                waitHeading(driver, "Créneaux disponibles");
                widget(driver).findElement(By.cssSelector("button[data-i='0']")).click();
                waitHeading(driver, "Confirmer le rendez-vous");
                // two clicks as fast as a hurried hand: one booking, no error shown over the success
                ((JavascriptExecutor) driver).executeScript("const b = arguments[0]; b.click(); b.click();",
                        widget(driver).findElement(By.id("confirm")));
                waitHeading(driver, "Rendez-vous confirmé");
                WebElement done = await(driver, "#confirmation");
                assertThat(done.getAttribute("data-mode")).isEqualTo(mode);
                assertThat(done.getText()).as(mode).contains(expected.get(mode));
                if (!mode.equals("AMB")) assertThat(done.getText()).as(mode).doesNotContain("Présentez-vous").doesNotContain("carte Vitale.\n");
                assertThat(widget(driver).findElements(By.cssSelector("#error"))).allMatch(e -> e.getText().isBlank());
                Browser.check(driver, "widget: confirmed " + mode);
                Browser.screenshot(driver, "widget-mode-" + mode);
            } finally {
                driver.quit();
            }
        }
    }

    @Test
    void aPharmacistGoesFromAnEmptyFormToAPrintableConfirmation() throws Exception {
        ChromeDriver driver = Browser.open(1280, 800);
        try {
            driver.get(base + "/widget/demo.html");
            waitHeading(driver, "Trouver un rendez-vous");
            Browser.check(driver, "widget 1280x800: empty");
            SearchContext w = widget(driver);
            // refusals in French: an unknown commune
            w.findElement(By.name("initials")).sendKeys("MD");
            w.findElement(By.name("birthYear")).sendKeys("1948");
            w.findElement(By.name("phone")).sendKeys("06 12 34 56 78");
            w.findElement(By.name("commune")).sendKeys("Nullepart");
            w.findElement(By.cssSelector("button[type=submit]")).click();
            assertThat(await(driver, "#error").getText()).contains("Commune inconnue");
            Browser.check(driver, "widget 1280x800: error shown");

            // a patient of the Cher: the pharmacy serves Indre only, and says so in French
            WebElement commune = w.findElement(By.name("commune"));
            commune.clear();
            commune.sendKeys("Bourges");
            // the suggestions are redrawn as the answer for each typed letter arrives: an option read while being
            // replaced is stale, and read again at the next poll
            new WebDriverWait(driver, Duration.ofSeconds(5)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(d -> widget(driver).findElements(By.cssSelector("#communes option"))
                    .stream().anyMatch(o -> "Bourges (18000)".equals(o.getAttribute("value"))));
            commune.clear();
            commune.sendKeys("Bourges (18000)");
            w.findElement(By.cssSelector("button[type=submit]")).click();
            new WebDriverWait(driver, Duration.ofSeconds(5)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(d -> await(driver, "#error").getText().contains("hors du territoire"));
            Browser.screenshot(driver, "widget-0-outside-territory");

            commune.clear();
            commune.sendKeys("Chât");
            new WebDriverWait(driver, Duration.ofSeconds(5)).until(d ->
                    !widget(driver).findElements(By.cssSelector("#communes option")).isEmpty());
            commune.clear();
            commune.sendKeys("Châteauroux (36000)");
            w.findElement(By.name("over70")).click();
            w.findElement(By.cssSelector("input[name=within][value=PT48H]")).click();
            Browser.screenshot(driver, "widget-1-form");
            w.findElement(By.cssSelector("button[type=submit]")).click();

            waitHeading(driver, "Créneaux disponibles");
            assertThat(widget(driver).findElements(By.cssSelector("ul.slots li"))).isNotEmpty();
            Browser.screenshot(driver, "widget-2-slots");
            Browser.check(driver, "widget 1280x800: results");
            widget(driver).findElement(By.cssSelector("button[data-i='0']")).click();

            waitHeading(driver, "Confirmer le rendez-vous");
            assertThat(await(driver, "#countdown").getText()).contains("Option posée").contains("Confirmez pour réserver");
            Browser.screenshot(driver, "widget-3-confirm");
            Browser.check(driver, "widget 1280x800: option");
            widget(driver).findElement(By.id("confirm")).click();

            waitHeading(driver, "Rendez-vous confirmé");
            String confirmation = await(driver, "#confirmation").getText();
            assertThat(confirmation).contains("Dr ");
            Browser.screenshot(driver, "widget-4-confirmation");
            Browser.check(driver, "widget 1280x800: confirmed");

            // the booking is real, and nothing about the patient stays in the browser
            Object storage = ((JavascriptExecutor) driver).executeScript(
                    "return localStorage.length + sessionStorage.length + document.cookie.length");
            assertThat(((Number) storage).intValue()).isZero();
            assertThat(widget(driver).findElements(By.cssSelector("input"))).isEmpty();
            assertThat(driver.getPageSource()).doesNotContain("06 12 34 56 78");
            widget(driver).findElement(By.id("again")).click();
            waitHeading(driver, "Trouver un rendez-vous");
            assertThat(widget(driver).findElement(By.name("initials")).getAttribute("value")).isEmpty();
        } finally {
            driver.quit();
        }
    }

    @Test
    void onAPhoneARefusalIsShownWhereTheEyeIsAndTheSearchKeepsThePatientAndAnOptionRunsOut() throws Exception {
        ChromeDriver driver = Browser.open(390, 844);
        try {
            SearchContext w = openWithPatient(driver, "LP", "1952", "12 34");
            w.findElement(By.name("ald")).click();
            w.findElement(By.cssSelector("input[name=within][value=PT48H]")).click();
            w.findElement(By.cssSelector("button[type=submit]")).click();
            // the phone is refused: the message is on screen, the field is marked and has the focus
            new WebDriverWait(driver, Duration.ofSeconds(5)).until(d -> await(driver, "#error").getText().contains("téléphone"));
            WebElement error = await(driver, "#error");
            Number top = (Number) ((JavascriptExecutor) driver).executeScript("return arguments[0].getBoundingClientRect().top", error);
            Number bottom = (Number) ((JavascriptExecutor) driver).executeScript("return arguments[0].getBoundingClientRect().bottom", error);
            assertThat(top.doubleValue()).isGreaterThanOrEqualTo(0);
            assertThat(bottom.doubleValue()).isLessThanOrEqualTo(844);
            WebElement phone = widget(driver).findElement(By.name("phone"));
            assertThat(phone.getAttribute("aria-invalid")).isEqualTo("true");
            Object focused = ((JavascriptExecutor) driver).executeScript(
                    "return document.querySelector('snp-widget').shadowRoot.activeElement.name");
            assertThat(focused).isEqualTo("phone");
            Browser.screenshot(driver, "widget-phone-error");
            Browser.check(driver, "widget 390x844: error shown");

            phone.clear();
            phone.sendKeys("06 12 34 56 78");
            widget(driver).findElement(By.cssSelector("button[type=submit]")).click();
            waitHeading(driver, "Créneaux disponibles");
            // "Nouvelle recherche": the same patient, only the need changes
            widget(driver).findElement(By.id("back")).click();
            waitHeading(driver, "Trouver un rendez-vous");
            SearchContext again = widget(driver);
            assertThat(again.findElement(By.name("initials")).getAttribute("value")).isEqualTo("LP");
            assertThat(again.findElement(By.name("phone")).getAttribute("value")).isEqualTo("06 12 34 56 78");
            assertThat(again.findElement(By.name("commune")).getAttribute("value")).isEqualTo("Châteauroux (36000)");
            assertThat(again.findElement(By.name("ald")).isSelected()).isTrue();
            again.findElement(By.cssSelector("input[name=within][value=PT48H]")).click();
            again.findElement(By.cssSelector("button[type=submit]")).click();
            waitHeading(driver, "Créneaux disponibles");
            assertThat(widget(driver).findElement(By.cssSelector("button[data-i='0']")).getText()).isEqualTo("Mettre une option (2 min)");
            widget(driver).findElement(By.cssSelector("button[data-i='0']")).click();
            waitHeading(driver, "Confirmer le rendez-vous");
            Browser.check(driver, "widget 390x844: option");
            // the option runs out (its end moved to the past): confirming is off, the same slot can be taken again
            ((JavascriptExecutor) driver).executeScript(
                    "document.querySelector('snp-widget').state.hold.expiresAt = new Date(Date.now() - 1000).toISOString()");
            new WebDriverWait(driver, Duration.ofSeconds(5)).until(d -> await(driver, "#countdown").getText().contains("expiré"));
            assertThat(widget(driver).findElement(By.id("confirm")).isEnabled()).isFalse();
            Browser.screenshot(driver, "widget-phone-option-expired");
            Browser.check(driver, "widget 390x844: option expired");
            await(driver, "#retake").click();
            new WebDriverWait(driver, Duration.ofSeconds(5)).until(d -> await(driver, "#countdown").getText().contains("Option posée"));
            assertThat(widget(driver).findElement(By.id("confirm")).isEnabled()).isTrue();
            // giving the option back leads to the list again
            widget(driver).findElement(By.id("cancel")).click();
            waitHeading(driver, "Créneaux disponibles");
        } finally {
            driver.quit();
        }
    }

    @Test
    void theWidgetWorksWithTheKeyboardAloneOnAPhoneSizedScreen() throws Exception {
        ChromeDriver driver = Browser.open(390, 844);
        try {
            driver.get(base + "/widget/demo.html");
            waitHeading(driver, "Trouver un rendez-vous");
            Browser.check(driver, "widget 390x844: empty");
            Actions keys = new Actions(driver);
            keys.sendKeys(Keys.TAB).perform(); // to the initials (the heading has focus first)
            keys.sendKeys("JB").sendKeys(Keys.TAB).sendKeys("1990").sendKeys(Keys.TAB).sendKeys("0611223344")
                    .sendKeys(Keys.TAB).sendKeys("Issou").perform();
            new WebDriverWait(driver, Duration.ofSeconds(5)).until(d ->
                    !widget(driver).findElements(By.cssSelector("#communes option")).isEmpty());
            keys.sendKeys(Keys.ESCAPE).sendKeys(Keys.BACK_SPACE.toString().repeat(5)).sendKeys("Issoudun (36100)")
                    .sendKeys(Keys.ESCAPE).perform();
            // four flags, then the delay (arrow keys move within a radio group) to "within 48 h", the mode, the button
            keys.sendKeys(Keys.TAB, Keys.TAB, Keys.TAB, Keys.TAB, Keys.TAB).sendKeys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
                    .sendKeys(Keys.TAB, Keys.TAB).sendKeys(Keys.ENTER).perform();
            waitHeading(driver, "Créneaux disponibles");
            Browser.screenshot(driver, "widget-keyboard-slots-phone");
            Browser.check(driver, "widget 390x844: results");
            // Tab to the first "Réserver" button, then Enter; then past the optional SMS, e-mail and consent to
            // "Confirmer", Enter
            keys.sendKeys(Keys.TAB).sendKeys(Keys.ENTER).perform();
            waitHeading(driver, "Confirmer le rendez-vous");
            keys.sendKeys(Keys.TAB, Keys.TAB, Keys.TAB, Keys.TAB).perform();
            assertThat(((JavascriptExecutor) driver).executeScript(
                    "return document.querySelector('snp-widget').shadowRoot.activeElement.id")).isEqualTo("confirm");
            keys.sendKeys(Keys.ENTER).perform();
            waitHeading(driver, "Rendez-vous confirmé");
            Browser.screenshot(driver, "widget-keyboard-confirmation-phone");
            Browser.check(driver, "widget 390x844: confirmed");
            Browser.readmeScreenshot(driver, "widget-phone-confirmed");
        } finally {
            driver.quit();
        }
    }

    /**
     * A pharmacy's computer set to New York shows Paris times (the slots, the option, the confirmation), and
     * "Aujourd'hui" ends at 23:59 in Paris.
     */
    @Test
    void timesAreParisTimesWhateverTheComputersTimeZone() throws Exception {
        ZoneId paris = ZoneId.of("Europe/Paris");
        DateTimeFormatter when = DateTimeFormatter.ofPattern("EEEE d MMMM 'à' HH:mm", Locale.FRENCH);
        ChromeDriver driver = Browser.open(1280, 800, "America/New_York");
        try {
            SearchContext w = openWithPatient(driver, "NY", "1950", "0612345678");
            assertThat(((JavascriptExecutor) driver).executeScript("return Intl.DateTimeFormat().resolvedOptions().timeZone"))
                    .as("the browser's own zone").isEqualTo("America/New_York");
            w.findElement(By.cssSelector("button[type=submit]")).click(); // "Aujourd'hui" is the default
            waitHeading(driver, "Créneaux disponibles");
            var to = OffsetDateTime.parse(requestOnScreen(driver).getJsonObject("need").getString("to")).atZoneSameInstant(paris);
            assertThat(to.toLocalDate()).isEqualTo(LocalDate.now(paris));
            assertThat(to.toLocalTime()).isEqualTo(LocalTime.of(23, 59));

            widget(driver).findElement(By.id("back")).click();
            waitHeading(driver, "Trouver un rendez-vous");
            widget(driver).findElement(By.cssSelector("input[name=within][value=PT48H]")).click();
            widget(driver).findElement(By.cssSelector("button[type=submit]")).click();
            waitHeading(driver, "Créneaux disponibles");
            var candidates = requestOnScreen(driver).getJsonArray("candidates");
            var shown = widget(driver).findElements(By.cssSelector("ul.slots .when")).stream().map(WebElement::getText).toList();
            assertThat(shown).hasSize(candidates.size()).isNotEmpty();
            for (int i = 0; i < shown.size(); i++) {
                var start = OffsetDateTime.parse(candidates.getJsonObject(i).getString("start"));
                assertThat(shown.get(i)).isEqualTo(start.atZoneSameInstant(paris).format(when));
            }
            String first = shown.get(0);
            widget(driver).findElement(By.cssSelector("button[data-i='0']")).click();
            waitHeading(driver, "Confirmer le rendez-vous");
            assertThat(await(driver, "p strong").getText()).isEqualTo(first);
            widget(driver).findElement(By.id("confirm")).click();
            waitHeading(driver, "Rendez-vous confirmé");
            assertThat(await(driver, "#confirmation strong").getText()).isEqualTo(first);
        } finally {
            driver.quit();
        }
    }

    /** The request the widget works on (the page keeps no patient data elsewhere), as the server answered it. */
    static io.vertx.core.json.JsonObject requestOnScreen(ChromeDriver driver) {
        return new io.vertx.core.json.JsonObject((String) ((JavascriptExecutor) driver).executeScript(
                "return JSON.stringify(document.querySelector('snp-widget').state.request)"));
    }

    @Test
    void aPharmacistFilesAPriorityPatientWithoutRegularDoctorForTheCpts() throws Exception {
        ChromeDriver driver = Browser.open(1280, 900);
        try {
            driver.get(base + "/widget/demo.html");
            waitHeading(driver, "Trouver un rendez-vous");
            fillPatient(driver, "RG", "1942", "0633445566", "Issou", "Issoudun (36100)");
            widget(driver).findElement(By.id("doctor")).click();
            assertThat(await(driver, "#error").getText()).contains("ALD ou de plus de 70 ans");
            Browser.check(driver, "widget: not a priority patient");
            widget(driver).findElement(By.name("over70")).click();
            widget(driver).findElement(By.id("doctor")).click();
            waitHeading(driver, "Demande transmise à la CPTS");
            Browser.screenshot(driver, "widget-doctor-request");
            Browser.check(driver, "widget: doctor request filed");
            var listed = new Api(base).get("/api/v1/doctor-requests?territory=36", "demo-coordinator").json().getJsonArray("requests");
            assertThat(listed.stream().map(o -> ((io.vertx.core.json.JsonObject) o).getJsonObject("patient").getString("initials")))
                    .contains("RG");
        } finally {
            driver.quit();
        }
    }

    @Test
    void aSlotTakenMeanwhileGetsAClearFrenchMessage() throws Exception {
        ChromeDriver driver = Browser.open(1280, 900);
        try {
            driver.get(base + "/widget/demo.html");
            waitHeading(driver, "Trouver un rendez-vous");
            fillPatient(driver, "AB", "1985", "0611111111", "Déols", "Déols (36130)");
            SearchContext w = widget(driver);
            w.findElement(By.cssSelector("input[name=within][value=PT48H]")).click();
            w.findElement(By.cssSelector("button[type=submit]")).click();
            waitHeading(driver, "Créneaux disponibles");
            String slotLabel = widget(driver).findElement(By.cssSelector("button[data-i='0']")).getAttribute("aria-label");

            // a regulator takes the first slot meanwhile
            Api api = new Api(base);
            String firstSlot = (String) ((JavascriptExecutor) driver).executeScript(
                    "return document.querySelector('snp-widget').state.request.candidates[0].slotId");
            String request = api.post("/api/v1/requests", "demo-regulator", new io.vertx.core.json.JsonObject(
                    "{\"origin\":\"SAS_116117\",\"patient\":{\"initials\":\"ZZ\",\"birthYear\":1950,\"phone\":\"0600000001\",\"communeInsee\":\"36063\"}}"))
                    .json().getString("id");
            assertThat(api.book("demo-regulator", firstSlot, request, null, "widget-race").status()).isEqualTo(201);

            widget(driver).findElement(By.cssSelector("button[data-i='0']")).click();
            waitHeading(driver, "Créneaux disponibles");
            assertThat(await(driver, "#error").getText()).contains("vient d'être pris");
            assertThat(widget(driver).findElements(By.cssSelector("button[data-i]")))
                    .noneMatch(b -> slotLabel.equals(b.getAttribute("aria-label")));
            Browser.screenshot(driver, "widget-slot-taken");
            Browser.check(driver, "widget: slot taken meanwhile");
        } finally {
            driver.quit();
        }
    }

    /** The patient is told by SMS only with their consent; a landline for the SMS is refused on the same screen. */
    @Test
    void thePatientIsToldBySmsOnlyWithTheirConsentAtBothSizes() throws Exception {
        for (int[] size : new int[][]{{390, 844}, {1280, 800}}) {
            ChromeDriver driver = Browser.open(size[0], size[1]);
            try {
                SearchContext w = openWithPatient(driver, "SC", "1960", "0612345678");
                w.findElement(By.cssSelector("input[name=within][value=PT48H]")).click();
                w.findElement(By.cssSelector("button[type=submit]")).click();
                waitHeading(driver, "Créneaux disponibles");
                widget(driver).findElement(By.cssSelector("button[data-i='0']")).click();
                waitHeading(driver, "Confirmer le rendez-vous");
                widget(driver).findElement(By.name("sms")).sendKeys("02 54 00 00 00");
                widget(driver).findElement(By.id("confirm")).click();
                new WebDriverWait(driver, Duration.ofSeconds(5)).until(d -> widget(driver).findElement(By.id("error")).getText()
                        .contains("accepte d'être prévenu"));
                assertThat(widget(driver).findElement(By.name("consent")).getAttribute("aria-invalid")).isEqualTo("true");
                Browser.check(driver, "widget: consent missing " + size[0]);
                widget(driver).findElement(By.name("consent")).click();
                widget(driver).findElement(By.id("confirm")).click();
                new WebDriverWait(driver, Duration.ofSeconds(5)).until(d -> widget(driver).findElement(By.id("error")).getText()
                        .contains("portable"));
                assertThat(widget(driver).findElement(By.name("sms")).getAttribute("aria-invalid")).isEqualTo("true");
                assertThat(heading(driver)).as("still on the option, to fix the number").contains("Confirmer le rendez-vous");
                WebElement sms = widget(driver).findElement(By.name("sms"));
                sms.clear();
                sms.sendKeys("06 98 76 54 32");
                widget(driver).findElement(By.id("confirm")).click();
                waitHeading(driver, "Rendez-vous confirmé");
                assertThat(await(driver, "#confirmation").getText()).contains("Le patient recevra la confirmation par SMS");
                Browser.check(driver, "widget: confirmed, the patient told " + size[0]);
            } finally {
                driver.quit();
            }
        }
    }
}
