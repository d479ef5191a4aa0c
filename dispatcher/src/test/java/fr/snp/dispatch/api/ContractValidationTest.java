package fr.snp.dispatch.api;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests checked against a contract refuse with the API's {code, message, field}, the field as a path into the
 * body, and never reach their handler; valid ones do. A small contract of the same shapes as openapi.yaml's (a
 * patterned path id, a bounded query integer, a body with a required nested object, an enum, an array of objects).
 */
class ContractValidationTest {
    private static Vertx vertx;
    private static int port;
    private static final AtomicInteger handled = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        JsonObject doc = new JsonObject("""
                {"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{"/x/{id}":{"post":{"operationId":"x",
                 "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string","pattern":"^[0-9]{2}-[A-Z][0-9]+$"}},
                               {"name":"limit","in":"query","schema":{"type":"integer","minimum":1,"maximum":10}}],
                 "requestBody":{"required":true,"content":{"application/json":{"schema":{"type":"object","required":["slotId","patient"],
                   "properties":{"slotId":{"type":"string"},"mode":{"enum":["AMB","HH","VR"]},
                     "patient":{"type":"object","required":["phone"],"properties":{"phone":{"type":"string","pattern":"^0[0-9]{9}$"}}},
                     "slots":{"type":"array","items":{"type":"object","properties":{"mode":{"enum":["AMB","HH"]}}}}}}}}},
                 "responses":{"200":{"description":"ok"}}}},
                 "/y/{token}":{"post":{"operationId":"y",
                 "parameters":[{"name":"token","in":"path","required":true,"schema":{"type":"string","pattern":"^[a-z]+\\\\.[0-9]+$","x-error-code":"INVALID_LINK"}},
                               {"name":"Idempotency-Key","in":"header","required":true,"x-missing-code":"IDEMPOTENCY_KEY_REQUIRED","schema":{"type":"string"}}],
                 "responses":{"200":{"description":"ok"}}}}}}""");
        OpenAPIContract contract = OpenAPIContract.from(vertx, doc).toCompletionStage().toCompletableFuture().get();
        ContractValidation validation = new ContractValidation(vertx, contract);
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create());
        router.post("/x/:id").handler(validation.forOperation("x")).handler(ctx -> {
            handled.incrementAndGet();
            ctx.response().end(((JsonObject) Input.body(ctx)).encode()); // the body as the handler reads it
        });
        router.post("/y/:token").handler(validation.forOperation("y")).handler(ctx -> {
            handled.incrementAndGet();
            ctx.response().end("{}");
        });
        port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage()
                .toCompletableFuture().get().actualPort();
    }

    @AfterAll
    static void stop() { vertx.close(); }

    @ParameterizedTest(name = "{0} {1} -> {2} {3} {4}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "/x/36-E1 | {\"slotId\":\"a\",\"patient\":{\"phone\":\"0612345678\"}}                 | 200 | -              | -",
            "/x/36-E1 | {\"patient\":{\"phone\":\"0612345678\"}}                                   | 400 | MISSING_FIELD  | slotId",
            "/x/36-E1 | {\"slotId\":\"a\",\"patient\":{}}                                          | 400 | MISSING_FIELD  | patient.phone",
            "/x/36-E1 | {\"slotId\":\"a\",\"patient\":{\"phone\":\"12\"}}                           | 400 | INVALID_FIELD  | patient.phone",
            "/x/36-E1 | {\"slotId\":\"a\",\"mode\":\"X\",\"patient\":{\"phone\":\"0612345678\"}}   | 400 | INVALID_ENUM   | mode",
            "/x/36-E1 | {\"slotId\":3,\"patient\":{\"phone\":\"0612345678\"}}                       | 400 | INVALID_FIELD  | slotId",
            "/x/36-E1 | {\"slotId\":\"a\",\"patient\":{\"phone\":\"0612345678\"},\"slots\":[{\"mode\":\"AMB\"},{\"mode\":\"Q\"}]} | 400 | INVALID_ENUM | slots[1].mode",
            "/x/36-E1 | not json                                                                    | 400 | INVALID_JSON   | -",
            "/x/36-E1 | -                                                                           | 400 | MISSING_BODY   | -",
            "/x/bad   | {\"slotId\":\"a\",\"patient\":{\"phone\":\"0612345678\"}}                   | 400 | INVALID_FIELD  | id",
            "/x/36-E1?limit=99  | {\"slotId\":\"a\",\"patient\":{\"phone\":\"0612345678\"}}         | 400 | INVALID_FIELD  | limit",
            "/x/36-E1?limit=abc | {\"slotId\":\"a\",\"patient\":{\"phone\":\"0612345678\"}}         | 400 | INVALID_FIELD  | limit",
            // a blank string is no value: a required one is missing, an optional one takes its default
            "/x/36-E1 | {\"slotId\":\"  \",\"patient\":{\"phone\":\"0612345678\"}}               | 400 | MISSING_FIELD  | slotId",
            "/x/36-E1 | {\"slotId\":\"a\",\"mode\":\"\",\"patient\":{\"phone\":\" 0612345678 \"}} | 200 | -              | -",
    })
    void answers(String path, String body, int status, String code, String field) throws Exception {
        int before = handled.get();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body));
        if (body != null) b.header("Content-Type", "application/json");
        HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        if (status == 200) {
            assertThat(handled.get()).isEqualTo(before + 1);
            return;
        }
        JsonObject error = new JsonObject(r.body());
        assertThat(error.getString("code")).as(r.body()).isEqualTo(code);
        assertThat(error.getString("field")).as(r.body()).isEqualTo(field);
        assertThat(error.getString("message")).isNotBlank();
        assertThat(handled.get()).as("a refused request never reaches its handler").isEqualTo(before);
    }

    /** The handler reads the body trimmed, without the members whose string was blank. */
    @org.junit.jupiter.api.Test
    void theHandlerReadsTheBodyTrimmedAndWithoutBlanks() throws Exception {
        HttpResponse<String> r = post("/x/36-E1", "{\"slotId\":\" a \",\"mode\":\" \",\"patient\":{\"phone\":\"0612345678\\t\"},"
                + "\"slots\":[{\"mode\":\" HH\"}]}", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(new JsonObject(r.body())).isEqualTo(new JsonObject().put("slotId", "a")
                .put("patient", new JsonObject().put("phone", "0612345678"))
                .put("slots", new io.vertx.core.json.JsonArray().add(new JsonObject().put("mode", "HH"))));
    }

    /** A parameter's own codes: when it is left out (x-missing-code), and when it is wrong (x-error-code, its own status). */
    @org.junit.jupiter.api.Test
    void aParameterAnswersWithItsOwnCodesAndStatus() throws Exception {
        int before = handled.get();
        HttpResponse<String> noKey = post("/y/abc.12", "", null);
        assertThat(noKey.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(noKey.body()).getString("code")).isEqualTo("IDEMPOTENCY_KEY_REQUIRED");
        assertThat(new JsonObject(noKey.body()).getString("field")).isEqualTo("Idempotency-Key");
        HttpResponse<String> badLink = post("/y/abc", "", "k1");
        assertThat(badLink.statusCode()).as("INVALID_LINK's own status").isEqualTo(403);
        assertThat(new JsonObject(badLink.body()).getString("code")).isEqualTo("INVALID_LINK");
        assertThat(handled.get()).isEqualTo(before);
        assertThat(post("/y/abc.12", "", "k1").statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> post(String path, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (key != null) b.header("Idempotency-Key", key);
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
