package fr.snp.dispatch.booking;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.redis.Keys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** A slot is never booked twice, whatever the interleaving: many real HTTP clients race on a real Redis. */
class BookingRaceTest {
    static TestServer server;

    @BeforeAll
    static void start() throws Exception { server = TestServer.start(); }

    @AfterAll
    static void stop() { server.close(); }

    @Test
    void twoHundredFiftyClientsRaceForOneSlotAndExactlyOneWins() {
        String effector = server.effector("36044", null);
        String slot = server.slot(effector, 120, "AMB", "SNP");
        String token = server.token(Role.REGULATOR);
        List<String> requests = new ArrayList<>();
        for (int i = 0; i < 250; i++) requests.add(server.requestId(Role.REGULATOR, "SAS_116117"));

        List<CompletableFuture<Api.Response>> attempts = new ArrayList<>();
        for (String request : requests) {
            attempts.add(server.api.bookAsync(token, slot, request, null, UUID.randomUUID().toString()));
        }
        List<Api.Response> responses = attempts.stream().map(CompletableFuture::join).toList();

        assertThat(responses).filteredOn(r -> r.status() == 201).hasSize(1);
        assertThat(responses).filteredOn(r -> r.status() != 201)
                .allSatisfy(r -> {
                    assertThat(r.status()).isEqualTo(409);
                    assertThat(r.code()).isEqualTo("SLOT_BOOKED");
                });
        String winner = responses.stream().filter(r -> r.status() == 201).findFirst().orElseThrow().json().getString("id");
        // the server's own data agrees: one appointment for the slot, the slot points at it, the load counted once
        assertThat(appointmentsOf(slot)).containsExactly(winner);
        assertThat(server.redis.hget(Keys.slot("36", slot), "ap")).isEqualTo(winner);
        String week = server.redis.hget(Keys.slot("36", slot), "w");
        assertThat(server.redis.hget(Keys.load("36"), week + ":" + effector + ":s")).isEqualTo("1");
    }

    @Test
    void manyClientsOnManySlotsBookEachSlotAtMostOnce() {
        String token = server.token(Role.OSNP);
        List<String> slots = new ArrayList<>();
        for (int e = 0; e < 8; e++) {
            String effector = server.effector("36088", null);
            for (int k = 0; k < 5; k++) slots.add(server.slot(effector, 60 + k * 30, "AMB", "SNP"));
        }
        Random random = new Random(42);
        List<CompletableFuture<Api.Response>> attempts = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String request = server.requestId(Role.OSNP, "OSNP");
            String slot = slots.get(random.nextInt(slots.size()));
            targets.add(slot);
            attempts.add(server.api.bookAsync(token, slot, request, null, UUID.randomUUID().toString()));
        }
        List<Api.Response> responses = attempts.stream().map(CompletableFuture::join).toList();

        List<String> bookedSlots = responses.stream().filter(r -> r.status() == 201)
                .map(r -> r.json().getJsonObject("slot").getString("id")).toList();
        assertThat(bookedSlots).doesNotHaveDuplicates();
        assertThat(Set.copyOf(bookedSlots)).isEqualTo(Set.copyOf(targets)); // every targeted slot got booked once
        assertThat(responses).filteredOn(r -> r.status() != 201).allSatisfy(r -> assertThat(r.code()).isIn("SLOT_BOOKED",
                "EFFECTOR_CAP_REACHED"));
        for (String slot : Set.copyOf(targets)) assertThat(appointmentsOf(slot)).hasSize(1);
    }

    @Test
    void theSameIdempotencyKeyReplayedConcurrentlyMakesOneAppointment() {
        String effector = server.effector("36044", null);
        String slot = server.slot(effector, 90, "AMB", "SNP");
        String request = server.requestId(Role.REGULATOR, "SAS_116117");
        String token = server.token(Role.REGULATOR);
        String key = UUID.randomUUID().toString();
        List<CompletableFuture<Api.Response>> attempts = new ArrayList<>();
        for (int i = 0; i < 60; i++) attempts.add(server.api.bookAsync(token, slot, request, null, key));
        List<Api.Response> responses = attempts.stream().map(CompletableFuture::join).toList();

        assertThat(responses).allSatisfy(r -> assertThat(r.status()).isEqualTo(201));
        assertThat(responses.stream().map(r -> r.json().getString("id")).collect(Collectors.toSet())).hasSize(1);
        assertThat(responses).filteredOn(r -> r.header("Idempotent-Replayed") == null).hasSize(1);
        assertThat(appointmentsOf(slot)).hasSize(1);

        // the key reused for something else is refused, and the first booking is untouched
        String other = server.slot(effector, 150, "AMB", "SNP");
        Api.Response reused = server.api.book(token, other, request, null, key);
        assertThat(reused.status()).isEqualTo(422);
        assertThat(reused.code()).isEqualTo("IDEMPOTENCY_KEY_REUSED");
        assertThat(server.redis.hget(Keys.slot("36", other), "st")).isEqualTo("f");
    }

    /**
     * A seeded random interleaving of holds, bookings, cancellations and withdrawals, all in flight at once;
     * afterwards Redis must satisfy the invariants of the booking core.
     */
    @Test
    void randomInterleavingsKeepTheBookingInvariants() {
        Random random = new Random(20261123);
        String token = server.token(Role.COORDINATOR);
        List<String> slots = new ArrayList<>();
        for (int e = 0; e < 4; e++) {
            String effector = server.effector("36046", null);
            for (int k = 0; k < 6; k++) slots.add(server.slot(effector, 45 + k * 25, "AMB", "SNP", "CPTS"));
        }
        List<String> requests = new ArrayList<>();
        for (int i = 0; i < 120; i++) requests.add(server.requestId(Role.COORDINATOR, "NURSE"));

        for (int round = 0; round < 3; round++) {
            List<CompletableFuture<Api.Response>> inFlight = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                String slot = slots.get(random.nextInt(slots.size()));
                String request = requests.get(random.nextInt(requests.size()));
                int op = random.nextInt(10);
                if (op < 5) {
                    inFlight.add(server.api.bookAsync(token, slot, request, null, UUID.randomUUID().toString()));
                } else if (op < 7) {
                    inFlight.add(server.api.sendAsync("POST", "/api/v1/slots/" + slot + "/hold", token,
                            new io.vertx.core.json.JsonObject().put("requestId", request), Map.of()));
                } else if (op < 9) {
                    String appt = server.redis.hget(Keys.slot("36", slot), "ap");
                    if (appt != null) inFlight.add(server.api.sendAsync("POST", "/api/v1/appointments/" + appt + "/cancel",
                            token, "{}", Map.of()));
                } else {
                    inFlight.add(server.api.sendAsync("DELETE", "/api/v1/slots/" + slot, token, null, Map.of()));
                }
            }
            inFlight.forEach(f -> assertThat(f.join().status()).isLessThan(500));
        }

        Map<String, Integer> bookedPerEffectorWeek = new HashMap<>();
        Set<String> bookedAppointments = new HashSet<>();
        for (String slot : slots) {
            Map<String, String> h = server.redis.hgetall(Keys.slot("36", slot));
            List<String> live = appointmentsOf(slot).stream()
                    .filter(a -> "booked".equals(server.redis.hget(Keys.appointment("36", a), "status"))).toList();
            if (h.get("st").equals("b")) {
                assertThat(live).as("booked slot %s has exactly one live appointment", slot).containsExactly(h.get("ap"));
                bookedAppointments.add(h.get("ap"));
                bookedPerEffectorWeek.merge(h.get("w") + ":" + SlotState.fromHash(slot, h).effectorId(), 1, Integer::sum);
            } else {
                assertThat(live).as("free or withdrawn slot %s has no live appointment", slot).isEmpty();
            }
        }
        // every request has at most one live appointment, and it is the one the request points at
        for (String request : requests) {
            String ap = server.redis.hget(Keys.request("36", request), "appointment");
            if (ap != null) assertThat(bookedAppointments).contains(ap);
        }
        // the weekly load counters equal the live bookings
        bookedPerEffectorWeek.forEach((weekEffector, n) ->
                assertThat(server.redis.hget(Keys.load("36"), weekEffector + ":a")).isEqualTo(String.valueOf(n)));
        // and the index of the server agrees with Redis
        for (String slot : slots) {
            var state = server.dispatcher.services().index().slot(slot);
            String st = server.redis.hget(Keys.slot("36", slot), "st");
            if (st.equals("c")) assertThat(state).isNull();
            else assertThat(state.status().code).isEqualTo(st);
        }
    }

    private static List<String> appointmentsOf(String slot) {
        List<String> ids = new ArrayList<>();
        for (String key : server.redis.keys(Keys.appointment("36", "*").replace("{", "\\{").replace("}", "\\}"))) {
            if (slot.equals(server.redis.hget(key, "slot"))) ids.add(server.redis.hget(key, "id"));
        }
        return ids;
    }
}
