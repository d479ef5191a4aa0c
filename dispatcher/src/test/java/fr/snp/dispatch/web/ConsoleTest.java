package fr.snp.dispatch.web;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Two regulator consoles on the same territory: live updates keep them from chasing the same slot. */
class ConsoleTest extends DemoServerTest {
    /** A console for a token, once its live feed is connected. */
    static ChromeDriver open(String token) throws Exception { return open(token, null); }

    /** A console in a browser whose own time zone is {@code timeZone} (the machine's when null). */
    static ChromeDriver open(String token, String timeZone) throws Exception {
        ChromeDriver d = Browser.open(1280, 900, timeZone);
        d.get(base + "/console?token=" + token);
        wait(d, 10).until(x -> x.findElement(By.id("live")).getText().equals("En direct"));
        return d;
    }

    static ChromeDriver console(String token, String origin, String initials) throws Exception {
        return search(open(token), origin, initials);
    }

    /** Files a caller of Châteauroux (practice consultations within 48 h) and waits for the slots. */
    static ChromeDriver search(ChromeDriver d, String origin, String initials) {
        new Select(d.findElement(By.name("origin"))).selectByValue(origin);
        fillCaller(d, initials, "1950", "0612345678", "Châte", "Châteauroux (36000)");
        new Select(d.findElement(By.name("within"))).selectByValue("PT48H");
        new Select(d.findElement(By.name("mode"))).selectByValue("AMB");
        d.findElement(By.cssSelector("#request button[type=submit]")).click();
        wait(d, 10).until(x -> x.findElements(By.cssSelector("#candidates li[data-slot]")).size() >= 3);
        return d;
    }

    /** Fills the caller's form: initials, year of birth, phone, and the commune chosen from the suggestions. */
    static void fillCaller(ChromeDriver d, String initials, String birthYear, String phone, String typed, String label) {
        d.findElement(By.name("initials")).sendKeys(initials);
        d.findElement(By.name("birthYear")).sendKeys(birthYear);
        d.findElement(By.name("phone")).sendKeys(phone);
        fillCommune(d, typed, label);
    }

    /** Types the start of the caller's commune and picks it from the suggestions. */
    static void fillCommune(ChromeDriver d, String typed, String label) {
        WebElement commune = d.findElement(By.name("commune"));
        commune.sendKeys(typed);
        wait(d, 5).until(x -> x.findElements(By.cssSelector("#communes option")).stream()
                .anyMatch(o -> label.equals(o.getAttribute("value"))));
        commune.clear();
        commune.sendKeys(label);
    }

    static WebDriverWait wait(ChromeDriver d, int seconds) {
        WebDriverWait w = new WebDriverWait(d, Duration.ofSeconds(seconds));
        w.pollingEvery(Duration.ofMillis(50));
        w.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        // an element read while the page is being replaced (a form posted): chromedriver may answer "Node with given
        // id does not belong to the document" instead of a stale element; the next poll reads the new page
        w.ignoring(org.openqa.selenium.WebDriverException.class, org.openqa.selenium.NoSuchElementException.class);
        return w;
    }

    /** The listed slots, read in one go in the page (the list may re-render on a live update meanwhile). */
    @SuppressWarnings("unchecked")
    static List<String> slots(ChromeDriver d) {
        return (List<String>) d.executeScript(
                "return [...document.querySelectorAll('#candidates li[data-slot]')].map(e => e.dataset.slot)");
    }

    /** Selects a slot in the list with the arrow keys, as a regulator would. */
    static void select(ChromeDriver d, String slot) {
        WebElement list = d.findElement(By.id("candidates"));
        list.click();
        int index = slots(d).indexOf(slot);
        assertThat(index).as("slot %s listed", slot).isGreaterThanOrEqualTo(0);
        for (int i = 0; i < 12; i++) list.sendKeys(org.openqa.selenium.Keys.ARROW_UP);
        for (int i = 0; i < index; i++) list.sendKeys(org.openqa.selenium.Keys.ARROW_DOWN);
        // read in the page in one go: a live update may re-render the list meanwhile
        assertThat(d.executeScript("return document.querySelector('#candidates li[aria-selected=true]')?.dataset.slot")).isEqualTo(slot);
    }

    /** The position of the one option marked aria-selected, checked to be the list's active descendant too. */
    static int chosen(ChromeDriver d) {
        WebElement list = d.findElement(By.id("candidates"));
        List<WebElement> options = list.findElements(By.cssSelector("li"));
        List<Integer> selected = java.util.stream.IntStream.range(0, options.size())
                .filter(i -> "true".equals(options.get(i).getAttribute("aria-selected"))).boxed().toList();
        assertThat(selected).as("options marked aria-selected").hasSize(1);
        assertThat(list.getAttribute("aria-activedescendant")).isEqualTo(options.get(selected.get(0)).getAttribute("id"));
        return selected.get(0);
    }

    static void press(ChromeDriver d, CharSequence... keys) { new Actions(d).sendKeys(keys).perform(); }

    @Test
    void theSlotsAreAListboxWorkedFromTheKeyboard() throws Exception {
        ChromeDriver d = console("demo-regulator", "SAS_116117", "LB");
        try {
            WebElement list = d.findElement(By.id("candidates"));
            List<String> slots = slots(d);
            int last = slots.size() - 1;
            // a listbox named by its heading, every slot an option, the best one chosen, the focus on the list
            assertThat(list.getAttribute("role")).isEqualTo("listbox");
            assertThat(list.getAccessibleName()).isEqualTo("Créneaux proposés");
            assertThat(list.findElements(By.cssSelector("li"))).allMatch(o -> "option".equals(o.getAttribute("role")));
            assertThat(chosen(d)).isZero();
            assertThat(d.switchTo().activeElement()).isEqualTo(list);
            Browser.check(d, "console: results");
            Browser.readmeScreenshot(d, "console-results");

            // one tab stop: nothing inside takes the focus; Tab from the sort order lands on the list, the next leaves it
            assertThat(list.findElements(By.cssSelector("[tabindex], a, button, input, select"))).isEmpty();
            d.executeScript("document.getElementById('sort').focus()");
            press(d, Keys.TAB);
            assertThat(d.switchTo().activeElement()).isEqualTo(list);
            press(d, Keys.TAB);
            assertThat((Boolean) d.executeScript("return document.getElementById('candidates').contains(document.activeElement)"))
                    .as("the focus left the list").isFalse();
            d.executeScript("arguments[0].focus()", list);
            assertThat(chosen(d)).as("Tab through the list changes no choice").isZero();

            // ↓ ↑ Home End move the choice and stop at the ends
            press(d, Keys.ARROW_DOWN);
            assertThat(chosen(d)).isEqualTo(1);
            press(d, Keys.ARROW_DOWN, Keys.ARROW_DOWN);
            assertThat(chosen(d)).isEqualTo(3);
            press(d, Keys.ARROW_UP);
            assertThat(chosen(d)).isEqualTo(2);
            press(d, Keys.END);
            assertThat(chosen(d)).isEqualTo(last);
            press(d, Keys.ARROW_DOWN);
            assertThat(chosen(d)).isEqualTo(last);
            press(d, Keys.HOME);
            assertThat(chosen(d)).isZero();
            press(d, Keys.ARROW_UP);
            assertThat(chosen(d)).isZero();

            // the shortcuts still act on the chosen slot: P puts an option on the last one, R books it
            press(d, Keys.END, "p");
            wait(d, 5).until(x -> x.findElement(By.id("notice")).getText().contains("Option posée"));
            assertThat(d.findElement(By.cssSelector("#candidates li.held")).getAttribute("data-slot")).isEqualTo(slots.get(last));
            assertThat(d.findElement(By.cssSelector("#candidates li.held")).getText()).contains("option posée");
            assertThat(chosen(d)).isEqualTo(last);
            Browser.check(d, "console: option taken from the keyboard");
            press(d, "r");
            wait(d, 5).until(x -> x.findElement(By.id("notice")).getText().contains("Rendez-vous réservé"));
            assertThat(new fr.snp.dispatch.Api(base).get("/api/v1/slots/" + slots.get(last), "demo-regulator").json()
                    .getString("status")).isEqualTo("booked");
            assertThat(list.isDisplayed()).isFalse(); // the call is over: no list, no tab stop left behind
            Browser.check(d, "console: booked from the keyboard");

            // the next caller's slots, then Alt+N from the list: the page's shortcut, not the list's
            search(d, "SAS_116117", "AN");
            assertThat(d.switchTo().activeElement()).isEqualTo(list);
            new Actions(d).keyDown(Keys.ALT).sendKeys("n").keyUp(Keys.ALT).perform();
            wait(d, 5).until(x -> !list.isDisplayed() && patientOnScreen(x).isEmpty());
            assertThat(d.switchTo().activeElement().getAttribute("name")).isEqualTo("initials");
        } finally {
            d.quit();
        }
    }

    static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    /** A console in New York shows Paris times: the slots' and the end of an option. */
    @Test
    void timesAreParisTimesWhateverTheComputersTimeZone() throws Exception {
        ChromeDriver d = search(open("demo-regulator", "America/New_York"), "SAS_116117", "TZ");
        try {
            assertThat(d.executeScript("return Intl.DateTimeFormat().resolvedOptions().timeZone")).as("the browser's own zone")
                    .isEqualTo("America/New_York");
            fr.snp.dispatch.Api api = new fr.snp.dispatch.Api(base);
            for (String slot : slots(d)) {
                OffsetDateTime start = OffsetDateTime.parse(api.get("/api/v1/slots/" + slot, "demo-regulator").json().getString("start"));
                ZonedDateTime paris = start.atZoneSameInstant(PARIS), newYork = start.atZoneSameInstant(ZoneId.of("America/New_York"));
                String shown = (String) d.executeScript(
                        "return document.getElementById('opt-' + arguments[0]).querySelector('strong').textContent", slot);
                assertThat(shown).as(slot).endsWith(" " + paris.getDayOfMonth() + " " + paris.format(HH_MM))
                        .doesNotContain(newYork.format(HH_MM));
            }
            // the option's end, to the second
            d.findElement(By.id("candidates")).sendKeys("p");
            wait(d, 5).until(x -> x.findElement(By.id("notice")).getText().contains("Option posée"));
            String until = api.get("/api/v1/slots/" + slots(d).get(0), "demo-regulator").json().getString("holdExpiresAt");
            assertThat(d.findElement(By.id("notice")).getText()).contains("jusqu'à "
                    + OffsetDateTime.parse(until).atZoneSameInstant(PARIS).format(DateTimeFormatter.ofPattern("HH:mm:ss")));
        } finally {
            d.quit();
        }
    }

    static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

    /** Refusals in French, naming a field as its form labels it (never the API's field path). */
    @Test
    void refusalsAreSaidInFrenchWithTheFormsWords() throws Exception {
        ChromeDriver d = open("demo-regulator");
        try {
            Browser.check(d, "console: empty");
            fillCaller(d, "CB", "1950", "0612345678", "Bourges", "Bourges (18000)");
            d.findElement(By.cssSelector("#request button[type=submit]")).click();
            wait(d, 5).until(x -> x.findElement(By.id("notice")).getText().contains("hors du territoire desservi"));
            assertThat(d.findElements(By.cssSelector("#candidates li[data-slot]"))).isEmpty();
            Browser.check(d, "console: outside the territory");

            // the server refuses the initials (patient.initials): the notice names the form's field
            d.findElement(By.cssSelector("#request")).findElement(By.name("initials")).clear();
            d.findElement(By.cssSelector("#request")).findElement(By.name("initials")).sendKeys("1");
            d.findElement(By.cssSelector("#request")).findElement(By.name("commune")).clear();
            fillCommune(d, "Châte", "Châteauroux (36000)");
            d.findElement(By.cssSelector("#request button[type=submit]")).click();
            wait(d, 5).until(x -> x.findElement(By.id("notice")).getText().equals("Vérifiez le champ « Initiales »."));
            Browser.check(d, "console: initials refused");

            // finding an appointment: nothing given, then a reference that is not one
            WebElement find = d.findElement(By.id("find"));
            find.findElement(By.cssSelector("button[type=submit]")).click();
            wait(d, 5).until(x -> x.findElement(By.id("found")).getText().startsWith("Indiquez la référence, ou les initiales"));
            find.findElement(By.name("reference")).sendKeys("XYZ");
            find.findElement(By.cssSelector("button[type=submit]")).click();
            wait(d, 5).until(x -> x.findElement(By.id("found")).getText().equals("Vérifiez le champ « Référence »."));
            Browser.check(d, "console: reference refused");
        } finally {
            d.quit();
        }
    }

    /** The form of a caller as the console shows it: every patient field and flag. */
    static String patientOnScreen(org.openqa.selenium.WebDriver d) {
        StringBuilder b = new StringBuilder();
        for (String n : List.of("initials", "birthYear", "phone", "commune")) b.append(d.findElement(By.name(n)).getAttribute("value"));
        for (String n : List.of("noRegularDoctor", "ald", "over70", "reducedMobility")) {
            if (d.findElement(By.name(n)).isSelected()) b.append(n);
        }
        return b.toString();
    }

    @Test
    void twoCallsInARowShareNothing() throws Exception {
        ChromeDriver d = console("demo-regulator", "SAS_116117", "AA");
        try {
            // the first caller ends with an outcome: nothing of them stays, the outcome line does
            d.findElement(By.name("ald")).click();
            d.findElement(By.cssSelector("#outcomes button[data-outcome=ADVICE]")).click();
            wait(d, 5).until(x -> x.findElement(By.id("notice")).getText().contains("Demande clôturée"));
            assertThat(patientOnScreen(d)).isEmpty();
            assertThat(slots(d)).isEmpty();
            Browser.check(d, "console: request closed with an outcome");

            // the second caller, with flags, books: the form is empty again afterwards
            fillCaller(d, "BB", "1940", "0611223344", "Déols", "Déols (36130)");
            d.findElement(By.name("over70")).click();
            d.findElement(By.name("reducedMobility")).click();
            new Select(d.findElement(By.name("within"))).selectByValue("PT48H");
            d.findElement(By.cssSelector("#request button[type=submit]")).click();
            wait(d, 10).until(x -> !x.findElements(By.cssSelector("#candidates li[data-slot]")).isEmpty());
            select(d, slots(d).get(0));
            d.findElement(By.id("candidates")).sendKeys("r");
            wait(d, 5).until(x -> x.findElement(By.id("notice")).getText().contains("Rendez-vous réservé"));
            assertThat(patientOnScreen(d)).isEmpty();
            Browser.check(d, "console: booked");
            Browser.readmeScreenshot(d, "console-booked");

            // a third caller starts typing, then "Nouvel appel" (Alt+N): the form and the list are cleared
            d.findElement(By.name("initials")).sendKeys("CC");
            d.findElement(By.name("ald")).click();
            new org.openqa.selenium.interactions.Actions(d).keyDown(org.openqa.selenium.Keys.ALT).sendKeys("n")
                    .keyUp(org.openqa.selenium.Keys.ALT).perform();
            wait(d, 5).until(x -> patientOnScreen(x).isEmpty());
            assertThat(d.findElement(By.id("notice")).getText()).isEmpty();
            assertThat(d.switchTo().activeElement().getAttribute("name")).isEqualTo("initials");
            Browser.check(d, "console: new call");
        } finally {
            d.quit();
        }
    }

    @Test
    void aPatientCallsBackTheDeskFindsTheAppointmentAndCancelsIt() throws Exception {
        // a pharmacy booked this morning; the patient calls the 116 117 to cancel, with the reference they were given
        fr.snp.dispatch.Api api = new fr.snp.dispatch.Api(base);
        io.vertx.core.json.JsonObject request = api.post("/api/v1/requests", "demo-pharmacist", new io.vertx.core.json.JsonObject()
                .put("origin", "PHARMACIST").put("patient", new io.vertx.core.json.JsonObject().put("initials", "RC")
                        .put("birthYear", 1944).put("phone", "0677889900").put("communeInsee", "36044"))
                .put("need", new io.vertx.core.json.JsonObject().put("within", "PT48H"))).json();
        String slot = request.getJsonArray("candidates").getJsonObject(0).getString("slotId");
        io.vertx.core.json.JsonObject booked = api.book("demo-pharmacist", slot, request.getString("id"), null, "rc-1").json();
        String reference = booked.getString("reference");
        ChromeDriver d = open("demo-regulator");
        try {
            // found by initials, phone and the day of the appointment
            WebElement find = d.findElement(By.id("find"));
            find.findElement(By.name("initials")).sendKeys("RC");
            find.findElement(By.name("phone")).sendKeys("06 77 88 99 00");
            String day = booked.getJsonObject("slot").getString("start").substring(0, 10);
            ((org.openqa.selenium.JavascriptExecutor) d).executeScript("arguments[0].value = arguments[1]",
                    find.findElement(By.name("date")), day);
            find.findElement(By.cssSelector("button[type=submit]")).click();
            wait(d, 5).until(x -> x.findElement(By.id("found")).getText().contains(reference));
            assertThat(d.findElement(By.id("found")).getText()).contains("réservé");
            Browser.screenshot(d, "console-found-appointment");
            Browser.check(d, "console: appointment found");
            d.findElement(By.cssSelector("#found button[data-cancel]")).click();
            d.switchTo().alert().accept();
            wait(d, 5).until(x -> x.findElement(By.id("found")).getText().contains("annulé"));
            Browser.check(d, "console: appointment cancelled");
            assertThat(api.get("/api/v1/slots/" + slot, "demo-regulator").json().getString("status")).isEqualTo("free");

            // by the reference the patient was given: the appointment is cancelled, nothing left to cancel
            find.findElement(By.name("reference")).sendKeys(reference);
            find.findElement(By.cssSelector("button[type=submit]")).click();
            wait(d, 5).until(x -> x.findElement(By.id("found")).getText().contains(reference)
                    && x.findElement(By.id("found")).getText().contains("annulé"));
            assertThat(d.findElements(By.cssSelector("#found button[data-cancel]"))).isEmpty();
        } finally {
            d.quit();
        }
    }

    @Test
    void anOutcomeNeedsNoSlotSearchAndAPrescriptionHasItsForm() throws Exception {
        fr.snp.dispatch.Api api = new fr.snp.dispatch.Api(base);
        java.util.function.Supplier<io.vertx.core.json.JsonObject> outcomes = () -> api.get(
                "/api/v1/stats/outcomes?territory=36&groupBy=territory&window=7d", "demo-ops").json().getJsonArray("rows").getJsonObject(0);
        long prescriptionsWithAdvice = outcomes.get().getLong("PRESCRIPTION_WITH_ADVICE");
        long others = outcomes.get().getLong("OTHER");
        ChromeDriver d = open("demo-regulator");
        try {
            for (String outcome : List.of("PRESCRIPTION", "OTHER")) {
                fillCaller(d, "OF", "1970", "0611223344", "Issoud", "Issoudun (36100)");
                // no slot search: straight to the outcome
                d.findElement(By.cssSelector("#outcomes button[data-outcome=" + outcome + "]")).click();
                WebElement form = d.findElement(By.id("outcome-form"));
                wait(d, 5).until(x -> form.isDisplayed());
                if (outcome.equals("PRESCRIPTION")) {
                    form.findElement(By.name("pharmacy")).sendKeys("Pharmacie de la Place");
                    WebElement where = form.findElement(By.name("pharmacyCommune"));
                    where.sendKeys("Issoud");
                    wait(d, 5).until(x -> x.findElements(By.cssSelector("#communes option")).stream()
                            .anyMatch(o -> "Issoudun (36100)".equals(o.getAttribute("value"))));
                    where.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "a"), "Issoudun (36100)");
                    form.findElement(By.name("withAdvice")).click();
                    Browser.screenshot(d, "console-prescription-form");
                } else {
                    form.findElement(By.name("comment")).sendKeys("orienté vers la maison médicale de garde");
                }
                Browser.check(d, "console: outcome form " + outcome);
                form.findElement(By.cssSelector("button[type=submit]")).click();
                // this outcome's notice, not the previous one's still on screen
                String closed = outcome.equals("PRESCRIPTION") ? "Demande clôturée : ordonnance" : "Demande clôturée : autre";
                wait(d, 5).until(x -> x.findElement(By.id("notice")).getText().startsWith(closed));
                assertThat(patientOnScreen(d)).isEmpty();
                assertThat(form.isDisplayed()).isFalse();
            }
            assertThat(d.findElement(By.id("notice")).getText()).contains("autre");
            Browser.check(d, "console: request closed as other");
        } finally {
            d.quit();
        }
        assertThat(outcomes.get().getLong("PRESCRIPTION_WITH_ADVICE")).isEqualTo(prescriptionsWithAdvice + 1);
        assertThat(outcomes.get().getLong("OTHER")).isEqualTo(others + 1);
    }

    @Test
    void aVendeeDeskWorksItsOwnTerritory() throws Exception {
        ChromeDriver d = open("demo-regulator-85"); // no ?territory=: the console shows the one the token serves
        try {
            wait(d, 10).until(x -> x.findElements(By.cssSelector("#map circle")).size() > 200); // Vendée's communes
            assertThat(d.findElement(By.id("map")).getAttribute("innerHTML")).contains("La Roche-sur-Yon")
                    .doesNotContain("Châteauroux");
            fillCaller(d, "VD", "1960", "0612345678", "La Roche-sur", "La Roche-sur-Yon (85000)");
            new Select(d.findElement(By.name("within"))).selectByValue("PT48H");
            d.findElement(By.cssSelector("#request button[type=submit]")).click();
            wait(d, 10).until(x -> !x.findElements(By.cssSelector("#candidates li[data-slot]")).isEmpty());
            assertThat(slots(d)).allMatch(slot -> slot.startsWith("85-"));
            // the map: a legend with a scale, the largest communes named, the patient drawn on top
            assertThat(d.findElement(By.id("map-legend")).getAttribute("textContent")).contains("Patient").contains("10 km");
            assertThat(d.findElements(By.cssSelector("#map text")).stream().map(e -> e.getAttribute("textContent")))
                    .contains("La Roche-sur-Yon");
            assertThat(d.findElements(By.id("map-patient"))).hasSize(1);
            Browser.check(d, "console: results (Vendée)");
            // the ranking in words, never a raw score; an optional sort by time
            String list = d.findElement(By.id("candidates")).getText();
            assertThat(list).doesNotContain("score").contains("recommandé");
            new Select(d.findElement(By.id("sort"))).selectByValue("time");
            List<String> starts = d.findElements(By.cssSelector("#candidates li[data-slot] strong")).stream()
                    .map(e -> e.getText().replaceAll("^\\d+\\. ", "")).toList();
            assertThat(starts).hasSizeGreaterThan(1);
            List<Long> epochs = slots(d).stream().map(id -> Long.parseLong(id.substring(id.lastIndexOf('-') + 1), 36)).toList();
            assertThat(epochs).isSorted(); // a slot id ends with its start minute
            // the live indicator is white on the blue header; the page has an icon
            assertThat(d.findElement(By.id("live")).getCssValue("color")).isIn("rgba(255, 255, 255, 1)", "rgb(255, 255, 255)");
            assertThat(new fr.snp.dispatch.Api(base).get("/assets/favicon.svg", null).status()).isEqualTo(200);
            assertThat(d.findElement(By.cssSelector("link[rel=icon]")).getAttribute("href")).endsWith("/assets/favicon.svg");
            Browser.screenshot(d, "console-vendee");
            Browser.check(d, "console: results sorted by time");
        } finally {
            d.quit();
        }
    }

    @Test
    void aSlotTakenInOneConsoleVanishesFromTheOtherWithinASecondAndARaceHasOneWinner() throws Exception {
        ChromeDriver a = console("demo-regulator", "SAS_116117", "AA");
        ChromeDriver b = console("demo-osnp", "OSNP", "BB");
        try {
            // the two lists overlap (same patient place, same window)
            List<String> common = slots(a).stream().filter(slots(b)::contains).toList();
            assertThat(common).isNotEmpty();
            String x = common.get(0);

            // A puts an option on X: within a second, B no longer shows X and says why
            select(a, x);
            a.findElement(By.id("candidates")).sendKeys("p");
            wait(a, 5).until(d -> d.findElement(By.id("notice")).getText().contains("Option posée"));
            long optionAt = System.nanoTime();
            wait(b, 1).until(d -> !slots(b).contains(x));
            assertThat((System.nanoTime() - optionAt) / 1_000_000).isLessThan(1000);
            assertThat(b.findElement(By.id("notice")).getText()).contains("vient d'être pris par un autre poste");
            Browser.check(a, "console: option taken");
            Browser.check(b, "console: slot taken elsewhere");
            Browser.screenshot(b, "console-B-slot-vanished");

            a.findElement(By.id("candidates")).sendKeys("r");
            wait(a, 5).until(d -> d.findElement(By.id("notice")).getText().contains("Rendez-vous réservé"));
            // the regulator reads out where to go: a practice consultation (the console asked for AMB)
            assertThat(a.findElement(By.id("notice")).getText()).contains("au cabinet :").doesNotContain("visite à domicile");
            Browser.screenshot(a, "console-A-booked");

            // both go for Y at once: one gets the option, the other a clear message and Y leaves its list
            ChromeDriver c = console("demo-regulator", "SAS_116117", "CC");
            try {
                String y = slots(b).stream().filter(slots(c)::contains).findFirst().orElseThrow();
                select(b, y);
                select(c, y);
                for (ChromeDriver d : List.of(b, c)) {
                    ((org.openqa.selenium.JavascriptExecutor) d).executeScript("document.getElementById('notice').textContent = ''");
                }
                c.findElement(By.id("candidates")).sendKeys("p");
                b.findElement(By.id("candidates")).sendKeys("p");
                try {
                    wait(b, 5).until(d -> d.findElement(By.id("notice")).getText().length() > 0
                            && c.findElement(By.id("notice")).getText().length() > 0);
                } catch (org.openqa.selenium.TimeoutException e) {
                    Browser.screenshot(b, "failed-console-race-B");
                    Browser.screenshot(c, "failed-console-race-C");
                    throw e;
                }
                Browser.screenshot(b, "console-race-B");
                Browser.screenshot(c, "console-race-C");
                // exactly one console holds Y; the other holds nothing (its selection never jumps to another slot)
                String holdOfB = (String) ((org.openqa.selenium.JavascriptExecutor) b).executeScript(
                        "return document.querySelector('#candidates li.held')?.dataset.slot ?? null");
                String holdOfC = (String) ((org.openqa.selenium.JavascriptExecutor) c).executeScript(
                        "return document.querySelector('#candidates li.held')?.dataset.slot ?? null");
                assertThat(java.util.Arrays.asList(holdOfB, holdOfC)).containsExactlyInAnyOrder(y, null);
                ChromeDriver loser = y.equals(holdOfB) ? c : b;
                wait(loser, 5).until(d -> d.findElement(By.id("notice")).getText().contains("vient d'être pris"));
                try {
                    wait(loser, 5).until(d -> !slots(loser).contains(y));
                } catch (org.openqa.selenium.TimeoutException e) {
                    Browser.screenshot(loser, "failed-console-race-loser-still-lists-the-slot");
                    throw e;
                }
                Browser.screenshot(loser, "console-race-loser");
            } finally {
                c.quit();
            }
        } finally {
            a.quit();
            b.quit();
        }
    }
}
