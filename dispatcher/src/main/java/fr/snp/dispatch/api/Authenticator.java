package fr.snp.dispatch.api;

import fr.snp.dispatch.auth.Credential;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.auth.Sessions;
import fr.snp.dispatch.auth.TokenStore;
import fr.snp.dispatch.auth.WidgetSessions;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.net.URI;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The first handler of every protected route: a bearer token (software) or a session cookie (people signed in
 * through OpenID Connect) of one of the route's roles, or 401 / 403. A request that carries an Authorization
 * header is judged on it alone, as before sessions existed.
 * <p>
 * Bearer tokens come in two kinds. An API key ({@code snp_…}) is long-lived and belongs in software, never in a web
 * page: a request that carries one from another site's page (an Origin header not this server's) is refused, so a
 * key pasted into a host page does not work. A widget session ({@code wst_…}, 15 minutes at most) is what such a
 * page carries: it works only from the origins its organisation registered, and only while the key it was exchanged
 * for is valid.
 */
final class Authenticator {
    static final String PRINCIPAL = "principal";
    /** Set when the caller is an embedded widget (a widget session), to what it may do and from where. */
    static final String WIDGET = "widget";
    /** The credential the principal was found by, for what outlives the request (a live ticket's stream). */
    static final String CREDENTIAL = "credential";

    private final TokenStore tokens;
    private final WidgetSessions widgets;
    private final Sessions sessions;
    private final Function<RoutingContext, String> sessionId;
    private final String ownOrigin;

    Authenticator(TokenStore tokens, WidgetSessions widgets, Sessions sessions, Function<RoutingContext, String> sessionId,
                  String baseUrl) {
        this.tokens = tokens;
        this.widgets = widgets;
        this.sessions = sessions;
        this.sessionId = sessionId;
        this.ownOrigin = baseUrl == null ? null : origin(baseUrl);
    }

    Handler<RoutingContext> require(Role... roles) {
        Set<Role> allowed = EnumSet.copyOf(Arrays.asList(roles));
        String names = allowed.stream().map(Role::wireName).collect(Collectors.joining(", "));
        return ctx -> {
            String header = ctx.request().getHeader("Authorization");
            String session = header == null && sessions != null ? sessionId.apply(ctx) : null;
            if (session != null) {
                bySession(ctx, session, allowed, names);
                return;
            }
            if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() < 8) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer");
                Http.json(ctx, 401, new ApiError(401, "UNAUTHENTICATED", "an Authorization: Bearer <token> header is required", null).toJson());
                return;
            }
            String token = header.substring(7).strip();
            String origin = ctx.request().getHeader("Origin");
            if (token.startsWith(WidgetSessions.PREFIX)) {
                byWidgetSession(ctx, token, origin, allowed, names);
                return;
            }
            if (origin != null && !ownPage(ctx, origin)) {
                Http.json(ctx, 403, new ApiError(403, "API_KEY_IN_WEB_PAGE", "an API key must not be used from a web page: "
                        + "the site's back end exchanges it for a widget session (POST /api/v1/widget/sessions)", null).toJson());
                return;
            }
            Future.fromCompletionStage(tokens.lookup(token), ctx.vertx().getOrCreateContext()).onComplete(ar -> {
                if (ar.failed()) { Http.fail(ctx, ar.cause()); return; }
                Principal p = ar.result();
                if (p == null) {
                    ctx.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                    Http.json(ctx, 401, new ApiError(401, "UNAUTHENTICATED", "unknown or revoked token", null).toJson());
                } else {
                    ctx.put(CREDENTIAL, Credential.apiToken(token));
                    admit(ctx, p, allowed, names);
                }
            });
        };
    }

    /**
     * A widget session: known, not expired, used from one of its origins (a browser always sends Origin on a
     * cross-origin call; a call without one is not from another site's page), and its API key still valid.
     */
    private void byWidgetSession(RoutingContext ctx, String token, String origin, Set<Role> allowed, String names) {
        var found = widgets.lookup(token).thenCompose(w -> w == null ? java.util.concurrent.CompletableFuture.completedFuture(null)
                : tokens.lookupHash(w.keyHash()).thenApply(key -> key == null ? null : w));
        Future.fromCompletionStage(found, ctx.vertx().getOrCreateContext()).onComplete(ar -> {
            if (ar.failed()) { Http.fail(ctx, ar.cause()); return; }
            WidgetSessions.Session w = ar.result();
            if (w == null) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                Http.json(ctx, 401, new ApiError(401, "WIDGET_SESSION_ENDED", "the widget session has expired or its API key "
                        + "was revoked: the site asks for a new one", null).toJson());
            } else if (origin != null && !w.origins().contains(origin)) {
                Http.json(ctx, 403, new ApiError(403, "WEB_ORIGIN_NOT_ALLOWED", "this widget session may be used only from "
                        + String.join(", ", w.origins()), null).toJson());
            } else {
                ctx.put(WIDGET, w);
                ctx.put(CREDENTIAL, Credential.widgetSession(token));
                admit(ctx, w.principal(), allowed, names);
            }
        });
    }

    private void bySession(RoutingContext ctx, String session, Set<Role> allowed, String names) {
        // SameSite=Strict keeps other sites' pages from sending the cookie; a page of a sibling site (same site,
        // other origin) still could: a state change must come from our own pages
        HttpMethod m = ctx.request().method();
        String origin = ctx.request().getHeader("Origin");
        if (m != HttpMethod.GET && m != HttpMethod.HEAD && origin != null && ownOrigin != null && !ownPage(ctx, origin)) {
            Http.json(ctx, 403, new ApiError(403, "CROSS_ORIGIN_REQUEST", "a signed-in person's changes must come from this "
                    + "server's pages", null).toJson());
            return;
        }
        Future.fromCompletionStage(sessions.lookup(session), ctx.vertx().getOrCreateContext()).onComplete(ar -> {
            if (ar.failed()) { Http.fail(ctx, ar.cause()); return; }
            Principal p = ar.result();
            if (p == null) {
                Http.json(ctx, 401, new ApiError(401, "SESSION_ENDED", "the session has ended (logout, timeout, or removed "
                        + "from the roster): sign in again", null).toJson());
            } else {
                ctx.put(CREDENTIAL, Credential.session(session));
                admit(ctx, p, allowed, names);
            }
        });
    }

    private static void admit(RoutingContext ctx, Principal p, Set<Role> allowed, String names) {
        if (!allowed.contains(p.role())) {
            Http.json(ctx, 403, new ApiError(403, "FORBIDDEN", "role " + p.role().wireName()
                    + " may not do this; allowed: " + names, null).toJson());
        } else {
            ctx.put(PRINCIPAL, p);
            ctx.next();
        }
    }

    /**
     * Whether an Origin header names one of this server's own pages: its configured public origin, or the host the
     * browser asked for (same origin, whatever name it was reached by: 127.0.0.1 or localhost in demo mode).
     */
    boolean ownPage(RoutingContext ctx, String origin) {
        if (origin.equals(ownOrigin)) return true;
        String host = ctx.request().getHeader("Host");
        int scheme = origin.indexOf("://");
        return host != null && scheme > 0 && origin.substring(scheme + 3).equalsIgnoreCase(host);
    }

    /** scheme://host[:port] of a base URL, as a browser writes it in an Origin header. */
    static String origin(String baseUrl) {
        URI u = URI.create(baseUrl);
        return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
    }

    static Principal principal(RoutingContext ctx) { return ctx.get(PRINCIPAL); }

    static Credential credential(RoutingContext ctx) { return ctx.get(CREDENTIAL); }
}
