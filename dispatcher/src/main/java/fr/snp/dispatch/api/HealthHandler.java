package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.TimeUnit;

/** GET /health: 200 {"status":"UP","redis":"UP"} while Redis answers a PING within a second, else 503. */
final class HealthHandler {
    private final Services s;

    HealthHandler(Services s) { this.s = s; }

    void handle(RoutingContext ctx) {
        var ping = s.redis().ping().toCompletableFuture().orTimeout(1, TimeUnit.SECONDS);
        Future.fromCompletionStage(ping, ctx.vertx().getOrCreateContext()).onComplete(ar -> {
            boolean up = ar.succeeded() && "PONG".equals(ar.result());
            Http.json(ctx, up ? 200 : 503, new JsonObject().put("status", up ? "UP" : "DOWN").put("redis", up ? "UP" : "DOWN"));
        });
    }
}
