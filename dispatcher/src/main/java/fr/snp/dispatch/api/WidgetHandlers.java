package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.auth.TokenStore;
import fr.snp.dispatch.auth.WidgetSessions;
import fr.snp.dispatch.domain.Times;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The widget's short sessions. POST /api/v1/widget/sessions: the embedding site's back end (never its page) trades
 * its organisation's API key for a widget session, {@code {"origin"?: "https://…", "ttlSeconds"?: 1..900}}; the page
 * passes the token to the widget ({@code data-session}, or {@code data-session-url}: an address of the host site
 * that answers a fresh one, which the widget calls again when its session ends). POST /api/v1/widget/demo-session:
 * demo mode only, a session of the demo pharmacy for the demo page, one click away.
 */
final class WidgetHandlers {
    private static final String DEMO_KEY = "demo-pharmacist";

    private final Services s;
    private final Authenticator auth;

    WidgetHandlers(Services s, Authenticator auth) {
        this.s = s;
        this.auth = auth;
    }

    void open(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        String header = ctx.request().getHeader("Authorization");
        // only an API key opens a session: a widget session cannot prolong itself, a person's cookie is not a key
        if (ctx.get(Authenticator.WIDGET) != null || header == null) {
            throw ApiError.forbidden("API_KEY_REQUIRED", "a widget session is opened with the organisation's API key, "
                    + "from the site's back end");
        }
        JsonObject body = Input.object(ctx); // every field is optional, the body too
        int ttl = Input.integer(body, "ttlSeconds", (int) WidgetSessions.MAX_VALIDITY.toSeconds());
        String asked = Input.string(body, "origin");
        String origin = asked == null ? null : WidgetSessions.normalise(asked);
        if (asked != null && origin == null) {
            throw Input.invalid("origin", "is not a web origin: https://host[:port], no path");
        }
        String keyHash = TokenStore.hash(header.substring(7).strip());
        Http.reply(ctx, s.people().widgets().originsOf(p.org()).thenCompose(registered -> {
            if (registered.isEmpty()) {
                throw new ApiError(409, "NO_REGISTERED_ORIGIN", "organisation " + p.org() + " has registered no web origin "
                        + "for its widget: `java -jar dispatcher.jar origin add --org " + p.org() + " https://…`", null);
            }
            if (origin != null && !registered.contains(origin)) {
                throw new ApiError(400, "ORIGIN_NOT_REGISTERED", origin + " is not one of the organisation's registered "
                        + "origins", "origin");
            }
            return opened(p, keyHash, origin == null ? registered : Set.of(origin), Duration.ofSeconds(ttl));
        }));
    }

    /** Demo mode only (loopback, public demo tokens): the demo pharmacy's session for this server's own demo page. */
    void demo(RoutingContext ctx) {
        if (!s.tokens().demo()) throw ApiError.notFound("NOT_FOUND", "no demo here");
        String origin = ctx.request().getHeader("Origin");
        String own = origin != null && auth.ownPage(ctx, origin) ? origin : Authenticator.origin(s.people().baseUrl());
        Http.reply(ctx, s.tokens().lookup(DEMO_KEY).thenCompose(p ->
                opened(p, TokenStore.hash(DEMO_KEY), Set.of(own), WidgetSessions.MAX_VALIDITY)));
    }

    private CompletionStage<Http.Reply> opened(Principal p, String keyHash, Set<String> origins, Duration validity) {
        Instant ends = Instant.ofEpochMilli(System.currentTimeMillis()).plus(validity);
        CompletionStage<String> token = s.people().widgets().open(p, keyHash, origins, validity);
        return token.thenApply(t -> new Http.Reply(201, new JsonObject().put("token", t).put("tokenType", "Bearer")
                .put("expiresAt", Times.utc(ends.toEpochMilli())).put("expiresInSeconds", validity.toSeconds())
                .put("origins", new JsonArray(List.copyOf(new java.util.TreeSet<>(origins)))).put("org", p.org())
                .put("territories", new JsonArray(List.copyOf(new java.util.TreeSet<>(p.territories())))),
                Map.of("Cache-Control", "no-store")));
    }
}
