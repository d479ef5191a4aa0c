package fr.snp.dispatch.api;

import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.auth.TokenStore;
import fr.snp.dispatch.domain.Role;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** The first handler of every protected route: a bearer token of one of the route's roles, or 401 / 403. */
final class Authenticator {
    static final String PRINCIPAL = "principal";

    private final TokenStore tokens;

    Authenticator(TokenStore tokens) { this.tokens = tokens; }

    Handler<RoutingContext> require(Role... roles) {
        Set<Role> allowed = EnumSet.copyOf(Arrays.asList(roles));
        String names = allowed.stream().map(Role::wireName).collect(Collectors.joining(", "));
        return ctx -> {
            String header = ctx.request().getHeader("Authorization");
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
                } else if (!allowed.contains(p.role())) {
                    Http.json(ctx, 403, new ApiError(403, "FORBIDDEN", "role " + p.role().wireName()
                            + " may not do this; allowed: " + names, null).toJson());
                } else {
                    ctx.put(PRINCIPAL, p);
                    ctx.next();
                }
            });
        };
    }

    static Principal principal(RoutingContext ctx) { return ctx.get(PRINCIPAL); }
}
