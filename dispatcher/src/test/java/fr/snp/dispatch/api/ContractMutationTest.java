package fr.snp.dispatch.api;

import fr.snp.dispatch.Api;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract-driven mutation of every request body the API documents (openapi.yaml). For each operation with an
 * application/json request body: its documented example (the request body's, else its schema's, following $refs),
 * its ids and times replaced by real ones of the test server, is the valid body; then every member path of it
 * (nested objects and the first item of each array), and every property the schema declares but the example leaves
 * out, is mutated one at a time: removed, null, blank, too long, of another type, a date-time or duration that is not
 * one; and the whole body is replaced by another JSON value or given an unknown member. Each mutated body is sent
 * with the operation's method and path (real ids), a token of one of its roles and, when the operation declares one,
 * a fresh Idempotency-Key.
 *
 * <p>The handlers read the body the contract checked plainly (Input): a shape the contract lets through that the
 * handler does not expect is a 500. So every answer must be below 500; a refusal is {code, message, field}; and a
 * refused call changes nothing stored (checked on every {@value #SNAPSHOT_EVERY}th case: a snapshot reads every key).
 *
 * <p>Deterministic: every case is a dynamic test named operation › path › mutation, so a failure names its case.
 */
class ContractMutationTest {
    /**
     * The stored-state comparison reads every key (~80 ms a snapshot here, two a case): on every 13th case only, a
     * deterministic sample (13 is prime to the number of mutations of a member, so the sample moves across them).
     */
    static final int SNAPSHOT_EVERY = 13;
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    static TestServer server;
    static JsonObject doc;
    static String effector;
    static String supernumeraryEffector;
    static final AtomicInteger minutes = new AtomicInteger(120);
    static final AtomicInteger days = new AtomicInteger(1);
    static final AtomicInteger rpps = new AtomicInteger(71_000_000);
    static final AtomicInteger cases = new AtomicInteger();
    static final java.util.concurrent.atomic.AtomicLong snapshotNanos = new java.util.concurrent.atomic.AtomicLong();
    static final java.util.concurrent.atomic.AtomicLong fixtureNanos = new java.util.concurrent.atomic.AtomicLong();
    static final java.util.concurrent.atomic.AtomicLong sendNanos = new java.util.concurrent.atomic.AtomicLong();
    /** The valid body (and path) of each operation, made again once a case was accepted (it used its slot, request…). */
    static final Map<String, Fixture> fixtures = new HashMap<>();
    /** What each operation's valid body answered (printed at the end: the run's record of what reached a handler). */
    static final Map<String, Integer> validAnswers = new java.util.TreeMap<>();

    record Op(String id, String method, String template, List<Role> roles, boolean idempotent, JsonObject schema,
              Object example, String shape) {
        String name() { return id + (shape.isEmpty() ? "" : " " + shape) + " (" + method + " " + template + ")"; }
    }

    record Fixture(Object body, String path) {}

    /** {@code mustRefuse}: a value no handler can read as it was sent (an int beyond Java's, which would wrap around). */
    record Mutation(String name, Function<Object, String> body, boolean mustRefuse) {
        Mutation(String name, Function<Object, String> body) { this(name, body, false); }
    }

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        doc = ApiContract.load().json();
        effector = server.effector("36044", null);
        supernumeraryEffector = server.effector("36044", new JsonObject().put("supernumeraryDailyCap", 10));
        server.dispatcher.services().people().widgets().addOrigin(TestServer.defaultOrg(Role.PHARMACIST), "https://pharmacie.example")
                .toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        System.out.println("ContractMutationTest: " + cases.get() + " cases; ms in fixtures " + fixtureNanos.get() / 1_000_000
                + ", calls " + sendNanos.get() / 1_000_000 + ", snapshots " + snapshotNanos.get() / 1_000_000
                + "; valid bodies answered " + validAnswers);
        server.close();
    }

    @TestFactory
    List<DynamicNode> everyDocumentedBodyMutatedIsNeverA500AndARefusalChangesNothing() {
        List<DynamicNode> containers = new ArrayList<>();
        for (Op op : operations()) {
            Object valid = fixture(op).body();
            List<DynamicNode> tests = new ArrayList<>();
            for (Mutation m : mutations(op, valid)) {
                tests.add(DynamicTest.dynamicTest(m.name(), () -> run(op, m)));
            }
            containers.add(DynamicContainer.dynamicContainer(op.name(), tests));
        }
        return containers;
    }

    // --- the document's operations and their examples -----------------------------------------------------------

    static List<Op> operations() {
        List<Op> ops = new ArrayList<>();
        JsonObject paths = doc.getJsonObject("paths");
        for (String template : paths.fieldNames()) {
            JsonObject item = paths.getJsonObject(template);
            for (String method : item.fieldNames()) {
                if (!(item.getValue(method) instanceof JsonObject op) || !op.containsKey("requestBody")) continue;
                JsonObject body = resolve(op.getJsonObject("requestBody"));
                JsonObject json = body.getJsonObject("content", new JsonObject()).getJsonObject("application/json");
                if (json == null) continue;
                JsonObject schema = json.getJsonObject("schema");
                Object example = json.getValue("example");
                if (example == null) example = resolve(schema).getValue("example");
                assertThat(example).as(op.getString("operationId") + ": no documented example to start from").isNotNull();
                List<Role> roles = new ArrayList<>();
                for (Object r : op.getJsonArray("x-roles", new JsonArray())) roles.add(Role.valueOf(r.toString().toUpperCase()));
                boolean idempotent = false;
                List<Object> parameters = new ArrayList<>(op.getJsonArray("parameters", new JsonArray()).getList());
                parameters.addAll(item.getJsonArray("parameters", new JsonArray()).getList());
                for (Object p : parameters) {
                    JsonObject parameter = resolve(p instanceof Map<?, ?> m ? new JsonObject(cast(m)) : (JsonObject) p);
                    if ("Idempotency-Key".equalsIgnoreCase(parameter.getString("name"))) idempotent = true;
                }
                String id = op.getString("operationId");
                String upper = method.toUpperCase();
                ops.add(new Op(id, upper, template, roles, idempotent, schema, example, ""));
                // the other shapes of a slot publication: an array of slots, {"slots": [...]} (oneOf)
                if (id.equals("slotsPublish")) {
                    ops.add(new Op(id, upper, template, roles, idempotent, schema, new JsonArray().add(example), "[array]"));
                    ops.add(new Op(id, upper, template, roles, idempotent, schema,
                            new JsonObject().put("slots", new JsonArray().add(example)), "{slots}"));
                }
            }
        }
        assertThat(ops).as("operations with a JSON body").hasSizeGreaterThan(10);
        return ops;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Map<?, ?> m) { return (Map<String, Object>) m; }

    /** A local reference followed (#/components/...); anything else as it is. */
    static JsonObject resolve(JsonObject node) {
        for (int i = 0; node != null && node.containsKey("$ref") && i < 16; i++) {
            Object target = doc;
            for (String part : node.getString("$ref").substring(2).split("/")) {
                target = target instanceof JsonObject o ? o.getValue(part) : null;
            }
            node = target instanceof JsonObject o ? o : null;
        }
        return node;
    }

    /** The schema of member {@code key} (a name, or an index for an array's item) inside {@code schema}, or null. */
    static JsonObject child(JsonObject schema, Object key, Object instance) {
        JsonObject node = resolve(schema);
        if (node == null) return null;
        if (key instanceof Integer && node.getValue("items") instanceof JsonObject items) return items;
        if (key instanceof String name && node.getJsonObject("properties") != null
                && node.getJsonObject("properties").getValue(name) instanceof JsonObject p) return p;
        for (String combinator : List.of("allOf", "oneOf", "anyOf")) {
            for (Object branch : node.getJsonArray(combinator, new JsonArray())) {
                if (!(branch instanceof JsonObject b)) continue;
                JsonObject r = resolve(b);
                // the branch of the instance's shape
                if (instance instanceof JsonArray && r != null && !"array".equals(r.getString("type"))) continue;
                if (instance instanceof JsonObject && r != null && "array".equals(r.getString("type"))) continue;
                JsonObject found = child(b, key, instance);
                if (found != null) return found;
            }
        }
        return null;
    }

    /** The properties a schema (an object's) declares, through $ref, allOf and the branch of the instance's shape. */
    static List<String> properties(JsonObject schema, Object instance) {
        List<String> out = new ArrayList<>();
        JsonObject node = resolve(schema);
        if (node == null) return out;
        if (node.getJsonObject("properties") != null) out.addAll(node.getJsonObject("properties").fieldNames());
        for (String combinator : List.of("allOf", "oneOf", "anyOf")) {
            for (Object branch : node.getJsonArray(combinator, new JsonArray())) {
                if (!(branch instanceof JsonObject b)) continue;
                JsonObject r = resolve(b);
                if (r != null && "array".equals(r.getString("type"))) continue;
                if (r != null && r.getJsonObject("properties") != null && instance instanceof JsonObject o
                        && !o.fieldNames().containsAll(r.getJsonArray("required", new JsonArray()).getList())) continue;
                for (String p : properties(b, instance)) if (!out.contains(p)) out.add(p);
            }
        }
        return out;
    }

    // --- real ids and times ---------------------------------------------------------------------------------------

    static OffsetDateTime now() {
        return Instant.ofEpochMilli(server.dispatcher.services().nowMs()).atZone(PARIS).toOffsetDateTime()
                .truncatedTo(ChronoUnit.MINUTES);
    }

    static String token(Op op) {
        if (op.roles().isEmpty()) return null; // a signed link (the feedback form): no token
        for (Role preferred : List.of(Role.REGULATOR, Role.COORDINATOR, Role.OPS, Role.PHARMACIST, Role.EMERGENCY, Role.OSNP)) {
            if (op.roles().contains(preferred)) return server.token(preferred);
        }
        return server.token(op.roles().get(0));
    }

    static String freshSlot() { return server.slot(effector, minutes.addAndGet(30), "AMB", "SNP"); }

    static String freshRequest() { return server.requestId(Role.REGULATOR, "SAS_116117"); }

    static String freshAppointment() {
        Api.Response r = server.api.book(server.token(Role.REGULATOR), freshSlot(), freshRequest(), null, UUID.randomUUID().toString());
        assertThat(r.status()).as("setup booking " + r).isEqualTo(201);
        return r.json().getString("id");
    }

    static String freshEffector() {
        String body = fr.snp.dispatch.domain.Rpps.withCheckDigit(String.format("10%08d", rpps.incrementAndGet()));
        return server.effector("36044", new JsonObject().put("rpps", body));
    }

    static Fixture fixture(Op op) {
        String key = op.name();
        Fixture f = fixtures.get(key);
        if (f == null) {
            f = build(op);
            fixtures.put(key, f);
        }
        return new Fixture(Json.decodeValue(Json.encode(f.body())), f.path());
    }

    /**
     * The example with real ids and times: what each operation needs to accept it. Those that cannot answer 2xx
     * even so: appointmentsFeedback and feedbackLinkAnswer (an appointment still to come has no outcome yet: 409),
     * simSetClock (403 on a server whose clock is not movable). Every other valid body is accepted (2xx).
     */
    static final java.util.Set<String> CANNOT_BE_2XX = java.util.Set.of("appointmentsFeedback", "feedbackLinkAnswer", "simSetClock");

    static Fixture build(Op op) {
        Object body = Json.decodeValue(Json.encode(op.example()));
        String path = op.template();
        JsonObject o = body instanceof JsonObject j ? j : null;
        JsonObject slot = body instanceof JsonArray a ? a.getJsonObject(0)
                : o != null && o.containsKey("slots") ? o.getJsonArray("slots").getJsonObject(0) : o;
        OffsetDateTime now = now();
        switch (op.id()) {
            case "appointmentsBook" -> {
                String s = freshSlot();
                String r = freshRequest();
                Api.Response hold = server.api.post("/api/v1/slots/" + s + "/hold", server.token(Role.REGULATOR),
                        new JsonObject().put("requestId", r));
                assertThat(hold.status()).as("setup hold " + hold).isEqualTo(201);
                o.put("slotId", s).put("requestId", r).put("holdId", hold.json().getString("holdId"));
            }
            case "appointmentsBookSupernumerary" -> o.put("effectorId", supernumeraryEffector).put("requestId", freshRequest())
                    .put("start", now.plusDays(days.incrementAndGet()).withHour(11).withMinute(0).toString());
            case "appointmentsCancel", "appointmentsFeedback" -> path = path.replace("{id}", freshAppointment());
            case "feedbackLinkAnswer" -> path = path.replace("{token}", server.dispatcher.services().feedbackLinks()
                    .token(freshAppointment(), server.dispatcher.services().nowMs() / 1000));
            case "effectorsCreate" -> o.put("rpps", fr.snp.dispatch.domain.Rpps.withCheckDigit(String.format("10%08d",
                    rpps.incrementAndGet()))).put("cpts", new JsonArray().add("CPTS-TEST"));
            case "slotsAvailability" -> {
                path = path.replace("{id}", freshEffector());
                o.put("until", LocalDate.now(PARIS).plusDays(10).toString());
            }
            case "slotsPublish" -> {
                OffsetDateTime start = now.plusMinutes(minutes.addAndGet(30));
                slot.put("effectorId", freshEffector()).put("start", start.toString()).put("end", start.plusMinutes(20).toString());
            }
            case "requestsOutcome" -> path = path.replace("{id}", freshRequest());
            case "slotsHold" -> {
                path = path.replace("{id}", freshSlot());
                o.put("requestId", freshRequest());
            }
            case "coordinationUpdateDoctorRequest" -> {
                Api.Response r = server.api.post("/api/v1/doctor-requests", server.token(Role.COORDINATOR), new JsonObject()
                        .put("patient", new JsonObject().put("initials", "DR").put("birthYear", 1940).put("phone", "0612345678")
                                .put("communeInsee", "36044").put("ald", true)));
                assertThat(r.status()).as("setup doctor request " + r).isEqualTo(201);
                path = path.replace("{id}", r.json().getString("id"));
            }
            case "widgetOpen" -> o.put("origin", "https://pharmacie.example");
            default -> { }
        }
        assertThat(path).as(op.name() + ": a path parameter left").doesNotContain("{");
        return new Fixture(body, path);
    }

    // --- mutations --------------------------------------------------------------------------------------------------

    static final Pattern DATE_OR_TIME = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2}.*|\\d{2}:\\d{2}.*|P[0-9T].*)$");

    static List<Mutation> mutations(Op op, Object valid) {
        List<Mutation> out = new ArrayList<>();
        out.add(new Mutation("the valid body", root -> Json.encode(root)));
        for (Map.Entry<String, Object> whole : wholeBodies().entrySet()) {
            out.add(new Mutation("whole body " + whole.getKey(), root -> Json.encode(whole.getValue())));
        }
        out.add(new Mutation("whole body with an unknown member", root -> root instanceof JsonObject o
                ? o.copy().put("zzUnknown", "x").encode() : Json.encode(root)));
        Map<List<Object>, JsonObject> paths = new LinkedHashMap<>();
        walk(valid, op.schema(), new ArrayList<>(), paths);
        for (Map.Entry<List<Object>, JsonObject> e : paths.entrySet()) {
            List<Object> path = e.getKey();
            Object value = at(valid, path);
            boolean present = value != Absent.VALUE;
            String name = name(path);
            if (present) out.add(new Mutation(name + " removed", root -> Json.encode(removed(root, path))));
            Map<String, Object> values = new LinkedHashMap<>(values());
            JsonObject schema = resolve(e.getValue());
            String format = schema == null ? null : schema.getString("format");
            if ((value instanceof String s && DATE_OR_TIME.matcher(s).matches())
                    || (format != null && List.of("date-time", "date", "time", "duration").contains(format))) {
                values.put("\"2026-02-30T25:61:00+01:00\"", "2026-02-30T25:61:00+01:00");
                values.put("\"P1M\"", "P1M");
                values.put("\"25:00\"", "25:00");
                values.put("\"2026-02-30\"", "2026-02-30");
            }
            boolean integer = schema != null && "integer".equals(schema.getString("type"));
            for (Map.Entry<String, Object> v : values.entrySet()) {
                out.add(new Mutation(name + " = " + v.getKey(), root -> Json.encode(replaced(root, path, v.getValue())),
                        integer && v.getValue() instanceof Long big && big > Integer.MAX_VALUE));
            }
        }
        return out;
    }

    static Map<String, Object> wholeBodies() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("[]", new JsonArray());
        m.put("\"x\"", "x");
        m.put("{}", new JsonObject());
        m.put("null", null);
        m.put("7", 7);
        m.put("[{}]", new JsonArray().add(new JsonObject()));
        return m;
    }

    /** What a member is set to (besides removed): nothing, blank, too long, each other JSON type. */
    static Map<String, Object> values() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("null", null);
        m.put("\"\"", "");
        m.put("\"   \"", "   ");
        m.put("\"x\"", "x");
        m.put("10,000 chars", "x".repeat(10_000));
        m.put("7", 7);
        m.put("1.5", 1.5);
        m.put("-1", -1);
        m.put("2147483648", 2_147_483_648L);
        m.put("1e308", 1e308);
        m.put("true", true);
        m.put("{}", new JsonObject());
        m.put("[]", new JsonArray());
        m.put("[\"x\"]", new JsonArray().add("x"));
        m.put("[1]", new JsonArray().add(1));
        return m;
    }

    /** Every member path of the valid body (an array's first item), and every declared property the body leaves out. */
    static void walk(Object value, JsonObject schema, List<Object> path, Map<List<Object>, JsonObject> out) {
        if (value instanceof JsonObject o) {
            for (String name : o.fieldNames()) {
                List<Object> p = append(path, name);
                JsonObject s = schema == null ? null : child(schema, name, o);
                out.put(p, s);
                walk(o.getValue(name), s, p, out);
            }
            if (schema != null) {
                for (String name : properties(schema, o)) {
                    if (!o.containsKey(name)) out.put(append(path, name), child(schema, name, o));
                }
            }
        } else if (value instanceof JsonArray a && !a.isEmpty()) {
            List<Object> p = append(path, 0);
            JsonObject s = schema == null ? null : child(schema, 0, a);
            out.put(p, s);
            walk(a.getValue(0), s, p, out);
        }
    }

    static List<Object> append(List<Object> path, Object key) {
        List<Object> p = new ArrayList<>(path);
        p.add(key);
        return List.copyOf(p);
    }

    static String name(List<Object> path) {
        StringBuilder b = new StringBuilder();
        for (Object k : path) {
            if (k instanceof Integer i) b.append('[').append(i).append(']');
            else b.append(b.length() == 0 ? "" : ".").append(k);
        }
        return b.toString();
    }

    enum Absent { VALUE }

    static Object at(Object root, List<Object> path) {
        Object node = root;
        for (Object k : path) {
            if (node instanceof JsonObject o && k instanceof String s && o.containsKey(s)) node = o.getValue(s);
            else if (node instanceof JsonArray a && k instanceof Integer i && i < a.size()) node = a.getValue(i);
            else return Absent.VALUE;
        }
        return node;
    }

    static Object replaced(Object root, List<Object> path, Object value) {
        Object copy = Json.decodeValue(Json.encode(root));
        Object parent = at(copy, path.subList(0, path.size() - 1));
        Object last = path.get(path.size() - 1);
        Object v = value instanceof JsonObject j ? j.copy() : value instanceof JsonArray a ? a.copy() : value;
        if (parent instanceof JsonObject o) o.put((String) last, v);
        else if (parent instanceof JsonArray a) a.set((Integer) last, v);
        return copy;
    }

    static Object removed(Object root, List<Object> path) {
        Object copy = Json.decodeValue(Json.encode(root));
        Object parent = at(copy, path.subList(0, path.size() - 1));
        Object last = path.get(path.size() - 1);
        if (parent instanceof JsonObject o) o.remove((String) last);
        else if (parent instanceof JsonArray a) a.remove((int) (Integer) last);
        return copy;
    }

    // --- one case ---------------------------------------------------------------------------------------------------

    static void run(Op op, Mutation m) {
        int n = cases.incrementAndGet();
        long t0 = System.nanoTime();
        Fixture f = fixture(op);
        fixtureNanos.addAndGet(System.nanoTime() - t0);
        String body = m.body().apply(f.body());
        Map<String, String> headers = op.idempotent() ? Map.of("Idempotency-Key", UUID.randomUUID().toString()) : Map.of();
        boolean snapshot = n % SNAPSHOT_EVERY == 0;
        long t1 = System.nanoTime();
        Map<String, String> before = snapshot ? server.stored(false) : null;
        snapshotNanos.addAndGet(System.nanoTime() - t1);
        String shown = body.length() > 400 ? body.substring(0, 400) + "…(" + body.length() + " chars)" : body;
        String what = op.name() + " › " + m.name() + ": " + op.method() + " " + f.path() + " " + shown;
        Api.Response r;
        try {
            long t2 = System.nanoTime();
            r = server.api.send(op.method(), f.path(), token(op), body, headers);
            sendNanos.addAndGet(System.nanoTime() - t2);
        } catch (java.util.concurrent.CompletionException e) {
            // the answer drifts from the document (ContractCheck): name the case; what it used may be used
            fixtures.remove(op.name());
            if (e.getCause() instanceof AssertionError drift) throw new AssertionError(what + "\n  " + drift.getMessage(), drift);
            throw e;
        }
        what += " → " + r;
        assertThat(r.status()).as(what).isLessThan(500);
        if (m.name().equals("the valid body")) validAnswers.put(op.name(), r.status());
        if (m.name().equals("the valid body") && !CANNOT_BE_2XX.contains(op.id())) {
            assertThat(r.status()).as("the valid body is accepted: " + what).isBetween(200, 299);
        }
        if (m.mustRefuse()) {
            // Input.integer reads an int: the contract must bound an integer member, or 2^31 is read as -2^31
            assertThat(r.status()).as("an integer beyond an int must be refused (a maximum in openapi.yaml): " + what)
                    .isGreaterThanOrEqualTo(400);
        }
        if (r.status() < 300) {
            fixtures.remove(op.name()); // its slot, request, appointment… is used: the next case makes a fresh one
            return;
        }
        if (r.status() >= 400) {
            JsonObject error = r.json();
            assertThat(error.getString("code")).as(what).isNotBlank();
            assertThat(error.getValue("message")).as(what).isInstanceOf(String.class);
            assertThat(error.containsKey("field")).as(what).isTrue();
            if (snapshot) {
                long t3 = System.nanoTime();
                Map<String, String> after = server.stored(false);
                snapshotNanos.addAndGet(System.nanoTime() - t3);
                assertThat(after).as("refused, yet stored: " + what).isEqualTo(before);
            }
        }
    }
}
