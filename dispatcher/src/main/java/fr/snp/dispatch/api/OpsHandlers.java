package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.notifications.OutboxWorker;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.Range;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** What ops and the coordinator follow: the notification backlog, and appointments still without feedback. */
final class OpsHandlers {
    private final Services s;

    OpsHandlers(Services s) { this.s = s; }

    private static String territory(RoutingContext ctx) { return Input.territory(ctx.queryParams().get("territory"), "territory"); }

    /** GET /api/v1/ops/outbox?territory=36: notifications not yet delivered, and how old the oldest is. */
    void outbox(RoutingContext ctx) {
        String t = territory(ctx);
        Http.reply(ctx, OutboxWorker.backlog(s.redis(), t).thenApply(b -> new Http.Reply(200, new JsonObject()
                .put("territory", t).put("pending", b.pending()).put("oldestPendingAgeSeconds", b.oldestAgeSeconds()))));
    }

    /** GET /api/v1/appointments?territory=36&awaitingFeedback=true: ended N hours ago, no feedback yet. */
    void awaitingFeedback(RoutingContext ctx) {
        String t = territory(ctx);
        if (!"true".equals(ctx.queryParams().get("awaitingFeedback"))) {
            throw ApiError.badRequest("MISSING_FIELD", "only awaitingFeedback=true is listed for now", "awaitingFeedback");
        }
        long before = s.nowMs() / 1000 - s.settings().integer("feedback.reminderAfterHours") * 3600L;
        Http.reply(ctx, s.redis().zrangebyscore(Keys.awaitingFeedback(t), Range.create(Double.NEGATIVE_INFINITY, (double) before))
                .thenCompose((List<String> ids) -> {
                    List<CompletableFuture<Map<String, String>>> reads = ids.stream()
                            .map(id -> s.appointments().get(id).toCompletableFuture()).toList();
                    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> {
                        JsonArray list = new JsonArray();
                        reads.forEach(r -> {
                            Map<String, String> a = r.join();
                            if (!a.isEmpty()) list.add(Views.appointment(a, s.index().effector(a.get("e"))));
                        });
                        return new Http.Reply(200, new JsonObject().put("territory", t).put("appointments", list));
                    });
                }));
    }
}
