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
        Located patient = patient(Input.object(body, "patient", null, true));
        // the territory is the patient's commune's, never the caller's word: a different one given is refused
        String given = Input.string(body, "territory", null, false);
        if (given != null && p.serves(patient.territory()) && !Input.territory(given, "territory").equals(patient.territory())) {
            throw new ApiError(422, "COMMUNE_TERRITORY_MISMATCH", "the patient's commune (" + patient.patient().communeName()
                    + ") is in territory " + patient.territory() + ", not " + given, "territory");
        }
        Need need = need(Input.object(body, "need", null, false), now, Input.integer(body, "limit", null, 1,
                s.settings().integer("matching.maxLimit"), s.settings().integer("matching.defaultLimit")));
        Http.reply(ctx, s.requests().file(p, patient.territory(), origin, patient.patient(), need).thenApply(filed ->
                new Http.Reply(201, view(filed.request()).put("candidates", candidatesJson(filed.candidates(), now)),
                        Map.of("Location", "/api/v1/requests/" + filed.request().id()))));
    }

    void get(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        String id = Input.id(ctx.pathParam("id"), "request");
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
        Patient patient = new Patient(initials.toUpperCase(), birthYear, phone, commune.insee(), commune.name(),
                lat == null ? commune.lat() : lat, lng == null ? commune.lng() : lng, Input.bool(p, "ald", "patient"),
                Input.bool(p, "over70", "patient"), Input.bool(p, "css", "patient"), Input.bool(p, "noRegularDoctor", "patient"),
                Input.bool(p, "reducedMobility", "patient"));
        return new Located(patient, commune.departement());
    }

    /** The window (from/to or within), modes, specialty and radius, normalised for storage. */
    private Need need(JsonObject n, long nowMs, int limit) {
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
        return new Need(start, to, modes, specialty == null ? Specialties.GENERAL_PRACTICE : specialty,
                radius == null ? s.settings().decimal("matching.defaultRadiusKm") : radius, limit);
    }
}
