package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.Access;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.booking.Appointment;
import fr.snp.dispatch.domain.Times;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** What ops and the coordinator follow: the notification backlog, and appointments still without feedback. */
final class OpsHandlers {
    private final Services s;

    OpsHandlers(Services s) { this.s = s; }

    /**
     * GET /api/v1/ops/outbox?territory=36: notifications not yet delivered ({@code pending}: read, not acknowledged;
     * {@code unread}: not read yet by the notifiers' group), and how old the oldest of either is; the notifications
     * set aside as dead letters ({@code deadLetters}, {@code latestDeadLetters}: ids only, newest first); and the same
     * of the pushes to the national SAS platform ({@code sasPush}), with the oldest waiting ones and why (appointment
     * ids and statuses only); and its dead letters ({@code deadLetters}: how many, {@code latestDeadLetters}: the
     * newest, with the platform's HTTP status and why), pushes that nothing retries any more.
     */
    /**
     * GET /api/v1/ops/index?territory=36: this instance's last comparison of its in-memory index with Redis (both
     * digests: counts by status and the hash of every slot's id, version and status), and how often it rebuilt its
     * index, by reason. Each instance answers for itself (behind a load balancer, ask each, or read the metrics).
     */
    void index(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        String t = Access.territory(p, ctx.queryParams().get("territory"), "territory");
        fr.snp.dispatch.sync.IndexChecks checks = s.indexChecks();
        fr.snp.dispatch.sync.IndexChecks.Check last = checks.last(t);
        JsonObject reloads = new JsonObject();
        for (String reason : fr.snp.dispatch.sync.IndexChecks.REASONS) reloads.put(reason, checks.reloads(reason));
        JsonObject j = new JsonObject().put("territory", t).put("compared", last != null).put("reloads", reloads);
        if (last != null) {
            j.put("at", Times.utc(last.atMs()))
                    .put("slotsFrom", Times.utc(last.fromSec() * 1000))
                    .put("inSync", last.inSync()).put("index", digest(last.index())).put("redis", digest(last.redis()));
        }
        Http.json(ctx, 200, j);
    }

    private static JsonObject digest(fr.snp.dispatch.matching.TerritoryIndex.Digest d) {
        return new JsonObject().put("free", d.free()).put("booked", d.booked()).put("hash", Long.toHexString(d.hash()));
    }

    void outbox(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        String t = Access.territory(p, ctx.queryParams().get("territory"), "territory");
        Http.reply(ctx, s.outbox().backlog(t).thenCombine(s.sasOutbox().backlog(t), (b, sas) -> {
            JsonArray oldest = new JsonArray();
            sas.oldest().forEach(w -> oldest.add(new JsonObject().put("appointmentId", w.appointmentId())
                    .put("status", w.status()).put("seq", w.seq()).put("attempts", w.attempts())
                    .put("ageSeconds", w.ageSeconds()).put("lastError", w.lastError())));
            JsonArray dead = new JsonArray();
            sas.latestDeadLetters().forEach(d -> dead.add(new JsonObject().put("appointmentId", d.appointmentId())
                    .put("status", d.status()).put("seq", d.seq()).put("httpStatus", d.httpStatus()).put("reason", d.reason())
                    .put("at", Times.utc(d.atMs()))));
            JsonArray outboxDead = new JsonArray();
            b.latestDeadLetters().forEach(d -> outboxDead.add(new JsonObject().put("entry", d.entryId()).put("type", d.type())
                    .put("appointmentId", d.appointmentId()).put("effectorId", d.effectorId()).put("channel", d.channel())
                    .put("attempts", d.attempts()).put("reason", d.reason())
                    .put("at", Times.utc(d.atMs()))));
            return new Http.Reply(200, new JsonObject()
                    .put("territory", t).put("pending", b.pending()).put("unread", b.unread())
                    .put("oldestPendingAgeSeconds", b.oldestAgeSeconds())
                    .put("deadLetters", b.deadLetters()).put("latestDeadLetters", outboxDead)
                    .put("sasPush", new JsonObject().put("enabled", sas.enabled()).put("pending", sas.pending())
                            .put("oldestPendingAgeSeconds", sas.oldestAgeSeconds()).put("oldest", oldest)
                            .put("deadLetters", sas.deadLetters()).put("latestDeadLetters", dead)));
        }));
    }

    /**
     * GET /api/v1/appointments?territory=36&awaitingFeedback=true: ended N hours ago, no feedback yet; a CPTS
     * coordinator sees those of its effectors (and those its platform booked).
     */
    void awaitingFeedback(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        String t = ctx.queryParams().get("territory");
        // optional in the contract (the route also finds by reference or by patient), needed here
        if (t == null) throw Input.missing("territory");
        if (!"true".equals(ctx.queryParams().get("awaitingFeedback"))) {
            throw ApiError.badRequest("MISSING_FIELD", "only awaitingFeedback=true is listed for now", "awaitingFeedback");
        }
        long before = s.nowMs() / 1000 - s.settings().integer("feedback.reminderAfterHours") * 3600L;
        Http.reply(ctx, s.bookings().awaitingFeedback(p, t, before).thenApply(appointments -> {
            JsonArray list = new JsonArray();
            appointments.forEach(a -> list.add(Views.appointment(a, s.index().effector(a.effectorId()))));
            return new Http.Reply(200, new JsonObject().put("territory", t).put("appointments", list));
        }));
    }

    /**
     * POST /api/v1/appointments/{id}/reminder: the coordinator's "Relancer", one more reminder to the doctor. A
     * second one within feedback.reminderIntervalMinutes is not sent: 200 with reminderSent false and when the
     * next one may go.
     */
    void remind(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Http.reply(ctx, s.followUp().remind(Authenticator.principal(ctx), id).thenApply(r -> {
            Appointment a = r.appointment();
            return new Http.Reply(200, Views.appointment(a, s.index().effector(a.effectorId())).put("reminderSent", r.sent())
                    .put("nextReminderFrom", Views.time(r.atMs() + s.followUp().reminderIntervalMs(), a.offsetSeconds())));
        }));
    }

    /** POST /api/v1/appointments/{id}/close: the coordinator closes an appointment without feedback ("clos sans retour"). */
    void close(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Http.reply(ctx, s.followUp().close(Authenticator.principal(ctx), id)
                .thenApply(a -> new Http.Reply(200, Views.appointment(a, s.index().effector(a.effectorId())))));
    }
}
