package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.Access;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.domain.Origin;
import fr.snp.dispatch.domain.Outcome;
import fr.snp.dispatch.domain.OutcomeType;
import fr.snp.dispatch.domain.Refused;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.stats.Stats;
import fr.snp.dispatch.stats.StatsReader;
import fr.snp.dispatch.stats.StatsReader.GroupBy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GET /api/v1/stats/noshow, /outcomes, /indicators, /weekly: figures over a rolling window (window=7d|30d|365d,
 * ending today), a calendar period containing today (period=week|month|quarter|year: the ISO week, the month, the
 * quarter, the calendar year of the ACI indicators) or explicit dates (from, to: local dates, at most 366 days).
 * Appointment figures are of the territory, or of one CPTS (cpts=, within the caller's reach; a coordinator's own
 * always). JSON, or CSV with Accept: text/csv.
 */
final class StatsHandlers {
    private static final Map<String, Integer> WINDOWS = Map.of("7d", 7, "30d", 30, "365d", 365);

    private final Services s;

    StatsHandlers(Services s) { this.s = s; }

    private record Period(String territory, LocalDate from, LocalDate to) {}

    private Period period(RoutingContext ctx) {
        String territory = Access.territory(Authenticator.principal(ctx),
                ctx.queryParams().get("territory"), "territory");
        String f = ctx.queryParams().get("from");
        String t = ctx.queryParams().get("to");
        LocalDate today = s.stats().today(s.nowMs());
        String named = ctx.queryParams().get("period");
        if (named != null) {
            if (f != null || t != null || ctx.queryParams().get("window") != null) {
                throw Input.invalid("period", "goes without from/to and window");
            }
            return switch (named) {
                case "week" -> new Period(territory, today.with(DayOfWeek.MONDAY), today.with(DayOfWeek.SUNDAY));
                case "month" -> new Period(territory, today.withDayOfMonth(1), today.with(TemporalAdjusters.lastDayOfMonth()));
                case "quarter" -> {
                    LocalDate first = today.withMonth((today.get(IsoFields.QUARTER_OF_YEAR) - 1) * 3 + 1).withDayOfMonth(1);
                    yield new Period(territory, first, first.plusMonths(3).minusDays(1));
                }
                case "year" -> new Period(territory, today.withDayOfYear(1), today.with(TemporalAdjusters.lastDayOfYear()));
                default -> throw new IllegalStateException("period " + named + " passed the contract's enum");
            };
        }
        if (f != null || t != null) {
            if (ctx.queryParams().get("window") != null) throw Input.invalid("window", "goes without from/to");
            LocalDate from = date(f, "from");
            LocalDate to = t == null ? today : date(t, "to");
            if (to.isBefore(from)) throw Input.invalid("to", "must not be before from");
            if (ChronoUnit.DAYS.between(from, to) > 365) {
                throw ApiError.badRequest("PERIOD_TOO_LONG", "a period is at most 366 days", "to");
            }
            return new Period(territory, from, to);
        }
        String window = ctx.queryParams().get("window");
        int days = WINDOWS.get(window == null ? "30d" : window); // one of the contract's enum
        return new Period(territory, today.minusDays(days - 1L), today);
    }

    private static LocalDate date(String value, String field) {
        if (value == null) throw Input.missing(field);
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest("INVALID_DATE", "'" + value + "' is not an ISO-8601 date, e.g. 2026-11-23", field);
        }
    }

    /**
     * The CPTS the appointment figures are about: the ?cpts= asked, if the caller reaches it (else 404, as for any
     * id of another tenant); a coordinator's own CPTS when none is asked; else null: the whole territory.
     */
    private String scope(RoutingContext ctx, Principal p, String territory) {
        String asked = ctx.queryParams().get("cpts");
        if (asked == null) return p.role() == Role.COORDINATOR ? p.org() : null;
        if (!Access.cptsReached(p, territory, s.index().territory(territory).allEffectors()).contains(asked)) {
            throw new Refused(Outcome.CPTS_NOT_FOUND, "no CPTS " + asked + " in territory " + territory
                    + " among those you see", "cpts");
        }
        return asked;
    }

    /**
     * No-show figures grouped by territory, effector, cpts, origin, weekday, hour or lead. Of one CPTS (a
     * coordinator's, or ?cpts=), they are kept as a whole and by effector only.
     */
    void noshow(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        Period period = period(ctx);
        String scope = scope(ctx, p, period.territory()); // never one for an effector: it reaches no CPTS
        String g = ctx.queryParams().get("groupBy");
        GroupBy by = g == null ? GroupBy.TERRITORY : GroupBy.valueOf(g.toUpperCase(java.util.Locale.ROOT));
        // an effector sees only their own figures; one CPTS' figures are its count (groupBy=territory or cpts) or
        // its effectors': they are not kept per CPTS by origin, weekday, hour or lead time
        GroupBy effective = p.role() == Role.EFFECTOR ? GroupBy.EFFECTOR : by;
        if (scope != null) {
            if (by == GroupBy.TERRITORY) effective = GroupBy.CPTS;
            else if (by != GroupBy.EFFECTOR && by != GroupBy.CPTS) {
                String why = "the figures of a CPTS are kept as a whole (groupBy=territory or cpts) or by effector; by "
                        + by.name().toLowerCase() + " they are kept for the territory only";
                if (p.role() == Role.COORDINATOR) throw new ApiError(403, "FORBIDDEN", "a CPTS coordinator sees its CPTS' "
                        + "figures: " + why, "groupBy");
                throw Input.invalid("cpts", "goes with groupBy territory, cpts or effector: " + why);
            }
        }
        GroupBy grouping = effective;
        java.util.Set<String> scopeEffectors = scope == null ? java.util.Set.of() : effectorsOf(scope, period);
        // unanswered appointments of past days await feedback; those of today and later are mostly upcoming
        LocalDate today = s.stats().today(s.nowMs());
        boolean withCancellations = p.role() != Role.COORDINATOR && p.role() != Role.EFFECTOR;
        String accept = ctx.request().getHeader("Accept");
        boolean csv = accept != null && accept.contains("text/csv");
        // a report of the territory (not of a CPTS, whose effectors may change) rendered once is served again as long as
        // the statistics have not changed: coordinators' dashboards ask the same report over and over
        String cacheKey = scope != null ? null : String.join("|", period.territory(), period.from().toString(),
                period.to().toString(), today.toString(), grouping.name(), p.role() == Role.EFFECTOR ? p.effectorId() : "*",
                Boolean.toString(withCancellations), Boolean.toString(csv));
        Http.reply(ctx, s.stats().read(period.territory(), period.from(), period.to(), stats -> {
            Stats.Version version = stats.version();
            Rendered known = cacheKey == null ? null : rendered.get(cacheKey);
            if (known != null && known.version().equals(version)) return known;
            List<Stats.Row> rows = new ArrayList<>();
            for (Stats.Row row : stats.appointments(grouping, today)) {
                if (p.role() == Role.EFFECTOR && !row.key().equals(p.effectorId())) continue;
                if (scope != null && (grouping == GroupBy.CPTS ? !row.key().equals(scope) : !scopeEffectors.contains(row.key()))) continue;
                rows.add(row);
            }
            // why appointments were cancelled (territory-wide counts), and how many patients did it from their link
            long[] why = null;
            if (withCancellations) {
                why = new long[CANCEL_REASONS.size()];
                for (int i = 0; i < why.length; i++) why[i] = stats.sum("cancelled." + CANCEL_REASONS.get(i) + "|all|-");
            }
            String text = csv ? NoshowRendering.csv(rows) : NoshowRendering.json(period.territory(), period.from(), period.to(),
                    grouping.name().toLowerCase(), CANCEL_REASONS, why, rows);
            Rendered made = new Rendered(version, text);
            if (cacheKey != null) {
                if (rendered.size() >= RENDERED_MOST) rendered.clear(); // a bound, not an LRU: the common reports come back
                rendered.put(cacheKey, made);
            }
            return made;
        }).thenApply(r -> csv ? Http.Reply.csv(r.text()) : Http.Reply.text(200, "application/json; charset=utf-8", r.text())));
    }

    /** A no-show report as sent, and the version of the statistics it was computed from. */
    private record Rendered(Stats.Version version, String text) {}

    /** Reports kept rendered at most (a 1,000-row JSON report is ~200 KB). */
    private static final int RENDERED_MOST = 64;
    private final java.util.concurrent.ConcurrentHashMap<String, Rendered> rendered = new java.util.concurrent.ConcurrentHashMap<>();

    /** Why appointments were cancelled, in the order of the report's "cancellations". */
    static final List<String> CANCEL_REASONS = List.of("PATIENT", "EFFECTOR", "REGULATOR", "DUPLICATE", "OTHER",
            "byPatientLink");

    /** Request outcomes by origin (or for the whole territory), and the median wait from request to start. */
    void outcomes(RoutingContext ctx) {
        Period period = period(ctx);
        String g = ctx.queryParams().get("groupBy");
        boolean byOrigin = g == null || g.equals("origin"); // else territory (the contract's enum)
        Http.reply(ctx, s.stats().read(period.territory(), period.from(), period.to(), Stats::total).thenApply(total -> {
            List<Map<String, Object>> rows = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            if (byOrigin) { for (Origin o : Origin.values()) keys.add(o.name()); } else keys.add("all");
            for (String key : keys) {
                String dim = byOrigin ? "origin|" + key : "all|-";
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("key", key);
                row.put("requests", total.getOrDefault("requests|" + dim, 0L));
                row.put("SNP_SLOT", total.getOrDefault("outcome.SNP_SLOT|" + dim, 0L));
                for (OutcomeType o : OutcomeType.values()) row.put(o.name(), total.getOrDefault("outcome." + o + "|" + dim, 0L));
                // prescriptions sent with medical advice count under both ADVICE and PRESCRIPTION
                row.put("PRESCRIPTION_WITH_ADVICE", total.getOrDefault("outcome.PRESCRIPTION_WITH_ADVICE|" + dim, 0L));
                if (byOrigin && ((Long) row.get("requests")) == 0) continue;
                rows.add(row);
            }
            JsonObject summary = new JsonObject().put("medianWaitMinutes", StatsReader.medianWaitMinutes(total))
                    // requests booked while on the waiting list: the slots the list got to waiting patients
                    .put("servedFromWaitingList", total.getOrDefault("servedFromWaiting|all|-", 0L));
            return report(ctx, period, byOrigin ? "origin" : "territory", rows, summary);
        }));
    }

    /**
     * ACI indicators of mission 1 for the period: for the territory, or for one CPTS (a coordinator's own, or
     * ?cpts=): participating effectors (of how many), slots offered and filled; the others are kept for the
     * territory only (null for a CPTS).
     */
    void indicators(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        Period period = period(ctx);
        String scope = scope(ctx, p, period.territory());
        boolean cpts = scope != null;
        java.util.Set<String> own = cpts ? effectorsOf(scope, period) : java.util.Set.of();
        int effectors = cpts ? own.size() : s.index().territory(period.territory()).allEffectors().size();
        Http.reply(ctx, s.stats().read(period.territory(), period.from(), period.to(), Stats::total).thenApply(t -> {
            long participating = t.entrySet().stream().filter(e -> e.getKey().startsWith("offered|effector|") && e.getValue() > 0
                    && (!cpts || own.contains(e.getKey().substring("offered|effector|".length())))).count();
            long sasWithAppointment = 0;
            for (Origin o : Origin.values()) {
                if (o.sasRegulated) sasWithAppointment += t.getOrDefault("outcome.SNP_SLOT|origin|" + o, 0L);
            }
            long offered = cpts ? t.entrySet().stream().filter(e -> e.getKey().startsWith("offered|effector|")
                    && own.contains(e.getKey().substring("offered|effector|".length()))).mapToLong(Map.Entry::getValue).sum()
                    : t.getOrDefault("offered|all|-", 0L);
            String dim = cpts ? "|cpts|" + scope : "|all|-";
            long booked = t.getOrDefault("booked" + dim, 0L);
            long cancelled = t.getOrDefault("cancelled" + dim, 0L);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("key", cpts ? scope : period.territory());
            row.put("participatingEffectors", participating);
            row.put("sasRequestsWithAppointment", cpts ? null : sasWithAppointment);
            row.put("slotsOffered", offered);
            row.put("slotsFilled", booked - cancelled);
            row.put("fillRate", offered == 0 ? null : Views.round((double) (booked - cancelled) / offered, 4));
            row.put("slotsReleased", cpts ? null : t.getOrDefault("released|all|-", 0L));
            row.put("releasedThenUsed", cpts ? null : t.getOrDefault("relused|all|-", 0L));
            row.put("effectors", effectors);
            return report(ctx, period, cpts ? "cpts" : "territory", List.of(row), new JsonObject());
        }));
    }

    /**
     * The trend by ISO week over the period: the territory's requests, and the appointments of the territory or of
     * one CPTS (booked, came, did not come, cancelled, closed without feedback, no-show rate). A week cut by the
     * period's ends counts its days inside the period only ({@code from}, {@code to}).
     */
    void weekly(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        Period period = period(ctx);
        String scope = scope(ctx, p, period.territory());
        String dim = scope == null ? "|all|-" : "|cpts|" + scope;
        Http.reply(ctx, s.stats().read(period.territory(), period.from(), period.to(), stats -> {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (StatsReader.Week w : StatsReader.weeks(period.from(), period.to())) {
                long fulfilled = stats.sum("fulfilled" + dim, w.from(), w.to());
                long noshow = stats.sum("noshow" + dim, w.from(), w.to());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("key", w.isoWeek());
                row.put("from", w.from().toString());
                row.put("to", w.to().toString());
                // requests are counted for the territory (by origin), never by CPTS
                row.put("requests", stats.sum("requests|all|-", w.from(), w.to()));
                row.put("booked", stats.sum("booked" + dim, w.from(), w.to()));
                row.put("fulfilled", fulfilled);
                row.put("noshow", noshow);
                row.put("cancelled", stats.sum("cancelled" + dim, w.from(), w.to()));
                row.put("closedWithoutFeedback", stats.sum("closed" + dim, w.from(), w.to()));
                row.put("noshowRate", fulfilled + noshow == 0 ? null : Views.round((double) noshow / (fulfilled + noshow), 4));
                rows.add(row);
            }
            return rows;
        }).thenApply(rows -> report(ctx, period, "week", rows, new JsonObject().put("cpts", scope))));
    }

    /** The effectors of a CPTS in the period's territory: what its figures are about. */
    private java.util.Set<String> effectorsOf(String cpts, Period period) {
        return s.index().territory(period.territory()).allEffectors().stream().filter(e -> e.cpts().contains(cpts))
                .map(fr.snp.dispatch.domain.Effector::id).collect(java.util.stream.Collectors.toSet());
    }

    private Http.Reply report(RoutingContext ctx, Period period, String groupBy, List<Map<String, Object>> rows,
                              JsonObject summary) {
        String accept = ctx.request().getHeader("Accept");
        if (accept != null && accept.contains("text/csv")) return Http.Reply.csv(csv(rows));
        JsonArray list = new JsonArray();
        rows.forEach(r -> list.add(new JsonObject(new LinkedHashMap<>(r))));
        return new Http.Reply(200, new JsonObject().put("territory", period.territory())
                .put("from", period.from().toString()).put("to", period.to().toString()).put("groupBy", groupBy)
                .mergeIn(summary).put("rows", list));
    }

    /** RFC 4180 CSV with a header row; the coordinator opens it in a spreadsheet. */
    static String csv(List<Map<String, Object>> rows) {
        if (rows.isEmpty()) return "key\r\n";
        StringBuilder out = new StringBuilder(String.join(",", rows.get(0).keySet())).append("\r\n");
        for (Map<String, Object> r : rows) {
            boolean first = true;
            for (Object v : r.values()) {
                if (!first) out.append(',');
                first = false;
                NoshowRendering.cell(out, v == null ? "" : v.toString()); // the one quoting rule of the CSV answers
            }
            out.append("\r\n");
        }
        return out.toString();
    }
}
