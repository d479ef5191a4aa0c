package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.domain.Mode;
import fr.snp.dispatch.domain.Origin;
import fr.snp.dispatch.domain.OutcomeType;
import fr.snp.dispatch.domain.Specialties;
import fr.snp.dispatch.geo.Commune;
import fr.snp.dispatch.geo.Distance;
import fr.snp.dispatch.matching.Candidate;
import fr.snp.dispatch.matching.MatchQuery;
import fr.snp.dispatch.requests.CareRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.Year;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** POST /api/v1/requests (ranked candidates at once), GET /api/v1/requests/{id}, POST .../outcome. */
final class RequestHandlers {
    private static final Pattern INITIALS = Pattern.compile("\\p{L}{1,4}");

    private final Services s;

    RequestHandlers(Services s) { this.s = s; }

    void create(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        JsonObject body = Input.object(ctx);
        Origin origin = Input.enumValue(Origin.class, body, "origin", null, null);
        if (!p.role().origins.contains(origin)) {
            throw new ApiError(403, "ORIGIN_NOT_ALLOWED", "role " + p.role().wireName() + " may not file requests of origin "
                    + origin, "origin");
        }
        long now = s.nowMs();
        JsonObject patient = patient(Input.object(body, "patient", null, true));
        String territory = Input.string(body, "territory", null, false);
        if (territory == null) territory = patient.getString("territory");
        else Input.territory(territory, "territory");
        patient.remove("territory");
        JsonObject need = need(Input.object(body, "need", null, false), now, patient);
        int limit = Input.integer(body, "limit", null, 1, s.settings().integer("matching.maxLimit"),
                s.settings().integer("matching.defaultLimit"));
        need.put("limit", limit);
        CareRequest request = new CareRequest(Ids.request(territory, now), territory, origin, p.id(), now, patient, need,
                null, null, null, 0);
        List<Candidate> candidates = match(request, p, now);
        s.metrics().request(origin.name());
        Http.reply(ctx, s.requests().create(request).thenApply(ok -> new Http.Reply(201,
                view(request).put("candidates", candidatesJson(candidates, now)),
                Map.of("Location", "/api/v1/requests/" + request.id()))));
    }

    void get(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        String id = Input.id(ctx.pathParam("id"), "request");
        boolean withCandidates = !"false".equals(ctx.queryParams().get("candidates"));
        Http.reply(ctx, s.requests().get(id).thenApply(r -> {
            mustSee(p, r);
            long now = s.nowMs();
            JsonObject view = view(r);
            if (withCandidates && r.status().equals("open")) view.put("candidates", candidatesJson(match(r, p, now), now));
            return new Http.Reply(200, view);
        }));
    }

    void outcome(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        String id = Input.id(ctx.pathParam("id"), "request");
        JsonObject body = Input.object(ctx);
        OutcomeType type = Input.enumValue(OutcomeType.class, body, "type", null, null);
        JsonObject details = new JsonObject();
        JsonObject pharmacy = Input.object(body, "pharmacy", null, type == OutcomeType.PRESCRIPTION);
        if (pharmacy != null) {
            JsonObject ph = new JsonObject().put("name", Input.string(pharmacy, "name", "pharmacy", true));
            String insee = Input.string(pharmacy, "communeInsee", "pharmacy", false);
            if (insee != null && s.communes().byInsee(insee) == null) {
                throw ApiError.badRequest("UNKNOWN_COMMUNE", "no commune with INSEE code '" + insee + "'", "pharmacy.communeInsee");
            }
            String finess = Input.string(pharmacy, "finess", "pharmacy", false);
            if (finess != null && !finess.matches("\\d{2}[0-9AB]\\d{6}")) {
                throw Input.invalid("pharmacy.finess", "must be a 9-character FINESS number");
            }
            details.put("pharmacy", ph.put("communeInsee", insee).put("finess", finess));
        }
        String comment = Input.string(body, "comment", null, false);
        if (comment != null) details.put("comment", comment);
        boolean withAdvice = Input.bool(body, "withAdvice", null);
        if (withAdvice && type != OutcomeType.PRESCRIPTION) {
            throw Input.invalid("withAdvice", "applies to a PRESCRIPTION only (advice alone is the ADVICE outcome)");
        }
        if (withAdvice) details.put("withAdvice", true);
        long now = s.nowMs();
        Http.reply(ctx, s.requests().get(id).thenCompose(r -> {
            mustSee(p, r);
            return s.requests().setOutcome(id, type, details, now, p.id(), withAdvice);
        }).thenCompose(result -> {
            String code = (String) result.get(0);
            if (!code.equals("OK") && !code.equals("ALREADY_SET")) throw ScriptCodes.error(code);
            return s.requests().get(id);
        }).thenApply(r -> new Http.Reply(200, view(r))));
    }

    /** The shared queue (SAS desks, CPTS platform) sees every request; other callers their own. */
    private static void mustSee(Principal p, CareRequest r) {
        if (r == null || (!p.role().sharedQueue() && !r.createdBy().equals(p.id()))) {
            throw ApiError.notFound("REQUEST_NOT_FOUND", "no such request (or not one of yours)");
        }
    }

    private List<Candidate> match(CareRequest r, Principal p, long now) {
        JsonObject n = r.need();
        Set<Mode> modes = EnumSet.noneOf(Mode.class);
        n.getJsonArray("modes").forEach(m -> modes.add(Mode.valueOf((String) m)));
        MatchQuery q = new MatchQuery(n.getDouble("lat"), n.getDouble("lng"),
                OffsetDateTime.parse(n.getString("from")).toEpochSecond(), OffsetDateTime.parse(n.getString("to")).toEpochSecond(),
                modes, n.getString("specialty"), r.patient().getBoolean("reducedMobility", false), n.getDouble("radiusKm"),
                r.origin().sasRegulated, p.viewer(), n.getInteger("limit"));
        long t0 = System.nanoTime();
        List<Candidate> ranked = s.matcher().match(s.index().territory(r.territory()), q, now);
        s.metrics().match().record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
        return ranked;
    }

    private static JsonArray candidatesJson(List<Candidate> candidates, long now) {
        JsonArray a = new JsonArray();
        candidates.forEach(c -> a.add(Views.candidate(c, now)));
        return a;
    }

    private JsonObject view(CareRequest r) {
        JsonObject need = r.need().copy();
        need.remove("lat");
        need.remove("lng");
        need.remove("limit");
        JsonObject j = new JsonObject().put("id", r.id()).put("territory", r.territory()).put("origin", r.origin().name())
                .put("status", r.status()).put("createdAt", local(r.createdAtMs()))
                .put("patient", r.patient()).put("need", need);
        if (r.appointmentId() != null) j.put("appointmentId", r.appointmentId());
        if (r.outcome() != null) {
            j.put("outcome", new JsonObject().put("type", r.outcome()).mergeIn(r.outcomeDetails())
                    .put("at", local(r.outcomeAtMs())));
        }
        return j;
    }

    /** A time in the territory's zone, like every other time the API shows. */
    private String local(long epochMs) {
        Instant i = Instant.ofEpochMilli(epochMs);
        return i.atOffset(s.planner().zone().getRules().getOffset(i)).toString();
    }

    /** The minimum about the patient; also resolves where they are (kept in the need for matching). */
    private JsonObject patient(JsonObject p) {
        String initials = Input.string(p, "initials", "patient", true);
        if (!INITIALS.matcher(initials).matches()) throw Input.invalid("patient.initials", "must be 1 to 4 letters");
        int year = Year.now().getValue();
        int birthYear = Input.integer(p, "birthYear", "patient", 1900, year, null);
        String phone = Phones.normalise(Input.string(p, "phone", "patient", true), "patient.phone");
        String insee = Input.string(p, "communeInsee", "patient", false);
        Double lat = Input.number(p, "lat", "patient", false);
        Double lng = Input.number(p, "lng", "patient", false);
        if ((lat == null) != (lng == null)) throw Input.invalid(lat == null ? "patient.lat" : "patient.lng", "lat and lng go together");
        Commune commune;
        if (insee != null) {
            commune = s.communes().byInsee(insee);
            if (commune == null) {
                throw ApiError.badRequest("UNKNOWN_COMMUNE", "no commune with INSEE code '" + insee + "' in the served area",
                        "patient.communeInsee");
            }
        } else if (lat != null) {
            if (lat < -90 || lat > 90 || lng < -180 || lng > 180) throw Input.invalid("patient.lat", "is not a position");
            commune = s.communes().nearest(lat, lng);
            if (Distance.km(lat, lng, commune.lat(), commune.lng()) > 30) {
                throw ApiError.badRequest("OUTSIDE_SERVED_AREA", "this position is outside the served area", "patient.lat");
            }
        } else {
            throw Input.missing("patient.communeInsee");
        }
        JsonObject j = new JsonObject().put("initials", initials.toUpperCase()).put("birthYear", birthYear).put("phone", phone)
                .put("communeInsee", commune.insee()).put("commune", commune.name())
                .put("lat", lat == null ? commune.lat() : lat).put("lng", lng == null ? commune.lng() : lng);
        for (String flag : List.of("ald", "over70", "css", "noRegularDoctor", "reducedMobility")) {
            j.put(flag, Input.bool(p, flag, "patient"));
        }
        return j.put("territory", commune.departement());
    }

    /** The window (from/to or within), modes, specialty and radius, normalised for storage. */
    private JsonObject need(JsonObject n, long nowMs, JsonObject patient) {
        if (n == null) n = new JsonObject();
        Instant now = Instant.ofEpochMilli(nowMs);
        Duration maxWindow = s.settings().duration("matching.maxWindow");
        Duration within = Input.duration(n, "within", "need");
        OffsetDateTime from = Input.dateTime(n, "from", "need", false);
        OffsetDateTime to = Input.dateTime(n, "to", "need", false);
        if (within != null && (from != null || to != null)) {
            throw Input.invalid("need.within", "goes without from/to: give one or the other");
        }
        OffsetDateTime start;
        OffsetDateTime end;
        if (from != null || to != null) {
            if (to == null) throw Input.missing("need.to");
            start = from == null ? now.atOffset(to.getOffset()) : from;
            if (!to.isAfter(start)) throw Input.invalid("need.to", "must be after need.from");
            if (!to.toInstant().isAfter(now)) throw Input.invalid("need.to", "is in the past");
        } else {
            Duration w = within == null ? s.settings().duration("matching.defaultWithin") : within;
            if (w.compareTo(maxWindow) > 0) {
                throw ApiError.badRequest("WINDOW_TOO_LONG", "the window may not exceed " + maxWindow.toDays() + " days",
                        "need.within");
            }
            start = now.atOffset(s.planner().zone().getRules().getOffset(now));
            end = start.plus(w);
            to = end;
        }
        if (Duration.between(start, to).compareTo(maxWindow) > 0) {
            throw ApiError.badRequest("WINDOW_TOO_LONG", "the window may not exceed " + maxWindow.toDays() + " days", "need.to");
        }
        Set<Mode> modes = Input.enumSet(Mode.class, n, "modes", "need");
        Mode single = Input.enumValue(Mode.class, n, "mode", "need", Mode.AMB);
        if (modes == null) modes = n.getValue("mode") == null ? EnumSet.allOf(Mode.class) : EnumSet.of(single);
        String specialty = Input.string(n, "specialty", "need", false);
        if (specialty != null && !Specialties.isWellFormed(specialty)) {
            throw Input.invalid("need.specialty", "must be an RPPS specialty code such as SM54");
        }
        double maxRadius = s.settings().decimal("matching.maxRadiusKm");
        Double radius = Input.number(n, "radiusKm", "need", false);
        if (radius != null && (radius < 1 || radius > maxRadius)) {
            throw ApiError.badRequest("RADIUS_OUT_OF_RANGE", "radiusKm must be between 1 and " + maxRadius, "need.radiusKm");
        }
        JsonArray modeNames = new JsonArray();
        modes.forEach(m -> modeNames.add(m.name()));
        return new JsonObject().put("from", start.toString()).put("to", to.toString()).put("modes", modeNames)
                .put("specialty", specialty == null ? Specialties.GENERAL_PRACTICE : specialty)
                .put("radiusKm", radius == null ? s.settings().decimal("matching.defaultRadiusKm") : radius)
                .put("lat", patient.getDouble("lat")).put("lng", patient.getDouble("lng"));
    }
}
