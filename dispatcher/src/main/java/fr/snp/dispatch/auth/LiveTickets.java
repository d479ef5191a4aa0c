package fr.snp.dispatch.auth;

import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One-time tickets for the live feed. A browser's EventSource cannot send headers, and a token or a session id in
 * a URL ends up in proxy logs and the browser history; a ticket is asked for with the usual credential, opens one
 * territory's feed once (GETDEL), and is worth nothing after 60 seconds or after use. It records the credential it
 * was asked with (a session, a token), so that the stream it opens ends when that credential does.
 */
public final class LiveTickets {
    public static final long TTL_SECONDS = 60;

    private final RedisClusterAsyncCommands<String, String> redis;

    public LiveTickets(RedisClusterAsyncCommands<String, String> redis) { this.redis = redis; }

    /** What a ticket opens: one territory's feed, as the principal who asked for it, for as long as its credential holds. */
    public record Ticket(Principal principal, String territory, Credential credential) {}

    /** A new ticket for a principal and a territory it serves (the caller has checked), asked with {@code credential}. */
    public CompletionStage<String> issue(Principal p, String territory, Credential credential) {
        if (credential == null) throw new IllegalArgumentException("a ticket records the credential it was asked with");
        String ticket = Sessions.randomId();
        JsonObject j = new JsonObject().put("principal", TokenStore.toJson(p)).put("territory", territory)
                .put("credential", credential.toJson());
        return redis.set(Keys.liveTicket(TokenStore.hash(ticket)), j.encode(), SetArgs.Builder.ex(TTL_SECONDS))
                .thenApply(ok -> ticket);
    }

    /**
     * The ticket's grant, once; null when unknown, expired or already used, or when it names no credential (asked of
     * a server that did not record it: the page asks for another).
     */
    public CompletionStage<Ticket> redeem(String ticket) {
        if (ticket == null || ticket.isBlank() || ticket.length() > 100) return CompletableFuture.completedFuture(null);
        return redis.getdel(Keys.liveTicket(TokenStore.hash(ticket))).thenApply(json -> {
            if (json == null) return null;
            JsonObject j = new JsonObject(json);
            Credential credential = Credential.fromJson(j.getJsonObject("credential"));
            if (credential == null) return null;
            return new Ticket(TokenStore.fromJson(j.getJsonObject("principal")), j.getString("territory"), credential);
        });
    }
}
