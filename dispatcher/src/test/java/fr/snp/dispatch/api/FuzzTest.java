package fr.snp.dispatch.api;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-based fuzzing of every declared route (ids, query strings, bodies and headers) and, deeper, of the write
 * routes of the care flow: whatever arrives, the answer is never a 500 and always {code, message, field} when
 * refused, and a refused call leaves every stored key as it was.
 */
class FuzzTest {
    static TestServer server;
    static String regulator;
    static String slot;
    static String request;
    static String effector;
    static String appointment;
    static String doctorRequest;
    static List<ApiRouter.Route> routes;

    @BeforeContainer
    static void start() throws Exception {
        server = TestServer.start();
        regulator = server.token(Role.REGULATOR);
        effector = server.effector("36044", null);
        slot = server.slot(effector, 120, "AMB", "SNP");
        request = server.requestId(Role.REGULATOR, "SAS_116117");
        String booked = server.slot(effector, 180, "AMB", "SNP");
        appointment = server.api.book(regulator, booked, server.requestId(Role.REGULATOR, "SAS_116117"), null, "fuzz-setup-booking")
                .json().getString("id");
        doctorRequest = server.api.post("/api/v1/doctor-requests", server.token(Role.COORDINATOR), new JsonObject()
                .put("patient", new JsonObject().put("initials", "DR").put("birthYear", 1940).put("phone", "0612345678")
                        .put("communeInsee", "36044").put("ald", true))).json().getString("id");
        server.dispatcher.services().people().widgets().addOrigin(TestServer.defaultOrg(Role.PHARMACIST), "https://pharmacie.example")
                .toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
        routes = ApiRouter.declaredRoutes(server.dispatcher.vertx(), server.dispatcher.services());
    }

    @AfterContainer
    static void stop() { server.close(); }

    /** Strings a caller may send: empty, long, unicode, control characters, injection-looking, number-looking. */
    static Arbitrary<String> strings() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40), Arbitraries.strings().all().ofMaxLength(300),
                Arbitraries.of("", " ", "null", "0", "-1", "36", "36-E1", "36-Rxx", "85", "2A", "%00", "../../etc/passwd",
                        "{\"$gt\":1}", "'; DROP TABLE", "\u0000", "\ud83d\ude00", "2026-02-30T25:61:00Z", "PT999999H", "1e309",
                        "06 12 34 56 78", "<script>alert(1)</script>"));
    }

    /** JSON values of any type, nested a little. */
    static Arbitrary<Object> values() {
        return Arbitraries.lazyOf(() -> Arbitraries.oneOf(strings().map(x -> (Object) x),
                Arbitraries.integers().map(x -> (Object) x), Arbitraries.doubles().map(x -> (Object) x),
                Arbitraries.of(true, false).map(x -> (Object) x), Arbitraries.just(null),
                strings().list().ofMaxSize(3).map(l -> (Object) new JsonArray(List.copyOf(l))),
                Arbitraries.maps(Arbitraries.of("initials", "birthYear", "phone", "communeInsee", "within", "mode", "x"), strings())
                        .ofMaxSize(4).map(m -> (Object) new JsonObject(Map.copyOf(m)))));
    }

    /**
     * Bodies: random ones (refused at the first check), and valid ones with one or two fields replaced by anything,
     * so that the fuzzing reaches the checks behind the first (the patient's contact, the need, the pharmacy…).
     */
    @Provide
    Arbitrary<JsonObject> requestBodies() {
        Arbitrary<String> fields = Arbitraries.of("origin", "patient", "need", "limit", "territory", "slotId", "requestId",
                "holdId", "patientContact", "type", "pharmacy", "comment", "effectorId", "start", "minutes", "mode", "extra");
        Arbitrary<JsonObject> random = Arbitraries.maps(fields, values()).ofMaxSize(6).map(m -> {
            JsonObject j = new JsonObject();
            m.forEach(j::put);
            return j;
        });
        Arbitrary<JsonObject> nearlyValid = Arbitraries.maps(fields, values()).ofMinSize(1).ofMaxSize(2).map(m -> {
            JsonObject j = valid();
            m.forEach(j::put);
            return j;
        });
        // one nested part of a valid body with one or two of its own fields (or an unknown one) replaced by anything
        Map<String, List<String>> partFields = Map.of("patient", List.of("initials", "birthYear", "phone", "communeInsee", "x"),
                "need", List.of("within", "mode", "modes", "from", "to", "radiusKm", "x"),
                "patientContact", List.of("sms", "email", "consent", "x"), "pharmacy", List.of("name", "communeInsee", "x"));
        Arbitrary<JsonObject> nestedNearlyValid = Arbitraries.of(List.copyOf(partFields.keySet())).flatMap(part ->
                Arbitraries.maps(Arbitraries.of(partFields.get(part)), values()).ofMinSize(1).ofMaxSize(2).map(m -> {
                    JsonObject j = valid();
                    JsonObject nested = j.getJsonObject(part).copy();
                    m.forEach(nested::put);
                    return j.put(part, nested);
                }));
        // weighted towards nearly valid bodies: those reach the deeper checks
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1, random), net.jqwik.api.Tuple.of(2, nearlyValid),
                net.jqwik.api.Tuple.of(4, nestedNearlyValid));
    }

    /** A body every write route would accept in form (each route reads the fields it knows). */
    static JsonObject valid() {
        return new JsonObject().put("origin", "SAS_116117").put("slotId", slot).put("requestId", request)
                .put("effectorId", "36-E1").put("start", java.time.OffsetDateTime.now().plusHours(5).withNano(0).toString())
                .put("type", "PRESCRIPTION").put("pharmacy", new JsonObject().put("name", "Pharmacie du Centre"))
                .put("patient", new JsonObject().put("initials", "FZ").put("birthYear", 1970).put("phone", "0612345678")
                        .put("communeInsee", "36044"))
                .put("need", new JsonObject().put("within", "PT24H"))
                .put("patientContact", new JsonObject().put("sms", "0612345678").put("consent", true));
    }

    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> id = strings().map(x -> URLEncoder.encode(x, StandardCharsets.UTF_8));
        return Arbitraries.oneOf(id.map(x -> "/api/v1/requests/" + x), id.map(x -> "/api/v1/appointments/" + x),
                id.map(x -> "/api/v1/appointments/" + x + "/messages"), id.map(x -> "/api/v1/slots/" + x),
                id.map(x -> "/api/v1/effectors/" + x), id.map(x -> "/api/v1/waiting?territory=" + x),
                id.map(x -> "/api/v1/appointments?reference=" + x), id.map(x -> "/api/v1/stats/noshow?territory=36&from=" + x),
                id.map(x -> "/api/v1/communes?q=" + x), id.map(x -> "/feedback/" + x), id.map(x -> "/rdv/" + x));
    }

    @Property(tries = 400)
    void aWriteOfAnyBodyIsNeverA500AndARefusedOneChangesNothing(@ForAll("requestBodies") JsonObject body,
                                                                 @ForAll("writeRoutes") String route,
                                                                 @ForAll("idempotencyKeys") String key) {
        Map<String, String> before = snapshot();
        Api.Response r = server.api.send("POST", route.replace("{slot}", slot), regulator, body.encode(),
                key == null ? Map.of() : Map.of("Idempotency-Key", key));
        assertThat(r.status()).as(route + " " + body.encode() + " → " + r).isLessThan(500);
        if (r.status() >= 400) {
            assertThat(r.json().getString("code")).as(r.toString()).isNotBlank();
            assertThat(r.json().containsKey("field")).isTrue();
            assertThat(snapshot()).as("refused, yet stored: " + route + " " + body.encode()).isEqualTo(before);
        }
    }

    @Provide
    Arbitrary<String> writeRoutes() {
        return Arbitraries.of("/api/v1/requests", "/api/v1/appointments", "/api/v1/slots/{slot}/hold", "/api/v1/appointments/supernumerary",
                "/api/v1/requests/" + "36-Rabcdefgh1234" + "/outcome");
    }

    @Provide
    Arbitrary<String> idempotencyKeys() {
        // none, anything printable, or a well-formed key (so that the body's own checks are reached)
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1, Arbitraries.just((String) null)),
                net.jqwik.api.Tuple.of(1, strings().filter(s -> s.chars().allMatch(c -> c > 31 && c < 127))),
                net.jqwik.api.Tuple.of(6, Arbitraries.strings().withCharRange('a', 'z').ofMinLength(8).ofMaxLength(24)));
    }

    @Property(tries = 150)
    void anyIdOrQueryIsNeverA500(@ForAll("paths") String path) {
        Api.Response r = server.api.get(path, regulator);
        assertThat(r.status()).as(path + " → " + r).isLessThan(500);
    }

    /**
     * Every declared route, as one of its own roles: its path parameters a real id of the right kind or anything, a
     * query string of anything, any body, any of the headers the API reads. Never a 500; a refusal is
     * {code, message, field} and changes nothing stored.
     */
    @Property(tries = 500)
    void everyRouteWithAnyInputIsNeverA500AndARefusedCallChangesNothing(@ForAll("routeIndexes") int index,
                                                                        @ForAll("pathValues") String pathValue,
                                                                        @ForAll("queries") String query,
                                                                        @ForAll("requestBodies") JsonObject body,
                                                                        @ForAll("headerSets") Map<String, String> headers) {
        ApiRouter.Route route = routes.get(index % routes.size());
        String path = route.path().replace(":territory", pathValue == null ? "36" : pathValue)
                .replace(":id", pathValue == null ? realId(route.path()) : pathValue);
        Role role = route.roles().get(Math.floorMod(index / routes.size(), route.roles().size()));
        boolean write = route.method() != io.vertx.core.http.HttpMethod.GET;
        Map<String, String> before = write ? snapshot() : null;
        Api.Response r = server.api.send(route.method().name(), path + query, server.token(role), write ? body.encode() : null, headers);
        String what = route.method() + " " + path + query + " as " + role + " " + headers + " " + (write ? body.encode() : "") + " → " + r;
        assertThat(r.status()).as(what).isLessThan(500);
        if (r.status() >= 400) {
            assertThat(r.json().getString("code")).as(what).isNotBlank();
            assertThat(r.json().containsKey("field")).as(what).isTrue();
            if (write) assertThat(snapshot()).as("refused, yet stored: " + what).isEqualTo(before);
        }
    }

    /** Refused by HTTP itself before any route (Netty's line limit): still the API's JSON error, never an empty 414. */
    @net.jqwik.api.Example
    void aTooLongAddressIsAJsonRefusal() {
        Api.Response r = server.api.get("/api/v1/effectors?territory=" + "9".repeat(9_000), regulator);
        assertThat(r.status()).isEqualTo(414);
        assertThat(r.json().getString("code")).isEqualTo("URI_TOO_LONG");
        assertThat(r.json().containsKey("field")).isTrue();
    }

    /** Another kind of id where a request's is expected (found by the every-route property): not found, not a 500. */
    @net.jqwik.api.Example
    void anEffectorIdAsARequestIdIsNotFound() {
        Api.Response r = server.api.post("/api/v1/requests/36-E1/outcome", regulator, new JsonObject().put("type", "PRESCRIPTION")
                .put("pharmacy", new JsonObject().put("name", "Pharmacie du Centre")));
        assertThat(r.status()).as(r.toString()).isEqualTo(404);
        assertThat(r.json().getString("code")).isEqualTo("REQUEST_NOT_FOUND");
    }

    /** A real id of the kind a path names: what lets the fuzzing reach the checks behind "not found". */
    static String realId(String path) {
        if (path.startsWith("/api/v1/effectors")) return effector;
        if (path.startsWith("/api/v1/slots")) return slot;
        if (path.startsWith("/api/v1/requests")) return request;
        if (path.startsWith("/api/v1/doctor-requests")) return doctorRequest;
        return appointment;
    }

    @Provide
    Arbitrary<Integer> routeIndexes() { return Arbitraries.integers().between(0, 10_000); }

    /** null: a real id (or territory 36); else anything, URL-encoded. */
    @Provide
    Arbitrary<String> pathValues() {
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(2, Arbitraries.just((String) null)),
                net.jqwik.api.Tuple.of(1, strings().filter(x -> !x.isEmpty()).map(x -> URLEncoder.encode(x, StandardCharsets.UTF_8))));
    }

    @Provide
    Arbitrary<String> queries() {
        Arbitrary<String> name = Arbitraries.of("territory", "from", "to", "period", "cpts", "groupBy", "reference", "phone",
                "initials", "date", "awaitingFeedback", "candidates", "holdId", "q", "actor", "object", "format", "limit", "x");
        Arbitrary<String> pair = net.jqwik.api.Combinators.combine(name, strings())
                .as((n, v) -> n + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
        return Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.just("?territory=36"),
                pair.list().ofMinSize(1).ofMaxSize(3).map(l -> "?" + String.join("&", l)));
    }

    /** The headers the API reads, each absent, well formed, or anything printable. */
    @Provide
    Arbitrary<Map<String, String>> headerSets() {
        Arbitrary<String> printable = strings().filter(x -> !x.isBlank() && x.strip().equals(x)
                && x.chars().allMatch(c -> c > 31 && c < 127));
        Arbitrary<String> origin = Arbitraries.oneOf(printable, Arbitraries.of("https://pharmacie.example",
                "https://evil.example", "null", "http://127.0.0.1:" + server.dispatcher.port()));
        Arbitrary<String> lastEventId = Arbitraries.oneOf(printable, Arbitraries.of("0-0", "1-1", "99999999999999-0"));
        return Arbitraries.maps(Arbitraries.of("Idempotency-Key", "Origin", "Last-Event-ID", "Accept"), Arbitraries.just(""))
                .ofMaxSize(3).flatMap(names -> {
                    List<String> keys = List.copyOf(names.keySet());
                    if (keys.isEmpty()) return Arbitraries.just(Map.<String, String>of());
                    List<Arbitrary<String>> values = keys.stream().map(k -> switch (k) {
                        case "Origin" -> origin;
                        case "Last-Event-ID" -> lastEventId;
                        case "Accept" -> Arbitraries.oneOf(printable, Arbitraries.of("application/x-ndjson", "text/csv"));
                        default -> Arbitraries.oneOf(printable, Arbitraries.strings().withCharRange('a', 'z').ofLength(16));
                    }).toList();
                    return net.jqwik.api.Combinators.combine(values).as(vs -> {
                        Map<String, String> m = new java.util.HashMap<>();
                        for (int i = 0; i < keys.size(); i++) m.put(keys.get(i), vs.get(i));
                        return m;
                    });
                });
    }

    /** Every key and its content, but what any call moves on purpose (TestServer.stored). */
    static Map<String, String> snapshot() { return server.stored(false); }
}
