package fr.snp.dispatch.web;

import fr.snp.dispatch.Api;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's waiting list and patient contact: a call nothing fitted waits; a slot published later fits it and
 * the desk is told at once (banner), Alt+O takes an option and loads the call, R books it; and a booking tells the
 * patient only with their consent.
 */
class WaitingAndContactConsoleTest extends DemoServerTest {
    static Api api() { return new Api(base); }

    /** The appointment the console's success line gives the reference of, as the API has it. */
    static JsonObject bookedOnScreen(ChromeDriver d) {
        String reference = d.findElement(By.id("notice")).getText()
                .replaceAll("(?s).*Référence à donner au patient : (\\S+)\\..*", "$1");
        return api().get("/api/v1/appointments?reference=" + reference, "demo-regulator").json()
                .getJsonArray("appointments").getJsonObject(0);
    }

    @Test
    void aSlotThatFitsAWaitingCallIsAnnouncedAndBookedFromTheBanner() throws Exception {
        Api api = api();
        // a patient needing a medical gynaecologist (no demo effector is one): nothing fits, the regulator puts the call on the list
        Api.Response r = api.post("/api/v1/requests", "demo-regulator", new JsonObject().put("origin", "SAS_116117")
                .put("patient", new JsonObject().put("initials", "LP").put("birthYear", 1985).put("phone", "0612345678")
                        .put("communeInsee", "36044"))
                .put("need", new JsonObject().put("within", "PT24H").put("specialty", "SM20")));
        assertThat(r.json().getJsonArray("candidates")).isEmpty();
        String request = r.json().getString("id");
        assertThat(api.post("/api/v1/requests/" + request + "/wait", "demo-regulator", null).status()).isEqualTo(200);

        ChromeDriver d = ConsoleTest.open("demo-regulator");
        try {
            ConsoleTest.wait(d, 5).until(x -> x.findElement(By.id("waiting")).getText().contains("LP"));
            assertThat(d.findElement(By.id("waiting")).getText()).contains("aucun créneau pour l'instant");
            Browser.check(d, "console: a call on the waiting list");

            // a gynaecologist joins and publishes a slot this afternoon
            Api.Response e = api.post("/api/v1/effectors", "demo-coordinator", new JsonObject().put("rpps", fr.snp.dispatch.domain.Rpps.withCheckDigit("1010101010"))
                    .put("firstName", "Inès").put("lastName", "Gynéco").put("specialty", "SM20")
                    .put("locations", new JsonArray().add(new JsonObject().put("name", "Cabinet de gynécologie")
                            .put("address", "3 rue Grande").put("communeInsee", "36044").put("accessible", true))));
            assertThat(e.status()).as(e.toString()).isEqualTo(201);
            OffsetDateTime start = OffsetDateTime.now(ZoneId.of("Europe/Paris")).plusHours(3).truncatedTo(ChronoUnit.MINUTES);
            Api.Response slot = api.post("/api/v1/slots", "demo-coordinator", new JsonObject()
                    .put("effectorId", e.json().getString("id")).put("start", start.toString())
                    .put("end", start.plusMinutes(20).toString()).put("mode", "AMB").put("audiences", new JsonArray().add("SNP")));
            assertThat(slot.status()).as(slot.toString()).isEqualTo(201);
            String slotId = slot.json().getString("id");

            ConsoleTest.wait(d, 5).until(x -> x.findElement(By.id("waiting-banner")).isDisplayed());
            String banner = d.findElement(By.id("waiting-banner")).getText();
            assertThat(banner).contains("Un créneau convient à un appel en attente").contains("LP").contains("Dr Inès Gynéco")
                    .contains("Cabinet de gynécologie");
            assertThat(d.findElement(By.id("waiting-banner")).getAttribute("role")).isEqualTo("alert");
            Browser.check(d, "console: a slot fits a waiting call");

            // one key: the option is taken for that call, the patient is on screen, R books
            new Actions(d).keyDown(Keys.ALT).sendKeys("o").keyUp(Keys.ALT).perform();
            ConsoleTest.wait(d, 5).until(x -> x.findElement(By.id("notice")).getText().contains("Option posée"));
            assertThat(d.findElement(By.name("initials")).getAttribute("value")).isEqualTo("LP");
            assertThat(d.findElement(By.cssSelector("#candidates li.selected")).getAttribute("data-slot")).isEqualTo(slotId);
            d.findElement(By.id("candidates")).sendKeys("r");
            ConsoleTest.wait(d, 5).until(x -> x.findElement(By.id("notice")).getText().contains("Rendez-vous réservé"));
            assertThat(api.get("/api/v1/requests/" + request, "demo-regulator").json().getString("status")).isEqualTo("booked");
            ConsoleTest.wait(d, 5).until(x -> !x.findElement(By.id("waiting")).getText().contains("LP"));
        } finally {
            d.quit();
        }
    }

    @Test
    void thePatientIsToldOnlyWithTheirConsent() throws Exception {
        ChromeDriver d = ConsoleTest.console("demo-regulator", "SAS_116117", "KC");
        try {
            d.findElement(By.name("sms")).sendKeys("06 98 76 54 32");
            String slot = ConsoleTest.slots(d).get(0);
            ConsoleTest.select(d, slot);
            d.findElement(By.id("candidates")).sendKeys("r");
            ConsoleTest.wait(d, 5).until(x -> x.findElement(By.id("notice")).getText().contains("accepte d'être prévenu"));
            assertThat(d.switchTo().activeElement().getAttribute("name")).isEqualTo("consent");
            Browser.check(d, "console: the patient's consent is missing");
            assertThat(api().get("/api/v1/slots/" + slot, "demo-regulator").json().getString("status")).isEqualTo("free");

            d.findElement(By.name("consent")).click();
            ConsoleTest.select(d, slot);
            d.findElement(By.id("candidates")).sendKeys("r");
            ConsoleTest.wait(d, 5).until(x -> x.findElement(By.id("notice")).getText().contains("Rendez-vous réservé"));
            String notice = d.findElement(By.id("notice")).getText();
            assertThat(notice).contains("Le patient recevra la confirmation par SMS.");
            Browser.check(d, "console: booked, the patient told");
            JsonObject found = bookedOnScreen(d);
            // demo mode: the SMS goes to the log channel, recorded as sent by "log"
            ConsoleTest.wait(d, 10).until(x -> api().get("/api/v1/appointments/" + found.getString("id") + "/messages",
                    "demo-regulator").json().getJsonArray("messages").stream()
                    .anyMatch(m -> "sent".equals(((JsonObject) m).getString("status"))));
            assertThat(d.findElement(By.name("sms")).getAttribute("value")).as("the next caller starts empty").isEmpty();
            assertThat(d.findElement(By.name("consent")).isSelected()).isFalse();
        } finally {
            d.quit();
        }
    }

    @Test
    void thePatientCancelsFromTheirPhoneAfterOneConfirmationStep() throws Exception {
        Api api = api();
        Api.Response r = api.post("/api/v1/requests", "demo-pharmacist", new JsonObject().put("origin", "PHARMACIST")
                .put("patient", new JsonObject().put("initials", "RL").put("birthYear", 1970).put("phone", "0612345678")
                        .put("communeInsee", "36044")).put("need", new JsonObject().put("within", "PT48H")));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String slot = r.json().getJsonArray("candidates").getJsonObject(0).getString("slotId");
        JsonObject a = api.send("POST", "/api/v1/appointments", "demo-pharmacist", new JsonObject().put("slotId", slot)
                .put("requestId", r.json().getString("id")), java.util.Map.of("Idempotency-Key", "rdv-page-1")).json();
        fr.snp.dispatch.booking.Appointment appointment = server.services().bookings()
                .read(fr.snp.dispatch.auth.Principal.server("36"), a.getString("id")).toCompletableFuture().get();
        String link = server.services().feedbackLinks().patientLinks().urlUntil(appointment.id(), appointment.startSec());
        for (int[] size : new int[][]{{390, 844}, {1280, 800}}) {
            ChromeDriver d = Browser.open(size[0], size[1]);
            try {
                d.get(link);
                assertThat(d.findElement(By.tagName("h1")).getText()).isEqualTo("Votre rendez-vous médical");
                assertThat(d.findElement(By.tagName("main")).getText()).contains("Référence").contains(a.getString("reference"))
                        .doesNotContainPattern("(?<![A-Za-z0-9])RL(?![A-Za-z0-9])"); // the initials as a word (ids are mixed-case)
                Browser.check(d, "patient page " + size[0]);
                d.findElement(By.cssSelector("button[value=confirm]")).click();
                ConsoleTest.wait(d, 5).until(x -> x.findElement(By.tagName("h1")).getText().equals("Confirmer l'annulation"));
                Browser.check(d, "patient page: confirm " + size[0]);
                if (size[0] == 390) {
                    // the phone changes its mind: nothing is cancelled
                    d.findElement(By.linkText("Non, je garde mon rendez-vous")).click();
                    ConsoleTest.wait(d, 5).until(x -> x.findElement(By.tagName("h1")).getText().equals("Votre rendez-vous médical"));
                    assertThat(api.get("/api/v1/appointments/" + a.getString("id"), "demo-pharmacist").json().getString("status"))
                            .isEqualTo("booked");
                    continue;
                }
                d.findElement(By.cssSelector("button[value=cancel]")).click();
                ConsoleTest.wait(d, 5).until(x -> x.findElement(By.tagName("h1")).getText().equals("Rendez-vous annulé"));
                Browser.check(d, "patient page: cancelled " + size[0]);
                assertThat(api.get("/api/v1/appointments/" + a.getString("id"), "demo-pharmacist").json().getString("status"))
                        .isEqualTo("cancelled");
                assertThat(api.get("/api/v1/slots/" + slot, "demo-pharmacist").json().getString("status")).isEqualTo("free");
            } finally {
                d.quit();
            }
        }
    }

    @Test
    void aRegulatorBooksAPatientInAdditionToTheSlotsOfADoctorWhoAcceptsIt() throws Exception {
        ChromeDriver d = ConsoleTest.open("demo-regulator");
        try {
            ConsoleTest.wait(d, 5).until(x -> x.findElement(By.id("extra")).isDisplayed());
            ConsoleTest.fillCaller(d, "SN", "1944", "0612345678", "Châte", "Châteauroux (36000)");
            d.findElement(By.cssSelector("#extra summary")).click();
            String effector = new org.openqa.selenium.support.ui.Select(d.findElement(By.name("effector"))).getFirstSelectedOption()
                    .getAttribute("value");
            assertThat(d.findElement(By.name("effector")).getText()).contains("par jour");
            String local = OffsetDateTime.now(ZoneId.of("Europe/Paris")).plusDays(1).withHour(12).withMinute(40)
                    .toLocalDateTime().truncatedTo(ChronoUnit.MINUTES).toString();
            ((org.openqa.selenium.JavascriptExecutor) d).executeScript("arguments[0].value = arguments[1]",
                    d.findElement(By.name("start")), local);
            Browser.check(d, "console: a patient in addition to the slots");
            d.findElement(By.cssSelector("#extra-form button[type=submit]")).click();
            ConsoleTest.wait(d, 10).until(x -> x.findElement(By.id("notice")).getText().contains("en plus des créneaux du médecin"));
            assertThat(d.findElement(By.id("notice")).getText()).contains("12:40");
            JsonObject a = bookedOnScreen(d);
            assertThat(a.getBoolean("supernumerary")).isTrue();
            assertThat(a.getJsonObject("effector").getString("id")).isEqualTo(effector);
            assertThat(a.getJsonObject("slot").getString("start")).contains("T12:40");
        } finally {
            d.quit();
        }
        // an OSNP desk is not offered it (a medical decision of the regulator)
        ChromeDriver osnp = ConsoleTest.open("demo-osnp");
        try {
            Thread.sleep(1000);
            assertThat(osnp.findElement(By.id("extra")).isDisplayed()).isFalse();
        } finally {
            osnp.quit();
        }
    }

    @Test
    void aCommuneTypedInFullNeedNotBePickedFromTheSuggestions() throws Exception {
        ChromeDriver d = ConsoleTest.open("demo-regulator");
        try {
            d.findElement(By.name("initials")).sendKeys("TF");
            d.findElement(By.name("birthYear")).sendKeys("1961");
            d.findElement(By.name("phone")).sendKeys("0612345678");
            d.findElement(By.name("commune")).sendKeys("deols"); // no accent, no capital, not picked from the list
            d.findElement(By.cssSelector("#request button[type=submit]")).click();
            ConsoleTest.wait(d, 10).until(x -> !ConsoleTest.slots(d).isEmpty());
            assertThat((String) d.executeScript("return document.getElementById('map-patient') ? 'drawn' : ''")).isEqualTo("drawn");
            // a name two communes share is not guessed: Saint-Août (36) is one, "Saint" alone is many
            d.findElement(By.id("new-call")).click();
            d.findElement(By.name("initials")).sendKeys("TG");
            d.findElement(By.name("birthYear")).sendKeys("1961");
            d.findElement(By.name("phone")).sendKeys("0612345678");
            d.findElement(By.name("commune")).sendKeys("Saint");
            d.findElement(By.cssSelector("#request button[type=submit]")).click();
            ConsoleTest.wait(d, 5).until(x -> !x.findElement(By.id("notice")).getText().isBlank());
            assertThat(ConsoleTest.slots(d)).isEmpty();
            assertThat(d.switchTo().activeElement().getAttribute("name")).isEqualTo("commune");
        } finally {
            d.quit();
        }
    }
}
