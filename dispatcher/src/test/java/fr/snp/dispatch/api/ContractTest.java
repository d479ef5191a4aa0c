package fr.snp.dispatch.api;

import fr.snp.dispatch.ContractCheck;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The published contract (openapi.yaml) and the server agree: every route of the router under /api/v1 is an
 * operation of the document and every operation a route; each declared route's roles and tenant rule are the
 * document's x-roles and x-tenant, and the routes outside the route table (links, tickets, public pages) ask for no
 * bearer token there; the document and GET /api/v1/openapi.json are the same; every answer code is listed with its
 * status. The answers themselves are checked by every API test (ContractCheck, through Api).
 */
class ContractTest {
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception { server = TestServer.start(); }

    @AfterAll
    static void stop() throws Exception { server.close(); }

    /** "METHOD /path/{param}" of every route the real router serves under /api/v1. */
    private static Set<String> routerOperations() throws Exception {
        var vertx = server.dispatcher.vertx();
        Router router = ApiRouter.build(vertx, server.dispatcher.services(),
                ApiContract.load().contract(vertx).toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS));
        Set<String> ops = new TreeSet<>();
        for (Route r : router.getRoutes()) {
            String path = r.getPath();
            if (path == null || !path.startsWith("/api/v1/") || r.methods() == null || r.methods().isEmpty()) continue;
            for (HttpMethod m : r.methods()) ops.add(m.name() + " " + path.replaceAll(":(\\w+)", "{$1}"));
        }
        return ops;
    }

    private static JsonObject document() { return ApiContract.load().json(); }

    private static Map<String, JsonObject> documentOperations() {
        Map<String, JsonObject> ops = new TreeMap<>();
        JsonObject paths = document().getJsonObject("paths");
        for (String path : paths.fieldNames()) {
            JsonObject item = paths.getJsonObject(path);
            for (String method : item.fieldNames()) {
                if (Set.of("get", "post", "put", "patch", "delete").contains(method)) {
                    ops.put(method.toUpperCase() + " " + path, item.getJsonObject(method));
                }
            }
        }
        return ops;
    }

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedOperationIsARoute() throws Exception {
        Set<String> routes = routerOperations();
        Set<String> documented = documentOperations().keySet();
        assertThat(routes).as("routes of the router missing from openapi.yaml").isSubsetOf(documented);
        assertThat(documented).as("operations of openapi.yaml the router does not serve").isSubsetOf(routes);
        assertThat(routes).hasSizeGreaterThan(40);
    }

    @Test
    void eachRoutesRolesAndTenantRuleAreTheDocuments() {
        Map<String, JsonObject> ops = documentOperations();
        List<String> wrong = new ArrayList<>();
        Set<String> declared = new TreeSet<>();
        for (ApiRouter.Route r : ApiRouter.declaredRoutes(server.dispatcher.vertx(), server.dispatcher.services())) {
            if (!r.path().startsWith("/api/v1/")) continue;
            String key = r.method().name() + " " + r.path().replaceAll(":(\\w+)", "{$1}");
            declared.add(key);
            JsonObject op = ops.get(key);
            if (op == null) continue; // the test above names it
            Set<String> roles = new TreeSet<>();
            for (Role role : r.roles()) roles.add(role.wireName());
            Set<String> documentedRoles = new TreeSet<>();
            op.getJsonArray("x-roles", new io.vertx.core.json.JsonArray()).forEach(x -> documentedRoles.add((String) x));
            if (!roles.equals(documentedRoles)) wrong.add(key + ": roles " + roles + ", documented " + documentedRoles);
            if (!r.tenant().name().equals(op.getString("x-tenant"))) {
                wrong.add(key + ": tenant " + r.tenant() + ", documented " + op.getString("x-tenant"));
            }
            if (op.containsKey("security") && op.getJsonArray("security").isEmpty()) wrong.add(key + ": documented without a token");
        }
        // the others take no bearer token (a signed link, a ticket, nothing): the document must not ask for one
        ops.forEach((key, op) -> {
            if (declared.contains(key)) return;
            if (!op.containsKey("security") || !op.getJsonArray("security").isEmpty()) {
                wrong.add(key + ": outside the route table, so no bearer token: needs security: []");
            }
            if (!op.getJsonArray("x-roles", new io.vertx.core.json.JsonArray()).isEmpty()) wrong.add(key + ": x-roles on a route without roles");
        });
        assertThat(wrong).isEmpty();
    }

    @Test
    void theDocumentIsAValidOpenApiContractAndIsServedAsWritten() {
        // loads through Vert.x's OpenAPI model, which checks it against the OpenAPI 3.1 schema
        assertThat(ContractCheck.operation("GET", "/api/v1/me")).isNotNull();
        var json = server.api.get("/api/v1/openapi.json", null);
        assertThat(json.status()).isEqualTo(200);
        assertThat(json.json()).isEqualTo(document());
        var yaml = server.api.get("/api/v1/openapi.yaml", null);
        assertThat(yaml.status()).isEqualTo(200);
        assertThat(yaml.header("Content-Type")).startsWith("application/yaml");
        assertThat(yaml.body()).isEqualTo(ApiContract.load().yaml());
    }

    @Test
    void everyAnswerCodeIsListedWithItsStatus() {
        JsonObject documented = document().getJsonObject("x-answer-codes", new JsonObject());
        JsonObject codes = server.api.get("/api/v1/codes", null).json().getJsonObject("codes");
        Map<String, Integer> expected = new TreeMap<>();
        codes.forEach(e -> expected.put(e.getKey(), ((JsonObject) e.getValue()).getInteger("status")));
        Map<String, Integer> actual = new TreeMap<>();
        documented.forEach(e -> actual.put(e.getKey(), ((JsonObject) e.getValue()).getInteger("status")));
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void everyOperationIsWrittenWithItsAnswers() {
        List<String> unfinished = new ArrayList<>();
        documentOperations().forEach((key, op) -> {
            if ("TODO".equals(op.getString("summary")) || op.getString("summary", "").isBlank()) unfinished.add(key + ": no summary");
            JsonObject responses = op.getJsonObject("responses", new JsonObject());
            if (responses.fieldNames().stream().noneMatch(status -> status.startsWith("2"))) {
                unfinished.add(key + ": no success answer documented");
            }
        });
        assertThat(unfinished).isEmpty();
    }

    /**
     * A field's own code in the document (x-error-code, x-missing-code: what request validation answers) is a listed
     * code.
     */
    @Test
    void everyFieldCodeOfTheDocumentIsAnAnswerCode() {
        JsonObject doc = document();
        Set<String> listed = doc.getJsonObject("x-answer-codes").fieldNames();
        List<String> fieldCodes = new ArrayList<>();
        collect(doc, "x-error-code", fieldCodes);
        collect(doc, "x-missing-code", fieldCodes);
        assertThat(fieldCodes).contains("INVALID_DATETIME", "RADIUS_OUT_OF_RANGE", "INVALID_TIME", "IDEMPOTENCY_KEY_REQUIRED");
        assertThat(listed).containsAll(fieldCodes);
    }

    private static void collect(Object node, String key, List<String> out) {
        if (node instanceof JsonObject o) {
            o.forEach(e -> {
                if (e.getKey().equals(key) && e.getValue() instanceof String s) out.add(s);
                else collect(e.getValue(), key, out);
            });
        } else if (node instanceof io.vertx.core.json.JsonArray a) {
            a.forEach(x -> collect(x, key, out));
        }
    }

    /**
     * Every code the server's sources give an ApiError (or a signed link's refusal) is listed by GET /api/v1/codes,
     * hence in the contract: a code added in a handler and forgotten in api/Codes.java fails here.
     */
    @Test
    void everyCodeTheSourcesAnswerIsListed() throws Exception {
        java.util.regex.Pattern call = java.util.regex.Pattern.compile(
                "(?:new ApiError\\([^,\"]+, |ApiError\\.\\w+\\(|new Refused\\()\"([A-Z][A-Z0-9_]+)\"");
        Set<String> used = new TreeSet<>();
        try (var files = java.nio.file.Files.walk(java.nio.file.Path.of("src/main/java"))) {
            for (var f : files.filter(x -> x.toString().endsWith(".java")).toList()) {
                var m = call.matcher(java.nio.file.Files.readString(f));
                while (m.find()) used.add(m.group(1));
            }
        }
        assertThat(used).hasSizeGreaterThan(40);
        JsonObject codes = server.api.get("/api/v1/codes", null).json().getJsonObject("codes");
        assertThat(codes.fieldNames()).containsAll(used);
        // and each answers with its listed status: the few that have a fixed one in the source
        assertThat(codes.getJsonObject("LINK_EXPIRED").getInteger("status")).isEqualTo(410);
    }
}
