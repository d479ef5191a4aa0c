package fr.snp.dispatch.redis;

import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.auth.Reach;
import fr.snp.dispatch.booking.Bookings;
import fr.snp.dispatch.booking.FeedbackFollowUp;
import fr.snp.dispatch.booking.Publishing;
import fr.snp.dispatch.coordination.DoctorRequests;
import fr.snp.dispatch.directory.EffectorStore;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.domain.Origin;
import fr.snp.dispatch.domain.OutcomeType;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.requests.Requests;
import fr.snp.dispatch.waiting.WaitingList;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The second line of defence: each script refuses a caller of another tenant by itself, whatever Java decided.
 * The scripts are called here directly with the tenancy arguments of a foreign caller (what a bug in a handler
 * could pass), and must refuse and change nothing.
 */
class TenancyInLuaTest {
    static TestServer server;
    static RedisClient client;
    static StatefulRedisConnection<String, String> connection;
    static RedisAsyncCommands<String, String> redis;
    static String effector;
    static String slot;
    static String request;
    static String appointment;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        client = RedisClient.create(server.redisServer.url());
        connection = client.connect();
        redis = connection.async();
        effector = server.effector("36044", null);
        slot = server.slot(effector, 120, "AMB", "SNP", "PUBLIC");
        request = server.requestId(Role.PHARMACIST, "PHARMACIST");
        String other = server.slot(effector, 150, "AMB", "SNP", "PUBLIC");
        appointment = server.api.book(server.token(Role.PHARMACIST), other, server.requestId(Role.PHARMACIST, "PHARMACIST"),
                null, UUID.randomUUID().toString()).json().getString("id");
    }

    @AfterAll
    static void stop() {
        connection.close();
        client.shutdown();
        server.close();
    }

    static <C extends Record> List<Object> run(LuaScript<C> script, C call) throws Exception {
        return script.<List<Object>>run(redis, ScriptOutputType.MULTI, call).toCompletableFuture().get();
    }

    static LuaScript<?> script(List<LuaScript<?>> scripts, String name) {
        return scripts.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    static <C extends Record> LuaScript<C> typed(List<LuaScript<?>> scripts, String name) { return (LuaScript<C>) script(scripts, name); }

    static final Set<String> VENDEE = Set.of("85");
    static final Set<String> INDRE = Set.of("36");

    @Test
    void holdAndBookRefuseAnotherTerritoryAndAnotherOrganisation() throws Exception {
        Map<String, String> before = server.redis.hgetall(Keys.slot("36", slot));
        LuaScript<Bookings.HoldCall> hold = typed(Bookings.scripts(), "hold.lua");
        for (var caller : List.of(new Object[]{VENDEE, "PHARMACIE-TEST", Reach.ORG, "SLOT_NOT_FOUND"},
                new Object[]{INDRE, "PHARMACIE-AUTRE", Reach.ORG, "REQUEST_NOT_FOUND"},
                new Object[]{INDRE, "CPTS-AUTRE", Reach.CPTS, "REQUEST_NOT_FOUND"})) {
            @SuppressWarnings("unchecked") Set<String> territories = (Set<String>) caller[0];
            List<Object> r = run(hold, new Bookings.HoldCall(Keys.slot("36", slot), Keys.hold("36", slot), Keys.request("36", request),
                    Keys.events("36"), Keys.requestHold("36", request), Keys.slot("36", slot), Keys.hold("36", slot),
                    Keys.principalHolds("36", "x"), slot, "Hx", request, 60_000, "", 15, 1000, "", 5, territories, (String) caller[1], (Reach) caller[2]));
            assertThat(r.get(0)).as("hold by %s %s", caller[1], caller[2]).isEqualTo(caller[3]);
        }
        LuaScript<Bookings.BookCall> book = typed(Bookings.scripts(), "book.lua");
        String appt = Ids.appointment("36", System.currentTimeMillis());
        List<Object> r = run(book, bookCall(slot, appt, request, "k1", "PHARMACIE-AUTRE"));
        assertThat(r.get(0)).isEqualTo("REQUEST_NOT_FOUND");
        assertThat(server.redis.exists(Keys.appointment("36", appt))).isZero();
        assertThat(server.redis.hgetall(Keys.slot("36", slot))).isEqualTo(before);
        // the same call as the pharmacy that filed the request books: the refusals above are about the caller only
        r = run(book, bookCall(slot, appt, request, "k2", "PHARMACIE-TEST"));
        assertThat(r.get(0)).isEqualTo("OK");
    }

    /** book.lua called directly as a pharmacy of Indre (no patient contact). */
    private static Bookings.BookCall bookCall(String slot, String appt, String request, String idempotencyKey, String org) {
        return new Bookings.BookCall(Keys.slot("36", slot), Keys.hold("36", slot), Keys.appointment("36", appt),
                Keys.idempotency("36", "x", idempotencyKey), Keys.request("36", request), Keys.load("36"), Keys.events("36"),
                Keys.stats("36", "20261130"), Keys.stats("36", "20261130"), Keys.outbox("36"), Keys.awaitingFeedback("36"),
                Keys.reminders("36"), Keys.references("36"), Keys.patientContact("36", appt), Keys.patientMessages("36", appt),
                Keys.patientReminders("36"), Keys.waiting("36"), Keys.principalHolds("36", "x"), Keys.sasOutbox("36"), slot, appt, request, "", slot + "/" + request, "", 15, 20, "x", 60, 1000, "10",
                Set.of("CPTS-TEST"), 3600, "36-TEST-0000", "", "", 60, "", 0, INDRE, org, Reach.ORG, false);
    }

    @Test
    void appointmentsAreReachedByTheirTenantsOnly() throws Exception {
        LuaScript<Bookings.CancelCall> cancel = typed(Bookings.scripts(), "cancel.lua");
        String slotOfAppt = server.redis.hget(Keys.appointment("36", appointment), "slot");
        String requestOfAppt = server.redis.hget(Keys.appointment("36", appointment), "request");
        for (Object[] caller : List.of(new Object[]{VENDEE, "SAS-85", Reach.TERRITORY}, new Object[]{INDRE, "PHARMACIE-AUTRE", Reach.ORG},
                new Object[]{INDRE, "36-E999", Reach.EFFECTOR}, new Object[]{INDRE, "CPTS-AUTRE", Reach.CPTS})) {
            @SuppressWarnings("unchecked") Set<String> territories = (Set<String>) caller[0];
            List<Object> r = run(cancel, new Bookings.CancelCall(Keys.appointment("36", appointment), Keys.slot("36", slotOfAppt),
                    Keys.request("36", requestOfAppt), Keys.load("36"), Keys.events("36"), Keys.stats("36", "20261130"),
                    Keys.stats("36", "20261130"), Keys.outbox("36"), Keys.awaitingFeedback("36"), Keys.reminders("36"),
                    Keys.patientContact("36", appointment), Keys.patientMessages("36", appointment), Keys.patientReminders("36"),
                    Keys.sasOutbox("36"), appointment, "", "PATIENT", "x", 1000, territories, (String) caller[1], (Reach) caller[2]));
            assertThat(r.get(0)).as("cancel by %s", caller[1]).isEqualTo("APPOINTMENT_NOT_FOUND");
            LuaScript<Bookings.FeedbackCall> feedback = typed(Bookings.scripts(), "feedback.lua");
            r = run(feedback, new Bookings.FeedbackCall(Keys.appointment("36", appointment), Keys.stats("36", "20261130"),
                    Keys.awaitingFeedback("36"), Keys.reminders("36"), Keys.sasOutbox("36"), appointment, "cancelled", "", "", "x", territories,
                    (String) caller[1], (Reach) caller[2]));
            assertThat(r.get(0)).as("feedback by %s", caller[1]).isEqualTo("APPOINTMENT_NOT_FOUND");
            LuaScript<Bookings.ReadAppointmentCall> read = typed(Bookings.scripts(), "read_appointment.lua");
            assertThat(run(read, new Bookings.ReadAppointmentCall(Keys.appointment("36", appointment), territories,
                    (String) caller[1], (Reach) caller[2]))).as("read by %s", caller[1]).isEmpty();
        }
        assertThat(server.redis.hget(Keys.appointment("36", appointment), "status")).isEqualTo("booked");
        // its effector, its CPTS' coordinator and the SAS of Indre reach it
        LuaScript<Bookings.ReadAppointmentCall> read = typed(Bookings.scripts(), "read_appointment.lua");
        for (Object[] caller : List.of(new Object[]{effector, Reach.EFFECTOR}, new Object[]{"CPTS-TEST", Reach.CPTS},
                new Object[]{"SAS-36", Reach.TERRITORY}, new Object[]{"PHARMACIE-TEST", Reach.ORG})) {
            assertThat(run(read, new Bookings.ReadAppointmentCall(Keys.appointment("36", appointment), INDRE, (String) caller[0],
                    (Reach) caller[1]))).as("read by %s", caller[0]).isNotEmpty();
        }
    }

    @Test
    void theFollowUpOfFeedbackRefusesAnotherTenant() throws Exception {
        // "Relancer", "Clore" and "Annuler ma réponse", called by foreign callers on the pharmacy's appointment
        LuaScript<FeedbackFollowUp.RemindCall> remind = typed(FeedbackFollowUp.scripts(), "resend_reminder.lua");
        LuaScript<FeedbackFollowUp.CloseCall> close = typed(FeedbackFollowUp.scripts(), "close_feedback.lua");
        LuaScript<FeedbackFollowUp.UndoCall> undo = typed(FeedbackFollowUp.scripts(), "undo_feedback.lua");
        String key = Keys.appointment("36", appointment);
        Map<String, String> before = server.redis.hgetall(key);
        long outbox = server.redis.xlen(Keys.outbox("36"));
        Map<String, String> stats = server.redis.hgetall(Keys.stats("36", "20261130"));
        for (Object[] caller : List.of(new Object[]{VENDEE, "SAS-85", Reach.TERRITORY}, new Object[]{INDRE, "PHARMACIE-AUTRE", Reach.ORG},
                new Object[]{INDRE, "36-E999", Reach.EFFECTOR}, new Object[]{INDRE, "CPTS-AUTRE", Reach.CPTS})) {
            @SuppressWarnings("unchecked") Set<String> territories = (Set<String>) caller[0];
            String org = (String) caller[1];
            Reach reach = (Reach) caller[2];
            assertThat(run(remind, new FeedbackFollowUp.RemindCall(key, Keys.outbox("36"), appointment, "", 0, "x", territories,
                    org, reach)).get(0)).as("reminder by %s", org).isEqualTo("APPOINTMENT_NOT_FOUND");
            assertThat(run(close, new FeedbackFollowUp.CloseCall(key, Keys.stats("36", "20261130"), Keys.awaitingFeedback("36"),
                    Keys.reminders("36"), appointment, "", "x", territories, org, reach)).get(0)).as("close by %s", org)
                    .isEqualTo("APPOINTMENT_NOT_FOUND");
            assertThat(run(undo, new FeedbackFollowUp.UndoCall(key, Keys.stats("36", "20261130"), Keys.awaitingFeedback("36"),
                    Keys.reminders("36"), Keys.sasOutbox("36"), appointment, "", 300_000, 86_400, "x", territories, org, reach)).get(0))
                    .as("undo by %s", org).isEqualTo("APPOINTMENT_NOT_FOUND");
        }
        assertThat(server.redis.hgetall(key)).isEqualTo(before);
        assertThat(server.redis.xlen(Keys.outbox("36"))).isEqualTo(outbox);
        assertThat(server.redis.hgetall(Keys.stats("36", "20261130"))).isEqualTo(stats);
        // the CPTS' coordinator reaches it: refused for the appointment's state only (it has not ended yet)
        assertThat(run(close, new FeedbackFollowUp.CloseCall(key, Keys.stats("36", "20261130"), Keys.awaitingFeedback("36"),
                Keys.reminders("36"), appointment, "", "x", INDRE, "CPTS-TEST", Reach.CPTS)).get(0)).isEqualTo("NOT_AWAITING_FEEDBACK");
    }

    @Test
    void requestsEffectorsSlotsAndDoctorRequestsToo() throws Exception {
        LuaScript<Requests.OutcomeCall> outcome = typed(Requests.scripts(), "set_outcome.lua");
        assertThat(run(outcome, new Requests.OutcomeCall(Keys.request("36", request), Keys.stats("36", "20261130"), Keys.waiting("36"), request, OutcomeType.ADVICE,
                "{}", "", "x", false, INDRE, "PHARMACIE-AUTRE", Reach.ORG)).get(0)).isEqualTo("REQUEST_NOT_FOUND");
        LuaScript<WaitingList.WaitCall> wait = typed(WaitingList.scripts(), "wait.lua");
        assertThat(run(wait, new WaitingList.WaitCall(Keys.request("36", request), Keys.waiting("36"), request,
                System.currentTimeMillis() + 3_600_000, "", "x", INDRE, "PHARMACIE-AUTRE", Reach.ORG)).get(0)).isEqualTo("REQUEST_NOT_FOUND");
        LuaScript<WaitingList.LeaveCall> leave = typed(WaitingList.scripts(), "leave.lua");
        assertThat(run(leave, new WaitingList.LeaveCall(Keys.request("36", request), Keys.waiting("36"), request, VENDEE,
                "SAS-85", Reach.TERRITORY)).get(0)).isEqualTo("REQUEST_NOT_FOUND");
        assertThat(server.redis.exists(Keys.waiting("36"))).isZero();
        LuaScript<Requests.ReadCall> readRequest = typed(Requests.scripts(), "read_request.lua");
        assertThat(run(readRequest, new Requests.ReadCall(Keys.request("36", request), VENDEE, "SAS-85", Reach.TERRITORY))).isEmpty();
        assertThat(server.redis.hexists(Keys.request("36", request), "outcome")).isFalse();
        LuaScript<Requests.CreateCall> create = typed(Requests.scripts(), "create_request.lua");
        String id = Ids.request("36", System.currentTimeMillis());
        assertThat(run(create, new Requests.CreateCall(Keys.request("36", id), Keys.stats("36", "20261130"),
                Keys.patientRequests("36", "abc"), "36", id, Origin.SAS_116117,
                true, "x", "SAS-85", System.currentTimeMillis(), "{}", "{}", 60, VENDEE, "SAS-85", Reach.TERRITORY)).get(0))
                .isEqualTo("OUTSIDE_TERRITORY");
        assertThat(server.redis.exists(Keys.request("36", id))).isZero();

        // slots of an effector are published and withdrawn by the effector or its CPTS' coordinator only
        LuaScript<Publishing.WithdrawCall> withdraw = typed(Publishing.scripts(), "withdraw.lua");
        String free = server.slot(effector, 180, "AMB", "SNP");
        for (Object[] caller : List.of(new Object[]{"CPTS-AUTRE", Reach.CPTS}, new Object[]{"36-E999", Reach.EFFECTOR},
                new Object[]{"PHARMACIE-TEST", Reach.ORG})) {
            assertThat(run(withdraw, new Publishing.WithdrawCall(Keys.slot("36", free), Keys.hold("36", free), Keys.events("36"),
                    Keys.stats("36", "20261130"), Keys.effectors("36"), free, 1000, INDRE, (String) caller[0], (Reach) caller[1]))
                    .get(0)).as("withdraw by %s", caller[0]).isEqualTo("NOT_YOUR_EFFECTOR");
        }
        assertThat(run(withdraw, new Publishing.WithdrawCall(Keys.slot("36", free), Keys.hold("36", free), Keys.events("36"),
                Keys.stats("36", "20261130"), Keys.effectors("36"), free, 1000, VENDEE, "CPTS-TEST", Reach.CPTS)).get(0))
                .isEqualTo("SLOT_NOT_FOUND");
        assertThat(server.redis.hget(Keys.slot("36", free), "st")).isEqualTo("f");
        assertThat(run(withdraw, new Publishing.WithdrawCall(Keys.slot("36", free), Keys.hold("36", free), Keys.events("36"),
                Keys.stats("36", "20261130"), Keys.effectors("36"), free, 1000, INDRE, "CPTS-TEST", Reach.CPTS)).get(0))
                .isEqualTo("OK");

        LuaScript<EffectorStore.CreateCall> createEffector = typed(EffectorStore.scripts(), "create_effector.lua");
        String json = new JsonObject().put("id", "__ID__").put("cpts", new io.vertx.core.json.JsonArray().add("CPTS-TEST")).encode();
        assertThat(run(createEffector, new EffectorStore.CreateCall(Keys.rppsIndex("36"), Keys.sequence("36"), Keys.effectors("36"),
                Keys.events("36"), Keys.webhookSecrets("36"), "10000000008", "36", json, 1000, "", INDRE, "CPTS-AUTRE", Reach.CPTS))
                .get(0)).isEqualTo("NOT_YOUR_EFFECTOR");
        assertThat(run(createEffector, new EffectorStore.CreateCall(Keys.rppsIndex("36"), Keys.sequence("36"), Keys.effectors("36"),
                Keys.events("36"), Keys.webhookSecrets("36"), "10000000008", "36", json, 1000, "", VENDEE, "CPTS-TEST", Reach.CPTS))
                .get(0)).isEqualTo("TERRITORY_NOT_SERVED");
        assertThat(server.redis.hexists(Keys.rppsIndex("36"), "10000000008")).isFalse();
        LuaScript<EffectorStore.RotateCall> rotate = typed(EffectorStore.scripts(), "rotate_webhook_secret.lua");
        assertThat(run(rotate, new EffectorStore.RotateCall(Keys.effectors("36"), Keys.webhookSecrets("36"), effector, "whsec_x",
                INDRE, "CPTS-AUTRE", Reach.CPTS)).get(0)).isEqualTo("NOT_YOUR_EFFECTOR");
        assertThat(server.redis.hexists(Keys.webhookSecrets("36"), effector)).isFalse();

        String followed = server.api.post("/api/v1/doctor-requests", server.token(Role.COORDINATOR), new JsonObject().put("patient",
                new JsonObject().put("initials", "MT").put("birthYear", 1940).put("phone", "0611223344").put("communeInsee", "36044")
                        .put("ald", true))).json().getString("id");
        LuaScript<DoctorRequests.UpdateCall> update = typed(DoctorRequests.scripts(), "update_doctor_request.lua");
        assertThat(run(update, new DoctorRequests.UpdateCall(Keys.doctorRequest("36", followed), fr.snp.dispatch.coordination.DoctorRequest.Status.CLOSED,
                "", "", "x", INDRE, "CPTS-AUTRE", Reach.CPTS)).get(0)).isEqualTo("DOCTOR_REQUEST_NOT_FOUND");
        assertThat(run(update, new DoctorRequests.UpdateCall(Keys.doctorRequest("36", followed), fr.snp.dispatch.coordination.DoctorRequest.Status.CLOSED,
                "", "", "x", VENDEE, "CPTS-TEST", Reach.CPTS)).get(0)).isEqualTo("DOCTOR_REQUEST_NOT_FOUND");
        assertThat(server.redis.hget(Keys.doctorRequest("36", followed), "status")).isEqualTo("OPEN");
        LuaScript<DoctorRequests.ListCall> list = typed(DoctorRequests.scripts(), "list_doctor_requests.lua");
        assertThat(run(list, new DoctorRequests.ListCall(Keys.doctorRequests("36"), Keys.doctorRequest("36", ""), "", VENDEE,
                "CPTS-TEST", Reach.CPTS))).isEmpty();
        assertThat(run(list, new DoctorRequests.ListCall(Keys.doctorRequests("36"), Keys.doctorRequest("36", ""), "", INDRE,
                "CPTS-AUTRE", Reach.CPTS))).isEmpty();
        assertThat(run(list, new DoctorRequests.ListCall(Keys.doctorRequests("36"), Keys.doctorRequest("36", ""), "", INDRE,
                "CPTS-TEST", Reach.CPTS))).hasSize(1);
    }
}
