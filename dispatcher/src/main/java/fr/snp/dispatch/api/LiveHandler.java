package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.Credential;
import fr.snp.dispatch.auth.LiveTickets;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.live.LiveFeed;
import fr.snp.dispatch.auth.Access;
import fr.snp.dispatch.domain.Refused;
import fr.snp.dispatch.domain.Times;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GET /api/v1/live?territory=36: Server-Sent Events of the territory's slot changes (published, held, released,
 * booked, cancelled, withdrawn, audience_released) that the caller may see; for the SAS desks also "waiting"
 * notices (a slot now fits a request of the waiting list), which carry no id and are not replayed. Each event's id is its change-stream
 * id: a client reconnecting with Last-Event-ID gets what it missed from Redis, then the live flow, without gaps or
 * repeats. Browsers' EventSource cannot send headers: a page asks POST /api/v1/live/ticket?territory= first (with its
 * session or token) and opens the feed with ?ticket=, valid once and for 60 s, so no credential is ever in a URL.
 * Software sends its bearer header; ?access_token= is left to demo mode (its tokens are public anyway). A stream
 * lasts as long as the credential it was opened with (the token, or the session or token that asked for the ticket):
 * LiveFeed checks it every few seconds, and a revoked, expired or ended one ends the stream with an "event: revoked".
 */
final class LiveHandler {
    /** The roles that may follow the live feed (and so get a ticket for it: ApiRouter). */
    static final Set<Role> ROLES = EnumSet.of(Role.REGULATOR, Role.OSNP, Role.PHARMACIST, Role.EMERGENCY,
            Role.EFFECTOR, Role.COORDINATOR, Role.OPS);
    private static final int REPLAY_MAX = 10_000;
    /**
     * How long a live client's write queue may stay full before it is dropped. Not at once: a catch-up of up to
     * REPLAY_MAX events is written in one go and fills the queue of a healthy client for a moment. A dropped client
     * loses nothing: it reconnects with Last-Event-ID and gets what it missed from Redis.
     */
    private static final long STALLED_MAX_MS = 5_000;
    /** The last event of a stream whose credential no longer holds: the page says so and does not reconnect. */
    private static final String REVOKED = "event: revoked\ndata: " + new JsonObject().put("code", "CREDENTIAL_REVOKED")
            .put("message", "the credential this feed was opened with was revoked, has expired or ended, or no longer "
                    + "allows this feed: sign in again or use another token").encode() + "\n\n";

    private final Services s;
    private final LiveFeed feed;

    LiveHandler(Services s, LiveFeed feed) {
        this.s = s;
        this.feed = feed;
    }

    void handle(RoutingContext ctx) {
        String territory = ctx.queryParams().get("territory");
        String header = ctx.request().getHeader("Authorization");
        String ticket = ctx.queryParams().get("ticket");
        String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip()
                : s.tokens().demo() ? ctx.queryParams().get("access_token") : null;
        if ((token == null || token.isBlank()) && ticket == null) {
            throw new ApiError(401, "UNAUTHENTICATED", "a ticket (POST /api/v1/live/ticket) or a bearer token is required", null);
        }
        String lastId = ctx.request().getHeader("Last-Event-ID");
        if (lastId == null) lastId = ctx.queryParams().get("lastEventId");
        String resumeFrom = lastId;
        // what opens the stream, and the credential it lives by: the token, or the one the ticket was asked with
        java.util.concurrent.CompletionStage<LiveTickets.Ticket> who = token != null && !token.isBlank()
                ? s.tokens().lookup(token).thenApply(p -> p == null ? null
                        : new LiveTickets.Ticket(p, territory, Credential.apiToken(token)))
                : s.people().tickets().redeem(ticket).thenApply(t -> {
                    if (t == null) throw new ApiError(401, "UNAUTHENTICATED", "unknown, expired or already used ticket", "ticket");
                    // a ticket opens the territory it was asked for, nothing else
                    if (!t.territory().equals(territory)) throw Input.invalid("ticket", "was issued for another territory");
                    return t;
                });
        Future.fromCompletionStage(who, ctx.vertx().getOrCreateContext()).onComplete(ar -> {
            if (ar.failed()) { Http.fail(ctx, ar.cause()); return; }
            if (ar.result() == null) { Http.fail(ctx, new ApiError(401, "UNAUTHENTICATED", "unknown or revoked token", null)); return; }
            Principal p = ar.result().principal();
            if (!ROLES.contains(p.role())) { Http.fail(ctx, ApiError.forbidden("FORBIDDEN", "role may not follow the live feed")); return; }
            try {
                Access.territory(p, territory, "territory");
            } catch (Refused r) {
                Http.fail(ctx, r);
                return;
            }
            // a cap per principal on this instance (see LiveFeed.admit): each connection holds memory and a timer
            if (!feed.admit(p.id(), s.settings().integer("limits.liveStreamsPerPrincipal"))) {
                Http.fail(ctx, new Refused(fr.snp.dispatch.domain.Outcome.TOO_MANY_STREAMS));
                return;
            }
            open(ctx, territory, p, ar.result().credential(), resumeFrom);
        });
    }

    /** POST /api/v1/live/ticket?territory=36: a one-time ticket (60 s) that opens this territory's feed. */
    void ticket(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        String territory = Access.territory(p, ctx.queryParams().get("territory"), "territory");
        // the ticket's stream lives as long as the session or token that asks for it
        Http.reply(ctx, s.people().tickets().issue(p, territory, Authenticator.credential(ctx)).thenApply(t -> new Http.Reply(201,
                new JsonObject().put("ticket", t).put("territory", territory).put("expiresInSeconds", LiveTickets.TTL_SECONDS))));
    }

    private void open(RoutingContext ctx, String territory, Principal p, Credential credential, String resumeFrom) {
        HttpServerResponse response = ctx.response();
        response.setChunked(true).putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-store").putHeader("X-Accel-Buffering", "no");
        // an HTTP/1.1 connection carries this stream only (HTTP/2, cleartext upgrade, carries others: a reset suffices)
        HttpConnection own = ctx.request().version() == io.vertx.core.http.HttpVersion.HTTP_2 ? null : ctx.request().connection();
        Connection c = new Connection(ctx.vertx().getOrCreateContext(), response, own, p, territory, credential);
        feed.subscribe(territory, c);
        long heartbeat = ctx.vertx().setPeriodic(15_000, id -> c.write(": keep-alive\n\n"));
        java.util.concurrent.atomic.AtomicBoolean left = new java.util.concurrent.atomic.AtomicBoolean();
        // once, whichever comes first: the client goes (closeHandler), or the server ends the stream (revoke: a
        // response ended on a kept-alive connection fires no closeHandler)
        c.onEnd = () -> {
            if (!left.compareAndSet(false, true)) return;
            feed.unsubscribe(territory, c);
            ctx.vertx().cancelTimer(heartbeat);
            feed.leave(p.id());
        };
        response.closeHandler(v -> c.onEnd.run());
        response.write("retry: 2000\n\n");
        if (resumeFrom == null) {
            // nothing to catch up: say where the flow starts, so that a reconnection resumes from here
            feed.lastId(territory).thenAccept(from -> c.context.runOnContext(v -> c.startLive(from, List.of())));
        } else {
            feed.since(territory, resumeFrom, REPLAY_MAX).thenAccept(missed -> c.context.runOnContext(v -> c.startLive(resumeFrom, missed)));
        }
    }

    /** One browser: buffers live events while it catches up, then writes each event once, in order. */
    private final class Connection implements LiveFeed.Subscriber {
        final Context context;
        final HttpServerResponse response;
        /** The HTTP/1.1 connection that carries only this stream, else null. */
        final HttpConnection connection;
        final Principal principal;
        final String territory;
        final Credential credential;
        /** Unsubscribes, stops the heartbeat and gives the principal's stream back; runs once (see open). */
        Runnable onEnd = () -> {};
        /** Ended by the server (revoked, or dropped for not reading): nothing more is written. */
        boolean over;
        String lastSent;
        List<Map.Entry<String, Map<String, String>>> buffered = new ArrayList<>();

        Connection(Context context, HttpServerResponse response, HttpConnection connection, Principal principal,
                   String territory, Credential credential) {
            this.context = context;
            this.response = response;
            this.connection = connection;
            this.principal = principal;
            this.territory = territory;
            this.credential = credential;
        }

        @Override
        public Credential credential() { return credential; }

        /**
         * The credential's principal now: still of a role that follows the feed, serving this territory, and seeing
         * what it saw when the stream opened (the events were filtered for that); else the stream ends, and a new
         * one is opened with what the principal now is.
         */
        @Override
        public boolean allows(Principal current) {
            return ROLES.contains(current.role()) && current.serves(territory) && current.viewer().equals(principal.viewer());
        }

        @Override
        public void revoke() {
            context.runOnContext(v -> {
                if (over || response.closed() || response.ended()) {
                    onEnd.run();
                } else if (response.writeQueueFull()) {
                    cut(); // a client that does not read would never get the last event
                } else {
                    over = true;
                    response.end(REVOKED);
                    onEnd.run();
                }
            });
        }

        /**
         * Ends the stream and closes its connection at once. Vert.x's close() (and reset() on HTTP/1.1) first
         * flushes what is queued, which a client that does not read never lets happen: the socket and everything
         * queued for it would stay until the client reads again. Closing from Vert.x's own handler's context, as
         * its idle timeout does, skips that flush. That context is Vert.x's internal API: should a later version
         * change it, the reset below still ends the stream, and everything of ours is already released.
         */
        void cut() {
            over = true;
            onEnd.run(); // no more events for it, and the principal's stream is given back, whatever the socket does
            if (connection instanceof io.vertx.core.net.impl.ConnectionBase base) base.channelHandlerContext().close();
            else response.reset();
        }

        @Override
        public void onEvent(String id, Map<String, String> entry) {
            context.runOnContext(v -> {
                if (buffered != null) buffered.add(Map.entry(id, entry));
                else send(id, entry);
            });
        }

        @Override
        public void onNotice(LiveFeed.Notice n) {
            // the waiting list is the SAS desks' (regulators and OSNP), who reach every request of their territory
            if (principal.role() != Role.REGULATOR && principal.role() != Role.OSNP) return;
            context.runOnContext(v -> {
                if (buffered == null) write("event: " + n.type() + "\ndata: " + n.json() + "\n\n");
            });
        }

        void startLive(String from, List<Map.Entry<String, Map<String, String>>> replay) {
            lastSent = from;
            write("event: ready\nid: " + from + "\ndata: {\"from\":\"" + from + "\"}\n\n");
            replay.forEach(e -> send(e.getKey(), e.getValue()));
            List<Map.Entry<String, Map<String, String>>> pending = buffered;
            buffered = null;
            pending.forEach(e -> send(e.getKey(), e.getValue()));
        }

        private void send(String id, Map<String, String> entry) {
            if (lastSent != null && LiveFeed.compareIds(id, lastSent) <= 0) return; // already sent
            lastSent = id;
            JsonObject data = view(entry);
            if (data == null) return;
            write("id: " + id + "\nevent: slot\ndata: " + data.encode() + "\n\n");
        }

        /** The event as the caller may see it; null for events it may not see. */
        private JsonObject view(Map<String, String> entry) {
            if ("effector".equals(entry.get("type"))) return null;
            String slotId = entry.get("id");
            SlotState slot = SlotState.fromHash(slotId, entry);
            Effector e = s.index().effector(slot.effectorId());
            long now = s.nowMs();
            if (principal.role() != Role.OPS && (e == null || (slot.audiencesAt(now) & principal.viewer().maskFor(e)) == 0)) {
                return null;
            }
            JsonObject j = new JsonObject().put("type", entry.get("type")).put("slotId", slotId)
                    .put("effectorId", slot.effectorId()).put("status", slot.apiStatus(now))
                    .put("start", Times.of(slot.startTime())).put("end", Times.of(slot.endTime()))
                    .put("mode", slot.mode().name());
            if (slot.heldAt(now)) j.put("holdExpiresAt", Views.time(slot.holdUntilMs(), slot.offsetSeconds()));
            return j;
        }

        /** When the write queue was first seen full and has not drained since (0: not stalled). */
        long stalledSince;

        /**
         * A client that stops reading is dropped, so that events do not pile up in this server's memory: once the
         * write queue has stayed full for STALLED_MAX_MS, the connection is cut (the drain handler clears the mark
         * when the client reads again).
         */
        void write(String text) {
            if (over || response.closed() || response.ended()) return;
            if (response.writeQueueFull()) {
                long now = System.currentTimeMillis();
                if (stalledSince == 0) {
                    stalledSince = now;
                    response.drainHandler(v -> stalledSince = 0);
                } else if (now - stalledSince > STALLED_MAX_MS) {
                    cut();
                    return;
                }
            }
            response.write(text);
        }
    }
}
