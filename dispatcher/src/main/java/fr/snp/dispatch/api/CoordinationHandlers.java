package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.geo.Commune;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.Range;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Year;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * What the CPTS coordinator follows: the planning (slots by effector and day) and the "médecin traitant" requests
 * that pharmacists (or the platform, for secretaries) file for priority patients without a regular doctor.
 */
final class CoordinationHandlers {
    private static final Pattern INITIALS = Pattern.compile("\\p{L}{1,4}");
    private static final Set<String> STATUSES = Set.of("OPEN", "CONTACTED", "ASSIGNED", "CLOSED");

    private final Services s;

    CoordinationHandlers(Services s) { this.s = s; }

    /** GET /api/v1/territories/{t}/planning?from=2026-11-23&days=7: per effector and day, free/held/booked slots. */
    void planning(RoutingContext ctx) {
        String t = Input.territory(ctx.pathParam("territory"), "territory");
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
        int days = d == null ? 7 : parseDays(d);
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
        s.index().territory(t).allEffectors().stream().sorted(Comparator.comparing(Effector::lastName).thenComparing(Effector::id))
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

    private static int parseDays(String d) {
        try {
            int n = Integer.parseInt(d);
            if (n >= 1 && n <= 28) return n;
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw Input.invalid("days", "must be a whole number from 1 to 28");
    }

    /** POST /api/v1/doctor-requests: a priority patient without a regular doctor, for the CPTS to follow up. */
    void createDoctorRequest(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        JsonObject body = Input.object(ctx);
        JsonObject patient = Input.object(body, "patient", null, true);
        String initials = Input.string(patient, "initials", "patient", true);
        if (!INITIALS.matcher(initials).matches()) throw Input.invalid("patient.initials", "must be 1 to 4 letters");
        int birthYear = Input.integer(patient, "birthYear", "patient", 1900, Year.now().getValue(), null);
        String phone = Phones.normalise(Input.string(patient, "phone", "patient", true), "patient.phone");
        String insee = Input.string(patient, "communeInsee", "patient", true);
        Commune commune = s.communes().byInsee(insee);
        if (commune == null) {
            throw ApiError.badRequest("UNKNOWN_COMMUNE", "no commune with INSEE code '" + insee + "' in the served area",
                    "patient.communeInsee");
        }
        boolean ald = Input.bool(patient, "ald", "patient");
        boolean over70 = Input.bool(patient, "over70", "patient");
        boolean css = Input.bool(patient, "css", "patient");
        if (!ald && !over70 && !css) {
            throw ApiError.badRequest("NOT_A_PRIORITY_PATIENT", "the CPTS follows up priority patients: long-term condition "
                    + "(ald), over 70 (over70) or solidarity health cover (css)", "patient");
        }
        String comment = Input.string(body, "comment", null, false);
        long now = s.nowMs();
        String t = commune.departement();
        String id = Ids.request(t, now).replace("-R", "-D");
        JsonObject stored = new JsonObject().put("id", id).put("territory", t).put("status", "OPEN")
                .put("createdAt", Instant.ofEpochMilli(now).toString()).put("createdBy", p.name())
                .put("patient", new JsonObject().put("initials", initials.toUpperCase()).put("birthYear", birthYear).put("phone", phone)
                        .put("communeInsee", insee).put("commune", commune.name()).put("ald", ald).put("over70", over70).put("css", css))
                .put("comment", comment);
        String key = Keys.doctorRequest(t, id);
        long ttl = s.settings().integer("requests.retentionDays") * 86_400L * 3; // follow-up takes weeks
        s.redis().set(key, stored.encode());
        s.redis().expire(key, ttl);
        Http.reply(ctx, s.redis().zadd(Keys.doctorRequests(t), now, id).thenApply(n -> new Http.Reply(201, stored)));
    }

    /** GET /api/v1/doctor-requests?territory=36[&status=OPEN]: the coordinator's list, newest first. */
    void listDoctorRequests(RoutingContext ctx) {
        String t = Input.territory(ctx.queryParams().get("territory"), "territory");
        String status = ctx.queryParams().get("status");
        if (status != null && !STATUSES.contains(status)) {
            throw ApiError.badRequest("INVALID_ENUM", "unknown status '" + status + "', expected one of " + STATUSES, "status");
        }
        Http.reply(ctx, s.redis().zrevrangebyscore(Keys.doctorRequests(t), Range.create(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY))
                .thenCompose(ids -> {
                    List<CompletableFuture<String>> reads = ids.stream()
                            .map(id -> s.redis().get(Keys.doctorRequest(t, id)).toCompletableFuture()).toList();
                    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> {
                        JsonArray list = new JsonArray();
                        reads.forEach(r -> {
                            String json = r.join();
                            if (json == null) return; // expired
                            JsonObject j = new JsonObject(json);
                            if (status == null || status.equals(j.getString("status"))) list.add(j);
                        });
                        return new Http.Reply(200, new JsonObject().put("territory", t).put("requests", list));
                    });
                }));
    }

    /** POST /api/v1/doctor-requests/{id}/status {"status","note"}: the coordinator's follow-up. */
    void updateDoctorRequest(RoutingContext ctx) {
        String id = Input.id(ctx.pathParam("id"), "doctor request");
        JsonObject body = Input.object(ctx);
        String status = Input.string(body, "status", null, true);
        if (!STATUSES.contains(status)) {
            throw ApiError.badRequest("INVALID_ENUM", "unknown status '" + status + "', expected one of " + STATUSES, "status");
        }
        String note = Input.string(body, "note", null, false);
        String key = Keys.doctorRequest(Ids.territoryOf(id), id);
        Map<String, Object> change = new HashMap<>();
        change.put("status", status);
        change.put("note", note);
        change.put("updatedAt", Instant.ofEpochMilli(s.nowMs()).toString());
        Http.reply(ctx, s.redis().get(key).thenCompose(json -> {
            if (json == null) throw ApiError.notFound("DOCTOR_REQUEST_NOT_FOUND", "no such request");
            JsonObject j = new JsonObject(json);
            change.forEach(j::put);
            return s.redis().set(key, j.encode(), io.lettuce.core.SetArgs.Builder.keepttl()).thenApply(ok -> new Http.Reply(200, j));
        }));
    }
}
