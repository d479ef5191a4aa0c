package fr.snp.dispatch.fhir;

import fr.snp.dispatch.Dispatcher;
import fr.snp.dispatch.Services;
import fr.snp.dispatch.TestServer;
import fr.snp.dispatch.api.ApiRouter;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.config.Settings;
import fr.snp.dispatch.domain.Audience;
import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.domain.Rpps;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * INT_R04 against a demo-mode server, where {@code /fhir} on the main port answers as the SAS platform of the demo
 * territories: the ANS test kit's own query (lib/sas_test_kit/aggregation/setup_helper.rb, launch 2: the CPTS
 * option, with the kit's dates: now to the end of the day after tomorrow, Paris time, no offset) answers a Bundle
 * whose Slots, Schedules and HealthcareServices pass the IG's validator with no error, the other resources with
 * only the FR Core 1.1.0 gaps; each check of the kit's CPTS groups is repeated here; parameter variants; every
 * refusal an OperationOutcome; the CapabilityStatement and the reads.
 *
 * <p>What the validator still reports (allErrors), all FR Core 1.1.0 gaps ({@link SasValidator#FR_CORE_GAPS}) or
 * their cascades, each proven here: Slot, Schedule, HealthcareService and Organization: none. Practitioner (1):
 * "Unknown profile …FrHumanName" (its name). PractitionerRole (3): its contained Location's "Unknown profile
 * …FrAddress", hence "Unable to find a profile match for #loc" (the Location alone has nothing but that gap), and its
 * telecom's "Unknown profile …FrContactPoint" (the doctor's phone; its organization, an identifier-only reference to
 * the structure, adds none). The
 * Bundle: those, plus Schedule.actor's FR Core target profiles ("Unable to resolve the profile reference
 * …FrPractitioner / FrLocation / FrPatient / FrRelatedPerson / FrHealthcareService", and so "Found Practitioner, but
 * expected one of ([Device, PractitionerRole])"), the references to resources that fail only by those gaps ("Unable
 * to find a profile match for Schedule/… / Practitioner/… / #loc") and so the four required entry slices "not found"
 * (see {@link #bundleErrorsAreOnlyFrCoreGapsAndTheirCascadesAsInTheIgsOwnExample}). Because of the FrAddress gap the
 * validator does not see a Location without its postal code: {@link #theKitsChecksHold} does.
 */
class FhirSlotSearchTest {
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    static final DateTimeFormatter KIT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
    static final String OID = "urn:oid:1.2.250.1.71.4.2.1";

    static Dispatcher server;
    static Path dataDir;
    static Vertx vertx;
    static HttpClient http;
    static String base;
    static Effector doctor;      // an Indre doctor with one practice location and free CPTS slots in the kit's window
    static String kitQuery;
    static JsonObject kitBundle;
    static HttpServer pharmacyView;

    record Resp(int status, String contentType, String body) {
        JsonObject json() { return new JsonObject(body); }
    }

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("snp-fhir");
        server = Dispatcher.start(Settings.defaultsWith(Map.of("redis.url", "", "http.port", "0",
                "redis.embedded.dataDir", dataDir.toString())), true, Clock.systemUTC());
        vertx = Vertx.vertx();
        http = vertx.createHttpClient();
        base = "http://127.0.0.1:" + server.port() + "/fhir";
        ZonedDateTime now = ZonedDateTime.now(PARIS);
        long from = now.toEpochSecond(), to = kitEnd(now).toEpochSecond();
        var t = server.services().index().territory("36");
        // the one with the fewest such slots (two at least): the validator takes seconds per Slot of a Bundle
        java.util.function.ToIntFunction<Effector> cptsSlots = e -> t.effectorSlots(e.id(), from, to,
                s -> s.offerableTo(Audience.ALL, System.currentTimeMillis()) && (s.audiences() & Audience.CPTS.bit) != 0).size();
        doctor = t.allEffectors().stream().filter(e -> e.locations().size() == 1).filter(e -> cptsSlots.applyAsInt(e) >= 2)
                .min(java.util.Comparator.comparingInt(cptsSlots).thenComparing(Effector::id)).orElseThrow();
        kitQuery = kitQuery(List.of("8" + doctor.rpps()), now);
        Resp r = get("/Slot?" + kitQuery);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        kitBundle = r.json();
    }

    @AfterAll
    static void stop() throws Exception {
        if (pharmacyView != null) pharmacyView.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        server.close();
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    /** The kit's end: the earliest of now + 3 days, now + 72 h and the end of the day after tomorrow. */
    static ZonedDateTime kitEnd(ZonedDateTime now) {
        return now.plusDays(2).with(LocalTime.of(23, 59, 59));
    }

    /** The query as the kit's launch 2 builds it (Ruby hash order, arrays as repeated keys, raw characters). */
    static String kitQuery(List<String> prefixedRpps, ZonedDateTime now) {
        String ids = prefixedRpps.stream().map(r -> OID + "|" + r).collect(Collectors.joining(","));
        return "_include=Slot:schedule&_include=Slot:service-type-reference&_include:iterate=Schedule:actor"
                + "&_include:iterate=HealthcareService:organization&schedule.actor:Practitioner.identifier=" + ids
                + "&start=ge" + KIT.format(now) + ".000&start=le" + KIT.format(kitEnd(now)) + ".000&status=free";
    }

    static Resp get(String path) throws Exception { return get(server.port(), "/fhir" + path, Map.of()); }

    /** A GET with the path and query sent exactly as given (no client-side encoding). */
    static Resp get(int port, String uri, Map<String, String> headers) throws Exception {
        return call(HttpMethod.GET, port, uri, headers);
    }

    /**
     * Run on a Vert.x context: from the test's thread, the response's body could arrive before its handler is set
     * (a 200 with Content-Length 403 and an empty body was seen).
     */
    static Resp call(HttpMethod method, int port, String uri, Map<String, String> headers) throws Exception {
        io.vertx.core.Promise<Resp> done = io.vertx.core.Promise.promise();
        vertx.runOnContext(v -> http.request(method, port, "127.0.0.1", uri).compose(req -> {
            headers.forEach(req::putHeader);
            return req.send().compose(resp -> resp.body().map(b -> new Resp(resp.statusCode(), resp.getHeader("Content-Type"),
                    b.toString())));
        }).onComplete(done));
        return done.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static List<JsonObject> resources(JsonObject bundle, String type) {
        List<JsonObject> out = new ArrayList<>();
        JsonArray entries = bundle.getJsonArray("entry", new JsonArray());
        for (int i = 0; i < entries.size(); i++) {
            JsonObject r = entries.getJsonObject(i).getJsonObject("resource");
            if (type.equals(r.getString("resourceType"))) out.add(r);
        }
        return out;
    }

    static Set<String> slotIds(JsonObject bundle) {
        return resources(bundle, "Slot").stream().map(s -> s.getString("id")).collect(Collectors.toSet());
    }

    // ----- the kit's query -----

    @Test
    void theKitsQueryAnswersASearchsetWithTotalSelfLinkFullUrlsAndProfiles() {
        assertThat(kitBundle.getString("resourceType")).isEqualTo("Bundle");
        assertThat(kitBundle.getString("type")).isEqualTo("searchset");
        assertThat(kitBundle.getJsonObject("meta").getJsonArray("profile")).contains(FhirResources.BUNDLE_PROFILE);
        List<JsonObject> slots = resources(kitBundle, "Slot");
        assertThat(slots).hasSizeGreaterThanOrEqualTo(2);
        assertThat(kitBundle.getInteger("total")).isEqualTo(slots.size());
        JsonObject self = kitBundle.getJsonArray("link").getJsonObject(0);
        assertThat(self.getString("relation")).isEqualTo("self");
        assertThat(self.getString("url")).isEqualTo(base + "/Slot?" + kitQuery);
        for (Object o : kitBundle.getJsonArray("entry")) {
            JsonObject entry = (JsonObject) o;
            JsonObject r = entry.getJsonObject("resource");
            assertThat(entry.getString("fullUrl")).isEqualTo(base + "/" + r.getString("resourceType") + "/" + r.getString("id"));
            assertThat(r.getJsonObject("meta").getJsonArray("profile")).as(r.getString("resourceType")).isNotEmpty();
        }
        // one practitioner at one place: one of each, as the kit's single-practitioner group counts
        assertThat(resources(kitBundle, "Practitioner")).hasSize(1);
        assertThat(resources(kitBundle, "Schedule")).hasSize(1);
        assertThat(resources(kitBundle, "PractitionerRole")).hasSize(1);
        assertThat(resources(kitBundle, "PractitionerRole").get(0).getJsonArray("contained")).hasSize(1);
        assertThat(resources(kitBundle, "HealthcareService")).hasSameSizeAs(resources(kitBundle, "Organization")).isNotEmpty();
    }

    @Test
    void slotsSchedulesAndHealthcareServicesValidateWithZeroErrorsTheOthersWithOnlyFrCoreGaps() throws Exception {
        Map<String, Integer> gaps = new java.util.TreeMap<>();
        for (String type : List.of("Slot", "Schedule", "HealthcareService", "Practitioner", "PractitionerRole", "Organization")) {
            List<JsonObject> list = resources(kitBundle, type);
            assertThat(list).as(type).isNotEmpty();
            for (JsonObject r : list) {
                if (List.of("Slot", "Schedule", "HealthcareService").contains(type)) {
                    assertThat(SasValidator.allErrors(r.encode())).as(type + " " + r.getString("id") + " (no error at all)").isEmpty();
                } else {
                    assertThat(beyondGaps(r, Map.of())).as(type + " " + r.getString("id")).isEmpty();
                }
                gaps.merge(type, SasValidator.allErrors(r.encode()).size(), Integer::sum);
            }
        }
        System.out.println("FR Core 1.1.0 gap errors per resource type: " + gaps);
    }

    /**
     * The errors that are neither FR Core 1.1.0 gaps nor their proven cascades: "Unable to find a profile match for X"
     * is a cascade when X (a contained resource or an entry of the Bundle) has no error but gaps when validated
     * alone; "a matching slice is required" is one when every resource of the Bundle validates alone with no error
     * but gaps (checked by the caller); "Found Practitioner, but expected one of ([Device, PractitionerRole])" is
     * Schedule.actor's FrPractitioner target, an FR Core profile HAPI cannot load.
     */
    static List<SasValidator.Issue> beyondGaps(JsonObject resource, Map<String, JsonObject> bundled) throws Exception {
        return beyondGaps(resource, bundled, SasValidator.allErrors(resource.encode()));
    }

    /** Whether a resource validates alone with no error but gaps (remembered: a Bundle names the same target often). */
    static final Map<String, Boolean> GAPS_ONLY = new java.util.concurrent.ConcurrentHashMap<>();

    static boolean gapsOnly(JsonObject r) throws Exception {
        String json = r.encode();
        Boolean known = GAPS_ONLY.get(json);
        if (known == null) GAPS_ONLY.put(json, known = SasValidator.errors(json).isEmpty());
        return known;
    }

    static List<SasValidator.Issue> beyondGaps(JsonObject resource, Map<String, JsonObject> bundled,
                                               List<SasValidator.Issue> allErrors) throws Exception {
        List<SasValidator.Issue> left = new ArrayList<>();
        java.util.regex.Pattern noMatch = java.util.regex.Pattern.compile("Unable to find a profile match for (\\S+) among choices");
        for (SasValidator.Issue i : allErrors) {
            if (i.frCoreGap()) continue;
            var m = noMatch.matcher(i.message());
            if (m.find()) {
                String ref = m.group(1);
                // a contained reference: the resource's own, or (in a Bundle) every entry's with that id
                List<JsonObject> targets = new ArrayList<>();
                List<JsonObject> holders = new ArrayList<>(bundled.values());
                holders.add(resource);
                if (ref.startsWith("#")) {
                    for (JsonObject h : holders) {
                        for (Object c : h.getJsonArray("contained", new JsonArray())) {
                            if (((JsonObject) c).getString("id").equals(ref.substring(1))) targets.add((JsonObject) c);
                        }
                    }
                } else if (bundled.containsKey(ref)) {
                    targets.add(bundled.get(ref));
                }
                assertThat(targets).as("the target of " + i).isNotEmpty();
                boolean cascade = true;
                for (JsonObject t : targets) cascade &= gapsOnly(t);
                if (cascade) continue;
            }
            if (i.message().contains("a matching slice is required, but not found")) continue;
            if (i.message().contains("Found Practitioner, but expected one of ([Device, PractitionerRole])")) continue;
            left.add(i);
        }
        return left;
    }

    /** The kinds of error of a Bundle: messages with their references and indices blanked. */
    static Set<String> kinds(List<SasValidator.Issue> issues) {
        return issues.stream().map(i -> i.message().replaceAll("for \\S+ among", "for <ref> among")
                .replaceAll("\\[\\d+]", "[n]")).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    @Test
    void bundleErrorsAreOnlyFrCoreGapsAndTheirCascadesAsInTheIgsOwnExample() throws Exception {
        Map<String, JsonObject> bundled = new HashMap<>();
        for (Object o : kitBundle.getJsonArray("entry")) {
            JsonObject r = ((JsonObject) o).getJsonObject("resource");
            bundled.put(r.getString("resourceType") + "/" + r.getString("id"), r);
        }
        var all = SasValidator.allErrors(kitBundle.encode());
        System.out.println("Bundle: " + all.size() + " errors, kinds:\n  " + String.join("\n  ", kinds(all)));
        assertThat(beyondGaps(kitBundle, bundled, all)).isEmpty();
        // and no kind of error that the IG's own CPTS example Bundle does not have as well
        Set<String> example = kinds(SasValidator.allErrors(SasValidatorTest.example("Bundle-ExampleBundleCPTS1.json")));
        Set<String> ours = kinds(all);
        ours.removeIf(k -> k.contains("Found Practitioner, but expected one of")); // the example's actor is FR Core's too, unresolved differently
        assertThat(example).containsAll(ours);
    }

    /** PractitionerRole.telecom: a French number as +33 + 9 digits (ps_validate_phone), anything else left out. */
    @Test
    void theDoctorsPhoneIsWrittenAsPlus33OrLeftOut() {
        assertThat(FhirResources.internationalPhone("0254000001")).isEqualTo("+33254000001");
        assertThat(FhirResources.internationalPhone("06 12 34 56 78")).isEqualTo("+33612345678");
        assertThat(FhirResources.internationalPhone(null)).isNull();
        assertThat(FhirResources.internationalPhone("+3225123456")).isNull();
        assertThat(FhirResources.internationalPhone("0054000001")).isNull();
        assertThat(FhirResources.internationalPhone("025400000")).isNull();
    }

    /** The checks of the kit's single-practitioner and CPTS groups, one by one. */
    @Test
    void theKitsChecksHold() {
        ZonedDateTime now = ZonedDateTime.now(PARIS);
        JsonObject practitioner = resources(kitBundle, "Practitioner").get(0);
        JsonObject role = resources(kitBundle, "PractitionerRole").get(0);
        JsonObject schedule = resources(kitBundle, "Schedule").get(0);
        // ps_validate_rpps: the RPPS asked for, 8 + 11 digits
        assertThat(practitioner.getJsonArray("identifier").getJsonObject(0).getString("value")).isEqualTo("8" + doctor.rpps())
                .matches("8\\d{11}");
        // ps_validate_ref: role -> practitioner, schedule -> practitioner and role, role.location -> #contained
        assertThat(role.getJsonObject("practitioner").getString("reference")).isEqualTo("Practitioner/" + practitioner.getString("id"));
        String actors = schedule.getJsonArray("actor").encode();
        assertThat(actors).contains("Practitioner/" + practitioner.getString("id")).contains("PractitionerRole/" + role.getString("id"));
        JsonObject location = role.getJsonArray("contained").getJsonObject(0);
        assertThat(role.getJsonArray("location").getJsonObject(0).getString("reference")).isEqualTo("#" + location.getString("id"));
        // ps_validate_location: line, city, 5-digit postal code
        JsonObject address = location.getJsonObject("address");
        assertThat(address.getJsonArray("line").getString(0)).isNotBlank();
        assertThat(address.getString("city")).isNotBlank();
        assertThat(address.getString("postalCode")).matches("\\d{5}");
        // ps_validate_phone: PractitionerRole.telecom, the doctor's phone (Indre's demo: 02 54 …) as +33 + 9 digits
        JsonObject telecom = role.getJsonArray("telecom").getJsonObject(0);
        assertThat(telecom.getString("system")).isEqualTo("phone");
        assertThat(telecom.getString("value")).isEqualTo("+33" + doctor.phone().substring(1)).matches("\\+33\\d{9}")
                .startsWith("+33254");
        // ps_validate_idnst: PractitionerRole.organization.identifier, the place's structure: 1 + FINESS (an MSP of the
        // demo) or 3 + SIRET (a cabinet), system urn:oid:1.2.250.1.71.4.2.2 and type IDNST as the profile fixes them
        var place = doctor.location(0);
        JsonObject structure = role.getJsonObject("organization").getJsonObject("identifier");
        assertThat(structure.getString("system")).isEqualTo("urn:oid:1.2.250.1.71.4.2.2");
        assertThat(structure.getJsonObject("type").getJsonArray("coding").getJsonObject(0).getString("code")).isEqualTo("IDNST");
        assertThat(structure.getString("value")).isEqualTo(place.kind().equals("MSP") ? "1" + place.finess() : "3" + place.siret())
                .matches("1[0-9]{9}|3[0-9]{14}|4[0-9]{14}");
        assertThat(role.getJsonObject("organization").getString("display")).isEqualTo(place.name());
        Set<String> services = resources(kitBundle, "HealthcareService").stream().map(h -> "HealthcareService/" + h.getString("id")).collect(Collectors.toSet());
        Set<String> orgs = resources(kitBundle, "Organization").stream().map(h -> "Organization/" + h.getString("id")).collect(Collectors.toSet());
        String dateFormat = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}[+-]\\d{2}:\\d{2}";
        for (JsonObject slot : resources(kitBundle, "Slot")) {
            // ps_validate_slots_status, appointmentType, slot_has_url (with origin=sas), dates
            assertThat(slot.getString("status")).isEqualTo("free");
            assertThat(slot.getJsonObject("appointmentType").getJsonArray("coding").getJsonObject(0).getString("code")).isEqualTo("ROUTINE");
            assertThat(slot.getString("comment")).contains("/console?slot=" + slot.getString("id")).endsWith("&origin=sas");
            assertThat(slot.getString("start")).matches(dateFormat);
            assertThat(slot.getString("end")).matches(dateFormat);
            ZonedDateTime start = ZonedDateTime.parse(slot.getString("start"));
            assertThat(start).isAfter(now.minusMinutes(1)).isBefore(kitEnd(now).plusSeconds(1));
            assertThat(ZonedDateTime.parse(slot.getString("end"))).isAfter(start);
            assertThat(slot.getJsonObject("schedule").getString("reference")).isEqualTo("Schedule/" + schedule.getString("id"));
            // cpts_validate_service_type / cpts_validate_ref: a TRE_R66 604 coding whose R5 extension points at a
            // HealthcareService of the Bundle
            List<JsonObject> cpts = slot.getJsonArray("serviceType").stream().map(JsonObject.class::cast)
                    .filter(st -> st.getJsonArray("coding").getJsonObject(0).getString("code").equals("604")).toList();
            assertThat(cpts).isNotEmpty();
            for (JsonObject st : cpts) {
                assertThat(st.getJsonArray("coding").getJsonObject(0).getString("system")).isEqualTo(FhirResources.TRE_R66);
                JsonObject ext = st.getJsonArray("extension").getJsonObject(0);
                assertThat(ext.getString("url")).isEqualTo(FhirResources.SERVICE_TYPE_R5);
                assertThat(services).contains(ext.getJsonObject("valueReference").getString("reference"));
            }
            // cpts_validate_slot_type: the slot types are our audiences
            assertThat(slot.getJsonObject("meta").getJsonArray("security").stream().map(c -> ((JsonObject) c).getString("code")))
                    .isSubsetOf("PUBLIC", "PRO", "SNP", "CPTS");
        }
        // cpts_validate_ref / cpts_validate_id: HealthcareService.providedBy -> an Organization of the Bundle, 1 + FINESS
        for (JsonObject hs : resources(kitBundle, "HealthcareService")) {
            assertThat(orgs).contains(hs.getJsonObject("providedBy").getString("reference"));
        }
        for (JsonObject org : resources(kitBundle, "Organization")) {
            assertThat(org.getJsonArray("identifier").getJsonObject(0).getString("value")).matches("1[0-9]{9}");
        }
    }

    /**
     * The kit's setup test (slot_search_setup: 200, a Bundle, not empty, application/fhir+json), its "Champs
     * optionnels" group for the practitioner (ps_validate_rpps, ps_validate_name, ps_validate_firstname), its
     * "Contrôles Organization - Champs optionnels" group (orga_optionnel_group, CPTS option: the CPTS Organization's
     * name and telecom), cpts_validate_cardinality (as many HealthcareServices as Organizations, at least one) and the
     * type checks of optionslots_group (cpts_validate_slot_type, ps_validate_motif_type: the codes the kit compares
     * with what the tester declares, 604 left out as the kit does).
     */
    @Test
    void theKitsSetupOptionalFieldsOrganizationAndTypeChecksHold() throws Exception {
        Resp r = get("/Slot?" + kitQuery);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/fhir+json");
        assertThat(r.json().getString("resourceType")).isEqualTo("Bundle");
        assertThat(r.json().getJsonArray("entry")).isNotEmpty();
        JsonObject practitioner = resources(kitBundle, "Practitioner").get(0);
        assertThat(practitioner.getJsonObject("meta").getJsonArray("profile")).containsExactly(FhirResources.PRACTITIONER_PROFILE);
        assertThat(practitioner.getJsonArray("identifier").getJsonObject(0).getString("value")).isEqualTo("8" + doctor.rpps());
        JsonObject name = practitioner.getJsonArray("name").getJsonObject(0);
        assertThat(name.getString("family")).isEqualTo(doctor.lastName()).isNotBlank();
        assertThat(name.getJsonArray("given").getString(0)).isEqualTo(doctor.firstName()).isNotBlank();
        // orga_optionnel_group: name and phone of the CPTS (the demo catalogue's, made up: +33209 + hub INSEE + 0)
        List<JsonObject> orgs = resources(kitBundle, "Organization");
        List<JsonObject> services = resources(kitBundle, "HealthcareService");
        assertThat(orgs).isNotEmpty().hasSameSizeAs(services);
        for (JsonObject org : orgs) {
            assertThat(org.getJsonObject("meta").getJsonArray("profile")).containsExactly(FhirResources.ORGANIZATION_PROFILE);
            var entry = ApiRouter.demoCptsCatalog().get(org.getString("id"));
            assertThat(org.getString("name")).isEqualTo(entry.name()).isNotBlank();
            JsonObject telecom = org.getJsonArray("telecom").getJsonObject(0);
            assertThat(telecom.getString("system")).isEqualTo("phone");
            assertThat(telecom.getString("value")).isEqualTo(entry.phone()).matches("\\+33209\\d{6}");
            assertThat(beyondGaps(org, Map.of())).isEmpty();
        }
        // cpts_validate_slot_type / ps_validate_motif_type: the distinct codes, to be equal to the tester's declaration
        Set<String> slotTypes = new java.util.TreeSet<>(), consultationTypes = new java.util.TreeSet<>();
        for (JsonObject slot : resources(kitBundle, "Slot")) {
            slotTypes.addAll(codes(slot));
            for (Object st : slot.getJsonArray("serviceType")) {
                String code = ((JsonObject) st).getJsonArray("coding").getJsonObject(0).getString("code");
                if (!code.equals("604")) consultationTypes.add(code);
            }
        }
        assertThat(slotTypes).contains("CPTS").isSubsetOf("PUBLIC", "PRO", "SNP", "CPTS");
        assertThat(consultationTypes).isNotEmpty().isSubsetOf("AMB", "HH", "VR");
        System.out.println("kit inputs for RPPS 8" + doctor.rpps() + ": type_slot " + slotTypes + ", type_consultation " + consultationTypes);
    }

    /**
     * The kit's performance group (performance_group, "Test de performance"): its own query (launch 1's two includes,
     * the times sent with "+00:00", which its client encodes as %2B) answers 200 and a Bundle in under a second, the
     * kit's bar. A functional check with the kit's margin, not a benchmark (see the README's for that).
     */
    @Test
    void theKitsPerformanceCheckAnswersInUnderASecond() throws Exception {
        ZonedDateTime now = ZonedDateTime.now(PARIS);
        String q = "_include=Slot:schedule&_include:iterate=Schedule:actor&schedule.actor:Practitioner.identifier=" + OID
                + "|8" + doctor.rpps() + "&start=ge" + KIT.format(now) + ".000%2B00:00&start=le" + KIT.format(kitEnd(now))
                + ".000%2B00:00&status=free";
        get("/Slot?" + q); // the kit's setup has run the launch-2 query before; this warms the same paths
        long t0 = System.nanoTime();
        Resp r = get("/Slot?" + q);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().getString("resourceType")).isEqualTo("Bundle");
        assertThat(seconds).as("the kit's bar: Temps de réponse supérieur à 1 seconde").isLessThan(1.0);
    }

    /**
     * The kit's search_multiple_ps_group (two RPPS in one search, practitioner_id3 and practitioner_id4): exactly two
     * Practitioners (validate_practitioner_cardinality_2), at least two PractitionerRoles and two Schedules
     * (validate_practitionerrole_cardinality_2, validate_schedule_cardinality_2).
     */
    @Test
    void theKitsMultiplePractitionersGroupHolds() throws Exception {
        var t = server.services().index().territory("36");
        ZonedDateTime now = ZonedDateTime.now(PARIS);
        long from = now.toEpochSecond(), to = kitEnd(now).toEpochSecond();
        Effector other = t.allEffectors().stream().filter(e -> !e.id().equals(doctor.id()))
                .filter(e -> !t.effectorSlots(e.id(), from, to, s -> s.offerableTo(Audience.ALL, System.currentTimeMillis())).isEmpty())
                .findFirst().orElseThrow();
        JsonObject b = get("/Slot?" + kitQuery(List.of("8" + doctor.rpps(), "8" + other.rpps()), now)).json();
        assertThat(resources(b, "Practitioner")).hasSize(2);
        assertThat(resources(b, "Practitioner").stream().map(p -> p.getString("id"))).containsExactlyInAnyOrder(doctor.id(), other.id());
        assertThat(resources(b, "PractitionerRole")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(resources(b, "Schedule")).hasSizeGreaterThanOrEqualTo(2);
    }

    /**
     * A doctor at two places and in two CPTS, all of whose slots are CPTS ones: the kit's practitioner_id2, which
     * its multi_lieux_group (two places) and, with the CPTS option, its single_practitioner_multiple_cpts groups
     * (two_slot_two_cpts, single_slot_two_cpts) share. The demo has no such doctor (each is in the CPTS nearest
     * home), so one is added to the index here.
     */
    static Effector twoCptsDoctor() {
        var t = server.services().index().territory("36");
        Effector found = t.effector("36-EKIT2");
        if (found != null) return found;
        String rpps = Rpps.withCheckDigit("1999999990");
        assertThat(t.effectorByRpps(rpps)).isNull();
        var l0 = doctor.location(0);
        // the first place a cabinet with a SIRET only, the second an MSP with both ids (its FINESS is preferred)
        var p0 = new fr.snp.dispatch.domain.PracticeLocation(0, l0.name(), l0.address(), l0.communeInsee(), l0.communeName(),
                l0.lat(), l0.lng(), "PRACTICE", l0.accessible(), null, "73282932000074");
        var p1 = new fr.snp.dispatch.domain.PracticeLocation(1, "Maison de santé du Kit", "2 rue du Kit", l0.communeInsee(),
                l0.communeName(), l0.lat() + 0.01, l0.lng() + 0.01, "MSP", true, "369999909", "73282932000074");
        Effector e = new Effector("36-EKIT2", "36", rpps, "Camille", "Deuxcpts", doctor.specialty(), List.of(p0, p1),
                Set.of("CPTS-CASTELROUSSINE", "CPTS-VAL-DE-CREUSE"), 10, 0, "0254000001", null);
        t.putEffector(e);
        long first = ZonedDateTime.now(PARIS).plusHours(2).withMinute(0).withSecond(0).withNano(0).toEpochSecond();
        for (int k = 0; k < 4; k++) {
            long start = first + k * 1800L;
            int offset = PARIS.getRules().getOffset(java.time.Instant.ofEpochSecond(start)).getTotalSeconds();
            t.apply(new fr.snp.dispatch.domain.SlotState(fr.snp.dispatch.domain.Ids.slot(e.id(), start), e.id(), k % 2, start,
                    start + 1200, offset, fr.snp.dispatch.domain.Mode.AMB, Audience.CPTS.bit, 0, 0, false,
                    fr.snp.dispatch.domain.SlotStatus.FREE, 0, null, "W", 1));
        }
        return e;
    }

    @Test
    void theKitsTwoPlacesAndTwoCptsGroupsHoldForADoctorInTwoCpts() throws Exception {
        Effector e = twoCptsDoctor();
        Resp r = get("/Slot?" + kitQuery(List.of("8" + e.rpps()), ZonedDateTime.now(PARIS)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonObject b = r.json();
        List<JsonObject> slots = resources(b, "Slot");
        assertThat(slots).hasSize(4);
        // multi_lieux_group: one Practitioner, two PractitionerRoles and two Schedules, each pointing at it
        List<JsonObject> practitioners = resources(b, "Practitioner");
        assertThat(practitioners).hasSize(1);                                           // validate_practitioner_cardinality_1
        String practitioner = "Practitioner/" + practitioners.get(0).getString("id");
        List<JsonObject> roles = resources(b, "PractitionerRole");
        assertThat(roles).hasSize(2);                                                   // validate_practitionerrole_cardinality_1
        List<JsonObject> schedules = resources(b, "Schedule");
        assertThat(schedules).hasSize(2);                                               // validate_schedule_cardinality_1
        Set<String> roleIds = roles.stream().map(x -> x.getString("id")).collect(Collectors.toSet());
        for (JsonObject role : roles) {
            assertThat(role.getJsonObject("practitioner").getString("reference")).isEqualTo(practitioner); // ..._practitioner_ref
            JsonArray contained = role.getJsonArray("contained");                                        // ..._location_ref
            assertThat(role.getJsonArray("location").getJsonObject(0).getString("reference"))
                    .isEqualTo("#" + contained.getJsonObject(0).getString("id"));
        }
        for (JsonObject schedule : schedules) {
            List<String> actors = schedule.getJsonArray("actor").stream().map(a -> ((JsonObject) a).getString("reference")).toList();
            assertThat(actors.stream().filter(a -> a.startsWith("Practitioner/"))).containsExactly(practitioner); // validate_schedule_practitioner_ref
            assertThat(actors.stream().filter(a -> a.startsWith("PractitionerRole/")).map(a -> a.substring(17)))  // validate_schedule_practitionerrole_ref
                    .isNotEmpty().allMatch(roleIds::contains);
        }
        assertThat(roles.stream().map(x -> x.getJsonArray("contained").getJsonObject(0).getJsonObject("address").getJsonArray("line").getString(0)))
                .doesNotHaveDuplicates();
        // ps_validate_idnst and ps_validate_phone at each place: 3 + SIRET at the cabinet, 1 + FINESS at the MSP
        Map<String, String> idnst = roles.stream().collect(Collectors.toMap(x -> x.getString("id"),
                x -> x.getJsonObject("organization").getJsonObject("identifier").getString("value")));
        assertThat(idnst).containsExactlyInAnyOrderEntriesOf(Map.of(e.id() + "-L0", "373282932000074", e.id() + "-L1", "1369999909"));
        assertThat(roles).allMatch(x -> x.getJsonArray("telecom").getJsonObject(0).getString("value").equals("+33254000001"));
        // single_practitioner_multiple_cpts (two_slot_two_cpts and single_slot_two_cpts)
        List<JsonObject> services = resources(b, "HealthcareService");
        assertThat(services).hasSizeGreaterThanOrEqualTo(2);                            // cpts_validate_healthcare_service_cardinality
        assertThat(services.stream().map(x -> x.getString("id"))).containsExactlyInAnyOrder("CPTS-CASTELROUSSINE", "CPTS-VAL-DE-CREUSE");
        List<JsonObject> orgs = resources(b, "Organization");
        assertThat(orgs).hasSizeGreaterThanOrEqualTo(2);                                // cpts_validate_organization_cardinality
        Set<String> orgRefs = orgs.stream().map(o -> "Organization/" + o.getString("id")).collect(Collectors.toSet());
        assertThat(services.stream().map(x -> x.getJsonObject("providedBy").getString("reference")).collect(Collectors.toSet()))
                .hasSize(2).isSubsetOf(orgRefs);                                        // cpts_validate_healthcare_service_organization_ref
        Set<String> serviceRefs = services.stream().map(x -> "HealthcareService/" + x.getString("id")).collect(Collectors.toSet());
        for (JsonObject slot : slots) {
            assertThat(slot.getJsonObject("meta").getJsonArray("profile")).containsExactly(FhirResources.SLOT_PROFILE);
            assertThat(codes(slot)).containsExactly("CPTS");                            // cpts_validate_meta
            List<JsonObject> cpts = slot.getJsonArray("serviceType").stream().map(JsonObject.class::cast)
                    .filter(st -> st.getJsonArray("coding").getJsonObject(0).getString("code").equals("604")).toList();
            assertThat(cpts).allMatch(st -> st.getJsonArray("coding").getJsonObject(0).getString("system")
                    .equals(FhirResources.TRE_R66));                                     // cpts_validate_service_type
            // cpts_validate_service_type_healthcare_service_ref and, two distinct on one Slot,
            // cpts_validate_service_type_multiple_healthcare_service_ref
            List<String> refs = cpts.stream().map(st -> st.getJsonArray("extension").getJsonObject(0))
                    .filter(x -> x.getString("url").equals(FhirResources.SERVICE_TYPE_R5))
                    .map(x -> x.getJsonObject("valueReference").getString("reference")).toList();
            assertThat(refs).hasSize(2).doesNotHaveDuplicates().isSubsetOf(serviceRefs);
        }
        assertThat(slots.stream().map(x -> x.getJsonObject("schedule").getString("reference")).distinct()).hasSize(2);
    }

    @Test
    void twentyFivePractitionersAtOnceAndNothingMatchingIsTotalZero() throws Exception {
        var t = server.services().index().territory("36");
        List<String> ids = t.allEffectors().stream().limit(24).map(e -> "8" + e.rpps()).collect(Collectors.toList());
        ids.add("8" + server.services().index().territory("85").allEffectors().get(0).rpps()); // the platform serves 85 too
        Resp r = get("/Slot?" + kitQuery(ids, ZonedDateTime.now(PARIS)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonObject b = r.json();
        assertThat(b.getInteger("total")).isEqualTo(resources(b, "Slot").size()).isGreaterThan(0);
        assertThat(resources(b, "Practitioner").size()).isGreaterThan(1);
        assertThat(slotIds(b)).hasSize(b.getInteger("total")); // no slot twice

        String nobody = "8" + Rpps.withCheckDigit("1999999999");
        Resp none = get("/Slot?" + kitQuery(List.of(nobody), ZonedDateTime.now(PARIS)));
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.json().getInteger("total")).isZero();
        assertThat(none.json().getJsonArray("entry")).isNull();
        assertThat(none.json().getJsonArray("link").getJsonObject(0).getString("url")).contains(nobody);
    }

    @Test
    void parametersInAnyOrderEncodingAndOffsetFindTheSameSlots() throws Exception {
        Set<String> expected = slotIds(kitBundle);
        String[] parts = kitQuery.split("&");
        List<String> reversed = new ArrayList<>(List.of(parts));
        java.util.Collections.reverse(reversed);
        assertThat(slotIds(get("/Slot?" + String.join("&", reversed)).json())).isEqualTo(expected);
        // every name and value percent-encoded (':' '|' ',' as %3A %7C %2C)
        String encoded = java.util.Arrays.stream(parts).map(p -> {
            int eq = p.indexOf('=');
            return URLEncoder.encode(p.substring(0, eq), StandardCharsets.UTF_8) + "="
                    + URLEncoder.encode(p.substring(eq + 1), StandardCharsets.UTF_8);
        }).collect(Collectors.joining("&"));
        assertThat(encoded).contains("%3A").contains("%7C");
        Resp enc = get("/Slot?" + encoded);
        assertThat(slotIds(enc.json())).isEqualTo(expected);
        assertThat(enc.json().getJsonArray("link").getJsonObject(0).getString("url")).isEqualTo(base + "/Slot?" + encoded);
        // the same instants with their Paris offset, raw '+' (a form decoder would make it a space) and %2B, and in UTC
        ZonedDateTime now = ZonedDateTime.now(PARIS);
        String offset = now.getOffset().getId();
        String endOffset = kitEnd(now).getOffset().getId();
        String withOffset = kitQuery.replace("start=ge" + KIT.format(now) + ".000", "start=ge" + KIT.format(now) + ".000" + offset)
                .replace("start=le" + KIT.format(kitEnd(now)) + ".000", "start=le" + KIT.format(kitEnd(now)) + ".000" + endOffset);
        assertThat(withOffset).contains(".000+0");
        assertThat(slotIds(get("/Slot?" + withOffset).json())).isEqualTo(expected);
        assertThat(slotIds(get("/Slot?" + withOffset.replace("+", "%2B")).json())).isEqualTo(expected);
        DateTimeFormatter utc = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");
        String inUtc = kitQuery.replace("start=ge" + KIT.format(now) + ".000", "start=ge" + utc.format(now.withZoneSameInstant(ZoneId.of("UTC"))))
                .replace("start=le" + KIT.format(kitEnd(now)) + ".000", "start=le" + utc.format(kitEnd(now).withZoneSameInstant(ZoneId.of("UTC"))));
        assertThat(slotIds(get("/Slot?" + inUtc).json())).isEqualTo(expected);
        // the same wall-clock time read as UTC is a different window: the offset is honoured, not ignored
        String asUtc = kitQuery.replace(".000&", ".000Z&").replace(".000&status", ".000Z&status");
        assertThat(get("/Slot?" + asUtc).status()).isEqualTo(200);
        // only the kit's first two includes (launch 1): no HealthcareService or Organization
        String launch1 = kitQuery.replace("&_include=Slot:service-type-reference", "").replace("&_include:iterate=HealthcareService:organization", "");
        JsonObject b1 = get("/Slot?" + launch1).json();
        assertThat(slotIds(b1)).isEqualTo(expected);
        assertThat(resources(b1, "HealthcareService")).isEmpty();
        assertThat(resources(b1, "Practitioner")).hasSize(1);
    }

    /** A time without offset is Paris wall-clock time (summer and winter), one with an offset is that instant. */
    @Test
    void timesWithoutOffsetAreParisTime() {
        assertThat(SlotQuery.instant("2026-07-01T10:00:00.000", false)).isEqualTo(java.time.Instant.parse("2026-07-01T08:00:00Z").getEpochSecond());
        assertThat(SlotQuery.instant("2026-12-01T10:00:00", false)).isEqualTo(java.time.Instant.parse("2026-12-01T09:00:00Z").getEpochSecond());
        assertThat(SlotQuery.instant("2026-12-01T10:00:00.000+00:00", false)).isEqualTo(java.time.Instant.parse("2026-12-01T10:00:00Z").getEpochSecond());
        assertThat(SlotQuery.instant("2026-12-01T10:00:00.000 01:00", false)) // a '+' a form decoder made a space
                .isEqualTo(java.time.Instant.parse("2026-12-01T09:00:00Z").getEpochSecond());
        assertThat(SlotQuery.instant("2026-12-01", true)).isEqualTo(java.time.Instant.parse("2026-12-01T22:59:59Z").getEpochSecond());
    }

    @Test
    void everyRefusalIsAnOperationOutcomeWithItsStatusAndField() throws Exception {
        String ge = "start=ge" + KIT.format(ZonedDateTime.now(PARIS)) + ".000";
        String le = "start=le" + KIT.format(kitEnd(ZonedDateTime.now(PARIS))) + ".000";
        String id = "schedule.actor:Practitioner.identifier=" + OID + "|8" + doctor.rpps();
        String tooMany = "schedule.actor:Practitioner.identifier=" + server.services().index().territory("36").allEffectors()
                .stream().limit(26).map(e -> OID + "|8" + e.rpps()).collect(Collectors.joining(","));
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put(id + "&" + le + "&status=free", "start");                       // no ge
        cases.put(id + "&" + ge + "&status=free", "start");                       // no le
        cases.put(id + "&" + ge + "&start=gt2030-01-01T00:00:00&status=free", "start");
        cases.put(id + "&start=genot-a-date&" + le + "&status=free", "start");
        cases.put(ge + "&" + le + "&status=free", "schedule.actor:Practitioner.identifier");
        cases.put(tooMany + "&" + ge + "&" + le + "&status=free", "schedule.actor:Practitioner.identifier");
        cases.put(id.replace(OID, "urn:oid:1.2.250.1.71.4.2.2") + "&" + ge + "&" + le + "&status=free", "schedule.actor:Practitioner.identifier");
        cases.put(id.replace("|8", "|9") + "&" + ge + "&" + le + "&status=free", "schedule.actor:Practitioner.identifier");
        cases.put(id + "&" + ge + "&" + le + "&status=busy", "status");
        cases.put(id + "&" + ge + "&" + le, "status");
        cases.put(id + "&" + ge + "&" + le + "&status=free&_include=Slot:nonsense", "_include");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Resp r = get("/Slot?" + c.getKey());
            assertThat(r.status()).as(c.getKey() + " -> " + r.body()).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/fhir+json");
            JsonObject issue = r.json().getJsonArray("issue").getJsonObject(0);
            assertThat(r.json().getString("resourceType")).isEqualTo("OperationOutcome");
            assertThat(issue.getString("severity")).isEqualTo("error");
            assertThat(issue.getJsonArray("expression").getString(0)).as(c.getKey()).isEqualTo(c.getValue());
            assertThat(issue.getString("diagnostics")).startsWith(c.getValue() + ": ");
        }
        // an unknown parameter: ignored (FHIR's lenient default), refused under Prefer: handling=strict
        String unknown = "/fhir/Slot?" + kitQuery + "&colour=blue";
        assertThat(get(server.port(), unknown, Map.of()).status()).isEqualTo(200);
        Resp strict = get(server.port(), unknown, Map.of("Prefer", "handling=strict"));
        assertThat(strict.status()).isEqualTo(400);
        assertThat(strict.json().getJsonArray("issue").getJsonObject(0).getJsonArray("expression").getString(0)).isEqualTo("colour");
        // unknown type, unknown id, another method
        assertThat(get("/Patient?name=x").status()).isEqualTo(404);
        assertThat(get("/Patient?name=x").json().getString("resourceType")).isEqualTo("OperationOutcome");
        Resp del = call(HttpMethod.DELETE, server.port(), "/fhir/Slot/36-E1-zz", Map.of());
        assertThat(del.status()).isEqualTo(405);
        assertThat(del.json().getString("resourceType")).isEqualTo("OperationOutcome");
    }

    // ----- metadata and reads -----

    @Test
    void theCapabilityStatementListsWhatWeServe() throws Exception {
        Resp r = get("/metadata");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/fhir+json");
        JsonObject cs = r.json();
        assertThat(cs.getString("resourceType")).isEqualTo("CapabilityStatement");
        assertThat(cs.getString("kind")).isEqualTo("instance");
        assertThat(cs.getString("fhirVersion")).isEqualTo("4.0.1");
        JsonArray res = cs.getJsonArray("rest").getJsonObject(0).getJsonArray("resource");
        Map<String, JsonObject> byType = res.stream().map(JsonObject.class::cast).collect(Collectors.toMap(o -> o.getString("type"), o -> o));
        assertThat(byType).containsKeys("Slot", "Schedule", "Practitioner", "PractitionerRole", "HealthcareService", "Organization");
        assertThat(byType.get("Slot").getJsonArray("searchInclude")).contains("Slot:schedule", "Schedule:actor",
                "Slot:service-type-reference", "HealthcareService:organization");
        assertThat(byType.get("Slot").getJsonArray("searchParam").encode()).contains("\"start\"", "schedule.actor:Practitioner.identifier", "\"status\"");
        assertThat(byType.get("Practitioner").getJsonArray("searchParam").encode()).contains("\"identifier\"");
        assertThat(byType.get("Schedule").getJsonArray("searchParam").encode()).contains("\"actor\"");
        assertThat(SasValidator.errors(r.body())).isEmpty();
    }

    @Test
    void everyResourceOfTheBundleReadsBackByIdAndTheTwoSearchesFindThem() throws Exception {
        for (Object o : kitBundle.getJsonArray("entry")) {
            JsonObject r = ((JsonObject) o).getJsonObject("resource");
            Resp read = get("/" + r.getString("resourceType") + "/" + r.getString("id"));
            assertThat(read.status()).as(read.body()).isEqualTo(200);
            assertThat(read.body()).as(r.getString("resourceType") + "/" + r.getString("id") + " " + read).isNotEmpty();
            assertThat(read.json()).isEqualTo(r);
        }
        for (String missing : List.of("/Slot/36-E1-zzzzzz", "/Practitioner/36-E99999", "/Practitioner/44-E1", "/Schedule/36-E1-L9",
                "/PractitionerRole/nonsense", "/HealthcareService/CPTS-NOWHERE", "/Organization/CPTS-NOWHERE")) {
            Resp r = get(missing);
            assertThat(r.status()).as(missing).isEqualTo(404);
            assertThat(r.json().getString("resourceType")).isEqualTo("OperationOutcome");
        }
        Resp byId = get("/Practitioner?identifier=" + OID + "|8" + doctor.rpps());
        assertThat(byId.json().getInteger("total")).isEqualTo(1);
        assertThat(resources(byId.json(), "Practitioner").get(0).getString("id")).isEqualTo(doctor.id());
        assertThat(get("/Practitioner?identifier=" + OID + "|8" + Rpps.withCheckDigit("1999999999")).json().getInteger("total")).isZero();
        assertThat(get("/Practitioner?identifier=urn:oid:9.9|8" + doctor.rpps()).status()).isEqualTo(400);
        assertThat(get("/Practitioner").status()).isEqualTo(400);
        JsonObject schedules = get("/Schedule?actor=Practitioner/" + doctor.id()).json();
        assertThat(resources(schedules, "Schedule")).containsExactlyElementsOf(resources(kitBundle, "Schedule"));
        String roleId = resources(kitBundle, "PractitionerRole").get(0).getString("id");
        assertThat(resources(get("/Schedule?actor=PractitionerRole/" + roleId).json(), "Schedule")).hasSize(1);
        assertThat(get("/Schedule").status()).isEqualTo(400);
    }

    // ----- who sees what -----

    /** The FHIR router mounted behind another principal, as the mTLS listener will: it reads it from the context. */
    static int mountedFor(Principal p) throws Exception {
        Services s = server.services();
        Router r = Router.router(vertx);
        r.route("/fhir/*").handler(ctx -> {
            ctx.put(FhirRoutes.PRINCIPAL, p);
            ctx.next();
        });
        r.route("/fhir/*").subRouter(new FhirRoutes(s.index(), ApiRouter.demoCptsCatalog(), s.communes(), "http://test",
                s::nowMs).router(vertx));
        pharmacyView = vertx.createHttpServer().requestHandler(r).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        return pharmacyView.actualPort();
    }

    /**
     * The rule: a caller sees the slots its role's audiences reach. The SAS platform (regulator role) sees them all,
     * CPTS-only and SNP ones included; a caller whose role reaches PUBLIC and PRO only (and no CPTS) gets none of
     * the SNP or CPTS-only slots; a caller serving another territory gets nothing of Indre's.
     */
    @Test
    void audiencesAndTerritoriesOfTheCallerFilterTheSlots() throws Exception {
        var t = server.services().index().territory("36");
        List<String> ids = t.allEffectors().stream().limit(25).map(e -> "8" + e.rpps()).toList();
        String q = kitQuery(ids, ZonedDateTime.now(PARIS));
        JsonObject all = get("/Slot?" + q).json();
        List<JsonObject> sasSlots = resources(all, "Slot");
        assertThat(sasSlots).anyMatch(s -> !codes(s).contains("PUBLIC") && !codes(s).contains("PRO")); // SNP / CPTS-only ones

        int port = mountedFor(new Principal("p", Role.PHARMACIST, "pharmacy", Set.of("36"), "PH-1", Set.of()));
        Resp narrow = get(port, "/fhir/Slot?" + q, Map.of());
        assertThat(narrow.status()).isEqualTo(200);
        List<JsonObject> seen = resources(narrow.json(), "Slot");
        assertThat(seen).allMatch(s -> codes(s).contains("PUBLIC") || codes(s).contains("PRO"));
        assertThat(seen.size()).isLessThan(sasSlots.size());
        assertThat(sasSlots.stream().filter(s -> codes(s).contains("PUBLIC") || codes(s).contains("PRO")).count())
                .isEqualTo(seen.size());
        pharmacyView.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);

        int other = mountedFor(new Principal("p85", Role.REGULATOR, "SAS 85", Set.of("85"), "SAS-85", Set.of()));
        JsonObject foreign = get(other, "/fhir/Slot?" + q, Map.of()).json();
        assertThat(foreign.getInteger("total")).isZero();
        assertThat(get(other, "/fhir/Practitioner/" + doctor.id(), Map.of()).status()).isEqualTo(404);
        pharmacyView.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);

        // no principal in the context (a listener that forgot to authenticate): refused
        Router bare = Router.router(vertx);
        bare.route("/fhir/*").subRouter(new FhirRoutes(server.services().index(), ApiRouter.demoCptsCatalog(),
                server.services().communes(), "http://test", System::currentTimeMillis).router(vertx));
        pharmacyView = vertx.createHttpServer().requestHandler(bare).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(get(pharmacyView.actualPort(), "/fhir/Slot?" + q, Map.of()).status()).isEqualTo(401);
    }

    static List<String> codes(JsonObject slot) {
        return slot.getJsonObject("meta").getJsonArray("security").stream().map(c -> ((JsonObject) c).getString("code")).toList();
    }

    /** Outside demo mode the main port has no /fhir: the mutual-TLS listener serves it. */
    @Test
    void outsideDemoModeTheMainPortHasNoFhir() throws Exception {
        try (TestServer plain = TestServer.start()) {
            Resp r = get(plain.dispatcher.port(), "/fhir/metadata", Map.of());
            assertThat(r.status()).isEqualTo(404);
            assertThat(get(plain.dispatcher.port(), "/fhir/Slot?" + kitQuery, Map.of()).status()).isEqualTo(404);
        }
    }
}
