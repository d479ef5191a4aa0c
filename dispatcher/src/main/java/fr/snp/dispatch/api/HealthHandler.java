package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;


/**
 * GET /health: 200 {"status":"UP","redis":"UP"} while Redis answers a PING within a second, else 503. On a Redis
 * Cluster, every master is pinged and listed ("redisMasters": {"host:port": "UP"|"DOWN"}): one down is 503.
 */
final class HealthHandler {
    private final Services s;

    HealthHandler(Services s) { this.s = s; }

    void handle(RoutingContext ctx) {
        Future.fromCompletionStage(s.health().report(), ctx.vertx().getOrCreateContext()).onComplete(ar -> {
            boolean up = ar.succeeded() && ar.result().up();
            JsonObject body = new JsonObject().put("status", up ? "UP" : "DOWN").put("redis", up ? "UP" : "DOWN");
            if (ar.succeeded() && ar.result().masters().size() > 1) {
                JsonObject masters = new JsonObject();
                ar.result().masters().forEach((address, answered) -> masters.put(address, answered ? "UP" : "DOWN"));
                body.put("redisMasters", masters);
            }
            Http.json(ctx, up ? 200 : 503, body);
        });
    }
}
