package fr.snp.dispatch.messages;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.sim.SimulationClock;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The patient is told: confirmation, reminder and cancellation by e-mail over a real SMTP server (GreenMail,
 * read back) and by SMS through the HTTP provider adapter (a local stub that checks each payload), through the
 * durable outbox; and the patient's own link cancels after one confirmation step, freeing the slot.
 */
class PatientMessagesTest {
    static final SimulationClock clock = new SimulationClock();
    static final Instant MONDAY_9AM = OffsetDateTime.parse("2026-12-07T09:00:00+01:00").toInstant();
    static TestServer server;
    static GreenMail smtp;
    static HttpServer smsProvider;
    /** What the SMS stub accepted: the JSON, with the Idempotency-Key and Authorization it came with. */
    static final List<JsonObject> sms = new CopyOnWriteArrayList<>();
    static final AtomicInteger smsFailuresToGo = new AtomicInteger();
    static final AtomicInteger smsAttempts = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        clock.set(MONDAY_9AM);
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        smsProvider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        smsProvider.createContext("/sms", exchange -> {
            smsAttempts.incrementAndGet();
            JsonObject body = new JsonObject(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            // the stub refuses what a real provider would: no bearer, a number not international, an empty text
            boolean valid = "Bearer sms-secret".equals(exchange.getRequestHeaders().getFirst("Authorization"))
                    && body.getString("to", "").matches("\\+33[67]\\d{8}") && !body.getString("text", "").isBlank()
                    && "SAS36".equals(body.getString("from")) && body.getString("reference") != null
                    && body.getString("reference").equals(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
            int status = !valid ? 400 : smsFailuresToGo.getAndDecrement() > 0 ? 503 : 202;
            if (status == 202) sms.add(body);
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        smsProvider.start();
        server = TestServer.start(Map.ofEntries(Map.entry("outbox.retryBaseMs", "150"),
                Map.entry("messages.email.provider", "smtp"), Map.entry("messages.smtp.host", "127.0.0.1"),
                Map.entry("messages.smtp.port", String.valueOf(smtp.getSmtp().getPort())),
                Map.entry("messages.smtp.starttls", "DISABLED"),
                Map.entry("messages.smtp.from", "SAS Indre <ne-pas-repondre@sas36.example.org>"),
                Map.entry("messages.sms.provider", "http"),
                Map.entry("messages.sms.url", "http://127.0.0.1:" + smsProvider.getAddress().getPort() + "/sms"),
                Map.entry("messages.sms.token", "sms-secret"), Map.entry("messages.sms.sender", "SAS36")), clock);
    }

    @AfterAll
    static void stop() {
        server.close();
        smtp.stop();
        smsProvider.stop(0);
    }

    @BeforeEach
    void reset() throws Exception {
        clock.set(MONDAY_9AM);
        smtp.purgeEmailFromAllMailboxes();
        sms.clear();
        smsFailuresToGo.set(0);
        smsAttempts.set(0);
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(25);
        }
    }

    record Booking(String appointmentId, String slotId, JsonObject view) {}

    Booking book(String effector, int inMinutes, String mode, JsonObject contact) {
        String slot = server.slot(effector, inMinutes, mode, "SNP");
        JsonObject body = new JsonObject().put("slotId", slot).put("requestId", server.requestId(Role.REGULATOR, "SAS_116117"));
        if (contact != null) body.put("patientContact", contact);
        Api.Response r = server.api.send("POST", "/api/v1/appointments", server.token(Role.REGULATOR), body,
                Map.of("Idempotency-Key", UUID.randomUUID().toString()));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return new Booking(r.json().getString("id"), slot, r.json());
    }

    static JsonObject both() {
        return new JsonObject().put("sms", "06 98 76 54 32").put("email", "patient@example.org").put("consent", true);
    }

    List<MimeMessage> mails() { return List.of(smtp.getReceivedMessages()); }

    /** The messages received for one address (each test uses its own: deliveries of other tests may still arrive). */
    List<MimeMessage> mailsTo(String address) { return mails().stream().filter(m -> to(m).equals(address)).toList(); }

    MimeMessage awaitMail(String address, int nth) throws InterruptedException {
        await("e-mail " + nth + " to " + address, () -> mailsTo(address).size() >= nth);
        return mailsTo(address).get(nth - 1);
    }

    static String to(MimeMessage m) {
        try {
            return m.getAllRecipients()[0].toString();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String subject(MimeMessage m) {
        try {
            return m.getSubject();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String text(MimeMessage m) {
        try {
            return m.getContent().toString();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    JsonArray messages(String appointmentId) {
        Api.Response r = server.api.get("/api/v1/appointments/" + appointmentId + "/messages", server.token(Role.REGULATOR));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().getJsonArray("messages");
    }

    long sent(String appointmentId, String kind) {
        return messages(appointmentId).stream().map(o -> (JsonObject) o)
                .filter(m -> m.getString("kind").equals(kind) && m.getString("status").equals("sent")).count();
    }

    @Test
    void aConfirmationGoesByEmailAndSmsWithThePlaceTheTimeInParisAndACancelLinkButNoPatientData() throws Exception {
        String effector = server.effector("36044", new JsonObject().put("phone", "02 54 00 00 01"));
        Booking b = book(effector, 180, "AMB", both());
        assertThat(b.view().getJsonObject("patientMessages").getJsonArray("channels")).containsExactly("sms", "email");

        MimeMessage mail = awaitMail("patient@example.org", 1);
        assertThat(mail.getFrom()[0].toString()).contains("ne-pas-repondre@sas36.example.org");
        assertThat(mail.getSubject()).isEqualTo("Rendez-vous médical confirmé aujourd'hui");
        String body = text(mail);
        // 09:00 Paris + 180 min: the time is the patient's, whatever the server's zone
        assertThat(body).contains("Rendez-vous confirmé aujourd'hui à 12h00 avec le Dr Test Effecteur")
                .contains("Cabinet").contains("carte Vitale").contains("02 54 00 00 01")
                .contains("Réf. " + b.view().getString("reference"))
                .contains("accessible en fauteuil roulant")
                .containsPattern("annulez : http://127\\.0\\.0\\.1:\\d+/rdv/" + Pattern.quote(b.appointmentId()) + "\\.\\d+\\.");
        // no patient data: not the initials, the phone or the address, nor the request
        assertThat(body).doesNotContainPattern("(?<![A-Za-z0-9])TP(?![A-Za-z0-9])").doesNotContain("0612345678").doesNotContain("98 76")
                .doesNotContain("patient@example.org");

        await("the SMS", () -> sms.stream().anyMatch(x -> x.getString("text").contains(b.view().getString("reference"))));
        JsonObject s = sms.stream().filter(x -> x.getString("text").contains(b.view().getString("reference"))).findFirst().orElseThrow();
        assertThat(s.getString("to")).isEqualTo("+33698765432");
        assertThat(s.getString("text")).startsWith("Rendez-vous confirmé aujourd'hui à 12h00").contains("carte Vitale")
                .contains("/rdv/" + b.appointmentId() + ".");
        assertThat(s.getString("reference")).startsWith("36:");

        await("both recorded as sent", () -> sent(b.appointmentId(), "confirmation") == 2);
        JsonObject first = messages(b.appointmentId()).getJsonObject(0);
        assertThat(first.getString("channel")).isEqualTo("sms");
        assertThat(first.getString("provider")).isEqualTo("http");
        assertThat(first.getString("sentAt")).endsWith("+01:00");
        // the listing never carries the number, the address or the text
        assertThat(messages(b.appointmentId()).encode()).doesNotContain("98 76").doesNotContain("example.org")
                .doesNotContain("Rendez-vous");
    }

    @Test
    void eachModeSaysWhatThePatientMustDo() throws Exception {
        String effector = server.effector("36044", new JsonObject().put("homeVisitRadiusKm", 15));
        book(effector, 240, "HH", new JsonObject().put("email", "domicile@example.org").put("consent", true));
        assertThat(text(awaitMail("domicile@example.org", 1))).contains("viendra chez vous aujourd'hui vers 13h00")
                .contains("Gardez votre téléphone allumé").doesNotContain("carte Vitale").doesNotContain("Présentez-vous");
        book(effector, 300, "VR", new JsonObject().put("email", "tele@example.org").put("consent", true));
        assertThat(text(awaitMail("tele@example.org", 1))).contains("Téléconsultation confirmée aujourd'hui à 14h00")
                .contains("Le médecin vous appellera").doesNotContain("Présentez-vous").doesNotContain("Cabinet,");
    }

    @Test
    void aFailingSmsProviderIsRetriedAndTheDeliveryShowsItsAttempts() throws Exception {
        String effector = server.effector("36044", null);
        smsFailuresToGo.set(2);
        Booking b = book(effector, 200, "AMB", new JsonObject().put("sms", "0712345678").put("consent", true));
        await("a refused attempt recorded", () -> messages(b.appointmentId()).stream()
                .anyMatch(m -> ((JsonObject) m).getString("status").equals("retrying")));
        await("sent after two failures", () -> sms.size() == 1);
        assertThat(smsAttempts.get()).isEqualTo(3);
        assertThat(sms.get(0).getString("to")).isEqualTo("+33712345678");
        await("recorded", () -> sent(b.appointmentId(), "confirmation") == 1);
        assertThat(messages(b.appointmentId()).getJsonObject(0).getInteger("attempts")).isEqualTo(3);
        Thread.sleep(400); // a retry after delivery would send it twice
        assertThat(sms).hasSize(1);
    }

    @Test
    void thePatientCancelsFromTheirLinkAfterOneConfirmationStepTheSlotIsFreedAndCounted() throws Exception {
        String effector = server.effector("36044", null);
        Booking b = book(effector, 360, "AMB", both().put("email", "annulation@example.org"));
        Matcher link = Pattern.compile("/rdv/(\\S+)").matcher(text(awaitMail("annulation@example.org", 1)));
        assertThat(link.find()).isTrue();
        String token = link.group(1);

        Api.Response page = server.api.get("/rdv/" + token, null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("Votre rendez-vous médical").contains("Annuler ce rendez-vous")
                .contains("carte Vitale").doesNotContainPattern("(?<![A-Za-z0-9])TP(?![A-Za-z0-9])"); // the initials as a word
        Api.Response ask = form("/rdv/" + token, "step=confirm");
        assertThat(ask.body()).contains("Voulez-vous vraiment annuler").contains("Non, je garde mon rendez-vous");
        assertThat(appointment(b.appointmentId()).getString("status")).as("one step only asks").isEqualTo("booked");

        Api.Response done = form("/rdv/" + token, "step=cancel");
        assertThat(done.status()).isEqualTo(200);
        assertThat(done.body()).contains("Votre rendez-vous est annulé").contains("116 117");
        JsonObject a = appointment(b.appointmentId());
        assertThat(a.getString("status")).isEqualTo("cancelled");
        assertThat(a.getString("cancelReason")).isEqualTo("PATIENT");
        assertThat(server.api.get("/api/v1/slots/" + b.slotId(), server.token(Role.REGULATOR)).json().getString("status"))
                .as("the slot goes back to the pool").isEqualTo("free");

        MimeMessage cancellation = awaitMail("annulation@example.org", 2);
        assertThat(cancellation.getSubject()).isEqualTo("Le rendez-vous aujourd'hui est annulé");
        assertThat(text(cancellation)).contains("comme vous l'avez demandé").contains("116 117").doesNotContain("/rdv/");
        await("the cancellation SMS", () -> sms.stream().anyMatch(x -> x.getString("text").contains("annulé")
                && x.getString("text").contains(b.view().getString("reference"))));
        await("recorded", () -> sent(b.appointmentId(), "cancellation") == 2);

        // a second cancellation from the link changes nothing and says so
        assertThat(form("/rdv/" + token, "step=cancel").body()).contains("déjà annulé");
        JsonObject stats = server.api.get("/api/v1/stats/noshow?territory=36&from=2026-12-07&to=2026-12-07",
                server.token(Role.OPS)).json();
        assertThat(stats.getJsonObject("cancellations").getLong("byPatientLink")).isEqualTo(1);
        assertThat(stats.getJsonObject("cancellations").getLong("PATIENT")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aTamperedOrExpiredLinkCancelsNothing() throws Exception {
        String effector = server.effector("36044", null);
        Booking b = book(effector, 120, "AMB", new JsonObject().put("email", "x@example.org").put("consent", true));
        Matcher link = Pattern.compile("/rdv/(\\S+)").matcher(text(awaitMail("x@example.org", 1)));
        assertThat(link.find()).isTrue();
        String[] parts = link.group(1).split("\\.");
        // a later expiry with the old signature, and a feedback link's signature for the same appointment: refused
        Api.Response forged = server.api.post("/api/v1/patient-links/" + parts[0] + "." + (Long.parseLong(parts[1]) + 86_400)
                + "." + parts[2] + "/cancel", null, new JsonObject());
        assertThat(forged.status()).isEqualTo(403);
        String feedbackToken = server.dispatcher.services().feedbackLinks().token(b.appointmentId(), clock.millis() / 1000);
        assertThat(server.api.post("/api/v1/patient-links/" + feedbackToken + "/cancel", null, new JsonObject()).status())
                .isEqualTo(403);
        assertThat(appointment(b.appointmentId()).getString("status")).isEqualTo("booked");
        // the link works until the appointment starts, not after
        clock.advance(Duration.ofMinutes(121));
        Api.Response late = server.api.post("/api/v1/patient-links/" + link.group(1) + "/cancel", null, new JsonObject());
        assertThat(late.status()).isEqualTo(410);
        assertThat(late.code()).isEqualTo("LINK_EXPIRED");
        assertThat(form("/rdv/" + link.group(1), "step=cancel").body()).contains("Lien expiré");
        assertThat(appointment(b.appointmentId()).getString("status")).isEqualTo("booked");
    }

    @Test
    void theReminderComesTheEveningBeforeAndNotAfterACancellation() throws Exception {
        String effector = server.effector("36044", null);
        // tomorrow 10:00 (booked today 09:00): reminder at 18:00 today
        Booking kept = book(effector, 25 * 60, "AMB", new JsonObject().put("email", "demain@example.org").put("consent", true));
        Booking cancelled = book(effector, 25 * 60 + 30, "AMB", new JsonObject().put("email", "annule@example.org").put("consent", true));
        awaitMail("demain@example.org", 1);
        awaitMail("annule@example.org", 1);
        JsonObject listing = server.api.get("/api/v1/appointments/" + kept.appointmentId() + "/messages",
                server.token(Role.REGULATOR)).json();
        assertThat(listing.getJsonObject("reminder").getString("dueAt")).isEqualTo("2026-12-07T18:00:00+01:00");
        assertThat(server.api.post("/api/v1/appointments/" + cancelled.appointmentId() + "/cancel", server.token(Role.REGULATOR),
                new JsonObject().put("reason", "PATIENT")).status()).isEqualTo(200);
        awaitMail("annule@example.org", 2);

        clock.advance(Duration.ofHours(8).plusMinutes(59)); // 17:59: not yet
        server.dispatcher.sendDueReminders();
        Thread.sleep(300);
        assertThat(mailsTo("demain@example.org")).hasSize(1);
        clock.advance(Duration.ofMinutes(2));
        server.dispatcher.sendDueReminders();
        MimeMessage reminder = awaitMail("demain@example.org", 2);
        assertThat(mails().stream().filter(m -> to(m).equals("annule@example.org")).map(m -> subject(m)).toList())
                .as("the cancelled appointment's patient: a confirmation and the cancellation, no reminder")
                .containsExactly("Rendez-vous médical confirmé demain mardi 8 décembre",
                        "Le rendez-vous demain mardi 8 décembre est annulé");
        assertThat(reminder.getSubject()).isEqualTo("Rappel : rendez-vous médical demain mardi 8 décembre");
        assertThat(text(reminder)).contains("Rappel : rendez-vous demain mardi 8 décembre à 10h00").contains("/rdv/");
        server.dispatcher.sendDueReminders();
        Thread.sleep(300);
        assertThat(mailsTo("demain@example.org")).as("one reminder").hasSize(2);
        assertThat(mailsTo("annule@example.org")).as("none for the cancelled appointment").hasSize(2);
        await("recorded", () -> sent(kept.appointmentId(), "reminder") == 1);
        assertThat(server.api.get("/api/v1/appointments/" + kept.appointmentId() + "/messages", server.token(Role.REGULATOR))
                .json().containsKey("reminder")).isFalse();
    }

    @Test
    void aContactWithoutConsentOrMalformedIsRefusedAndBooksNothing() {
        String effector = server.effector("36044", null);
        String slot = server.slot(effector, 150, "AMB", "SNP");
        String request = server.requestId(Role.REGULATOR, "SAS_116117");
        int contactsBefore = server.redis.keys("snp:{36}:contact:*").size();
        record Case(JsonObject contact, int status, String code, String field) {}
        for (Case c : List.of(
                new Case(new JsonObject().put("sms", "0698765432"), 422, "CONSENT_REQUIRED", "patientContact.consent"),
                new Case(new JsonObject().put("sms", "0254000001").put("consent", true), 400, "NOT_A_MOBILE", "patientContact.sms"),
                new Case(new JsonObject().put("sms", "12").put("consent", true), 400, "INVALID_PHONE", "patientContact.sms"),
                new Case(new JsonObject().put("email", "pas-une-adresse").put("consent", true), 400, "INVALID_EMAIL", "patientContact.email"),
                new Case(new JsonObject().put("consent", true), 400, "CONTACT_REQUIRED", "patientContact"),
                new Case(new JsonObject().put("sms", "0698765432").put("consent", "oui"), 400, "INVALID_FIELD", "patientContact.consent"),
                new Case(new JsonObject().put("fax", "0254000001").put("consent", true), 400, "INVALID_FIELD", "patientContact.fax"))) {
            Api.Response r = server.api.send("POST", "/api/v1/appointments", server.token(Role.REGULATOR),
                    new JsonObject().put("slotId", slot).put("requestId", request).put("patientContact", c.contact()),
                    Map.of("Idempotency-Key", UUID.randomUUID().toString()));
            assertThat(r.status()).as(c + " -> " + r).isEqualTo(c.status());
            assertThat(r.code()).isEqualTo(c.code());
            assertThat(r.json().getString("field")).isEqualTo(c.field());
        }
        assertThat(server.api.get("/api/v1/slots/" + slot, server.token(Role.REGULATOR)).json().getString("status")).isEqualTo("free");
        assertThat(server.redis.keys("snp:{36}:contact:*")).hasSize(contactsBefore);
        assertThat(server.api.get("/api/v1/requests/" + request, server.token(Role.REGULATOR)).json().containsKey("appointmentId")).isFalse();
    }

    @Test
    void anotherTenantSeesNeitherTheMessagesNorTheAppointment() throws Exception {
        String effector = server.effector("36044", null);
        Booking b = book(effector, 170, "AMB", new JsonObject().put("email", "t@example.org").put("consent", true));
        String pharmacy = server.token(Role.PHARMACIST, "autre pharmacie", null, java.util.Set.of());
        assertThat(server.api.get("/api/v1/appointments/" + b.appointmentId() + "/messages", pharmacy).status()).isEqualTo(404);
    }

    JsonObject appointment(String id) {
        return server.api.get("/api/v1/appointments/" + id, server.token(Role.REGULATOR)).json();
    }

    Api.Response form(String path, String body) {
        return server.api.send("POST", path, null, body, Map.of("Content-Type", "application/x-www-form-urlencoded"));
    }
}
