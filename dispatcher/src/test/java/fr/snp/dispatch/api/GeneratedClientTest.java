package fr.snp.dispatch.api;

import fr.snp.client.ApiClient;
import fr.snp.client.ApiException;
import fr.snp.client.ApiResponse;
import fr.snp.client.api.AppointmentsApi;
import fr.snp.client.api.RequestsApi;
import fr.snp.client.api.SlotsApi;
import fr.snp.client.model.AOrigin;
import fr.snp.client.model.ANeedInput;
import fr.snp.client.model.APatientInput;
import fr.snp.client.model.Appointment;
import fr.snp.client.model.BookingInput;
import fr.snp.client.model.CancelInput;
import fr.snp.client.model.CareRequest;
import fr.snp.client.model.Hold;
import fr.snp.client.model.HoldInput;
import fr.snp.client.model.NewRequest;
import fr.snp.dispatch.Dispatcher;
import fr.snp.dispatch.config.Settings;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Clock;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The README's regulator walkthrough, through a Java client generated from the contract (openapi.yaml) by a standard
 * generator (openapi-generator, "java" with the JDK's HTTP client; dispatcher/pom.xml makes it at each test build):
 * an integrator who starts from the document alone can file a request, hold the best slot, book it (and replay the
 * booking), be refused a slot already booked, and cancel; against a demo-mode server and its demo tokens.
 */
class GeneratedClientTest {
    private static Dispatcher server;

    @BeforeAll
    static void start() throws Exception {
        server = Dispatcher.start(Settings.defaultsWith(Map.of("redis.url", "", "http.port", "0",
                "redis.embedded.dataDir", Files.createTempDirectory("snp-client").toString())), true, Clock.systemUTC());
    }

    @AfterAll
    static void stop() { server.close(); }

    private static ApiClient as(String token) {
        ApiClient client = new ApiClient();
        client.updateBaseUri("http://127.0.0.1:" + server.port());
        client.setRequestInterceptor(b -> b.header("Authorization", "Bearer " + token));
        return client;
    }

    @Test
    void theRegulatorWalkthroughRunsThroughTheGeneratedClient() throws Exception {
        ApiClient regulator = as("demo-regulator");
        // 1. a 78-year-old patient in Déols, no regular doctor, needs a GP within 24 h
        CareRequest request = new RequestsApi(regulator).requestsCreate(new NewRequest().origin(AOrigin.SAS_116117)
                .patient(new APatientInput().initials("MD").birthYear(1948).phone("06 12 34 56 78").communeInsee("36063")
                        .over70(true).noRegularDoctor(true))
                .need(new ANeedInput().within("PT24H")).limit(5));
        assertThat(request.getCandidates()).isNotEmpty();
        String slot = request.getCandidates().get(0).getSlotId();

        // 2. hold the best slot while on the phone
        Hold hold = new SlotsApi(regulator).slotsHold(slot, new HoldInput().requestId(request.getId()));
        assertThat(hold.getSlotId()).isEqualTo(slot);

        // 3. book it; the same call again (a retry) answers the same appointment, marked as a replay
        AppointmentsApi appointments = new AppointmentsApi(regulator);
        BookingInput booking = new BookingInput().slotId(slot).requestId(request.getId()).holdId(hold.getHoldId());
        ApiResponse<Appointment> booked = appointments.appointmentsBookWithHttpInfo("book-" + request.getId(), booking);
        assertThat(booked.getStatusCode()).isEqualTo(201);
        ApiResponse<Appointment> replay = appointments.appointmentsBookWithHttpInfo("book-" + request.getId(), booking);
        assertThat(replay.getData().getId()).isEqualTo(booked.getData().getId());
        assertThat(replay.getHeaders().get("idempotent-replayed")).containsExactly("true");

        // 4. an OSNP colleague's caller tries the same slot: refused, with the API's error body
        ApiClient osnp = as("demo-osnp");
        CareRequest second = new RequestsApi(osnp).requestsCreate(new NewRequest().origin(AOrigin.OSNP)
                .patient(new APatientInput().initials("AB").birthYear(1990).phone("0611223344").communeInsee("36044")));
        ApiException refused = catchThrowableOfType(ApiException.class, () -> new AppointmentsApi(osnp)
                .appointmentsBook("book-" + second.getId(), new BookingInput().slotId(slot).requestId(second.getId())));
        assertThat(refused.getCode()).isEqualTo(409);
        assertThat(new JsonObject(refused.getResponseBody()).getString("code")).isEqualTo("SLOT_BOOKED");

        // 5. the patient calls back to cancel: the slot goes back to the pool
        Appointment cancelled = appointments.appointmentsCancel(booked.getData().getId(), new CancelInput().reason(CancelInput.ReasonEnum.PATIENT));
        assertThat(cancelled.getStatus()).hasToString("cancelled");
        assertThat(new SlotsApi(regulator).slotsGet(slot).getStatus()).hasToString("free");
    }
}
