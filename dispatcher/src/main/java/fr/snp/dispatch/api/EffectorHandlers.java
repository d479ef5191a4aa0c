package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.Access;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.directory.EffectorJson;
import fr.snp.dispatch.domain.Outcome;
import fr.snp.dispatch.domain.Refused;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.PracticeLocation;
import fr.snp.dispatch.domain.Rpps;
import fr.snp.dispatch.domain.Specialties;
import fr.snp.dispatch.domain.StructureIds;
import fr.snp.dispatch.geo.Commune;
import fr.snp.dispatch.geo.Distance;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** POST /api/v1/effectors, GET /api/v1/effectors/{id}, GET /api/v1/effectors?territory=. */
final class EffectorHandlers {

    private final Services s;

    EffectorHandlers(Services s) { this.s = s; }

    void create(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        Effector e = parse(Input.object(ctx), p);
        // where the webhook's name resolves is checked off the event loop (DNS), before anything is stored
        java.util.concurrent.CompletionStage<String> refused = e.webhookUrl() == null
                ? java.util.concurrent.CompletableFuture.completedFuture(null)
                : ctx.vertx().executeBlocking(() -> s.webhooks().refusalAtSend(e.webhookUrl()), false).toCompletionStage();
        Http.reply(ctx, refused.thenCompose(why -> {
            if (why != null) throw ApiError.badRequest("WEBHOOK_URL_REFUSED", "webhookUrl " + why, "webhookUrl");
            return s.effectors().create(p, e);
        }).thenApply(created -> {
            if (!created.created()) {
                throw new ApiError(409, "EFFECTOR_EXISTS", "an effector with this RPPS already exists: " + created.id(), "rpps");
            }
            Effector stored = s.index().effector(created.id());
            JsonObject view = view(p, stored);
            // the receiver's signing secret, shown this once (Standard Webhooks); POST …/webhook-secret makes a new one
            if (created.webhookSecret() != null) view.put("webhookSecret", created.webhookSecret());
            return new Http.Reply(201, view, java.util.Map.of("Location", "/api/v1/effectors/" + created.id()));
        }));
    }

    /** POST /api/v1/effectors/{id}/webhook-secret: a new signing secret, the previous one still signing beside it. */
    void rotateWebhookSecret(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        String id = ctx.pathParam("id");
        Effector e = s.index().effector(id);
        if (e == null || !Access.seesEffector(p, e)) throw new Refused(Outcome.EFFECTOR_NOT_FOUND);
        if (e.webhookUrl() == null) throw ApiError.conflict("NO_WEBHOOK", "this effector has no webhook");
        Http.reply(ctx, s.effectors().rotateWebhookSecret(p, id).thenApply(secret -> new Http.Reply(200,
                new JsonObject().put("effectorId", id).put("webhookSecret", secret)
                        .put("note", "the previous secret keeps signing beside this one until the next rotation"))));
    }

    /** An effector as this caller may see it: the webhook's address is the coordinators' only. */
    private static JsonObject view(Principal p, Effector e) {
        JsonObject j = EffectorJson.of(e);
        if (p.role() != fr.snp.dispatch.domain.Role.COORDINATOR) j.remove("webhookUrl");
        return j;
    }

    void get(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        Effector e = s.index().effector(ctx.pathParam("id"));
        if (e == null || !Access.seesEffector(p, e)) throw new Refused(Outcome.EFFECTOR_NOT_FOUND);
        Http.json(ctx, 200, view(p, e));
    }

    /** GET /api/v1/effectors?territory=36: a SAS sees the territory's effectors, a coordinator its CPTS'. */
    void list(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        String territory = Access.territory(p, ctx.queryParams().get("territory"), "territory");
        JsonArray list = new JsonArray();
        s.index().territory(territory).allEffectors().stream().filter(e -> Access.seesEffector(p, e))
                .sorted(java.util.Comparator.comparing(Effector::id)).forEach(e -> list.add(view(p, e)));
        Http.json(ctx, 200, new JsonObject().put("territory", territory).put("effectors", list));
    }

    private Effector parse(JsonObject body, Principal p) {
        String rpps = Rpps.normalise(Input.string(body, "rpps"));
        if (rpps == null) {
            throw ApiError.badRequest("INVALID_RPPS", "rpps must be an 11-digit RPPS number with a valid check digit "
                    + "(or the same prefixed with 8)", "rpps");
        }
        String firstName = Input.string(body, "firstName");
        String lastName = Input.string(body, "lastName");
        String specialty = Input.string(body, "specialty");
        if (specialty == null) specialty = Specialties.GENERAL_PRACTICE;
        JsonArray locations = body.getJsonArray("locations");
        List<PracticeLocation> places = new ArrayList<>();
        for (int i = 0; i < locations.size(); i++) places.add(location(locations.getJsonObject(i), i));
        Set<String> cpts = new LinkedHashSet<>();
        JsonArray givenCpts = body.getJsonArray("cpts");
        if (givenCpts != null) givenCpts.forEach(c -> cpts.add((String) c));
        // a CPTS registers its own effectors: without a list, the effector is the coordinator's CPTS'
        if (givenCpts == null && p.role() == fr.snp.dispatch.domain.Role.COORDINATOR) cpts.add(p.org());
        int cap = Input.integer(body, "weeklySasCap", s.settings().integer("booking.defaultWeeklySasCap"));
        Double radius = Input.number(body, "homeVisitRadiusKm");
        String phone = Input.string(body, "phone");
        if (phone != null) phone = Phones.normalise(phone, "phone");
        String webhook = Input.string(body, "webhookUrl");
        String webhookRefused = webhook == null ? null : s.webhooks().refusal(webhook);
        if (webhookRefused != null) throw ApiError.badRequest("WEBHOOK_URL_REFUSED", "webhookUrl " + webhookRefused, "webhookUrl");
        // how many patients a day the effector accepts in addition to their slots when a regulator asks (0 = none)
        int supernumerary = Input.integer(body, "supernumeraryDailyCap", 0);
        String territory = places.get(0).communeInsee().startsWith("97")
                ? places.get(0).communeInsee().substring(0, 3) : places.get(0).communeInsee().substring(0, 2);
        return new Effector("__ID__", territory, rpps, firstName, lastName, specialty, places, Set.copyOf(cpts), cap,
                radius == null ? 0 : radius, phone, webhook, supernumerary);
    }

    private PracticeLocation location(JsonObject l, int i) {
        String prefix = "locations[" + i + "]";
        String insee = Input.string(l, "communeInsee");
        Commune commune = s.communes().byInsee(insee);
        if (commune == null) {
            throw ApiError.badRequest("UNKNOWN_COMMUNE", "no commune with INSEE code '" + insee + "' in the served area",
                    prefix + ".communeInsee");
        }
        Double lat = Input.number(l, "lat");
        Double lng = Input.number(l, "lng");
        if ((lat == null) != (lng == null)) throw Input.invalid(prefix + ".lat", "and lng go together");
        if (lat != null && Distance.km(lat, lng, commune.lat(), commune.lng()) > 25) {
            throw Input.invalid(prefix + ".lat", "and lng are more than 25 km from " + commune.name());
        }
        String kind = Input.string(l, "kind");
        if (kind == null) kind = "PRACTICE";
        String name = Input.string(l, "name");
        // the structure's national ids (optional): what the SAS platform names the place by (IDNST)
        String rawFiness = Input.string(l, "finess");
        String finess = StructureIds.finess(rawFiness);
        if (rawFiness != null && finess == null) {
            throw ApiError.badRequest("INVALID_FINESS", "finess must be a FINESS number: 9 characters, the département "
                    + "first (2A/2B in Corsica), the last a valid check key", prefix + ".finess");
        }
        String rawSiret = Input.string(l, "siret");
        String siret = StructureIds.siret(rawSiret);
        if (rawSiret != null && siret == null) {
            throw ApiError.badRequest("INVALID_SIRET", "siret must be a SIRET number: 14 digits with a valid check digit",
                    prefix + ".siret");
        }
        return new PracticeLocation(i, name == null ? "Cabinet médical" : name, Input.string(l, "address"),
                insee, commune.name(), lat == null ? commune.lat() : lat, lng == null ? commune.lng() : lng, kind,
                Input.bool(l, "accessible"), finess, siret);
    }
}
