package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.domain.Ids;
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

    private static String territory(RoutingContext ctx) {
        String t = ctx.queryParams().get("territory");
        if (!Ids.isTerritory(t)) throw ApiError.badRequest(t == null ? "MISSING_FIELD" : "INVALID_FIELD",
                "territory must be a département code, e.g. 36", "territory");
        return t;
    }

    /** GET /api/v1/ops/outbox?territory=36: notifications not yet delivered, and how old the oldest is. */
    void outbox(RoutingContext ctx) {
        String t = territory(ctx);
        Http.reply(ctx, s.redis().exists(Keys.outbox(t)).thenCompose(n -> {
            if (n == 0) return CompletableFuture.completedFuture(new Http.Reply(200, new JsonObject().put("territory", t)
                    .put("pending", 0).put("oldestPendingAgeSeconds", 0)));
            return s.redis().xpending(Keys.outbox(t), OutboxWorker.GROUP).handle((summary, error) -> {
                long pending = error == null ? summary.getCount() : 0;
                long age = 0;
                if (pending > 0) {
                    String oldest = summary.getMessageIds().getLower().getValue();
                    age = Math.max(0, (System.currentTimeMillis() - Long.parseLong(oldest.substring(0, oldest.indexOf('-')))) / 1000);
                }
                return new Http.Reply(200, new JsonObject().put("territory", t).put("pending", pending)
                        .put("oldestPendingAgeSeconds", age));
            });
        }));
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
