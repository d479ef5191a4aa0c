package fr.snp.dispatch.api;

import fr.snp.dispatch.domain.Refused;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Writing responses, and turning any failure into the JSON error body. Logs never carry a request body. */
final class Http {
    private static final Logger LOG = Logger.getLogger("fr.snp.dispatch.http");

    private Http() {}

    private static final CharSequence JSON = io.vertx.core.http.HttpHeaders.createOptimized("application/json; charset=utf-8");

    static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader(io.vertx.core.http.HttpHeaders.CONTENT_TYPE, JSON).end(body.encode());
    }

    /** Completes on the request's event loop with the body of the stage, or the error it failed with. */
    static void reply(RoutingContext ctx, CompletionStage<Reply> stage) {
        Future.fromCompletionStage(stage, ctx.vertx().getOrCreateContext()).onComplete(ar -> {
            if (ar.succeeded()) {
                Reply r = ar.result();
                r.headers().forEach((k, v) -> ctx.response().putHeader(k, v));
                if (r.text() != null) {
                    ctx.response().setStatusCode(r.status()).end(r.text());
                } else {
                    json(ctx, r.status(), r.body());
                }
            } else {
                fail(ctx, ar.cause());
            }
        });
    }

    static void fail(RoutingContext ctx, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (ctx.response().ended()) return;
        if (cause instanceof ApiError e) {
            json(ctx, e.status, e.toJson());
            return;
        }
        if (cause instanceof Refused r) {
            if (r.retryAfterSeconds > 0) ctx.response().putHeader("Retry-After", Long.toString(r.retryAfterSeconds));
            json(ctx, r.outcome.status, new ApiError(r.outcome.status, r.outcome.name(), r.getMessage(), r.field).toJson());
            return;
        }
        if (cause instanceof fr.snp.dispatch.redis.Durability.OutcomeUnknown) {
            // ran, maybe, but not confirmed kept (redis.durability=strict): the same Idempotency-Key settles it
            LOG.warning("outcome unknown on " + ctx.request().method() + " " + ctx.request().path() + ": " + cause.getMessage());
            ctx.response().putHeader("Retry-After", "1");
            json(ctx, 503, new ApiError(503, "OUTCOME_UNKNOWN", "the change may or may not have been kept (not confirmed "
                    + "on disk or on a replica in time); retry with the same Idempotency-Key", null).toJson());
            return;
        }
        if (fr.snp.dispatch.redis.StoreFailures.unavailable(cause)) {
            LOG.log(Level.WARNING, "Redis failure on " + ctx.request().method() + " " + ctx.request().path() + ": "
                    + cause.getMessage());
            json(ctx, 503, new ApiError(503, "REDIS_UNAVAILABLE", "the store is unavailable, retry shortly", null).toJson());
            return;
        }
        LOG.log(Level.SEVERE, "unexpected failure on " + ctx.request().method() + " " + ctx.request().path(), cause);
        json(ctx, 500, new ApiError(500, "INTERNAL_ERROR", "unexpected server error", null).toJson());
    }

    /** A status, a JSON body (or a text one, with its content type in the headers) and extra headers. */
    record Reply(int status, JsonObject body, java.util.Map<String, String> headers, String text) {
        Reply(int status, JsonObject body, java.util.Map<String, String> headers) { this(status, body, headers, null); }

        Reply(int status, JsonObject body) { this(status, body, java.util.Map.of(), null); }

        static Reply csv(String text) { return text(200, "text/csv; charset=utf-8", text); }

        static Reply text(int status, String contentType, String text) {
            return new Reply(status, null, java.util.Map.of("Content-Type", contentType), text);
        }
    }
}
