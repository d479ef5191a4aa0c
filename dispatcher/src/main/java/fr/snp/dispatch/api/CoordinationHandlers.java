package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.Access;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.coordination.DoctorRequest;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.requests.Patient;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.domain.Times;
import fr.snp.dispatch.geo.Commune;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Year;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the CPTS coordinator follows: the planning (slots by effector and day) and the "médecin traitant" requests
 * that pharmacists (or the platform, for secretaries) file for priority patients without a regular doctor.
 */
final class CoordinationHandlers {

    private final Services s;

    CoordinationHandlers(Services s) { this.s = s; }

    /** GET /api/v1/territories/{t}/planning?from=2026-11-23&days=7: per effector and day, free/held/booked slots. */
    void planning(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        String t = Access.territory(p, ctx.pathParam("territory"), "territory");
        ZoneId zone = s.planner().zone();
        long now = s.nowMs();
        String f = ctx.queryParams().get("from");
        LocalDate from;
        try {
            from = f == null ? s.planner().today(Instant.ofEpochMilli(now)) : LocalDate.parse(f);
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiError.badRequest("INVALID_DATE", "'" + f + "' is not an ISO-8601 date", "from");
        }
        String d = ctx.queryParams().get("days");
        int days = d == null ? 7 : Integer.parseInt(d);
        long start = from.atStartOfDay(zone).toEpochSecond();
        long end = from.plusDays(days).atStartOfDay(zone).toEpochSecond();
        Map<String, Map<String, int[]>> byEffector = new TreeMap<>();
        for (SlotState slot : s.index().territory(t).slotsStarting(start, end)) {
            String day = Instant.ofEpochSecond(slot.start()).atZone(zone).toLocalDate().toString();
            int[] c = byEffector.computeIfAbsent(slot.effectorId(), k -> new TreeMap<>()).computeIfAbsent(day, k -> new int[3]);
            switch (slot.apiStatus(now)) {
                case "free" -> c[0]++;
                case "held" -> c[1]++;
                case "booked" -> c[2]++;
                default -> { }
            }
        }
        JsonArray rows = new JsonArray();
        // a CPTS coordinator plans its own CPTS' effectors; ops sees the territory
        s.index().territory(t).allEffectors().stream().filter(e -> p.role() != Role.COORDINATOR || e.cpts().contains(p.org()))
                .sorted(Comparator.comparing(Effector::lastName).thenComparing(Effector::id))
                .forEach(e -> {
                    JsonObject perDay = new JsonObject();
                    byEffector.getOrDefault(e.id(), Map.of()).forEach((day, c) ->
                            perDay.put(day, new JsonObject().put("free", c[0]).put("held", c[1]).put("booked", c[2])));
                    rows.add(new JsonObject().put("effectorId", e.id()).put("name", e.displayName())
                            .put("cpts", new JsonArray(List.copyOf(e.cpts()))).put("days", perDay));
                });
        JsonArray dates = new JsonArray();
        for (int i = 0; i < days; i++) dates.add(from.plusDays(i).toString());
        Http.json(ctx, 200, new JsonObject().put("territory", t).put("days", dates).put("effectors", rows));
    }

    /**
     * GET /api/v1/territories/{t}/cpts: the CPTS whose figures the caller may see there (a coordinator its own; ops
     * every CPTS of the territory's effectors), with a display name and their number of effectors: the pages'
     * CPTS filter.
     */
    void cpts(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        String t = Access.territory(p, ctx.pathParam("territory"), "territory");
        List<Effector> effectors = List.copyOf(s.index().territory(t).allEffectors());
        JsonArray list = new JsonArray();
        for (String id : Access.cptsReached(p, t, effectors)) {
            long n = effectors.stream().filter(e -> e.cpts().contains(id)).count();
            list.add(new JsonObject().put("id", id).put("name", cptsName(id)).put("effectors", n));
        }
        Http.json(ctx, 200, new JsonObject().put("territory", t).put("cpts", list));
    }

    private static final java.util.Set<String> SMALL_WORDS = java.util.Set.of("de", "du", "des", "la", "le", "les", "et",
            "sur", "en", "d", "l");

    /**
     * A CPTS has no directory of its own yet, only the identifier its effectors carry: "CPTS-VAL-DE-CREUSE" reads
     * "CPTS Val de Creuse".
     */
    static String cptsName(String id) {
        StringBuilder b = new StringBuilder();
        for (String word : id.split("-")) {
            if (word.isEmpty()) continue;
            if (b.length() > 0) b.append(' ');
            String lower = word.toLowerCase(java.util.Locale.FRENCH);
            if (word.equals("CPTS") || word.chars().anyMatch(Character::isDigit)) b.append(word);
            else if (b.length() > 0 && SMALL_WORDS.contains(lower)) b.append(lower);
            else b.append(Character.toUpperCase(lower.charAt(0))).append(lower.substring(1));
        }
        return b.toString();
    }

    /** POST /api/v1/doctor-requests: a priority patient without a regular doctor, for the CPTS to follow up. */
    void createDoctorRequest(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        JsonObject body = Input.object(ctx);
        JsonObject patient = Input.object(body, "patient");
        String initials = Input.string(patient, "initials");
        int birthYear = Input.integer(patient, "birthYear", null);
        if (birthYear > Year.now().getValue()) throw Input.invalid("patient.birthYear", "is in the future");
        String phone = Phones.normalise(Input.string(patient, "phone"), "patient.phone");
        String insee = Input.string(patient, "communeInsee");
        Commune commune = s.communes().byInsee(insee);
        if (commune == null) {
            throw ApiError.badRequest("UNKNOWN_COMMUNE", "no commune with INSEE code '" + insee + "'", "patient.communeInsee");
        }
        boolean ald = Input.bool(patient, "ald");
        boolean over70 = Input.bool(patient, "over70");
        boolean css = Input.bool(patient, "css");
        if (!ald && !over70 && !css) {
            throw ApiError.badRequest("NOT_A_PRIORITY_PATIENT", "the CPTS follows up priority patients: long-term condition "
                    + "(ald), over 70 (over70) or solidarity health cover (css)", "patient");
        }
        String comment = Input.string(body, "comment");
        Patient who = new Patient(initials.toUpperCase(), birthYear, phone, insee, commune.name(), commune.lat(), commune.lng(),
                ald, over70, css, true, false);
        Http.reply(ctx, s.doctorRequests().file(p, commune.departement(), who, comment)
                .thenApply(d -> {
                    ctx.put(ApiRouter.AUDITED_OBJECT, d.id()); // what the audit trail names (no route reads one alone)
                    return new Http.Reply(201, view(d));
                }));
    }

    /** GET /api/v1/doctor-requests?territory=36[&status=OPEN]: the coordinator's list, newest first. */
    void listDoctorRequests(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        String t = ctx.queryParams().get("territory");
        String status = ctx.queryParams().get("status");
        DoctorRequest.Status wanted = status == null ? null : DoctorRequest.Status.valueOf(status);
        Http.reply(ctx, s.doctorRequests().list(p, t, wanted).thenApply(list -> {
            JsonArray out = new JsonArray();
            list.forEach(d -> out.add(view(d)));
            return new Http.Reply(200, new JsonObject().put("territory", t).put("requests", out));
        }));
    }

    /** POST /api/v1/doctor-requests/{id}/status {"status","note"}: the coordinator's follow-up. */
    void updateDoctorRequest(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        JsonObject body = Input.object(ctx);
        DoctorRequest.Status status = Input.enumValue(DoctorRequest.Status.class, body, "status", null);
        String note = Input.string(body, "note");
        Http.reply(ctx, s.doctorRequests().update(Authenticator.principal(ctx), id, status, note)
                .thenApply(d -> new Http.Reply(200, view(d))));
    }

    private static JsonObject view(DoctorRequest d) {
        Patient p = d.patient();
        JsonObject j = new JsonObject().put("id", d.id()).put("territory", d.territory()).put("status", d.status())
                .put("createdAt", Times.utc(d.createdAtMs())).put("createdBy", d.createdByName())
                .put("cpts", d.cpts().isEmpty() ? null : d.cpts())
                .put("patient", new JsonObject().put("initials", p.initials()).put("birthYear", p.birthYear())
                        .put("phone", p.phone()).put("communeInsee", p.communeInsee()).put("commune", p.communeName())
                        .put("ald", p.ald()).put("over70", p.over70()).put("css", p.css()))
                .put("comment", d.comment());
        if (d.note() != null) j.put("note", d.note());
        if (d.updatedAtMs() != null) j.put("updatedAt", Times.utc(d.updatedAtMs()));
        return j;
    }
}
