package fr.snp.dispatch.api;

import fr.snp.dispatch.Services;
import fr.snp.dispatch.auth.Access;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.domain.Times;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;

import java.util.ArrayList;
import java.util.List;

import static fr.snp.dispatch.domain.Role.COORDINATOR;
import static fr.snp.dispatch.domain.Role.EFFECTOR;
import static fr.snp.dispatch.domain.Role.EMERGENCY;
import static fr.snp.dispatch.domain.Role.OPS;
import static fr.snp.dispatch.domain.Role.OSNP;
import static fr.snp.dispatch.domain.Role.PHARMACIST;
import static fr.snp.dispatch.domain.Role.REGULATOR;

/** Every route of the API, with the roles allowed on it, in one place. */
public final class ApiRouter {
    /** Roles that file care requests and take slots for patients. */
    private static final Role[] REQUESTERS = {REGULATOR, OSNP, PHARMACIST, EMERGENCY, COORDINATOR};
    private static final Role[] EVERY_CARE_ROLE = {REGULATOR, OSNP, PHARMACIST, EMERGENCY, EFFECTOR, COORDINATOR};

    /**
     * How a route finds the tenant it acts on; with the roles, what the tenancy matrix test walks through. Every
     * check happens in the use case (auth/Access.java) and again in the Lua script.
     */
    public enum Tenant {
        /** The id in the path carries its territory; the object's organisation is checked too (else 404). */
        PATH_ID,
        /** ?territory= must be a served territory (else 403). */
        QUERY_TERRITORY,
        /** /territories/{territory}/…: a served territory (else 403). */
        PATH_TERRITORY,
        /** Ids in the body (slot, request, effector), or the patient's commune: checked like PATH_ID. */
        BODY,
        /** No tenant data (commune search). */
        NONE,
        /** Server-wide figures, filtered to the served territories (/metrics). */
        SERVED,
        /** The server's clock, in simulation mode only. */
        GLOBAL
    }

    /** A route as declared: what the role and tenancy tests walk through. */
    public record Route(HttpMethod method, String path, List<Role> roles, Tenant tenant) {}

    private final Router router;
    private final fr.snp.dispatch.audit.AuditTrail audit;
    private final java.util.Set<String> trustedProxies;
    private final Authenticator auth;
    private final KnownEffectors knownEffectors;
    private final List<Route> routes = new ArrayList<>();
    /** Requests checked against the contract before their handler (null: not checked, as for listing the routes). */
    private final ContractValidation validation;

    private ApiRouter(Vertx vertx, Services s, io.vertx.openapi.contract.OpenAPIContract contract) {
        this.router = Router.router(vertx);
        this.validation = contract == null ? null : new ContractValidation(vertx, contract);
        this.audit = s.audit();
        this.trustedProxies = java.util.Arrays.stream(s.settings().string("http.trustedProxies").split(","))
                .map(String::strip).filter(x -> !x.isEmpty()).collect(java.util.stream.Collectors.toUnmodifiableSet());
        SignInHandlers signIn = new SignInHandlers(s);
        // people's session cookie is taken only when no Authorization header is sent: software is judged as before
        this.knownEffectors = new KnownEffectors(s.index(), s.effectors());
        this.auth = new Authenticator(s.tokens(), s.people().widgets(), s.people().sessions(), signIn::sessionId,
                s.people().baseUrl());
        // on every answer, pages, API and errors alike (set first, so that 404s and failures carry them too)
        router.route().handler(ApiRouter::securityHeaders);
        router.route().handler(BodyHandler.create(false).setBodyLimit(s.settings().integer("http.maxBodyBytes")));
        // the widget is embedded in pharmacies' own sites: the API answers the origins they registered, no other
        // (after the body is read: the check may wait for Redis, and the body must not be lost meanwhile)
        router.route("/api/*").handler(new Cors(s.people().widgets(), auth)::handle);

        HealthHandler health = new HealthHandler(s);
        router.get("/health").handler(health::handle);
        router.get("/ping").handler(ctx -> ctx.response().end("pong"));

        EffectorHandlers effectors = new EffectorHandlers(s);
        route(HttpMethod.POST, "/api/v1/effectors", effectors::create, Tenant.BODY, COORDINATOR);
        route(HttpMethod.POST, "/api/v1/effectors/:id/webhook-secret", effectors::rotateWebhookSecret, Tenant.PATH_ID, COORDINATOR);
        route(HttpMethod.GET, "/api/v1/effectors", effectors::list, Tenant.QUERY_TERRITORY, REGULATOR, OSNP, COORDINATOR);
        route(HttpMethod.GET, "/api/v1/effectors/:id", effectors::get, Tenant.PATH_ID, EVERY_CARE_ROLE);

        SlotHandlers slots = new SlotHandlers(s);
        route(HttpMethod.POST, "/api/v1/slots", slots::publish, Tenant.BODY, EFFECTOR, COORDINATOR);
        route(HttpMethod.POST, "/api/v1/effectors/:id/availability", slots::availability, Tenant.PATH_ID, EFFECTOR, COORDINATOR);
        route(HttpMethod.GET, "/api/v1/slots/:id", slots::get, Tenant.PATH_ID, EVERY_CARE_ROLE);
        route(HttpMethod.DELETE, "/api/v1/slots/:id", slots::withdraw, Tenant.PATH_ID, EFFECTOR, COORDINATOR);
        route(HttpMethod.POST, "/api/v1/slots/:id/hold", limited(s, slots::hold), Tenant.PATH_ID, REQUESTERS);
        route(HttpMethod.DELETE, "/api/v1/slots/:id/hold", slots::releaseHold, Tenant.PATH_ID, REQUESTERS);

        RequestHandlers requests = new RequestHandlers(s);
        route(HttpMethod.POST, "/api/v1/requests", limited(s, requests::create), Tenant.BODY, REQUESTERS);
        route(HttpMethod.GET, "/api/v1/requests/:id", requests::get, Tenant.PATH_ID, REQUESTERS);
        route(HttpMethod.POST, "/api/v1/requests/:id/outcome", requests::outcome, Tenant.PATH_ID, REQUESTERS);
        // the waiting list is the SAS desks' (116-117 regulators and OSNP)
        WaitingHandlers waiting = new WaitingHandlers(s);
        route(HttpMethod.POST, "/api/v1/requests/:id/wait", waiting::put, Tenant.PATH_ID, REGULATOR, OSNP);
        route(HttpMethod.DELETE, "/api/v1/requests/:id/wait", waiting::remove, Tenant.PATH_ID, REGULATOR, OSNP);
        route(HttpMethod.GET, "/api/v1/waiting", waiting::list, Tenant.QUERY_TERRITORY, REGULATOR, OSNP);

        AppointmentHandlers appointments = new AppointmentHandlers(s);
        route(HttpMethod.POST, "/api/v1/appointments", limited(s, appointments::book), Tenant.BODY, REQUESTERS);
        // outside the published slots: a medical decision of the SAS regulator, with an effector who accepts it
        route(HttpMethod.POST, "/api/v1/appointments/supernumerary", limited(s, appointments::bookSupernumerary), Tenant.BODY,
                REGULATOR);
        route(HttpMethod.GET, "/api/v1/appointments/:id", appointments::get, Tenant.PATH_ID, with(REQUESTERS, EFFECTOR));
        route(HttpMethod.POST, "/api/v1/appointments/:id/cancel", appointments::cancel, Tenant.PATH_ID, with(REQUESTERS, EFFECTOR));
        route(HttpMethod.POST, "/api/v1/appointments/:id/feedback", appointments::feedback, Tenant.PATH_ID, EFFECTOR, COORDINATOR);
        route(HttpMethod.GET, "/api/v1/appointments/:id/messages", appointments::messages, Tenant.PATH_ID, REQUESTERS);

        StatsHandlers stats = new StatsHandlers(s);
        route(HttpMethod.GET, "/api/v1/stats/noshow", stats::noshow, Tenant.QUERY_TERRITORY, COORDINATOR, OPS, EFFECTOR);
        route(HttpMethod.GET, "/api/v1/stats/outcomes", stats::outcomes, Tenant.QUERY_TERRITORY, COORDINATOR, OPS);
        route(HttpMethod.GET, "/api/v1/stats/indicators", stats::indicators, Tenant.QUERY_TERRITORY, COORDINATOR, OPS);
        route(HttpMethod.GET, "/api/v1/stats/weekly", stats::weekly, Tenant.QUERY_TERRITORY, COORDINATOR, OPS);

        route(HttpMethod.GET, "/api/v1/communes", ctx -> communes(ctx, s), Tenant.NONE, EVERY_CARE_ROLE);
        route(HttpMethod.GET, "/api/v1/territories/:territory/communes", ctx -> territoryCommunes(ctx, s), Tenant.PATH_TERRITORY, EVERY_CARE_ROLE);

        CoordinationHandlers coordination = new CoordinationHandlers(s);
        route(HttpMethod.GET, "/api/v1/territories/:territory/planning", coordination::planning, Tenant.PATH_TERRITORY, COORDINATOR, OPS);
        route(HttpMethod.GET, "/api/v1/territories/:territory/cpts", coordination::cpts, Tenant.PATH_TERRITORY, COORDINATOR, OPS);
        route(HttpMethod.POST, "/api/v1/doctor-requests", coordination::createDoctorRequest, Tenant.BODY, PHARMACIST, COORDINATOR);
        route(HttpMethod.GET, "/api/v1/doctor-requests", coordination::listDoctorRequests, Tenant.QUERY_TERRITORY, COORDINATOR);
        route(HttpMethod.POST, "/api/v1/doctor-requests/:id/status", coordination::updateDoctorRequest, Tenant.PATH_ID, COORDINATOR);

        OpsHandlers ops = new OpsHandlers(s);
        route(HttpMethod.GET, "/api/v1/ops/outbox", ops::outbox, Tenant.QUERY_TERRITORY, OPS, COORDINATOR);
        route(HttpMethod.GET, "/api/v1/ops/index", ops::index, Tenant.QUERY_TERRITORY, OPS);
        // the coordinator's follow-up of an appointment still without feedback: one more reminder, or close it
        route(HttpMethod.POST, "/api/v1/appointments/:id/reminder", ops::remind, Tenant.PATH_ID, COORDINATOR);
        route(HttpMethod.POST, "/api/v1/appointments/:id/close", ops::close, Tenant.PATH_ID, COORDINATOR);
        // ?reference=… or ?phone=…&initials=…&date=… (a patient who calls back), or ?territory=…&awaitingFeedback=true
        route(HttpMethod.GET, "/api/v1/appointments", ctx -> {
            if (ctx.queryParams().contains("awaitingFeedback")) ops.awaitingFeedback(ctx); else appointments.find(ctx);
        }, Tenant.QUERY_TERRITORY, REQUESTERS);

        // who the token is: the pages take the territory they show from it
        route(HttpMethod.GET, "/api/v1/me", ctx -> me(ctx), Tenant.NONE, Role.values());
        route(HttpMethod.GET, "/api/v1/audit", new AuditHandlers(s)::query, Tenant.QUERY_TERRITORY, Role.DPO);
        route(HttpMethod.POST, "/api/v1/sim/clock", ctx -> setClock(ctx, s), Tenant.GLOBAL, OPS);
        // Prometheus scrapes with the ops token (authorization.credentials in the scrape config)
        route(HttpMethod.GET, "/metrics", ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(servedOnly(s.metrics().scrape(), Authenticator.principal(ctx))), Tenant.SERVED, OPS);
        // the API's contract (OpenAPI 3.1), as written and as JSON: what integrators generate their clients from
        ApiContract document = ApiContract.load();
        io.vertx.core.buffer.Buffer json = io.vertx.core.buffer.Buffer.buffer(document.jsonText()); // this router's own
        router.get("/api/v1/openapi.yaml").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/yaml; charset=utf-8").end(document.yaml()));
        router.get("/api/v1/openapi.json").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json; charset=utf-8").end(json));
        // its documentation page: Swagger UI from its webjar, no CDN (the demo names a demo token in the page)
        ApiDocs docs = ApiDocs.load(s.tokens().demo());
        router.get("/api/docs").handler(docs::page);
        router.route("/api/docs/ui/*").handler(StaticHandler.create(docs.uiRoot()).setCachingEnabled(false));
        // every answer code with its status and French sentence, for the pages (no token: no data)
        router.get("/api/v1/codes").handler(ctx -> Http.json(ctx, 200, Codes.all()));
        LiveHandler live = new LiveHandler(s, s.live());
        router.get("/api/v1/live").handler(checked(HttpMethod.GET, "/api/v1/live")).handler(live::handle); // ticket (or token) checked inside (SSE)
        // a one-time ticket for the live feed: EventSource sends no header, and no credential goes in a URL
        // only the roles that may follow the feed: a ticket the feed would refuse (a DPO's) is not given
        route(HttpMethod.POST, "/api/v1/live/ticket", live::ticket, Tenant.QUERY_TERRITORY, LiveHandler.ROLES.toArray(Role[]::new));

        // the embedded widget works with a short session its site's back end trades its API key for
        WidgetHandlers widget = new WidgetHandlers(s, auth);
        route(HttpMethod.POST, "/api/v1/widget/sessions", widget::open, Tenant.NONE, PHARMACIST, EMERGENCY);
        router.post("/api/v1/widget/demo-session").handler(checked(HttpMethod.POST, "/api/v1/widget/demo-session")).handler(widget::demo); // demo mode only (404 otherwise)

        // the SAS platform's FHIR endpoint (INT_R04): served by the mutual-TLS listener, which puts the platform's
        // principal in the context; on this port only in demo mode (loopback, demo tokens on), as the SAS platform of
        // the demo territories, so that anyone can run the ANS test kit against the demo. Not a declared route(): the
        // tenancy walk does not cover it (no token here; its territory filter is tested in FhirSlotSearchTest).
        if (s.tokens().demo()) {
            Principal platform = demoSasPlatform();
            io.vertx.ext.web.Router fhir = new fr.snp.dispatch.fhir.FhirRoutes(s.index(), demoCptsCatalog(), s.communes(),
                    s.people().baseUrl(), s::nowMs).accounts(s.regulators()).router(vertx);
            router.route("/fhir/*").handler(ctx -> {
                ctx.put(fr.snp.dispatch.fhir.FhirRoutes.PRINCIPAL, platform);
                ctx.next();
            });
            router.route("/fhir/*").subRouter(fhir);
        }

        // people sign in with OpenID Connect (oidc.* settings); GET /api/v1/session tells the pages how
        router.get("/login").handler(signIn::login);
        router.get("/login/callback").handler(signIn::callback);
        router.post("/logout").handler(signIn::logout);
        router.get("/api/v1/session").handler(signIn::status);

        // the web pages (French): widget, regulator console, coordinator view
        router.route("/widget/*").handler(Cors::publicFile);
        router.route("/widget/*").handler(StaticHandler.create("webroot/widget").setCachingEnabled(false));
        router.route("/assets/*").handler(StaticHandler.create("webroot/assets").setCachingEnabled(false));
        router.get("/console").handler(ctx -> ctx.response().putHeader("Content-Type", "text/html; charset=utf-8")
                .sendFile("webroot/console.html"));
        router.get("/coordinator").handler(ctx -> ctx.response().putHeader("Content-Type", "text/html; charset=utf-8")
                .sendFile("webroot/coordinator.html"));

        // the signed link is the credential: no bearer token on these
        FeedbackLinkHandlers links = new FeedbackLinkHandlers(s);
        // the pages behind signed links show and change an appointment: traced like any access, the link as the actor
        for (String path : List.of("/api/v1/feedback/:token", "/api/v1/feedback/:token/undo", "/feedback/:token", "/feedback/:token/undo")) {
            router.route(path).handler(ctx -> linkAudited(ctx, "feedback-link"));
        }
        for (String path : List.of("/api/v1/patient-links/:token", "/api/v1/patient-links/:token/cancel", "/rdv/:token")) {
            router.route(path).handler(ctx -> linkAudited(ctx, "patient-link"));
        }
        router.get("/api/v1/feedback/:token").handler(checked(HttpMethod.GET, "/api/v1/feedback/:token")).handler(links::getJson);
        router.post("/api/v1/feedback/:token").handler(checked(HttpMethod.POST, "/api/v1/feedback/:token")).handler(links::postJson);
        router.post("/api/v1/feedback/:token/undo").handler(checked(HttpMethod.POST, "/api/v1/feedback/:token/undo"))
                .handler(links::undoJson);
        router.get("/feedback/:token").handler(links::page);
        router.post("/feedback/:token").handler(links::pagePost);
        router.post("/feedback/:token/undo").handler(links::pageUndo);
        PatientLinkHandlers patients = new PatientLinkHandlers(s);
        router.get("/api/v1/patient-links/:token").handler(checked(HttpMethod.GET, "/api/v1/patient-links/:token"))
                .handler(patients::getJson);
        router.post("/api/v1/patient-links/:token/cancel").handler(checked(HttpMethod.POST, "/api/v1/patient-links/:token/cancel"))
                .handler(patients::cancelJson);
        router.get("/rdv/:token").handler(patients::page);
        router.post("/rdv/:token").handler(patients::pagePost);

        router.route().failureHandler(ApiRouter::failure);
        // no route, or not this method: the same answers as a handler failing with that status
        router.errorHandler(404, ApiRouter::failure);
        router.errorHandler(405, ApiRouter::failure);
    }

    /** The SAS platform as the demo's FHIR caller: a regulator-level principal of every demo territory. */
    public static Principal demoSasPlatform() {
        java.util.Set<String> territories = new java.util.TreeSet<>();
        fr.snp.dispatch.demo.DemoTerritory.ALL.forEach(spec -> territories.add(spec.territory()));
        return new Principal("demo-sas-platform", REGULATOR, "Plateforme nationale SAS (démo)", territories, "SAS-PLATFORM",
                java.util.Set.of());
    }

    /** The demo territories' CPTS with their (made-up) FINESS numbers. */
    public static fr.snp.dispatch.fhir.CptsCatalog demoCptsCatalog() {
        List<fr.snp.dispatch.fhir.CptsCatalog.Entry> entries = new ArrayList<>();
        for (var spec : fr.snp.dispatch.demo.DemoTerritory.ALL) {
            for (var c : spec.cpts()) entries.add(new fr.snp.dispatch.fhir.CptsCatalog.Entry(c.id(), c.name(), spec.territory(), c.finess(), c.phone()));
        }
        return new fr.snp.dispatch.fhir.CptsCatalog(entries);
    }

    /** The router, each declared route's requests checked against {@code contract} (openapi.yaml) first. */
    public static Router build(Vertx vertx, Services s, io.vertx.openapi.contract.OpenAPIContract contract) {
        return new ApiRouter(vertx, s, java.util.Objects.requireNonNull(contract)).router;
    }

    /** The declared routes and roles (built against the given services, nothing started). */
    public static List<Route> declaredRoutes(Vertx vertx, Services s) { return List.copyOf(new ApiRouter(vertx, s, null).routes); }

    private void route(HttpMethod method, String path, Handler<RoutingContext> handler, Tenant tenant, Role... roles) {
        routes.add(new Route(method, path, List.of(roles), tenant));
        var route = router.route(method, path);
        if (AUDITED.stream().anyMatch(path::startsWith)) route.handler(ctx -> audited(ctx, method.name() + " " + path));
        route.handler(auth.require(roles)).handler(knownEffectors::ensure);
        // after the caller is known and allowed (an unknown caller learns nothing of the contract's checks), before the
        // handler: the contract's structural checks; the handler keeps the domain's (check digits, communes, windows)
        if (path.startsWith("/api/v1/")) route.handler(checked(method, path));
        route.handler(handler);
    }

    /**
     * The contract's checks of an operation's parameters and body: every JSON route under /api/v1 has them, the
     * declared ones after authentication and the others (signed links, the live feed) before their handler, so that
     * a handler reads a request whose shape the contract has settled.
     */
    private Handler<RoutingContext> checked(HttpMethod method, String path) {
        return validation == null ? RoutingContext::next : validation.forRoute(method, path);
    }

    /** A signed link's page or JSON: the appointment is the link's first part (whether the link turns out valid or not). */
    private void linkAudited(RoutingContext ctx, String actor) {
        ctx.addEndHandler(done -> {
            String token = ctx.pathParam("token");
            String object = token == null ? null : token.split("\\.")[0];
            if (object == null || !fr.snp.dispatch.domain.Ids.isWellFormed(object)) return;
            trace(ctx, fr.snp.dispatch.domain.Ids.territoryOf(object), actor, "link", "-",
                    ctx.request().method().name() + " " + ctx.request().path().replace(token, ":token"), object);
        });
        ctx.next();
    }

    /** One audit entry for an answered call: who, what, on which object, the status and the client's address. */
    private void trace(RoutingContext ctx, String territory, String actor, String role, String org, String action, String object) {
        audit.record(territory, new fr.snp.dispatch.audit.AuditTrail.Entry(null, 0, actor, role, org, action, object,
                ctx.response().getStatusCode(), clientAddress(ctx, trustedProxies)));
    }

    /**
     * The client's address: the peer's, or, when the peer is a trusted reverse proxy, the right-most address of
     * X-Forwarded-For that no trusted proxy wrote (what lies left of it the client itself may have forged).
     */
    static String clientAddress(RoutingContext ctx, java.util.Set<String> trusted) {
        // the connection's peer: the request's remoteAddress() goes through vertx-web's Forwarded parsing, which this
        // method does itself, by its own rules, below
        var address = ctx.request().connection() == null ? null : ctx.request().connection().remoteAddress();
        String peer = address == null ? null : address.hostAddress();
        String forwarded = ctx.request().getHeader("X-Forwarded-For");
        if (peer == null || forwarded == null || !trusted.contains(peer)) return peer;
        String[] hops = forwarded.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].strip();
            if (hop.isEmpty() || hop.length() > 45 || !hop.matches("[0-9A-Fa-f.:]+")) return peer; // not an address
            if (!trusted.contains(hop)) return hop;
        }
        return peer;
    }

    /** A handler names here the object it created when no Location does. */
    static final String AUDITED_OBJECT = "audited.object";

    /** The routes that read or write patient data (requests, appointments and their messages, doctor requests) or the trail. */
    private static final List<String> AUDITED = List.of("/api/v1/requests", "/api/v1/appointments", "/api/v1/doctor-requests",
            "/api/v1/waiting", "/api/v1/audit");

    /**
     * Writes the call in the audit trail once it is answered, allowed or refused: the caller (token or person id,
     * role, organisation), the route, the object's id (path, or the Location of what it created), the status, the
     * client's address. The territory is the object's, else the one asked for, else the caller's first.
     */
    private void audited(RoutingContext ctx, String action) {
        ctx.addEndHandler(done -> {
            Principal p = Authenticator.principal(ctx);
            String object = ctx.pathParam("id");
            String location = ctx.response().headers().get("Location");
            if (object == null && location != null) object = location.substring(location.lastIndexOf('/') + 1);
            if (object == null) object = ctx.get(AUDITED_OBJECT);
            String territory = object != null && fr.snp.dispatch.domain.Ids.isWellFormed(object)
                    ? fr.snp.dispatch.domain.Ids.territoryOf(object) : ctx.queryParams().get("territory");
            if ((territory == null || !fr.snp.dispatch.domain.Ids.isTerritory(territory)) && p != null && !p.territories().isEmpty()) {
                territory = new java.util.TreeSet<>(p.territories()).first();
            }
            if (territory == null || !fr.snp.dispatch.domain.Ids.isTerritory(territory)) return; // unknown caller, nothing named
            trace(ctx, territory, p == null ? "-" : p.id(), p == null ? "-" : p.role().wireName(), p == null ? "-" : p.org(),
                    action, object);
        });
        ctx.next();
    }

    /**
     * A write of the care flow (a request filed, a hold, a booking): counted against the caller's
     * limits.writesPerMinute before the handler runs; beyond it, 429 RATE_LIMITED with Retry-After and the handler
     * does not run. Every attempt counts, a refused input too: a flood of bad calls is a flood.
     */
    private static Handler<RoutingContext> limited(Services s, Handler<RoutingContext> handler) {
        return ctx -> io.vertx.core.Future.fromCompletionStage(s.writeLimits().countWrite(Authenticator.principal(ctx).id()),
                ctx.vertx().getOrCreateContext()).onComplete(ar -> {
            if (ar.failed()) {
                Http.fail(ctx, ar.cause());
                return;
            }
            try {
                handler.handle(ctx);
            } catch (RuntimeException e) {
                Http.fail(ctx, e);
            }
        });
    }

    /**
     * Scripts only from this server's files (no inline script: the pages and the link pages load theirs from
     * /assets and /widget), inline styles allowed (the link pages and style attributes use them), no framing of
     * our pages. The widget script is embedded in other sites' pages: a CSP on a script answer does not apply to
     * the page that loads it, so it needs no exception. Nothing is sniffed, no Referer leaks a signed link's token.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";

    // encoded once (AsciiString): written to each answer as bytes, where a String is converted character by
    // character on every response (the header writing was an eighth of the event loops' time per booking)
    private static final CharSequence CSP = io.vertx.core.http.HttpHeaders.createOptimized("Content-Security-Policy");
    private static final CharSequence CSP_VALUE = io.vertx.core.http.HttpHeaders.createOptimized(CONTENT_SECURITY_POLICY);
    private static final CharSequence NOSNIFF = io.vertx.core.http.HttpHeaders.createOptimized("X-Content-Type-Options");
    private static final CharSequence NOSNIFF_VALUE = io.vertx.core.http.HttpHeaders.createOptimized("nosniff");
    private static final CharSequence REFERRER = io.vertx.core.http.HttpHeaders.createOptimized("Referrer-Policy");
    private static final CharSequence REFERRER_VALUE = io.vertx.core.http.HttpHeaders.createOptimized("no-referrer");

    private static void securityHeaders(RoutingContext ctx) {
        ctx.response().putHeader(CSP, CSP_VALUE).putHeader(NOSNIFF, NOSNIFF_VALUE).putHeader(REFERRER, REFERRER_VALUE);
        ctx.next();
    }

    private static Role[] with(Role[] roles, Role extra) {
        Role[] all = java.util.Arrays.copyOf(roles, roles.length + 1);
        all[roles.length] = extra;
        return all;
    }

    private static void failure(RoutingContext ctx) {
        if (ctx.failure() != null) {
            Http.fail(ctx, ctx.failure());
            return;
        }
        int status = ctx.statusCode();
        ApiError e = switch (status) {
            case 413 -> new ApiError(413, "PAYLOAD_TOO_LARGE", "the body is larger than the server accepts", null);
            case 400 -> ApiError.badRequest("BAD_REQUEST", "the request could not be read", null);
            case 401 -> new ApiError(401, "UNAUTHENTICATED", "no valid credential", null);
            case 403 -> ApiError.forbidden("FORBIDDEN", "not allowed");
            case 404 -> new ApiError(404, "NOT_FOUND", "no such route: " + ctx.request().method() + " " + ctx.request().path(), null);
            case 405 -> new ApiError(405, "METHOD_NOT_ALLOWED", ctx.request().method() + " is not allowed on " + ctx.request().path(), null);
            case 414 -> new ApiError(414, "URI_TOO_LONG", "the address is longer than the server accepts", null);
            case 431 -> new ApiError(431, "HEADERS_TOO_LARGE", "the headers are larger than the server accepts", null);
            // any other bare status: every code has one status (GET /api/v1/codes lists them), so a code per class
            default -> status < 500 ? ApiError.badRequest("BAD_REQUEST", "the request could not be served", null)
                    : new ApiError(500, "INTERNAL_ERROR", "request failed", null);
        };
        Http.json(ctx, e.status, e.toJson());
    }

    /**
     * POST /api/v1/sim/clock {"now": ISO date-time}: moves the server's time, for the replay simulator. Refused
     * unless the server was started with simulation.clockControl=true.
     */
    private static void setClock(RoutingContext ctx, Services s) {
        if (!s.clock().movable()) {
            throw ApiError.forbidden("SIMULATION_DISABLED", "the clock can be moved only on a server started with "
                    + "simulation.clockControl=true");
        }
        java.time.OffsetDateTime now = Input.dateTime(Input.object(ctx), "now", null);
        s.clock().moveTo(now.toInstant());
        Http.json(ctx, 200, new JsonObject().put("now", Times.of(now)));
    }

    /** GET /api/v1/me: the caller's role, name, territories (sorted) and organisation. */
    private static void me(RoutingContext ctx) {
        Principal p = Authenticator.principal(ctx);
        Http.json(ctx, 200, new JsonObject().put("role", p.role().wireName()).put("name", p.name())
                .put("territories", new JsonArray(List.copyOf(new java.util.TreeSet<>(p.territories())))).put("org", p.org()));
    }

    /** GET /api/v1/territories/36/communes: every commune of a territory, for the console's map. */
    private static void territoryCommunes(RoutingContext ctx, Services s) {
        String t = Access.territory(Authenticator.principal(ctx), ctx.pathParam("territory"),
                "territory");
        JsonArray list = new JsonArray();
        s.communes().inDepartement(t).forEach(c -> list.add(new JsonArray().add(c.insee()).add(c.name()).add(c.lat())
                .add(c.lng()).add(c.population())));
        Http.json(ctx, 200, new JsonObject().put("territory", t).put("fields", new JsonArray(List.of("insee", "name", "lat",
                "lng", "population"))).put("communes", list));
    }

    /**
     * The Prometheus text without the series of territories the ops principal does not serve (a line carrying a
     * territory label of another territory is dropped; server-wide series stay).
     */
    static String servedOnly(String scrape, Principal p) {
        StringBuilder out = new StringBuilder(scrape.length());
        for (String line : scrape.split("\n")) {
            int at = line.indexOf("territory=\"");
            if (at >= 0 && !line.startsWith("#")) {
                int from = at + "territory=\"".length();
                String t = line.substring(from, line.indexOf('"', from));
                if (!p.serves(t)) continue;
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }

    /** GET /api/v1/communes?q=chatea : autocomplete on the communes of France. */
    private static void communes(RoutingContext ctx, Services s) {
        String q = ctx.queryParams().get("q");
        JsonArray list = new JsonArray();
        // the communes of the caller's territories come first: "Saint-Maur" is the one of the desk's département
        s.communes().search(q, 10, Authenticator.principal(ctx).territories()).forEach(c -> list.add(new JsonObject().put("insee", c.insee()).put("name", c.name())
                .put("postalCode", c.postalCode()).put("lat", c.lat()).put("lng", c.lng())));
        Http.json(ctx, 200, new JsonObject().put("communes", list));
    }
}
