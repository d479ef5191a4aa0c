package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.audit.AuditTrail;
import fr.snp.dispatch.domain.Times;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * GET /api/v1/audit?territory=36&from=…&to=…&actor=…&object=…&limit=…: the audit trail for the data protection
 * officer, as JSON or, with {@code Accept: application/x-ndjson}, as JSON lines to export.
 */
final class AuditHandlers {
    private final Services s;

    AuditHandlers(Services s) { this.s = s; }

    void query(RoutingContext ctx) {
        var q = ctx.queryParams();
        String territory = q.get("territory");
        long to = q.get("to") == null ? s.nowMs() : instant(q.get("to"), "to");
        long from = q.get("from") == null ? to - 86_400_000L : instant(q.get("from"), "from");
        if (to < from) throw Input.invalid("to", "must not be before from");
        int limit = q.get("limit") == null ? 1000 : Integer.parseInt(q.get("limit")); // 1 to 10000 (the contract)
        boolean lines = String.valueOf(ctx.request().getHeader("Accept")).contains("application/x-ndjson");
        int max = limit;
        Http.reply(ctx, s.audit().query(Authenticator.principal(ctx), territory, from, to, q.get("actor"), q.get("object"), max)
                .thenApply(entries -> {
                    JsonArray out = new JsonArray();
                    entries.forEach(e -> out.add(json(e, territory)));
                    if (!lines) return new Http.Reply(200, new JsonObject().put("territory", territory).put("entries", out));
                    StringBuilder b = new StringBuilder();
                    out.forEach(o -> b.append(((JsonObject) o).encode()).append('\n'));
                    return Http.Reply.text(200, "application/x-ndjson; charset=utf-8", b.toString());
                }));
    }

    private static JsonObject json(AuditTrail.Entry e, String territory) {
        return new JsonObject().put("id", e.id()).put("at", Times.utc(e.atMs())).put("territory", territory)
                .put("actor", e.actor()).put("role", e.role()).put("org", e.org()).put("action", e.action())
                .put("object", e.object() == null || e.object().isEmpty() ? null : e.object()).put("result", e.result())
                .put("client", e.client());
    }

    private static long instant(String value, String field) {
        try {
            return OffsetDateTime.parse(value).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest("INVALID_DATETIME", field + " must be a date and time with its offset, e.g. "
                    + "2026-11-30T08:00:00+01:00", field);
        }
    }
}
