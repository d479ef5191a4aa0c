package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;


/** GET /health: 200 {"status":"UP","redis":"UP"} while Redis answers a PING within a second, else 503. */
final class HealthHandler {
    private final Services s;

    HealthHandler(Services s) { this.s = s; }

    void handle(RoutingContext ctx) {
        Future.fromCompletionStage(s.health().up(), ctx.vertx().getOrCreateContext()).onComplete(ar -> {
            boolean up = ar.succeeded() && ar.result();
            Http.json(ctx, up ? 200 : 503, new JsonObject().put("status", up ? "UP" : "DOWN").put("redis", up ? "UP" : "DOWN"));
        });
    }
}
