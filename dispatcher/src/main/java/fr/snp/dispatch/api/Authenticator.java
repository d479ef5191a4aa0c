package fr.snp.dispatch.api;

import fr.snp.dispatch.auth.Credential;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.auth.Sessions;
import fr.snp.dispatch.auth.TokenStore;
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
 */
final class Authenticator {
    static final String PRINCIPAL = "principal";
    /** The credential the principal was found by, for what outlives the request (a live ticket's stream). */
    static final String CREDENTIAL = "credential";

    private final TokenStore tokens;
    private final Sessions sessions;
    private final Function<RoutingContext, String> sessionId;
    private final String ownOrigin;

    Authenticator(TokenStore tokens) { this(tokens, null, ctx -> null, null); }

    Authenticator(TokenStore tokens, Sessions sessions, Function<RoutingContext, String> sessionId, String baseUrl) {
        this.tokens = tokens;
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

    private void bySession(RoutingContext ctx, String session, Set<Role> allowed, String names) {
        // SameSite=Strict keeps other sites' pages from sending the cookie; a page of a sibling site (same site,
        // other origin) still could: a state change must come from our own pages
        HttpMethod m = ctx.request().method();
        String origin = ctx.request().getHeader("Origin");
        if (m != HttpMethod.GET && m != HttpMethod.HEAD && origin != null && ownOrigin != null && !ownOrigin.equals(origin)) {
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

    /** scheme://host[:port] of a base URL, as a browser writes it in an Origin header. */
    static String origin(String baseUrl) {
        URI u = URI.create(baseUrl);
        return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
    }

    static Principal principal(RoutingContext ctx) { return ctx.get(PRINCIPAL); }

    static Credential credential(RoutingContext ctx) { return ctx.get(CREDENTIAL); }
}
