package fr.snp.dispatch.api;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every route × every role it allows × the object it acts on: of the principal's own territory and organisation,
 * of another territory (85, which the principal does not serve), of another organisation in its territory. An id
 * of another tenant answers 404 (it is not confirmed to exist), a ?territory= not served 403, a patient of another
 * territory 422; an object of another organisation is reached by a SAS desk (its reach is the territory) and by
 * nobody else. The walk covers the route table: a route added without a case here fails the test.
 */
class TenancyTest {
    private static final java.util.concurrent.atomic.AtomicInteger SUPERNUMERARY = new java.util.concurrent.atomic.AtomicInteger();
    enum Target { OWN, OTHER_TERRITORY, OTHER_ORG }

    static TestServer server;
    /** The principal of each role under test: serves 36, its organisation is the standard one (an effector: E36). */
    static final Map<Role, String> me = new EnumMap<>(Role.class);
    /** The same roles in Vendée (85): they own the objects of "another territory". */
    static final Map<Role, String> vendee = new EnumMap<>(Role.class);
    /** Other organisations of Indre: another pharmacy, another CPTS (with its own effector). */
    static String otherPharmacy;
    static String otherCoordinator;
    static String e36;       // an effector of CPTS-TEST (the coordinator under test manages it)
    static String e36other;  // an effector of CPTS-OTHER
    static String e85;       // an effector in Vendée
    static final AtomicInteger minutes = new AtomicInteger();
    static final Map<Role, String> ORIGIN = Map.of(Role.REGULATOR, "SAS_116117", Role.OSNP, "OSNP", Role.PHARMACIST,
            "PHARMACIST", Role.EMERGENCY, "EMERGENCY_DEPT", Role.COORDINATOR, "NURSE");

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        for (Role r : Role.values()) {
            vendee.put(r, server.token(r, "Vendée " + r.wireName(), Set.of("85"), switch (r) {
                case REGULATOR, OSNP -> "SAS-85";
                case COORDINATOR -> "CPTS-85";
                case PHARMACIST -> "PHARMACIE-85";
                case EMERGENCY -> "CH-85";
                case EFFECTOR -> "85-E999999";
                case OPS -> "OPS-85";
                case DPO -> "DPO-85";
            }, Set.of("CPTS-85")));
        }
        otherPharmacy = server.token(Role.PHARMACIST, "Autre pharmacie", "PHARMACIE-AUTRE", Set.of());
        otherCoordinator = server.token(Role.COORDINATOR, "Autre CPTS", "CPTS-OTHER", Set.of("CPTS-OTHER"));
        e36 = server.effector("36044", new JsonObject().put("supernumeraryDailyCap", 10).put("weeklySasCap", 100));
        e36other = effector(otherCoordinator, "36088", "CPTS-OTHER");
        e85 = effector(vendee.get(Role.COORDINATOR), "85191", "CPTS-85");
        me.putAll(server.tokens);
        me.put(Role.EFFECTOR, server.token(Role.EFFECTOR, "Dr E36", e36, Set.of("CPTS-TEST")));
    }

    @AfterAll
    static void stop() { server.close(); }

    // --- fixtures, made through the API by their owners ------------------------------------------------------------

    static String effector(String coordinatorToken, String insee, String cpts) {
        String rpps = fr.snp.dispatch.domain.Rpps.withCheckDigit(String.format("17%08d", 1000 + minutes.incrementAndGet()));
        JsonObject body = new JsonObject().put("rpps", rpps).put("firstName", "T").put("lastName", "E" + rpps)
                .put("cpts", new JsonArray().add(cpts)).put("weeklySasCap", 100) // the matrix books them many times a week
                .put("locations", new JsonArray().add(new JsonObject().put("communeInsee", insee).put("accessible", true)));
        Api.Response r = server.api.post("/api/v1/effectors", coordinatorToken, body);
        assertThat(r.status()).as("effector %s", r).isEqualTo(201);
        return r.json().getString("id");
    }

    /** The coordinator that manages an effector (publishes its slots). */
    static String coordinatorOf(String effectorId) {
        if (effectorId.equals(e36other)) return otherCoordinator;
        if (effectorId.startsWith("85-")) return vendee.get(Role.COORDINATOR);
        return server.token(Role.COORDINATOR);
    }

    /** A fresh free slot of an effector, visible to every audience, each at its own minute. */
    static String slot(String effectorId) {
        Instant now = Instant.ofEpochMilli(server.dispatcher.services().nowMs()).truncatedTo(ChronoUnit.MINUTES);
        var start = now.plusSeconds(3600 + 60L * 17 * minutes.incrementAndGet()).atZone(ZoneId.of("Europe/Paris")).toOffsetDateTime();
        JsonObject body = new JsonObject().put("effectorId", effectorId).put("start", start.toString())
                .put("end", start.plusMinutes(15).toString())
                .put("audiences", new JsonArray().add("PUBLIC").add("PRO").add("SNP").add("CPTS"));
        Api.Response r = server.api.post("/api/v1/slots", coordinatorOf(effectorId), body);
        assertThat(r.status()).as("slot %s", r).isEqualTo(201);
        return r.json().getString("id");
    }

    static String request(String token, String origin, String insee) {
        JsonObject body = new JsonObject().put("origin", origin).put("patient", new JsonObject().put("initials", "TT")
                .put("birthYear", 1950).put("phone", "0612345678").put("communeInsee", insee)).put("need", new JsonObject()
                .put("within", "P2D"));
        Api.Response r = server.api.post("/api/v1/requests", token, body);
        assertThat(r.status()).as("request %s", r).isEqualTo(201);
        return r.json().getString("id");
    }

    static String book(String token, String slot, String request) {
        Api.Response r = server.api.book(token, slot, request, null, UUID.randomUUID().toString());
        assertThat(r.status()).as("booking %s", r).isEqualTo(201);
        return r.json().getString("id");
    }

    /** The token of a role that files requests for {@code role}'s objects: an effector's are booked by the SAS. */
    static String filer(Role role) { return role == Role.EFFECTOR || role == Role.OPS ? me.get(Role.REGULATOR) : me.get(role); }

    static String filerOrigin(Role role) { return ORIGIN.getOrDefault(role, "SAS_116117"); }

    /** A request of the target's tenant, as the role under test would meet it. */
    static String requestOf(Role role, Target t) {
        return switch (t) {
            case OWN -> request(filer(role), filerOrigin(role), "36044");
            case OTHER_TERRITORY -> request(vendee.get(Role.REGULATOR), "SAS_116117", "85191");
            case OTHER_ORG -> request(otherPharmacy, "PHARMACIST", "36088");
        };
    }

    /** A booked appointment of the target's tenant. */
    static String appointmentOf(Role role, Target t) {
        return switch (t) {
            case OWN -> book(filer(role), slot(e36), request(filer(role), filerOrigin(role), "36044"));
            case OTHER_TERRITORY -> book(vendee.get(Role.REGULATOR), slot(e85), request(vendee.get(Role.REGULATOR), "SAS_116117", "85191"));
            case OTHER_ORG -> book(otherPharmacy, slot(e36other), request(otherPharmacy, "PHARMACIST", "36088"));
        };
    }

    static String effectorOf(Target t) {
        return switch (t) {
            case OWN -> e36;
            case OTHER_TERRITORY -> e85;
            case OTHER_ORG -> e36other;
        };
    }

    static String doctorRequestOf(Target t) {
        String token = switch (t) {
            case OWN -> server.token(Role.COORDINATOR);
            case OTHER_TERRITORY -> vendee.get(Role.COORDINATOR);
            case OTHER_ORG -> otherCoordinator;
        };
        JsonObject body = new JsonObject().put("patient", new JsonObject().put("initials", "MT").put("birthYear", 1940)
                .put("phone", "0611223344").put("communeInsee", t == Target.OTHER_TERRITORY ? "85191" : "36044").put("over70", true));
        Api.Response r = server.api.post("/api/v1/doctor-requests", token, body);
        assertThat(r.status()).as("doctor request %s", r).isEqualTo(201);
        return r.json().getString("id");
    }

    static String territoryOf(Target t) { return t == Target.OTHER_TERRITORY ? "85" : "36"; }

    // --- what each answer must be -----------------------------------------------------------------------------------

    /** Reached: the role's own objects, or another organisation's for a SAS desk (and ops). */
    static boolean reachesOtherOrg(Role r) { return r == Role.REGULATOR || r == Role.OSNP || r == Role.OPS; }

    static void allowed(Api.Response r, String what) {
        assertThat(r.status()).as(what + " → " + r).isBetween(200, 299);
    }

    static void hidden(Api.Response r, String what) {
        assertThat(r.status()).as(what + " → " + r).isEqualTo(404);
        assertThat(r.code()).as(what).endsWith("_NOT_FOUND");
    }

    static void notServed(Api.Response r, String what) {
        assertThat(r.status()).as(what + " → " + r).isEqualTo(403);
        assertThat(r.code()).as(what).isEqualTo("TERRITORY_NOT_SERVED");
        assertThat(r.json().getString("message")).as(what).contains("36");
    }

    /** Allowed, or hidden when the object belongs to another tenant this role does not reach. */
    static void byReach(Api.Response r, Role role, Target t, String what) {
        if (t == Target.OWN || (t == Target.OTHER_ORG && reachesOtherOrg(role))) allowed(r, what);
        else hidden(r, what);
    }

    // --- the walk ---------------------------------------------------------------------------------------------------

    @Test
    void everyRouteEveryRoleEveryTenant() throws Exception {
        List<ApiRouter.Route> routes = ApiRouter.declaredRoutes(server.dispatcher.vertx(), server.dispatcher.services());
        Set<String> walked = new HashSet<>();
        int checks = 0;
        for (ApiRouter.Route route : routes) {
            for (Role role : route.roles()) {
                for (Target t : Target.values()) {
                    String what = route.method() + " " + route.path() + " as " + role + " on " + t;
                    if (check(route, role, t, me.get(role), what)) checks++;
                }
            }
            walked.add(route.method() + " " + route.path());
        }
        assertThat(walked).hasSize(routes.size());
        assertThat(checks).as("checks made").isGreaterThan(200);
    }

    /** One route, one role, one target: returns false when the combination does not apply. */
    private boolean check(ApiRouter.Route route, Role role, Target t, String token, String what) {
        String key = route.method() + " " + route.path();
        String territory = territoryOf(t);
        switch (key) {
            case "POST /api/v1/effectors" -> {
                String insee = t == Target.OTHER_TERRITORY ? "85191" : "36044";
                String cpts = t == Target.OTHER_ORG ? "CPTS-OTHER" : "CPTS-TEST";
                String rpps = fr.snp.dispatch.domain.Rpps.withCheckDigit(String.format("16%08d", minutes.incrementAndGet()));
                Api.Response r = server.api.post("/api/v1/effectors", token, new JsonObject().put("rpps", rpps)
                        .put("firstName", "N").put("lastName", "N").put("cpts", new JsonArray().add(cpts))
                        .put("locations", new JsonArray().add(new JsonObject().put("communeInsee", insee))));
                switch (t) {
                    case OWN -> assertThat(r.status()).as(what + " " + r).isEqualTo(201);
                    case OTHER_TERRITORY -> notServed(r, what);
                    case OTHER_ORG -> assertThat(r.code()).as(what + " " + r).isEqualTo("NOT_YOUR_EFFECTOR");
                }
            }
            case "GET /api/v1/effectors" -> {
                Api.Response r = server.api.get("/api/v1/effectors?territory=" + territory, token);
                if (t == Target.OTHER_TERRITORY) { notServed(r, what); break; }
                allowed(r, what);
                List<String> ids = r.json().getJsonArray("effectors").stream().map(o -> ((JsonObject) o).getString("id")).toList();
                // a coordinator lists its own CPTS' effectors; a SAS the whole territory
                if (t == Target.OWN) assertThat(ids).as(what).contains(e36);
                else if (role == Role.COORDINATOR) assertThat(ids).as(what).doesNotContain(e36other);
                else assertThat(ids).as(what).contains(e36other);
            }
            case "GET /api/v1/effectors/:id" -> {
                Api.Response r = server.api.get("/api/v1/effectors/" + effectorOf(t), token);
                boolean sees = t == Target.OWN || (t == Target.OTHER_ORG && role != Role.COORDINATOR && role != Role.EFFECTOR);
                if (sees) allowed(r, what); else hidden(r, what);
            }
            case "POST /api/v1/slots", "POST /api/v1/effectors/:id/availability" -> {
                String effector = effectorOf(t);
                Api.Response r;
                if (key.startsWith("POST /api/v1/slots")) {
                    var start = Instant.ofEpochMilli(server.dispatcher.services().nowMs()).truncatedTo(ChronoUnit.MINUTES)
                            .plusSeconds(7200 + 60L * 17 * minutes.incrementAndGet()).atZone(ZoneId.of("Europe/Paris")).toOffsetDateTime();
                    r = server.api.post("/api/v1/slots", token, new JsonObject().put("effectorId", effector)
                            .put("start", start.toString()).put("end", start.plusMinutes(15).toString())
                            .put("audiences", new JsonArray().add("SNP")));
                } else {
                    var date = Instant.ofEpochMilli(server.dispatcher.services().nowMs()).atZone(ZoneId.of("Europe/Paris"))
                            .toLocalDate().plusDays(20 + minutes.incrementAndGet() % 5);
                    r = server.api.post("/api/v1/effectors/" + effector + "/availability", token, new JsonObject()
                            .put("type", "shift").put("date", date.toString()).put("halfDay", "EVENING").put("audiences",
                                    new JsonArray().add("SNP")));
                }
                switch (t) {
                    case OWN -> allowed(r, what);
                    case OTHER_TERRITORY -> hidden(r, what);
                    case OTHER_ORG -> assertThat(r.code()).as(what + " " + r).isEqualTo("NOT_YOUR_EFFECTOR");
                }
            }
            case "GET /api/v1/slots/:id" -> {
                Api.Response r = server.api.get("/api/v1/slots/" + slot(effectorOf(t)), token);
                if (t == Target.OWN || (t == Target.OTHER_ORG && role != Role.EFFECTOR)) allowed(r, what); else hidden(r, what);
            }
            case "DELETE /api/v1/slots/:id" -> {
                Api.Response r = server.api.delete("/api/v1/slots/" + slot(effectorOf(t)), token);
                switch (t) {
                    case OWN -> allowed(r, what);
                    case OTHER_TERRITORY -> hidden(r, what);
                    case OTHER_ORG -> assertThat(r.status()).as(what + " " + r).isIn(403, 404);
                }
            }
            case "POST /api/v1/slots/:id/hold" -> {
                // the slot of the territory, the request of the target's tenant (another territory: both there)
                String slot = slot(t == Target.OTHER_TERRITORY ? e85 : e36);
                Api.Response r = server.api.post("/api/v1/slots/" + slot + "/hold", token,
                        new JsonObject().put("requestId", requestOf(role, t)));
                byReach(r, role, t, what);
            }
            case "DELETE /api/v1/slots/:id/hold" -> {
                if (t == Target.OTHER_ORG) return false; // the hold id is the proof: no organisation to tell apart
                String slot = slot(t == Target.OTHER_TERRITORY ? e85 : e36);
                String holder = t == Target.OWN ? token : vendee.get(Role.REGULATOR);
                String req = t == Target.OWN ? requestOf(role, Target.OWN) : requestOf(role, Target.OTHER_TERRITORY);
                String holdId = server.api.post("/api/v1/slots/" + slot + "/hold", holder, new JsonObject().put("requestId", req))
                        .json().getString("holdId");
                Api.Response r = server.api.delete("/api/v1/slots/" + slot + "/hold?holdId=" + holdId, token);
                if (t == Target.OWN) allowed(r, what); else hidden(r, what);
            }
            case "POST /api/v1/requests" -> {
                if (t == Target.OTHER_ORG) return false; // a new request belongs to its filer
                Api.Response r = server.api.post("/api/v1/requests", token, new JsonObject().put("origin", ORIGIN.get(role))
                        .put("patient", new JsonObject().put("initials", "AB").put("birthYear", 1980).put("phone", "0611223344")
                                .put("communeInsee", t == Target.OWN ? "36044" : "85191")));
                if (t == Target.OWN) {
                    assertThat(r.status()).as(what + " " + r).isEqualTo(201);
                    assertThat(r.json().getString("territory")).isEqualTo("36");
                } else {
                    assertThat(r.status()).as(what + " " + r).isEqualTo(422);
                    assertThat(r.code()).isEqualTo("OUTSIDE_TERRITORY");
                    assertThat(r.json().getString("message")).as(what).contains("85").contains("36");
                }
            }
            case "GET /api/v1/requests/:id" -> byReach(server.api.get("/api/v1/requests/" + requestOf(role, t), token), role, t, what);
            case "POST /api/v1/requests/:id/outcome" -> byReach(server.api.post("/api/v1/requests/" + requestOf(role, t) + "/outcome",
                    token, new JsonObject().put("type", "ADVICE")), role, t, what);
            case "POST /api/v1/appointments" -> {
                String slot = slot(t == Target.OTHER_TERRITORY ? e85 : e36);
                byReach(server.api.book(token, slot, requestOf(role, t), null, UUID.randomUUID().toString()), role, t, what);
            }
            case "POST /api/v1/appointments/supernumerary" -> { // each at its own time: one per effector and minute
                String effector = t == Target.OTHER_TERRITORY ? e85 : e36;
                byReach(server.api.send("POST", "/api/v1/appointments/supernumerary", token, new JsonObject()
                        .put("effectorId", effector).put("requestId", requestOf(role, t))
                        .put("start", OffsetDateTime.now().plusHours(3).plusMinutes(20L * SUPERNUMERARY.incrementAndGet())
                                .withSecond(0).withNano(0).toString()),
                        Map.of("Idempotency-Key", UUID.randomUUID().toString())), role, t, what);
            }
            case "POST /api/v1/effectors/:id/webhook-secret" -> {
                // the matrix's effectors have no webhook: past the tenancy checks, the answer is 409 NO_WEBHOOK
                Api.Response r = server.api.post("/api/v1/effectors/" + effectorOf(t) + "/webhook-secret", token, null);
                if (t == Target.OWN) {
                    assertThat(r.status()).as(what + " → " + r).isEqualTo(409);
                    assertThat(r.code()).as(what).isEqualTo("NO_WEBHOOK");
                } else hidden(r, what);
            }
            case "GET /api/v1/appointments/:id" ->
                    byReach(server.api.get("/api/v1/appointments/" + appointmentOf(role, t), token), role, t, what);
            case "POST /api/v1/appointments/:id/cancel" -> byReach(server.api.post("/api/v1/appointments/"
                    + appointmentOf(role, t) + "/cancel", token, new JsonObject().put("reason", "PATIENT")), role, t, what);
            case "GET /api/v1/appointments/:id/messages" ->
                    byReach(server.api.get("/api/v1/appointments/" + appointmentOf(role, t) + "/messages", token), role, t, what);
            case "POST /api/v1/appointments/:id/feedback" -> byReach(server.api.post("/api/v1/appointments/"
                    + appointmentOf(role, t) + "/feedback", token, new JsonObject().put("answer", "cancelled-by-patient")), role, t, what);
            case "GET /api/v1/stats/noshow", "GET /api/v1/stats/outcomes", "GET /api/v1/stats/indicators",
                 "GET /api/v1/stats/weekly" -> {
                String path = route.path() + "?territory=" + territory + (key.endsWith("noshow") ? "&groupBy=effector" : "");
                Api.Response r = server.api.get(path, token);
                if (t == Target.OTHER_TERRITORY) { notServed(r, what); break; }
                allowed(r, what);
                if (t == Target.OTHER_ORG && !key.endsWith("outcomes")) {
                    // another CPTS' figures: ops sees every CPTS of its territory, a coordinator (or a doctor) none but its own
                    Api.Response other = server.api.get(path + "&cpts=CPTS-OTHER", token);
                    if (role == Role.OPS) allowed(other, what + " cpts=CPTS-OTHER"); else hidden(other, what + " cpts=CPTS-OTHER");
                    if (role == Role.COORDINATOR) allowed(server.api.get(path + "&cpts=CPTS-TEST", token), what + " cpts=CPTS-TEST");
                }
                if (key.endsWith("noshow") && t == Target.OTHER_ORG && role != Role.OPS) {
                    // a coordinator's figures are its CPTS' effectors', a doctor's their own
                    appointmentOf(role, Target.OTHER_ORG);
                    List<String> keys = server.api.get(path, token).json().getJsonArray("rows").stream()
                            .map(o -> ((JsonObject) o).getString("key")).toList();
                    assertThat(keys).as(what).doesNotContain(e36other);
                }
            }
            case "GET /api/v1/communes" -> {
                if (t != Target.OWN) return false; // no tenant data: the communes of France
                allowed(server.api.get("/api/v1/communes?q=roche", token), what);
            }
            case "GET /api/v1/territories/:territory/communes", "GET /api/v1/territories/:territory/planning" -> {
                if (t == Target.OTHER_ORG && key.endsWith("communes")) return false;
                Api.Response r = server.api.get(route.path().replace(":territory", territory), token);
                if (t == Target.OTHER_TERRITORY) { notServed(r, what); break; }
                allowed(r, what);
                if (key.endsWith("planning")) {
                    List<String> ids = r.json().getJsonArray("effectors").stream().map(o -> ((JsonObject) o).getString("effectorId")).toList();
                    if (role == Role.COORDINATOR) assertThat(ids).as(what).contains(e36).doesNotContain(e36other);
                    else assertThat(ids).as(what).contains(e36, e36other);
                }
            }
            case "GET /api/v1/territories/:territory/cpts" -> {
                if (t == Target.OTHER_ORG) return false; // what another CPTS' coordinator lists: the OWN case below
                Api.Response r = server.api.get("/api/v1/territories/" + territory + "/cpts", token);
                if (t == Target.OTHER_TERRITORY) { notServed(r, what); break; }
                allowed(r, what);
                List<String> ids = r.json().getJsonArray("cpts").stream().map(o -> ((JsonObject) o).getString("id")).toList();
                if (role == Role.COORDINATOR) assertThat(ids).as(what).containsExactly("CPTS-TEST");
                else assertThat(ids).as(what).contains("CPTS-TEST", "CPTS-OTHER");
            }
            case "POST /api/v1/appointments/:id/reminder", "POST /api/v1/appointments/:id/close" -> {
                // the fixtures' appointments are still to come: a reached one is not awaiting feedback yet (409), another
                // tenant's is not confirmed to exist (404); FeedbackFollowUpTest sends and closes ended ones
                Api.Response r = server.api.post(route.path().replace(":id", appointmentOf(role, t)), token, "{}");
                if (t == Target.OWN) {
                    assertThat(r.status()).as(what + " " + r).isEqualTo(409);
                    assertThat(r.code()).as(what).isEqualTo("NOT_AWAITING_FEEDBACK");
                } else {
                    hidden(r, what);
                }
            }
            case "POST /api/v1/doctor-requests" -> {
                if (t == Target.OTHER_ORG) return false;
                Api.Response r = server.api.post("/api/v1/doctor-requests", token, new JsonObject().put("patient", new JsonObject()
                        .put("initials", "MT").put("birthYear", 1940).put("phone", "0611223344").put("ald", true)
                        .put("communeInsee", t == Target.OWN ? "36044" : "85191")));
                if (t == Target.OWN) assertThat(r.status()).as(what + " " + r).isEqualTo(201);
                else assertThat(r.code()).as(what + " " + r).isEqualTo("OUTSIDE_TERRITORY");
            }
            case "POST /api/v1/requests/:id/wait" ->
                    byReach(server.api.post("/api/v1/requests/" + requestOf(role, t) + "/wait", token, null), role, t, what);
            case "DELETE /api/v1/requests/:id/wait" ->
                    byReach(server.api.delete("/api/v1/requests/" + requestOf(role, t) + "/wait", token), role, t, what);
            case "GET /api/v1/waiting" -> {
                String own = requestOf(role, Target.OWN);
                server.api.post("/api/v1/requests/" + own + "/wait", token, null);
                Api.Response r = server.api.get("/api/v1/waiting?territory=" + territory, token);
                if (t == Target.OTHER_TERRITORY) { notServed(r, what); break; }
                allowed(r, what);
                List<String> ids = r.json().getJsonArray("waiting").stream()
                        .map(o -> ((JsonObject) o).getJsonObject("request").getString("id")).toList();
                assertThat(ids).as(what).contains(own);
            }
            case "GET /api/v1/audit" -> {
                Api.Response r = server.api.get("/api/v1/audit?territory=" + territory, token);
                if (t == Target.OTHER_TERRITORY) { notServed(r, what); break; }
                allowed(r, what);
            }
            case "GET /api/v1/doctor-requests" -> {
                String id = doctorRequestOf(t);
                Api.Response r = server.api.get("/api/v1/doctor-requests?territory=" + territory, token);
                if (t == Target.OTHER_TERRITORY) { notServed(r, what); break; }
                allowed(r, what);
                List<String> ids = r.json().getJsonArray("requests").stream().map(o -> ((JsonObject) o).getString("id")).toList();
                if (t == Target.OWN) assertThat(ids).as(what).contains(id); else assertThat(ids).as(what).doesNotContain(id);
            }
            case "POST /api/v1/doctor-requests/:id/status" -> {
                Api.Response r = server.api.post("/api/v1/doctor-requests/" + doctorRequestOf(t) + "/status", token,
                        new JsonObject().put("status", "CONTACTED"));
                if (t == Target.OWN) allowed(r, what); else hidden(r, what);
            }
            case "GET /api/v1/ops/outbox" -> {
                if (t == Target.OTHER_ORG) return false;
                Api.Response r = server.api.get("/api/v1/ops/outbox?territory=" + territory, token);
                if (t == Target.OWN) allowed(r, what); else notServed(r, what);
            }
            case "GET /api/v1/ops/index" -> {
                if (t == Target.OTHER_ORG) return false;
                Api.Response r = server.api.get("/api/v1/ops/index?territory=" + territory, token);
                if (t == Target.OWN) allowed(r, what); else notServed(r, what);
            }
            case "GET /api/v1/appointments" -> {
                Api.Response r = server.api.get("/api/v1/appointments?territory=" + territory + "&awaitingFeedback=true", token);
                if (t == Target.OTHER_TERRITORY) notServed(r, what); else allowed(r, what);
            }
            case "GET /api/v1/me" -> {
                if (t != Target.OWN) return false; // the caller itself
                Api.Response r = server.api.get("/api/v1/me", token);
                allowed(r, what);
                assertThat(r.json().getJsonArray("territories").getList()).as(what).containsExactly("36");
                assertThat(r.json().getString("role")).as(what).isEqualTo(role.wireName());
            }
            case "POST /api/v1/sim/clock" -> {
                if (t != Target.OWN) return false; // one clock per server, moved only in simulation mode
                assertThat(server.api.post("/api/v1/sim/clock", token, new JsonObject().put("now", "2026-12-01T10:00:00+01:00"))
                        .code()).as(what).isEqualTo("SIMULATION_DISABLED");
            }
            case "GET /metrics" -> {
                if (t != Target.OWN) return false;
                // Vendée's gauges exist on this server (its effector is known) but an Indre ops token does not see them
                server.dispatcher.refreshMetrics();
                Api.Response r = server.api.get("/metrics", token);
                allowed(r, what);
                assertThat(r.body()).as(what).contains("territory=\"36\"").doesNotContain("territory=\"85\"");
                assertThat(server.api.get("/metrics", vendee.get(Role.OPS)).body()).contains("territory=\"85\"")
                        .doesNotContain("territory=\"36\"");
            }
            case "POST /api/v1/live/ticket" -> {
                if (t == Target.OTHER_ORG) return false; // a territory's feed: each event is filtered by what the role sees
                Api.Response r = server.api.post("/api/v1/live/ticket?territory=" + territory, token, null);
                if (t == Target.OTHER_TERRITORY) {
                    notServed(r, what);
                } else {
                    assertThat(r.status()).as(what + " → " + r).isEqualTo(201);
                    assertThat(r.json().getString("ticket")).as(what).hasSizeGreaterThan(40);
                    assertThat(r.json().getString("territory")).as(what).isEqualTo("36");
                }
            }
            case "POST /api/v1/widget/sessions" -> {
                if (t == Target.OTHER_TERRITORY) return false; // a session serves the key's own territories, no other
                String org = server.api.get("/api/v1/me", token).json().getString("org");
                var widgets = server.dispatcher.services().people().widgets();
                widgets.addOrigin(org, "https://site-of-" + org.toLowerCase(java.util.Locale.ROOT) + ".example")
                        .toCompletableFuture().join();
                widgets.addOrigin("SOMEONE-ELSE", "https://someone-else.example").toCompletableFuture().join();
                if (t == Target.OWN) {
                    Api.Response r = server.api.post("/api/v1/widget/sessions", token, null);
                    assertThat(r.status()).as(what + " → " + r).isEqualTo(201);
                    assertThat(r.json().getString("org")).as(what).isEqualTo(org);
                    assertThat(r.json().getJsonArray("territories").getList()).as(what).containsExactly("36");
                } else {
                    // another organisation's site: no session for it
                    Api.Response r = server.api.post("/api/v1/widget/sessions", token,
                            new JsonObject().put("origin", "https://someone-else.example"));
                    assertThat(r.code()).as(what + " → " + r).isEqualTo("ORIGIN_NOT_REGISTERED");
                }
            }
            default -> throw new AssertionError("no tenancy case for " + key + ": add one");
        }
        return true;
    }

    // --- beyond the route table -------------------------------------------------------------------------------------

    @Test
    void theLiveFeedOfAnotherTerritoryIsRefused() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (Role role : List.of(Role.REGULATOR, Role.PHARMACIST, Role.COORDINATOR, Role.EFFECTOR, Role.OPS)) {
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/live?territory=85"))
                    .header("Authorization", "Bearer " + me.get(role)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(role + " on 85").isEqualTo(403);
            assertThat(new JsonObject(refused.body()).getString("code")).isEqualTo("TERRITORY_NOT_SERVED");
            HttpResponse<java.io.InputStream> open = http.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/live?territory=36"))
                    .header("Authorization", "Bearer " + me.get(role)).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(open.statusCode()).as(role + " on 36").isEqualTo(200);
            open.body().close();
        }
    }

    @Test
    void aFeedbackLinkReachesItsOwnAppointmentOnly() {
        String mine = appointmentOf(Role.REGULATOR, Target.OWN);
        String other = appointmentOf(Role.REGULATOR, Target.OTHER_TERRITORY);
        long now = server.dispatcher.services().nowMs() / 1000;
        String link = server.dispatcher.services().feedbackLinks().token(mine, now);
        Api.Response ok = server.api.get("/api/v1/feedback/" + link, null);
        allowed(ok, "the link's own appointment");
        assertThat(ok.json().getJsonObject("appointment").getString("id")).isEqualTo(mine);
        // the same signature on another id (here another territory's) is not a link
        Api.Response forged = server.api.get("/api/v1/feedback/" + link.replace(mine, other), null);
        assertThat(forged.status()).isEqualTo(403);
        assertThat(forged.code()).isEqualTo("INVALID_LINK");
        Api.Response page = server.api.get("/feedback/" + link.replace(mine, other), null);
        assertThat(page.status()).isEqualTo(403);
        assertThat(page.body()).doesNotContain(other);
    }

    @Test
    void thePagesCarryNoTenantData() {
        for (String page : List.of("/console", "/coordinator", "/widget/demo.html", "/widget/snp-widget.js")) {
            Api.Response r = server.api.get(page, null);
            assertThat(r.status()).as(page).isEqualTo(200);
            assertThat(r.body()).as(page).doesNotContain(e36).doesNotContain("0612345678");
        }
    }

    @Test
    void anotherPharmacyOfTheSameTerritoryIsAnotherTenant() {
        // the same role, the same territory, another organisation: the request is not confirmed to exist
        String mine = request(me.get(Role.PHARMACIST), "PHARMACIST", "36044");
        Api.Response r = server.api.get("/api/v1/requests/" + mine, otherPharmacy);
        hidden(r, "another pharmacy reading a request");
        String slot = slot(e36);
        hidden(server.api.book(otherPharmacy, slot, mine, null, UUID.randomUUID().toString()), "another pharmacy booking it");
        assertThat(server.api.get("/api/v1/slots/" + slot, me.get(Role.REGULATOR)).json().getString("status")).isEqualTo("free");
        // a second desk of the same pharmacy works the same requests
        String sameOrg = tokenOf(Role.PHARMACIST, "PHARMACIE-TEST");
        allowed(server.api.get("/api/v1/requests/" + mine, sameOrg), "the same pharmacy's second desk");
    }

    @Test
    void aPatientWhoCallsBackIsFoundWithinTheCallersTenantsOnly() {
        // the pharmacy books; the patient calls back with the reference, or gives phone, initials and the day
        String booked = book(me.get(Role.PHARMACIST), slot(e36), request(me.get(Role.PHARMACIST), "PHARMACIST", "36044"));
        JsonObject appointment = server.api.get("/api/v1/appointments/" + booked, me.get(Role.PHARMACIST)).json();
        String reference = appointment.getString("reference");
        assertThat(reference).matches("36-[0-9A-Z]{4}-[0-9A-Z]{4}");
        String day = appointment.getJsonObject("slot").getString("start").substring(0, 10);
        String byReference = "/api/v1/appointments?reference=" + reference.toLowerCase();
        String byPatient = "/api/v1/appointments?phone=06%2012%2034%2056%2078&initials=tt&date=" + day;
        for (String path : List.of(byReference, byPatient)) {
            assertThat(ids(server.api.get(path, me.get(Role.PHARMACIST)))).as(path).contains(booked);
            assertThat(ids(server.api.get(path, tokenOf(Role.PHARMACIST, "PHARMACIE-TEST")))).as("same pharmacy").contains(booked);
            assertThat(ids(server.api.get(path, me.get(Role.REGULATOR)))).as("the SAS of Indre").contains(booked);
            // (the fixtures use the same test patient everywhere: other tenants may find their own appointments, never this one)
            assertThat(ids(server.api.get(path, otherPharmacy))).as("another pharmacy").doesNotContain(booked);
            assertThat(ids(server.api.get(path, vendee.get(Role.REGULATOR)))).as("the SAS of Vendée").doesNotContain(booked);
        }
        // another day, other initials: nothing
        assertThat(ids(server.api.get(byPatient.replace("initials=tt", "initials=zz"), me.get(Role.PHARMACIST)))).doesNotContain(booked);
        assertThat(server.api.get("/api/v1/appointments?reference=nonsense", me.get(Role.PHARMACIST)).code()).isEqualTo("INVALID_FIELD");
        assertThat(server.api.get("/api/v1/appointments", me.get(Role.PHARMACIST)).code()).isEqualTo("MISSING_FIELD");
    }

    static List<String> ids(Api.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().getJsonArray("appointments").stream().map(o -> ((JsonObject) o).getString("id")).toList();
    }

    @Test
    void aRegionalPlatformServesSeveralTerritories() {
        String regional = tokenOf(Role.REGULATOR, Set.of("36", "85"), "SAS-REGION");
        allowed(server.api.get("/api/v1/requests/" + request(vendee.get(Role.REGULATOR), "SAS_116117", "85191"), regional),
                "a Vendée request");
        allowed(server.api.get("/api/v1/requests/" + request(me.get(Role.REGULATOR), "SAS_116117", "36044"), regional),
                "an Indre request");
        Api.Response cher = server.api.post("/api/v1/requests", regional, new JsonObject().put("origin", "SAS_116117")
                .put("patient", new JsonObject().put("initials", "AB").put("birthYear", 1980).put("phone", "0611223344")
                        .put("communeInsee", "18033")));
        assertThat(cher.code()).isEqualTo("OUTSIDE_TERRITORY");
        assertThat(cher.json().getString("message")).contains("Bourges").contains("36, 85");
    }

    static String tokenOf(Role role, String org) { return tokenOf(role, Set.of("36"), org); }

    static String tokenOf(Role role, Set<String> territories, String org) {
        try {
            return server.token(role, role + " " + org, territories, org, Set.of());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String base() { return "http://127.0.0.1:" + server.dispatcher.port(); }
}
