package fr.snp.dispatch.sim;

import fr.snp.dispatch.Dispatcher;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.config.Settings;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.domain.Rpps;
import fr.snp.dispatch.geo.Commune;
import fr.snp.dispatch.geo.CommuneDirectory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Replays a year shaped like Indre 2022 through the HTTP API of a dispatcher whose clock it moves
 * (simulation.clockControl): effectors publish slots the day before, calls come in, end in advice, an SNP
 * appointment, a prescription or another outcome, and doctors answer after each appointment (seeded no-shows).
 * It keeps its own ground truth, writes it to a file, then reads the statistics API and prints the published
 * figures, the injected truth and the server's figures side by side. Any difference: exit status 1.
 *
 * <pre>java -jar dispatcher.jar simulate --scenario indre-2022 --seed 42 [--scale 0.05] [--url URL] [--out DIR]</pre>
 * Without --url it starts a dispatcher on the embedded default (a fresh Redis in a temporary directory). With
 * --url the server must run with DISPATCH_SIMULATION_CLOCKCONTROL=true and --demo (the demo tokens), on fresh data.
 */
public final class Simulator {
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final int EFFECTORS = 120;

    private final String base;
    private final Map<Role, String> tokens;
    private final Scenario scenario;
    private final long seed;
    private final Path out;
    private final PrintStream console;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private long apiCalls;

    /** What was injected, counted by the simulator itself. */
    private final Map<String, Long> truth = new LinkedHashMap<>();
    private final Map<String, Long> truthByOrigin = new TreeMap<>();

    private record Awaiting(String appointmentId, long endEpochSecond, String answer) {}

    /** The CPTS the simulated effectors belong to: the coordinator's own (a coordinator registers its CPTS' effectors). */
    private final String cpts;

    Simulator(String base, Map<Role, String> tokens, String cpts, Scenario scenario, long seed, Path out, PrintStream console) {
        this.cpts = cpts;
        this.base = base;
        this.tokens = tokens;
        this.scenario = scenario;
        this.seed = seed;
        this.out = out;
        this.console = console;
    }

    public static int run(Settings settings, List<String> args) throws Exception {
        String name = option(args, "--scenario", "indre-2022");
        long seed = Long.parseLong(option(args, "--seed", "42"));
        double scale = Double.parseDouble(option(args, "--scale", "1"));
        Path out = Path.of(option(args, "--out", "simulation"));
        String url = option(args, "--url", null);
        Scenario scenario;
        try {
            scenario = Scenario.named(name).scaled(scale);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        if (url != null) {
            Map<Role, String> demo = Map.of(Role.OPS, "demo-ops", Role.COORDINATOR, "demo-coordinator",
                    Role.REGULATOR, "demo-regulator", Role.OSNP, "demo-osnp");
            // the demo coordinator is CPTS Castelroussine's
            return new Simulator(url, demo, "CPTS-CASTELROUSSINE", scenario, seed, out, System.out).replay();
        }
        Path data = Files.createTempDirectory("snp-simulation");
        Settings s = settings.with("redis.url", "").with("redis.embedded.dataDir", data.toString()).with("http.port", "0")
                .with("simulation.clockControl", "true").with("outbox.logChannel", "false")
                // one token replays a year of calls in minutes: the per-principal limits are for desks, not for this
                .with("limits.writesPerMinute", "0").with("limits.activeHoldsPerPrincipal", "0");
        try (Dispatcher d = Dispatcher.start(s, false, new SimulationClock())) {
            Map<Role, String> tokens = new java.util.EnumMap<>(Role.class);
            for (Role r : List.of(Role.OPS, Role.COORDINATOR, Role.REGULATOR, Role.OSNP)) {
                String org = switch (r) {
                    case COORDINATOR -> "CPTS-SIM";
                    case OPS -> "OPS-36";
                    case DPO -> "DPO-36";
                    default -> "SAS-36";
                };
                tokens.put(r, d.services().tokens().create(new Principal(null, r, "simulator " + r.wireName(),
                        java.util.Set.of("36"), org, java.util.Set.of())).toCompletableFuture().get(10, TimeUnit.SECONDS).getKey());
            }
            return new Simulator("http://127.0.0.1:" + d.port(), tokens, "CPTS-SIM", scenario, seed, out, System.out).replay();
        }
    }

    int replay() throws Exception {
        long started = System.nanoTime();
        List<Commune> communes = CommuneDirectory.loadDefault().inDepartement("36");
        Plan plan = new Plan(scenario, seed, communes);
        Random random = new Random(seed * 31 + 7);
        console.printf("Replaying %s (seed %d): %d calls over %d days through %s%n", scenario.name(), seed,
                plan.calls.size(), scenario.days(), base);
        setClock(scenario.firstDay().atStartOfDay(PARIS));
        List<String> effectors = createEffectors(communes, random);

        int slotsPerDay = Math.max(8, 4 * (int) Math.ceil(scenario.snpAppointments() / (double) scenario.days() * 2.5));
        List<Awaiting> awaiting = new ArrayList<>();
        int next = 0;
        int rotation = 0;
        for (int d = 0; d <= scenario.days() + 2; d++) {
            LocalDate day = scenario.firstDay().plusDays(d);
            ZonedDateTime morning = day.atTime(0, 5).atZone(PARIS);
            setClock(morning);
            answerDue(awaiting, morning.toEpochSecond());
            if (d < scenario.days()) {
                if (d == 0) rotation = publish(effectors, day, slotsPerDay, rotation, random);
                rotation = publish(effectors, day.plusDays(1), slotsPerDay, rotation, random);
            }
            int hour = -1;
            while (next < plan.calls.size() && plan.calls.get(next).at().toLocalDate().equals(day)) {
                Plan.Call call = plan.calls.get(next++);
                if (call.at().getHour() != hour) {
                    hour = call.at().getHour();
                    setClock(call.at().atZone(PARIS));
                }
                handle(call, next, awaiting);
            }
        }
        if (!awaiting.isEmpty()) throw new IllegalStateException(awaiting.size() + " appointments left without feedback");
        double seconds = (System.nanoTime() - started) / 1e9;
        writeTruth();
        boolean match = compare();
        console.printf("Throughput: %d API calls in %.1f s = %.0f calls/s (one sequential client)%n", apiCalls, seconds,
                apiCalls / seconds);
        console.println(match ? "RESULT: the server's figures match the injected truth exactly."
                : "RESULT: MISMATCH between the server's figures and the injected truth.");
        return match ? 0 : 1;
    }

    private List<String> createEffectors(List<Commune> communes, Random random) throws Exception {
        List<String> ids = new ArrayList<>();
        List<Commune> byPopulation = new ArrayList<>(communes);
        byPopulation.sort((a, b) -> Integer.compare(b.population(), a.population()));
        for (int i = 0; i < EFFECTORS; i++) {
            Commune c = byPopulation.get(i < 40 ? i % 12 : random.nextInt(Math.min(120, byPopulation.size())));
            JsonObject body = new JsonObject().put("rpps", Rpps.withCheckDigit(String.format("19%08d", 500_000 + i)))
                    .put("firstName", "Sim").put("lastName", "Effecteur " + (i + 1)).put("specialty", "SM54")
                    .put("cpts", new JsonArray().add(cpts))
                    .put("locations", new JsonArray().add(new JsonObject().put("name", "Cabinet").put("communeInsee", c.insee())
                            .put("accessible", true)));
            Response r = call("POST", "/api/v1/effectors", Role.COORDINATOR, body, null);
            if (r.status == 201) ids.add(r.json().getString("id"));
            else if (r.status == 409) ids.add(r.json().getString("message").replaceAll(".*: ", ""));
            else throw new IllegalStateException("effector not created: " + r.body);
        }
        Collections.shuffle(ids, random);
        return ids;
    }

    /** Some effectors each publish 4 twenty-minute slots on {@code day}, in turn. */
    private int publish(List<String> effectors, LocalDate day, int slots, int rotation, Random random) throws Exception {
        for (int k = 0; k < slots / 4; k++) {
            String effector = effectors.get(rotation++ % effectors.size());
            LocalDateTime start = day.atTime(8 + random.nextInt(11), random.nextInt(3) * 20);
            JsonArray batch = new JsonArray();
            for (int j = 0; j < 4; j++) {
                OffsetDateTime s = start.plusMinutes(20L * j).atZone(PARIS).toOffsetDateTime();
                batch.add(new JsonObject().put("effectorId", effector).put("start", s.toString())
                        .put("end", s.plusMinutes(20).toString()).put("audiences", new JsonArray().add("SNP").add("CPTS")));
            }
            Response r = call("POST", "/api/v1/slots", Role.COORDINATOR, batch, null);
            if (r.status != 201) throw new IllegalStateException("slots not published: " + r.body);
        }
        return rotation;
    }

    private void handle(Plan.Call c, int n, List<Awaiting> awaiting) throws Exception {
        Role role = c.origin().equals("OSNP") ? Role.OSNP : Role.REGULATOR;
        JsonObject body = new JsonObject().put("origin", c.origin()).put("limit", 10)
                .put("patient", new JsonObject().put("initials", "" + (char) ('A' + n % 26) + (char) ('A' + n / 26 % 26))
                        .put("birthYear", c.birthYear()).put("phone", String.format("06%08d", n)).put("communeInsee", c.commune().insee())
                        .put("over70", c.birthYear() <= 1952))
                .put("need", new JsonObject().put("within", "PT48H").put("mode", "AMB").put("radiusKm", 100));
        Response request = call("POST", "/api/v1/requests", role, body, null);
        if (request.status != 201) throw new IllegalStateException("request refused: " + request.body);
        String id = request.json().getString("id");
        count("requests");
        truthByOrigin.merge(c.origin(), 1L, Long::sum);
        if (c.ending() == Plan.Ending.SNP) {
            for (Object o : request.json().getJsonArray("candidates")) {
                JsonObject candidate = (JsonObject) o;
                Response booked = call("POST", "/api/v1/appointments", role, new JsonObject()
                        .put("slotId", candidate.getString("slotId")).put("requestId", id), "sim-" + seed + "-" + n);
                if (booked.status == 201) {
                    count("SNP_SLOT");
                    long end = OffsetDateTime.parse(candidate.getString("end")).toEpochSecond();
                    awaiting.add(new Awaiting(booked.json().getString("id"), end, c.feedback()));
                    return;
                }
            }
            throw new IllegalStateException("no slot could be booked for call " + n + " on " + c.at()
                    + ": the scenario published too few slots");
        }
        JsonObject outcome = new JsonObject();
        switch (c.ending()) {
            case ADVICE -> { outcome.put("type", "ADVICE"); count("ADVICE"); }
            case PRESCRIPTION, PRESCRIPTION_WITH_ADVICE -> {
                outcome.put("type", "PRESCRIPTION").put("pharmacy", new JsonObject().put("name", "Pharmacie de garde")
                        .put("communeInsee", c.commune().insee()));
                count("PRESCRIPTION");
                if (c.ending() == Plan.Ending.PRESCRIPTION_WITH_ADVICE) {
                    outcome.put("withAdvice", true);
                    count("ADVICE");
                    count("PRESCRIPTION_WITH_ADVICE");
                }
            }
            default -> { outcome.put("type", c.ending().name()); count(c.ending().name()); count("other"); }
        }
        Response r = call("POST", "/api/v1/requests/" + id + "/outcome", role, outcome, null);
        if (r.status != 200) throw new IllegalStateException("outcome refused: " + r.body);
    }

    /** Doctors answer for the appointments that have ended. */
    private void answerDue(List<Awaiting> awaiting, long nowEpochSecond) throws Exception {
        List<Awaiting> due = awaiting.stream().filter(a -> a.endEpochSecond() <= nowEpochSecond).toList();
        for (Awaiting a : due) {
            Response r = call("POST", "/api/v1/appointments/" + a.appointmentId() + "/feedback", Role.COORDINATOR,
                    new JsonObject().put("answer", a.answer()), null);
            if (r.status != 200) throw new IllegalStateException("feedback refused: " + r.body);
            count(switch (a.answer()) {
                case "no-show" -> "noshow";
                case "cancelled-by-patient" -> "cancelled";
                default -> "fulfilled";
            });
        }
        awaiting.removeAll(due);
    }

    private boolean compare() throws Exception {
        LocalDate first = scenario.firstDay();
        LocalDate last = first.plusDays(scenario.days() - 1L);
        String period = "territory=36&from=" + first + "&to=" + last;
        JsonObject outcomes = call("GET", "/api/v1/stats/outcomes?groupBy=territory&" + period, Role.OPS, null, null).json()
                .getJsonArray("rows").getJsonObject(0);
        Map<String, Long> appointments = new TreeMap<>();
        // appointments count in their slot's day: the last calls of the year book slots of early January
        for (String range : List.of("from=" + first + "&to=" + last, "from=" + last.plusDays(1) + "&to=" + last.plusDays(3))) {
            JsonArray rows = call("GET", "/api/v1/stats/noshow?territory=36&groupBy=territory&" + range, Role.OPS, null, null)
                    .json().getJsonArray("rows");
            for (Object o : rows) {
                JsonObject row = (JsonObject) o;
                for (String m : List.of("booked", "fulfilled", "noshow", "cancelled")) appointments.merge(m, row.getLong(m), Long::sum);
            }
        }
        Scenario published = Scenario.named(scenario.name());
        long serverOther = outcomes.getLong("NO_ANSWER") + outcomes.getLong("REDIRECTED_15") + outcomes.getLong("OTHER");
        List<Object[]> table = List.of(
                new Object[]{"calls (requests)", published.requests(), truth("requests"), outcomes.getLong("requests")},
                new Object[]{"medical advice", published.advice(), truth("ADVICE"), outcomes.getLong("ADVICE")},
                new Object[]{"SNP appointment", published.snpAppointments(), truth("SNP_SLOT"), outcomes.getLong("SNP_SLOT")},
                new Object[]{"prescription to pharmacy", published.prescriptions(), truth("PRESCRIPTION"), outcomes.getLong("PRESCRIPTION")},
                new Object[]{"  of which with advice", published.prescriptionsWithAdvice(), truth("PRESCRIPTION_WITH_ADVICE"),
                        outcomes.getLong("PRESCRIPTION_WITH_ADVICE")},
                new Object[]{"other (no answer, 15, ...)", published.other(), truth("other"), serverOther},
                new Object[]{"appointments booked", null, truth("SNP_SLOT"), appointments.get("booked")},
                new Object[]{"  fulfilled (seen, reoriented)", null, truth("fulfilled"), appointments.get("fulfilled")},
                new Object[]{"  no-show", null, truth("noshow"), appointments.get("noshow")},
                new Object[]{"  cancelled by the patient", null, truth("cancelled"), appointments.get("cancelled")});
        console.printf("%n%-32s %14s %10s %10s%n", "", "Indre 2022", "injected", "server");
        boolean match = true;
        for (Object[] row : table) {
            boolean same = row[2].equals(row[3]);
            match &= same;
            console.printf("%-32s %14s %10s %10s %s%n", row[0], row[1] == null ? "-" : String.format("%,d", (Integer) row[1]),
                    String.format("%,d", (Long) row[2]), row[3] == null ? "none" : String.format("%,d", (Long) row[3]),
                    same ? "" : "<-- differs");
        }
        JsonArray byOrigin = call("GET", "/api/v1/stats/outcomes?groupBy=origin&" + period, Role.OPS, null, null).json()
                .getJsonArray("rows");
        Map<String, Long> serverByOrigin = new TreeMap<>();
        byOrigin.forEach(o -> serverByOrigin.put(((JsonObject) o).getString("key"), ((JsonObject) o).getLong("requests")));
        boolean originsMatch = serverByOrigin.equals(truthByOrigin);
        console.printf("calls by origin: injected %s, server %s%s%n", truthByOrigin, serverByOrigin, originsMatch ? "" : " <-- differs");
        JsonObject noshow = call("GET", "/api/v1/stats/noshow?groupBy=territory&" + period, Role.OPS, null, null).json();
        if (!noshow.getJsonArray("rows").isEmpty()) {
            console.printf("no-show rate (server): %s; median wait from call to appointment: %s min%n",
                    noshow.getJsonArray("rows").getJsonObject(0).getValue("noshowRate"), outcomes.getValue("medianWaitMinutes") == null
                            ? call("GET", "/api/v1/stats/outcomes?groupBy=territory&" + period, Role.OPS, null, null).json()
                            .getValue("medianWaitMinutes") : outcomes.getValue("medianWaitMinutes"));
        }
        return match && originsMatch;
    }

    private long truth(String key) { return truth.getOrDefault(key, 0L); }

    private void count(String key) { truth.merge(key, 1L, Long::sum); }

    private void writeTruth() throws Exception {
        Files.createDirectories(out);
        Path file = out.resolve(scenario.name() + "-seed" + seed + "-truth.json");
        JsonObject json = new JsonObject().put("scenario", scenario.name()).put("seed", seed)
                .put("requests", scenario.requests()).put("injected", new JsonObject(new LinkedHashMap<>(truth)))
                .put("callsByOrigin", new JsonObject(new LinkedHashMap<>(truthByOrigin)));
        Files.writeString(file, json.encodePrettily());
        console.println("Ground truth written to " + file.toAbsolutePath());
    }

    private void setClock(ZonedDateTime at) throws Exception {
        Response r = call("POST", "/api/v1/sim/clock", Role.OPS, new JsonObject().put("now", at.toOffsetDateTime().toString()), null);
        if (r.status != 200) {
            throw new IllegalStateException("cannot move the server's clock (" + r.status + " " + r.body
                    + "): start it with DISPATCH_SIMULATION_CLOCKCONTROL=true");
        }
    }

    private record Response(int status, String body) {
        JsonObject json() { return new JsonObject(body); }
    }

    private Response call(String method, String path, Role role, Object body, String idempotencyKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + tokens.get(role));
        if (idempotencyKey != null) b.header("Idempotency-Key", idempotencyKey);
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        apiCalls++;
        return new Response(r.statusCode(), r.body());
    }

    private static String option(List<String> args, String name, String otherwise) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : otherwise;
    }
}
