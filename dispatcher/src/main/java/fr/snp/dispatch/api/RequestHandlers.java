package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.domain.Mode;
import fr.snp.dispatch.domain.Origin;
import fr.snp.dispatch.domain.OutcomeType;
import fr.snp.dispatch.domain.Specialties;
import fr.snp.dispatch.geo.Commune;
import fr.snp.dispatch.geo.Distance;
import fr.snp.dispatch.matching.Candidate;
import fr.snp.dispatch.requests.CareRequest;
import fr.snp.dispatch.requests.Need;
import fr.snp.dispatch.requests.Patient;
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

/** POST /api/v1/requests (ranked candidates at once), GET /api/v1/requests/{id}, POST .../outcome. */
final class RequestHandlers {

    private final Services s;

    RequestHandlers(Services s) { this.s = s; }

    void create(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        JsonObject body = Input.object(ctx);
        Origin origin = Input.enumValue(Origin.class, body, "origin", null);
        if (!p.role().origins.contains(origin)) {
            throw new ApiError(403, "ORIGIN_NOT_ALLOWED", "role " + p.role().wireName() + " may not file requests of origin "
                    + origin, "origin");
        }
        long now = s.nowMs();
        Located patient = patient(Input.object(body, "patient"));
        // the territory is the patient's commune's, never the caller's word: a different one given is refused
        String given = Input.string(body, "territory");
        if (given != null && p.serves(patient.territory()) && !given.equals(patient.territory())) {
            throw new ApiError(422, "COMMUNE_TERRITORY_MISMATCH", "the patient's commune (" + patient.patient().communeName()
                    + ") is in territory " + patient.territory() + ", not " + given, "territory");
        }
        int limit = Input.integer(body, "limit", s.settings().integer("matching.defaultLimit"));
        int maxLimit = s.settings().integer("matching.maxLimit"); // a setting: beyond what the contract can say
        if (limit > maxLimit) throw Input.invalid("limit", "must be between 1 and " + maxLimit);
        Need need = need(Input.object(body, "need"), now, limit);
        Http.reply(ctx, s.requests().file(p, patient.territory(), origin, patient.patient(), need).thenApply(filed ->
                new Http.Reply(201, view(filed.request()).put("candidates", candidatesJson(filed.candidates(), now)),
                        Map.of("Location", "/api/v1/requests/" + filed.request().id()))));
    }

    void get(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        String id = ctx.pathParam("id");
        boolean withCandidates = !"false".equals(ctx.queryParams().get("candidates"));
        Http.reply(ctx, s.requests().read(p, id).thenApply(r -> {
            JsonObject view = view(r);
            if (withCandidates && r.status().equals("open")) {
                view.put("candidates", candidatesJson(s.requests().candidates(p, r), s.nowMs()));
            }
            return new Http.Reply(200, view);
        }));
    }

    void outcome(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        String id = ctx.pathParam("id");
        JsonObject body = Input.object(ctx);
        OutcomeType type = Input.enumValue(OutcomeType.class, body, "type", null);
        JsonObject details = new JsonObject();
        JsonObject pharmacy = Input.object(body, "pharmacy");
        if (pharmacy == null && type == OutcomeType.PRESCRIPTION) throw Input.missing("pharmacy");
        if (pharmacy != null) {
            JsonObject ph = new JsonObject().put("name", Input.string(pharmacy, "name"));
            String insee = Input.string(pharmacy, "communeInsee");
            if (insee != null && s.communes().byInsee(insee) == null) {
                throw ApiError.badRequest("UNKNOWN_COMMUNE", "no commune with INSEE code '" + insee + "'", "pharmacy.communeInsee");
            }
            String finess = Input.string(pharmacy, "finess");
            details.put("pharmacy", ph.put("communeInsee", insee).put("finess", finess));
        }
        String comment = Input.string(body, "comment");
        if (comment != null) details.put("comment", comment);
        boolean withAdvice = Input.bool(body, "withAdvice");
        if (withAdvice && type != OutcomeType.PRESCRIPTION) {
            throw Input.invalid("withAdvice", "applies to a PRESCRIPTION only (advice alone is the ADVICE outcome)");
        }
        if (withAdvice) details.put("withAdvice", true);
        Http.reply(ctx, s.requests().close(p, id, type, details, withAdvice).thenApply(r -> new Http.Reply(200, view(r))));
    }

    private static JsonArray candidatesJson(List<Candidate> candidates, long now) {
        JsonArray a = new JsonArray();
        candidates.forEach(c -> a.add(Views.candidate(c, now)));
        return a;
    }

    private JsonObject view(CareRequest r) { return Views.request(r, s.planner().zone()); }

    /** A patient and the territory of where they are. */
    record Located(Patient patient, String territory) {}

    /** The minimum about the patient; also resolves where they are (kept in the need for matching). */
    private Located patient(JsonObject p) {
        String initials = Input.string(p, "initials");
        int birthYear = Input.integer(p, "birthYear", null);
        if (birthYear > Year.now().getValue()) throw Input.invalid("patient.birthYear", "is in the future");
        String phone = Phones.normalise(Input.string(p, "phone"), "patient.phone");
        String insee = Input.string(p, "communeInsee");
        Double lat = Input.number(p, "lat");
        Double lng = Input.number(p, "lng");
        if ((lat == null) != (lng == null)) throw Input.invalid(lat == null ? "patient.lat" : "patient.lng", "lat and lng go together");
        Commune commune;
        if (insee != null) {
            commune = s.communes().byInsee(insee);
            if (commune == null) {
                throw ApiError.badRequest("UNKNOWN_COMMUNE", "no commune with INSEE code '" + insee + "' in the served area",
                        "patient.communeInsee");
            }
        } else if (lat != null) {
            commune = s.communes().nearest(lat, lng);
            if (Distance.km(lat, lng, commune.lat(), commune.lng()) > 30) {
                throw ApiError.badRequest("OUTSIDE_SERVED_AREA", "this position is outside the served area", "patient.lat");
            }
        } else {
            throw Input.missing("patient.communeInsee");
        }
        Patient patient = new Patient(initials.toUpperCase(), birthYear, phone, commune.insee(), commune.name(),
                lat == null ? commune.lat() : lat, lng == null ? commune.lng() : lng, Input.bool(p, "ald"),
                Input.bool(p, "over70"), Input.bool(p, "css"), Input.bool(p, "noRegularDoctor"), Input.bool(p, "reducedMobility"));
        return new Located(patient, commune.departement());
    }

    /** The window (from/to or within), modes, specialty and radius, normalised for storage. */
    private Need need(JsonObject n, long nowMs, int limit) {
        if (n == null) n = new JsonObject();
        Instant now = Instant.ofEpochMilli(nowMs);
        Duration maxWindow = s.settings().duration("matching.maxWindow");
        Duration within = Input.duration(n, "within", "need");
        OffsetDateTime from = Input.dateTime(n, "from", "need");
        OffsetDateTime to = Input.dateTime(n, "to", "need");
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
        Set<Mode> modes = Input.enumSet(Mode.class, n, "modes");
        Mode single = Input.enumValue(Mode.class, n, "mode", null);
        if (modes == null) modes = single == null ? EnumSet.allOf(Mode.class) : EnumSet.of(single);
        String specialty = Input.string(n, "specialty");
        double maxRadius = s.settings().decimal("matching.maxRadiusKm"); // a setting: beyond what the contract can say
        Double radius = Input.number(n, "radiusKm");
        if (radius != null && radius > maxRadius) {
            throw ApiError.badRequest("RADIUS_OUT_OF_RANGE", "radiusKm must be between 1 and " + maxRadius, "need.radiusKm");
        }
        return new Need(start, to, modes, specialty == null ? Specialties.GENERAL_PRACTICE : specialty,
                radius == null ? s.settings().decimal("matching.defaultRadiusKm") : radius, limit);
    }
}
