package fr.snp.dispatch.api;

import fr.snp.dispatch.auth.WidgetSessions;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * Cross-origin calls to the API: answered only for the origins an organisation registered for its widget
 * ({@code origin add}), refused with 403 WEB_ORIGIN_NOT_ALLOWED for any other site, preflight included (no
 * Access-Control-Allow-Origin, so the browser keeps the answer from the page). Credentials are bearer headers, never
 * cookies, so no credentials mode: a session cookie never rides a cross-origin call. Calls without Origin (software,
 * same-origin reads) and this server's own pages pass through untouched.
 */
final class Cors {
    private static final String METHODS = "GET, POST, DELETE";
    private static final String HEADERS = "Authorization, Content-Type, Idempotency-Key, Last-Event-ID";
    private static final String EXPOSED = "Location, Idempotent-Replayed, Retry-After";

    private final WidgetSessions widgets;
    private final Authenticator auth;

    Cors(WidgetSessions widgets, Authenticator auth) {
        this.widgets = widgets;
        this.auth = auth;
    }

    void handle(RoutingContext ctx) {
        String origin = ctx.request().getHeader("Origin");
        ctx.response().headers().add("Vary", "Origin");
        if (origin == null || auth.ownPage(ctx, origin)) {
            ctx.next();
            return;
        }
        boolean preflight = ctx.request().method() == HttpMethod.OPTIONS
                && ctx.request().getHeader("Access-Control-Request-Method") != null;
        Future.fromCompletionStage(widgets.registered(origin), ctx.vertx().getOrCreateContext()).onComplete(ar -> {
            if (ar.failed()) { Http.fail(ctx, ar.cause()); return; }
            if (!ar.result()) {
                Http.json(ctx, 403, new ApiError(403, "WEB_ORIGIN_NOT_ALLOWED", "no organisation registered " + origin
                        + " for its widget", null).toJson());
                return;
            }
            ctx.response().putHeader("Access-Control-Allow-Origin", origin)
                    .putHeader("Access-Control-Expose-Headers", EXPOSED);
            if (preflight) {
                ctx.response().putHeader("Access-Control-Allow-Methods", METHODS)
                        .putHeader("Access-Control-Allow-Headers", HEADERS)
                        .putHeader("Access-Control-Max-Age", "600").setStatusCode(204).end();
            } else {
                ctx.next();
            }
        });
    }

    /**
     * The widget's own files (its script, the icons) are public code that other sites' pages load as module
     * scripts, which browsers fetch in CORS mode: any origin may read them.
     */
    static void publicFile(RoutingContext ctx) {
        ctx.response().putHeader("Access-Control-Allow-Origin", "*").putHeader("Cross-Origin-Resource-Policy", "cross-origin");
        ctx.next();
    }
}
