package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.waiting.WaitingList;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;


/** POST/DELETE /api/v1/requests/{id}/wait and GET /api/v1/waiting?territory=: the territory's waiting list. */
final class WaitingHandlers {
    /** How many fitting slots the list shows per request (the console's one-key hold takes the first). */
    private static final int FITS_SHOWN = 3;

    private final Services s;

    WaitingHandlers(Services s) { this.s = s; }

    void put(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Http.reply(ctx, s.waiting().put(Authenticator.principal(ctx), id)
                .thenApply(r -> new Http.Reply(200, Views.request(r, s.planner().zone()))));
    }

    void remove(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Http.reply(ctx, s.waiting().remove(Authenticator.principal(ctx), id).thenApply(o ->
                new Http.Reply(200, new JsonObject().put("requestId", id).put("waiting", false).put("result", o.name()))));
    }

    void list(RoutingContext ctx) {
        String territory = ctx.queryParams().get("territory");
        long now = s.nowMs();
        Http.reply(ctx, s.waiting().list(Authenticator.principal(ctx), territory).thenApply(all -> {
            JsonArray out = new JsonArray();
            for (WaitingList.Waiting w : all) {
                JsonArray fits = new JsonArray();
                w.fits().stream().limit(FITS_SHOWN).forEach(c -> fits.add(Views.candidate(c, now)));
                out.add(new JsonObject().put("request", Views.request(w.request(), s.planner().zone()))
                        .put("until", Views.local(w.untilMs(), s.planner().zone()))
                        .put("fits", fits));
            }
            return new Http.Reply(200, new JsonObject().put("territory", territory).put("waiting", out));
        }));
    }
}
