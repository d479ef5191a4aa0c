package fr.snp.dispatch;

import fr.snp.dispatch.api.ApiContract;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableResponse;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Every answer a test receives through {@link Api} is held to the published contract (openapi.yaml): its status must
 * be one the operation documents, and a JSON body must match that status's schema. A response that drifts from the
 * document fails the test that received it. Calls to no documented operation (a wrong path on purpose, a page) are
 * left to ContractTest, which holds the router and the document to each other.
 */
public final class ContractCheck {
    private record Loaded(OpenAPIContract contract, ResponseValidator validator) {}

    private static volatile Loaded loaded;

    private ContractCheck() {}

    private static Loaded loaded() {
        Loaded l = loaded;
        if (l != null) return l;
        synchronized (ContractCheck.class) {
            if (loaded == null) {
                // one small Vert.x for the whole test JVM, only for the validator (never closed: it dies with the JVM)
                Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
                try {
                    OpenAPIContract contract = ApiContract.load().contract(vertx).toCompletionStage().toCompletableFuture()
                            .get(30, TimeUnit.SECONDS);
                    loaded = new Loaded(contract, ResponseValidator.create(vertx, contract));
                } catch (Exception e) {
                    throw new AssertionError("openapi.yaml does not load as an OpenAPI contract: " + e, e);
                }
            }
            return loaded;
        }
    }

    /** The documented operation for this call, or null. */
    public static Operation operation(String method, String path) {
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        try {
            return loaded().contract().findOperation(bare, HttpMethod.valueOf(method));
        } catch (RuntimeException notFound) {
            return null;
        }
    }

    /** Fails (AssertionError) when a documented operation answered something its document does not say. */
    public static void check(String method, String path, int status, Map<String, List<String>> headers, String body) {
        Operation op = operation(method, path);
        if (op == null) return;
        Loaded l = loaded();
        String where = method + " " + path + " (" + op.getOperationId() + ") answered " + status;
        // an operation still being written (summary TODO, ContractTest lists them) is held to its errors only
        if ("TODO".equals(op.getOpenAPIModel().getString("summary")) && status < 400) return;
        if (op.getResponse(status) == null && (status < 400 || op.getDefaultResponse() == null)) {
            throw new AssertionError(where + ": the contract documents no such answer for this operation (openapi.yaml)");
        }
        String contentType = first(headers, "content-type");
        // the media type without its parameters (charset): the document's content keys are bare media types
        String mediaType = contentType == null ? null : contentType.split(";")[0].strip();
        boolean json = "application/json".equals(mediaType);
        // a body in another media type (CSV, JSON lines, YAML, an event stream): Vert.x's OpenAPI model refuses a
        // document that names such a media type, and its validator reads JSON bodies only, so such an answer is held
        // to its status (above); the document describes it in words (x-other-media-types)
        if (!json && body != null && !body.isEmpty()) return;
        Map<String, String> flat = new HashMap<>();
        headers.forEach((k, v) -> { if (!v.isEmpty() && !k.startsWith(":")) flat.put(k, v.get(0)); });
        ValidatableResponse response = json && body != null && !body.isEmpty()
                ? ValidatableResponse.create(status, flat, Buffer.buffer(body), mediaType)
                : ValidatableResponse.create(status, flat);
        try {
            l.validator().validate(response, op.getOperationId()).toCompletionStage().toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            String reason = cause instanceof SchemaValidationException s && s.getOutputUnit() != null
                    ? cause.getMessage() + " " + s.getOutputUnit().toString() : String.valueOf(cause);
            throw new AssertionError(where + ", which does not match the contract (openapi.yaml): " + reason
                    + "\n  body: " + (body == null ? "" : body.length() > 2000 ? body.substring(0, 2000) + "…" : body), cause);
        } catch (Exception e) {
            throw new AssertionError(where + ": the contract check failed: " + e, e);
        }
    }

    private static String first(Map<String, List<String>> headers, String name) {
        for (var e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) return e.getValue().get(0);
        }
        return null;
    }
}
