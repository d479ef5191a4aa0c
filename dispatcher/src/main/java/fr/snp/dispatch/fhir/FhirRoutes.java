package fr.snp.dispatch.fhir;

import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.domain.SlotStatus;
import fr.snp.dispatch.geo.CommuneDirectory;
import fr.snp.dispatch.matching.SlotIndex;
import fr.snp.dispatch.sas.RegulatorAccounts;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The FHIR R4 endpoint of the SAS platform (ans.fhir.fr.sas 1.2.0), as a sub-router to mount at {@code /fhir}:
 * INT_R04 slot search, the CapabilityStatement, reads by id, {@code Practitioner?identifier=} and
 * {@code Schedule?actor=}. Everything is answered from the in-memory index (the platform polls), never from Redis;
 * only INT_R02 (the platform creating and updating regulator accounts, rare) writes to the store.
 *
 * <p>The caller is the {@link Principal} some handler before this router put in {@code ctx.get("principal")}: the
 * mutual-TLS listener (the platform's certificate mapped to an organisation and its territories), or, in demo mode,
 * a fixed SAS principal of the demo territories. No principal: 401. A caller sees the effectors of its territories
 * only, and of their slots those its role's audiences reach ({@link Principal#viewer()}): a SAS principal (regulator
 * role) sees every audience, CPTS slots included (the SAS regulates for every CPTS of its territory); a principal
 * whose role sees PUBLIC and PRO only would not get the SNP or CPTS-only ones.
 */
public final class FhirRoutes {
    public static final String PRINCIPAL = "principal";
    static final String CONTENT_TYPE = "application/fhir+json; charset=utf-8";

    private final SlotIndex index;
    private final FhirResources resources;
    private final BundleWriter writer;
    private final LongSupplier nowMs;
    /** Where INT_R02 keeps the regulator accounts; null: POST and PUT are not served (405). */
    private fr.snp.dispatch.sas.RegulatorAccounts accounts;
    /** Time spent per phase (ns), summed over searches, for the benchmark's split: match, build, serialise. */
    final java.util.concurrent.atomic.LongAdder matchNs = new java.util.concurrent.atomic.LongAdder(),
            buildNs = new java.util.concurrent.atomic.LongAdder(), serialiseNs = new java.util.concurrent.atomic.LongAdder();

    public FhirRoutes(SlotIndex index, CptsCatalog cpts, CommuneDirectory communes, String publicBaseUrl, LongSupplier nowMs) {
        this.index = index;
        this.resources = new FhirResources(cpts, communes, publicBaseUrl);
        this.writer = new BundleWriter(resources);
        this.nowMs = nowMs;
    }

    /** Serves INT_R02 (regulator accounts) with this store; call before {@link #router}. */
    public FhirRoutes accounts(fr.snp.dispatch.sas.RegulatorAccounts accounts) {
        this.accounts = accounts;
        return this;
    }

    /** {match, build, serialise} nanoseconds summed over every search so far. */
    public long[] phaseNanos() { return new long[]{matchNs.sum(), buildNs.sum(), serialiseNs.sum()}; }

    public Router router(Vertx vertx) {
        Router r = Router.router(vertx);
        r.get("/metadata").handler(this::metadata);
        r.get("/Slot").handler(ctx -> guarded(ctx, this::searchSlots));
        r.get("/Practitioner").handler(ctx -> guarded(ctx, this::searchPractitioners));
        r.get("/Schedule").handler(ctx -> guarded(ctx, this::searchSchedules));
        // INT_R02: a FrPractitionerRegul is a few hundred bytes; 64 kB leaves room and bounds what is read
        r.post("/Practitioner").handler(io.vertx.ext.web.handler.BodyHandler.create(false).setBodyLimit(65_536));
        r.post("/Practitioner").handler(ctx -> guarded(ctx, c -> saveRegulator(c, false)));
        r.put("/Practitioner").handler(io.vertx.ext.web.handler.BodyHandler.create(false).setBodyLimit(65_536));
        r.put("/Practitioner").handler(ctx -> guarded(ctx, c -> saveRegulator(c, true)));
        r.getWithRegex("/(Slot|Schedule|Practitioner|PractitionerRole|HealthcareService|Organization)/([A-Za-z0-9\\-.]{1,64})")
                .handler(ctx -> guarded(ctx, c -> read(c, c.pathParam("param0"), c.pathParam("param1"))));
        r.route().handler(ctx -> {
            boolean get = ctx.request().method() == io.vertx.core.http.HttpMethod.GET;
            send(ctx, get ? 404 : 405, FhirResources.outcome(get ? "not-found" : "not-supported", null,
                    (get ? "no such resource or interaction: " : "not supported: ") + ctx.request().method() + " "
                            + ctx.request().path()));
        });
        return r;
    }

    private interface Handler { void handle(RoutingContext ctx); }

    private void guarded(RoutingContext ctx, Handler h) {
        try {
            if (ctx.get(PRINCIPAL) == null) throw new FhirError(401, "login", null, "no client identity");
            h.handle(ctx);
        } catch (FhirError e) {
            send(ctx, e.status, FhirResources.outcome(e.code, e.field, e.getMessage()));
        } catch (RuntimeException e) {
            java.util.logging.Logger.getLogger(FhirRoutes.class.getName()).log(java.util.logging.Level.WARNING,
                    "FHIR " + ctx.request().path() + " failed", e);
            send(ctx, 500, FhirResources.outcome("exception", null, "internal error"));
        }
    }

    private static void send(RoutingContext ctx, int status, JsonObject body) {
        send(ctx, status, body.toBuffer());
    }

    private static void send(RoutingContext ctx, int status, Buffer body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", CONTENT_TYPE).end(body);
    }

    /** The base the caller reached us at ("http://127.0.0.1:8080/fhir"): fullUrl and self link start with it. */
    private static String base(RoutingContext ctx) {
        String abs = ctx.request().absoluteURI();
        String path = ctx.request().path();
        int at = abs.indexOf(path, abs.indexOf("//") + 2);
        String root = at < 0 ? abs : abs.substring(0, at);
        String mount = ctx.mountPoint() == null ? "" : ctx.mountPoint();
        if (mount.endsWith("/")) mount = mount.substring(0, mount.length() - 1);
        return root + mount;
    }

    private static boolean strict(RoutingContext ctx) {
        String prefer = ctx.request().getHeader("Prefer");
        return prefer != null && prefer.replace(" ", "").contains("handling=strict");
    }

    // ----- INT_R04 -----

    /** The slots found and the resources they name, in the order the Bundle lists them. */
    private record Found(List<SlotState> slots, Map<String, Effector> effectors) {}

    private void searchSlots(RoutingContext ctx) {
        long t0 = System.nanoTime();
        SlotQuery q = SlotQuery.parse(ctx.request().query(), strict(ctx));
        Principal p = ctx.get(PRINCIPAL);
        long now = nowMs.getAsLong();
        Found found = match(q, p, now);
        long t1 = System.nanoTime();
        String base = base(ctx);
        BundleWriter.Bytes bytes = bundle(base, base + "/Slot?" + ctx.request().query(), q, found, now);
        long t2 = System.nanoTime();
        Buffer body = bytes.toBuffer();
        long t3 = System.nanoTime();
        matchNs.add(t1 - t0);
        buildNs.add(t2 - t1);
        serialiseNs.add(t3 - t2);
        send(ctx, 200, body);
    }

    /** The free slots of the named practitioners in the window that the caller may see, by practitioner then start. */
    private Found match(SlotQuery q, Principal p, long now) {
        List<SlotState> slots = new ArrayList<>();
        Map<String, Effector> effectors = new LinkedHashMap<>();
        for (String rpps : new java.util.TreeSet<>(q.rpps())) {
            Effector e = index.effectorByRpps(rpps, p.territories());
            if (e == null || !p.serves(e.territory())) continue;
            int mask = p.viewer().maskFor(e);
            List<SlotState> own = index.territory(e.territory()).effectorSlots(e.id(), q.fromSec(), q.toSec(),
                    s -> s.offerableTo(mask, now));
            if (own.isEmpty()) continue;
            own = new ArrayList<>(own);
            own.sort(java.util.Comparator.comparingLong(SlotState::start).thenComparingInt(SlotState::location));
            slots.addAll(own);
            effectors.put(e.id(), e);
        }
        return new Found(slots, effectors);
    }

    /**
     * The searchset Bundle, written as bytes (see {@link BundleWriter}): the Slots (match), then what the includes
     * ask for: Schedules, Practitioners and PractitionerRoles, HealthcareServices and Organizations of the CPTS.
     */
    private BundleWriter.Bytes bundle(String base, String self, SlotQuery q, Found found, long now) {
        BundleWriter.Bytes out = new BundleWriter.Bytes(4_096 + found.slots().size() * 1_500
                + found.effectors().size() * 3_000);
        byte[] baseQuoted = BundleWriter.jsonString(base);
        byte[] baseInString = java.util.Arrays.copyOfRange(baseQuoted, 1, baseQuoted.length - 1);
        out.ascii("{\"resourceType\":\"Bundle\",\"id\":\"").ascii(java.util.UUID.randomUUID().toString())
                .ascii("\",\"meta\":{\"lastUpdated\":\"").ascii(FhirResources.instant(now / 1000, 0).replace("+00:00", "Z"))
                .ascii("\",\"profile\":[\"").ascii(FhirResources.BUNDLE_PROFILE).ascii("\"]},\"type\":\"searchset\",\"total\":")
                .number(found.slots().size()).ascii(",\"link\":[{\"relation\":\"self\",\"url\":")
                .bytes(BundleWriter.jsonString(self)).ascii("}]");
        Map<String, int[]> places = new TreeMap<>(); // schedule id -> {location}
        java.util.Set<String> cptsIds = new java.util.TreeSet<>();
        boolean first = true;
        for (SlotState s : found.slots()) {
            Effector e = found.effectors().get(s.effectorId());
            out.ascii(first ? ",\"entry\":[" : ",");
            first = false;
            writer.slotEntry(out, baseInString, s, e, now);
            places.putIfAbsent(FhirResources.scheduleId(e.id(), s.location()), new int[]{s.location()});
            for (String c : e.cpts()) if (resources.cpts().get(c) != null) cptsIds.add(c);
        }
        if (q.includeSchedule()) {
            for (Map.Entry<String, int[]> pl : places.entrySet()) {
                Effector e = found.effectors().get(effectorOf(pl.getKey()));
                int location = pl.getValue()[0];
                out.ascii(',');
                writer.includeEntry(out, baseInString, "Schedule", pl.getKey(), writer.encoded("Schedule/" + pl.getKey(), e,
                        () -> resources.schedule(e, location)));
            }
            if (q.includeActors()) {
                for (Effector e : found.effectors().values()) {
                    out.ascii(',');
                    writer.includeEntry(out, baseInString, "Practitioner", e.id(), writer.encoded("Practitioner/" + e.id(), e,
                            () -> resources.practitioner(e)));
                }
                for (Map.Entry<String, int[]> pl : places.entrySet()) {
                    Effector e = found.effectors().get(effectorOf(pl.getKey()));
                    int location = pl.getValue()[0];
                    out.ascii(',');
                    writer.includeEntry(out, baseInString, "PractitionerRole", pl.getKey(), writer.encoded(
                            "PractitionerRole/" + pl.getKey(), e, () -> resources.practitionerRole(e, location)));
                }
            }
        }
        if (q.includeServices()) {
            for (String c : cptsIds) {
                CptsCatalog.Entry entry = resources.cpts().get(c);
                out.ascii(',');
                writer.includeEntry(out, baseInString, "HealthcareService", c, writer.encoded("HealthcareService/" + c, entry,
                        () -> resources.healthcareService(entry)));
            }
            if (q.includeOrganizations()) {
                for (String c : cptsIds) {
                    CptsCatalog.Entry entry = resources.cpts().get(c);
                    out.ascii(',');
                    writer.includeEntry(out, baseInString, "Organization", c, writer.encoded("Organization/" + c, entry,
                            () -> resources.organization(entry)));
                }
            }
        }
        if (!first) out.ascii(']');
        return out.ascii('}');
    }

    private static String effectorOf(String scheduleId) { return scheduleId.substring(0, scheduleId.lastIndexOf("-L")); }

    private static JsonObject entry(String base, String type, String id, JsonObject resource, String mode) {
        return new JsonObject().put("fullUrl", base + "/" + type + "/" + id).put("resource", resource)
                .put("search", new JsonObject().put("mode", mode));
    }

    // ----- INT_R02 -----

    /**
     * POST /Practitioner (create) and PUT /Practitioner?identifier=system|value (conditional update, or create when
     * nothing has that identifier): the account of a regulator of the calling platform, for its organisation and
     * territories. The body is checked whole before anything is written ({@link RegulatorBody}); the store then
     * decides in one script whether it is a new person or one already known by either identifier. A POST of a person
     * already known updates them (200): the platform sends create and update on each sign-in of a regulator, and a
     * second account for one person would split their bookings.
     */
    private void saveRegulator(RoutingContext ctx, boolean conditional) {
        if (accounts == null) throw new FhirError(405, "not-supported", null, "regulator accounts are not kept here");
        Principal p = ctx.get(PRINCIPAL);
        String[] wanted = conditional ? RegulatorBody.queryIdentifier(ctx.request().query()) : null;
        fr.snp.dispatch.sas.RegulatorAccounts.Account account = RegulatorBody.parse(ctx.body().buffer(), wanted);
        JsonObject body = ctx.body().asJsonObject(); // parsed: the checks above passed
        String base = base(ctx);
        io.vertx.core.Future.fromCompletionStage(accounts.save(account, p.org(), p.territories()),
                ctx.vertx().getOrCreateContext()).onComplete(done -> {
            if (done.failed()) {
                // the cause only: a store failure never carries the body
                java.util.logging.Logger.getLogger(FhirRoutes.class.getName()).log(java.util.logging.Level.WARNING,
                        "FHIR regulator account not saved: " + done.cause());
                send(ctx, 503, FhirResources.outcome("transient", null, "the account could not be saved; retry"));
                return;
            }
            fr.snp.dispatch.sas.RegulatorAccounts.Saved saved = done.result();
            if (saved.refusal() != null) {
                send(ctx, 422, FhirResources.outcome("business-rule", "Practitioner.identifier", saved.refusal()));
                return;
            }
            JsonObject answer = body.copy().put("id", saved.id());
            answer.remove("text");
            if (saved.created()) ctx.response().putHeader("Location", base + "/Practitioner/" + saved.id());
            send(ctx, saved.created() ? 201 : 200, answer);
        });
    }

    // ----- reads and the two other searches -----

    /** An effector of the caller's territories, else null (another territory's ids are not confirmed to exist). */
    private Effector effector(Principal p, String id) {
        if (!Ids.isWellFormed(id) || !p.serves(Ids.territoryOf(id))) return null;
        return index.effector(id);
    }

    /** The effector and location a Schedule / PractitionerRole id names, else null. */
    private Object[] place(Principal p, String id) {
        int at = id.lastIndexOf("-L");
        if (at < 0) return null;
        Effector e = effector(p, id.substring(0, at));
        if (e == null) return null;
        try {
            int location = Integer.parseInt(id.substring(at + 2));
            return e.location(location) == null ? null : new Object[]{e, location};
        } catch (NumberFormatException ex) {
            return null;
        }
    }

    private CptsCatalog.Entry cpts(Principal p, String id) {
        CptsCatalog.Entry c = resources.cpts().get(id);
        return c != null && p.serves(c.territory()) ? c : null;
    }

    private void read(RoutingContext ctx, String type, String id) {
        Principal p = ctx.get(PRINCIPAL);
        if (type.equals("Practitioner") && accounts != null && RegulatorAccounts.isAccountId(id)) {
            readAccount(ctx, p, id);
            return;
        }
        JsonObject found = switch (type) {
            case "Slot" -> {
                SlotState s = Ids.isWellFormed(id) && p.serves(Ids.territoryOf(id)) ? index.slot(id) : null;
                Effector e = s == null ? null : index.effector(s.effectorId());
                long now = nowMs.getAsLong();
                // a slot taken, held or started is no longer offered: the profile describes free slots only
                yield e != null && s.status() == SlotStatus.FREE && s.offerableTo(p.viewer().maskFor(e), now)
                        ? resources.slot(s, e, now) : null;
            }
            case "Practitioner" -> {
                Effector e = effector(p, id);
                yield e == null ? null : resources.practitioner(e);
            }
            case "Schedule", "PractitionerRole" -> {
                Object[] pl = place(p, id);
                if (pl == null) yield null;
                yield type.equals("Schedule") ? resources.schedule((Effector) pl[0], (Integer) pl[1])
                        : resources.practitionerRole((Effector) pl[0], (Integer) pl[1]);
            }
            case "HealthcareService" -> {
                CptsCatalog.Entry c = cpts(p, id);
                yield c == null ? null : resources.healthcareService(c);
            }
            case "Organization" -> {
                CptsCatalog.Entry c = cpts(p, id);
                yield c == null ? null : resources.organization(c);
            }
            default -> null;
        };
        if (found == null) throw FhirError.notFound(type + "/" + id + " is not known here");
        send(ctx, 200, found);
    }

    /**
     * GET /Practitioner/{id} of a regulator account (INT_R02's Location): only the platform that sent it may read it
     * back; any other caller learns nothing, not even that it exists.
     */
    private void readAccount(RoutingContext ctx, Principal p, String id) {
        io.vertx.core.Future.fromCompletionStage(accounts.byId(id), ctx.vertx().getOrCreateContext()).onComplete(done -> {
            if (done.failed()) {
                send(ctx, 503, FhirResources.outcome("transient", null, "the account could not be read; retry"));
                return;
            }
            JsonObject a = done.result();
            if (a == null || !p.org().equals(a.getString("org"))) {
                send(ctx, 404, FhirResources.outcome("not-found", null, "Practitioner/" + id + " is not known here"));
                return;
            }
            send(ctx, 200, RegulatorBody.resource(a));
        });
    }

    /** GET /Practitioner?identifier=[urn:oid:1.2.250.1.71.4.2.1|]8<RPPS> (OR-ed values allowed). */
    private void searchPractitioners(RoutingContext ctx) {
        Principal p = ctx.get(PRINCIPAL);
        List<JsonObject> matches = new ArrayList<>();
        boolean seen = false;
        for (String[] param : SlotQuery.parameters(ctx.request().query())) {
            if (!param[0].equals("identifier")) {
                if (strict(ctx) && !param[0].startsWith("_")) throw FhirError.notSupported(param[0], "unknown search parameter");
                continue;
            }
            seen = true;
            for (String token : param[1].split(",")) {
                int bar = token.indexOf('|');
                String system = bar < 0 ? null : token.substring(0, bar);
                String value = bar < 0 ? token : token.substring(bar + 1);
                if (system != null && !system.isEmpty() && !FhirResources.RPPS_OID.equals(system)) {
                    throw FhirError.invalid("identifier", "the identifier system must be " + FhirResources.RPPS_OID);
                }
                String rpps = value.length() == 12 ? fr.snp.dispatch.domain.Rpps.normalise(value) : null;
                Effector e = rpps == null ? null : index.effectorByRpps(rpps, p.territories());
                if (e != null) matches.add(resources.practitioner(e));
            }
        }
        if (!seen) throw FhirError.required("identifier", "identifier=urn:oid:1.2.250.1.71.4.2.1|8<RPPS> is required");
        send(ctx, 200, searchset(ctx, matches));
    }

    /** GET /Schedule?actor=Practitioner/{id} or PractitionerRole/{id} (a bare id is a Practitioner's). */
    private void searchSchedules(RoutingContext ctx) {
        Principal p = ctx.get(PRINCIPAL);
        List<JsonObject> matches = new ArrayList<>();
        boolean seen = false;
        for (String[] param : SlotQuery.parameters(ctx.request().query())) {
            if (!param[0].equals("actor")) {
                if (strict(ctx) && !param[0].startsWith("_")) throw FhirError.notSupported(param[0], "unknown search parameter");
                continue;
            }
            seen = true;
            for (String ref : param[1].split(",")) {
                String r = ref.contains("/fhir/") ? ref.substring(ref.indexOf("/fhir/") + 6) : ref;
                if (r.startsWith("PractitionerRole/")) {
                    Object[] pl = place(p, r.substring("PractitionerRole/".length()));
                    if (pl != null) matches.add(resources.schedule((Effector) pl[0], (Integer) pl[1]));
                } else {
                    String id = r.startsWith("Practitioner/") ? r.substring("Practitioner/".length()) : r;
                    if (id.contains("/")) throw FhirError.invalid("actor", "an actor is Practitioner/{id} or PractitionerRole/{id}");
                    Effector e = effector(p, id);
                    if (e != null) for (int i = 0; i < e.locations().size(); i++) matches.add(resources.schedule(e, i));
                }
            }
        }
        if (!seen) throw FhirError.required("actor", "actor=Practitioner/{id} or PractitionerRole/{id} is required");
        send(ctx, 200, searchset(ctx, matches));
    }

    private static JsonObject searchset(RoutingContext ctx, List<JsonObject> resources) {
        String base = base(ctx);
        JsonArray entries = new JsonArray();
        for (JsonObject r : resources) entries.add(entry(base, r.getString("resourceType"), r.getString("id"), r, "match"));
        String query = ctx.request().query();
        JsonObject b = new JsonObject().put("resourceType", "Bundle").put("type", "searchset").put("total", resources.size())
                .put("link", new JsonArray().add(new JsonObject().put("relation", "self")
                        .put("url", base + ctx.request().path().substring(ctx.request().path().lastIndexOf('/'))
                                + (query == null ? "" : "?" + query))));
        if (!entries.isEmpty()) b.put("entry", entries);
        return b;
    }

    // ----- CapabilityStatement -----

    private void metadata(RoutingContext ctx) {
        send(ctx, 200, capabilityStatement(base(ctx), nowMs.getAsLong()));
    }

    static JsonObject capabilityStatement(String base, long nowMs) {
        JsonArray slotParams = new JsonArray()
                .add(param("start", "https://interop.esante.gouv.fr/ig/fhir/sas/SearchParameter/slot-sp-start", "date",
                        "Required twice: ge and le (Paris time when no offset is given)"))
                .add(param("schedule.actor:Practitioner.identifier", "http://hl7.org/fhir/SearchParameter/Practitioner-identifier",
                        "token", "1 to 25 OR-ed urn:oid:1.2.250.1.71.4.2.1|8<RPPS>"))
                .add(param("status", "http://hl7.org/fhir/SearchParameter/Slot-status", "token", "free only"))
                .add(param("service-type-reference", "https://interop.esante.gouv.fr/ig/fhir/sas/SearchParameter/cptsslot-sp-servicetype",
                        "reference", "as an _include target only"));
        JsonArray resources = new JsonArray()
                .add(resource("Slot", FhirResources.SLOT_PROFILE, true)
                        .put("searchInclude", new JsonArray().add("Slot:schedule").add("Slot:service-type-reference")
                                .add("Schedule:actor").add("HealthcareService:organization"))
                        .put("searchParam", slotParams))
                .add(resource("Schedule", FhirResources.SCHEDULE_PROFILE, true).put("searchParam", new JsonArray()
                        .add(param("actor", "http://hl7.org/fhir/SearchParameter/Schedule-actor", "reference", null))))
                .add(writable(resource("Practitioner", FhirResources.PRACTITIONER_PROFILE, true)).put("searchParam", new JsonArray()
                        .add(param("identifier", "http://hl7.org/fhir/SearchParameter/Practitioner-identifier", "token", null)))
                        // INT_R02: the platform creates and updates regulator accounts
                        .put("supportedProfile", new JsonArray().add(FhirResources.PRACTITIONER_PROFILE).add(RegulatorBody.PROFILE))
                        .put("conditionalUpdate", true))
                .add(resource("PractitionerRole", FhirResources.ROLE_PROFILE, false))
                .add(resource("HealthcareService", FhirResources.SERVICE_PROFILE, false))
                .add(resource("Organization", FhirResources.ORGANIZATION_PROFILE, false));
        return new JsonObject().put("resourceType", "CapabilityStatement").put("id", "snp-dispatch")
                .put("url", base + "/metadata").put("name", "SnpDispatchSasCpts")
                .put("title", "SNP dispatch: CPTS agenda for the SAS platform (INT_R04)")
                .put("status", "active").put("date", FhirResources.instant(nowMs / 1000, 0).substring(0, 10))
                .put("publisher", "SNP dispatch")
                .put("kind", "instance")
                .put("instantiates", new JsonArray().add("https://interop.esante.gouv.fr/ig/fhir/sas/CapabilityStatement/SAS-GestionnaireAgenda-CPTS"))
                .put("software", new JsonObject().put("name", "SNP dispatch"))
                .put("implementation", new JsonObject().put("description", "SNP dispatch FHIR endpoint").put("url", base))
                .put("fhirVersion", "4.0.1")
                .put("format", new JsonArray().add("application/fhir+json"))
                .put("implementationGuide", new JsonArray().add("https://interop.esante.gouv.fr/ig/fhir/sas/ImplementationGuide/ans.fhir.fr.sas"))
                .put("rest", new JsonArray().add(new JsonObject().put("mode", "server")
                        .put("documentation", "INT_R04: CPTS slot search of the SAS platform, answered from memory")
                        .put("security", new JsonObject().put("description",
                                "Mutual TLS (IGC-Santé client certificates); plain HTTP on loopback in demo mode only"))
                        .put("resource", resources)));
    }

    private static JsonObject resource(String type, String profile, boolean searchType) {
        JsonArray interactions = new JsonArray().add(new JsonObject().put("code", "read"));
        if (searchType) interactions.add(new JsonObject().put("code", "search-type"));
        return new JsonObject().put("type", type).put("supportedProfile", new JsonArray().add(profile))
                .put("interaction", interactions);
    }

    /** Adds create and update (the platform's INT_R02 calls) to a resource's interactions. */
    private static JsonObject writable(JsonObject resource) {
        resource.getJsonArray("interaction").add(new JsonObject().put("code", "create")).add(new JsonObject().put("code", "update"));
        return resource;
    }

    private static JsonObject param(String name, String definition, String type, String doc) {
        JsonObject p = new JsonObject().put("name", name).put("definition", definition).put("type", type);
        return doc == null ? p : p.put("documentation", doc);
    }
}
