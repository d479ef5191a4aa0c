package fr.snp.dispatch.web;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.Dispatcher;
import fr.snp.dispatch.sim.SimulationClock;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The doctor's feedback page on a phone, the coordinator's page, and the "médecin traitant" requests. */
class PagesTest {
    static final SimulationClock clock = new SimulationClock();
    static Dispatcher server;
    static Api api;

    @BeforeAll
    static void start() throws Exception {
        server = Browser.demoServer(clock);
        api = new Api("http://127.0.0.1:" + server.port());
    }

    @AfterAll
    static void stop() { server.close(); }

    static String bookFirstSlot(String initials) {
        Api.Response request = api.post("/api/v1/requests", "demo-regulator", new JsonObject().put("origin", "SAS_116117")
                .put("patient", new JsonObject().put("initials", initials).put("birthYear", 1947).put("phone", "0611223344")
                        .put("communeInsee", "36044")).put("need", new JsonObject().put("within", "PT48H")));
        String slot = request.json().getJsonArray("candidates").getJsonObject(0).getString("slotId");
        Api.Response booked = api.book("demo-regulator", slot, request.json().getString("id"), null, "pages-" + initials);
        assertThat(booked.status()).isEqualTo(201);
        return booked.json().getString("id");
    }

    /** The checks every page state goes through fail when they should: a missing alt, a pale text, technical words. */
    @Test
    void theChecksOfEveryPageStateCatchWhatTheyLookFor() throws Exception {
        ChromeDriver d = Browser.open(390, 844);
        try {
            d.get("http://127.0.0.1:" + server.port() + "/feedback/not-a-link");
            Browser.check(d, "feedback: not a link");
            d.executeScript("""
                    document.title = 'Retour SNP';
                    document.querySelector('main').insertAdjacentHTML('beforeend',
                      '<img src="/assets/favicon.svg"><p style="color:#bbb">pâle</p><p>Vérifiez patient.initials : null (score 0.8)</p>');
                    """);
            assertThatThrownBy(() -> Browser.assertAccessible(d, "faulty")).hasMessageContaining("'faulty'")
                    .hasMessageContaining("image-alt (critical)").hasMessageContaining("color-contrast (serious)")
                    .hasMessageContaining("[\"img\"]");
            assertThatThrownBy(() -> Browser.assertPlainFrench(d, "faulty")).hasMessageContaining("'faulty'")
                    .hasMessageContaining("'SNP'").hasMessageContaining("'patient.i'").hasMessageContaining("'null'")
                    .hasMessageContaining("'score'");
        } finally {
            d.quit();
        }
    }

    @Test
    void beforeTheStartTheLinkOffersOnlyTheCancellationAndSaysWhy() throws Exception {
        String appointment = bookFirstSlot("AV");
        String slot = api.get("/api/v1/appointments/" + appointment, "demo-regulator").json().getJsonObject("slot").getString("id");
        String link = server.services().feedbackLinks().url(appointment, clock.millis() / 1000);
        ChromeDriver phone = Browser.open(390, 844);
        try {
            phone.get(link);
            String text = phone.findElement(By.tagName("main")).getText();
            assertThat(text).contains("n'a pas encore eu lieu").contains("le créneau sera rendu");
            assertThat(phone.findElements(By.cssSelector("button"))).hasSize(1);
            assertThat(phone.findElements(By.cssSelector("button[value=seen], button[value=no-show]"))).isEmpty();
            Browser.screenshot(phone, "feedback-before-start");
            Browser.check(phone, "feedback: before the start");
            phone.findElement(By.cssSelector("button[value=cancelled-by-patient]")).click();
            new WebDriverWait(phone, Duration.ofSeconds(5)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(d -> d.findElement(By.tagName("main")).getText().contains("Merci"));
            assertThat(api.get("/api/v1/slots/" + slot, "demo-regulator").json().getString("status")).isEqualTo("free");
            Browser.check(phone, "feedback: cancellation recorded");
            phone.get(link); // a cancelled appointment: nothing left to answer
            assertThat(phone.findElements(By.cssSelector("button"))).isEmpty();
            Browser.check(phone, "feedback: cancelled");
        } finally {
            phone.quit();
        }
    }

    @Test
    void aDoctorAnswersFromThePhoneThroughTheSignedLink() throws Exception {
        String appointment = bookFirstSlot("PL");
        clock.advance(Duration.ofDays(2)); // the appointment is over
        String link = server.services().feedbackLinks().url(appointment, clock.millis() / 1000);
        ChromeDriver phone = Browser.open(390, 844);
        try {
            phone.get(link);
            assertThat(phone.findElement(By.tagName("h1")).getText()).isEqualTo("Retour sur un rendez-vous de soins non programmés");
            assertThat(phone.findElement(By.tagName("main")).getText()).contains("Patient : PL, né(e) en 1947");
            // Paris time, whatever offset the slot carries
            String start = api.get("/api/v1/appointments/" + appointment, "demo-regulator").json().getJsonObject("slot").getString("start");
            assertThat(phone.findElement(By.tagName("main")).getText()).contains("Rendez-vous du " + java.time.OffsetDateTime.parse(start)
                    .atZoneSameInstant(java.time.ZoneId.of("Europe/Paris"))
                    .format(java.time.format.DateTimeFormatter.ofPattern("EEEE d MMMM yyyy 'à' HH'h'mm", java.util.Locale.FRENCH)));
            Browser.screenshot(phone, "feedback-1-phone");
            Browser.check(phone, "feedback: form");
            Browser.readmeScreenshot(phone, "feedback-phone");
            phone.findElement(By.cssSelector("input[name=comment]")).sendKeys("RAS");
            phone.findElement(By.cssSelector("button[value=seen]")).click();
            new WebDriverWait(phone, Duration.ofSeconds(5)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(d -> d.findElement(By.tagName("main")).getText().contains("Merci")); // the POST loads a new page
            assertThat(phone.findElement(By.tagName("main")).getText()).contains("Patient vu");
            Browser.screenshot(phone, "feedback-2-thanks");
            Browser.check(phone, "feedback: thanks");
            assertThat(api.get("/api/v1/appointments/" + appointment, "demo-regulator").json().getString("status"))
                    .isEqualTo("fulfilled");
            phone.get(link); // opened again: the answer given is shown, nothing to answer (it may still be taken back)
            assertThat(phone.findElement(By.tagName("main")).getText()).contains("Réponse déjà donnée : Patient vu");
            assertThat(phone.findElements(By.cssSelector("button[name=answer]"))).isEmpty();
            Browser.check(phone, "feedback: already answered");
            phone.get(link.substring(0, link.length() - 3) + "xyz");
            assertThat(phone.findElement(By.tagName("main")).getText()).contains("Ce lien n'est pas valide");
            Browser.check(phone, "feedback: invalid link");
        } finally {
            phone.quit();
        }
    }

    @Test
    void theCoordinatorSeesFiguresPlanningAwaitedFeedbackAndFollowsUpDoctorRequests() throws Exception {
        bookFirstSlot("CO");
        Api.Response filed = api.post("/api/v1/doctor-requests", "demo-pharmacist", new JsonObject().put("patient",
                new JsonObject().put("initials", "MT").put("birthYear", 1940).put("phone", "0622334455").put("communeInsee", "36088")
                        .put("over70", true)));
        assertThat(filed.status()).isEqualTo(201);
        assertThat(api.post("/api/v1/doctor-requests", "demo-pharmacist", new JsonObject().put("patient", new JsonObject()
                .put("initials", "YY").put("birthYear", 1990).put("phone", "0622334455").put("communeInsee", "36088"))).code())
                .isEqualTo("NOT_A_PRIORITY_PATIENT");
        assertThat(api.get("/api/v1/doctor-requests?territory=36", "demo-pharmacist").status()).isEqualTo(403);

        ChromeDriver d = Browser.open(1280, 1000, "America/New_York"); // the days are Paris days all the same
        try {
            d.get("http://127.0.0.1:" + server.port() + "/coordinator?token=demo-coordinator");
            WebDriverWait wait = new WebDriverWait(d, Duration.ofSeconds(10));
            wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class); // the page re-renders its lists
            wait.until(x -> x.findElements(By.cssSelector("#figures .figure")).size() == 8);
            wait.until(x -> x.findElements(By.cssSelector("#planning tbody tr")).size() > 10);
            wait.until(x -> x.findElement(By.id("doctor-requests")).getText().contains("MT"));
            assertThat(d.findElement(By.id("figures")).getText()).contains("Taux de remplissage").contains("Effecteurs participants");
            assertThat(d.findElement(By.id("origins")).getText()).contains("116 117");
            var days = api.get("/api/v1/territories/36/planning?days=7", "demo-coordinator").json().getJsonArray("days");
            assertThat(d.findElements(By.cssSelector("#planning thead th")).stream().skip(1).map(e -> e.getText()).toList())
                    .isEqualTo(days.stream().map(day -> java.time.LocalDate.parse((String) day).format(
                            java.time.format.DateTimeFormatter.ofPattern("EEE d", java.util.Locale.FRENCH))).toList());
            Browser.screenshot(d, "coordinator-1");
            Browser.check(d, "coordinator: loaded");
            Browser.readmeScreenshot(d, "coordinator");
            d.findElement(By.cssSelector("#doctor-requests button[data-status=CONTACTED]")).click();
            wait.until(x -> x.findElement(By.id("doctor-requests")).getText().contains("Patient contacté"));
            assertThat(api.get("/api/v1/doctor-requests?territory=36&status=CONTACTED", "demo-coordinator").json()
                    .getJsonArray("requests")).hasSize(1);
            Browser.screenshot(d, "coordinator-2-followed-up");
            Browser.check(d, "coordinator: request followed up");
        } finally {
            d.quit();
        }
    }
}
