package fr.snp.dispatch;

import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.auth.TokenStore;
import fr.snp.dispatch.config.Settings;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.redis.EmbeddedRedis;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Command line.
 * <pre>
 *   java -jar dispatcher.jar                 serve; without REDIS_URL: embedded Redis + demo territory + demo tokens
 *   java -jar dispatcher.jar --demo          serve on REDIS_URL and load the demo territory too
 *   java -jar dispatcher.jar --config FILE   use FILE instead of the bundled config/dispatcher.properties
 *   java -jar dispatcher.jar token create --role ROLE --name NAME --territory 36[,18] (--org ORG | --effector ID) [--cpts A,B] [--days 90]
 *   java -jar dispatcher.jar token scope ID --territory 36[,18] --org ORG     (tokens made before tenancy)
 *   java -jar dispatcher.jar token list | token revoke ID
 *   java -jar dispatcher.jar user add --subject RPPS [--issuer URL] --role ROLE --name NAME --territory 36[,18] (--org ORG | --effector ID) [--cpts A,B]
 *   java -jar dispatcher.jar user list | user remove --subject RPPS [--issuer URL]
 *   java -jar dispatcher.jar origin add|remove --org ORG https://site.example | origin list
 * </pre>
 */
public final class Main {
    private Main() {}

    /** One line per sub-command: what java -jar dispatcher.jar --help prints. */
    static final String HELP = """
            usage: java -jar dispatcher.jar [COMMAND] [--config FILE] [OPTIONS]

              (none)     run the server; without REDIS_URL: a private Redis, the demo territories and tokens (--demo: on REDIS_URL too)
              token      API tokens: token create --role ROLE --name NAME --territory 36 (--org ORG | --effector ID) | list | revoke ID | scope ID
              user       people who sign in (OpenID Connect): user add --subject RPPS --role ROLE ... | list | remove --subject RPPS
              origin     web sites allowed to embed the widget: origin add|remove --org ORG https://site.example | list
              linkkey    a new key for the signed links (links.keys)
              simulate   replay a scenario (--scenario indre-2022, --scale, --seed, --out DIR) on its own server, or one at --url
              bench      the benchmark: every figure in one run, ending with a BENCH {json} line (--skip-fhir, --bookings-only, --record FILE)
              --help     this list

            Settings: config/dispatcher.properties, overridden by DISPATCH_* environment variables (every key documented there).
            The API's contract: GET /api/v1/openapi.json; its documentation page: /api/docs.
            """;

    public static void main(String[] args) throws Exception {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s - %5$s%6$s%n");
        System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.JULLogDelegateFactory");
        List<String> a = Arrays.asList(args);
        Path config = a.contains("--config") ? Path.of(a.get(a.indexOf("--config") + 1))
                : (System.getenv("CONFIG_FILE") != null ? Path.of(System.getenv("CONFIG_FILE")) : null);
        if (!a.isEmpty() && (a.get(0).equals("--help") || a.get(0).equals("-h") || a.get(0).equals("help"))) {
            System.out.print(HELP);
            return;
        }
        Settings settings = Settings.load(config, System.getenv());
        if (!a.isEmpty() && a.get(0).equals("token")) {
            System.exit(token(settings, a.subList(1, a.size())));
        }
        if (!a.isEmpty() && a.get(0).equals("linkkey")) {
            // a new key for links.keys (put it first; keep the previous one until its links have expired)
            System.out.println(fr.snp.dispatch.notifications.LinkKeys.fresh(a.size() > 1 ? a.get(1) : "k" + (System.currentTimeMillis() / 1000)));
            return;
        }
        if (!a.isEmpty() && a.get(0).equals("user")) {
            System.exit(user(settings, a.subList(1, a.size())));
        }
        if (!a.isEmpty() && a.get(0).equals("origin")) {
            System.exit(origin(settings, a.subList(1, a.size())));
        }
        boolean demo = !settings.isSet("redis.url") || a.contains("--demo");
        if (!a.isEmpty() && a.get(0).equals("bench")) {
            System.exit(fr.snp.dispatch.bench.Benchmark.run(settings, a.subList(1, a.size())));
        }
        if (!a.isEmpty() && a.get(0).equals("simulate")) {
            System.exit(fr.snp.dispatch.sim.Simulator.run(settings, a.subList(1, a.size())));
        }
        boolean simulation = Boolean.parseBoolean(settings.string("simulation.clockControl"));
        Dispatcher dispatcher = Dispatcher.start(settings, demo,
                simulation ? new fr.snp.dispatch.sim.SimulationClock() : Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> { dispatcher.close(); stopped.countDown(); }, "shutdown"));
        if (demo) {
            System.out.println("Demo mode: http://" + settings.string("http.host") + ":" + dispatcher.port()
                    + "\n  Indre (36):  demo-regulator demo-osnp demo-pharmacist demo-emergency demo-effector demo-coordinator demo-ops demo-dpo"
                    + "\n  Vendée (85): the same names with -85 (demo-regulator-85, demo-coordinator-85, …)");
        }
        stopped.await();
    }

    /** The commands' Redis: REDIS_URL (one Redis, Sentinel, or a cluster with redis.cluster) or the embedded one. */
    private static fr.snp.dispatch.redis.RedisConnections commandLineRedis(Settings settings, EmbeddedRedis embedded) {
        return fr.snp.dispatch.redis.RedisConnections.open(embedded == null ? settings.string("redis.url") : embedded.url(),
                embedded == null && Boolean.parseBoolean(settings.string("redis.cluster")),
                io.lettuce.core.resource.ClientResources.create());
    }

    /** token create|list|revoke, against REDIS_URL or the embedded Redis's data directory. */
    private static int token(Settings settings, List<String> a) throws Exception {
        if (a.isEmpty()) return usage();
        EmbeddedRedis embedded = settings.isSet("redis.url") ? null
                : EmbeddedRedis.start(Path.of(settings.string("redis.embedded.dataDir")), true);
        fr.snp.dispatch.redis.RedisConnections c = commandLineRedis(settings, embedded);
        try {
            TokenStore tokens = new TokenStore(c.async());
            switch (a.get(0)) {
                case "create": {
                    if (option(a, "--role") == null || option(a, "--name") == null) return usage();
                    Principal template = principalOf(a);
                    if (template == null) return 2;
                    String daysOption = option(a, "--days") != null ? option(a, "--days") : settings.string("tokens.defaultDays");
                    int days;
                    try { days = Integer.parseInt(daysOption); } catch (NumberFormatException e) { days = 0; }
                    if (days < 1 || days > 3650) {
                        System.err.println("--days is the number of days the token works, 1 to 3650 (default tokens.defaultDays)");
                        return 2;
                    }
                    Map.Entry<String, Principal> created = tokens.create(template, java.time.Duration.ofDays(days))
                            .toCompletableFuture().get(10, TimeUnit.SECONDS);
                    System.out.println(created.getKey());
                    Principal p = created.getValue();
                    System.err.println("token " + p.id() + " for " + p.role().wireName() + " \"" + p.name() + "\" of " + p.org()
                            + ", territories " + p.territoryList() + ", valid " + days + " days — shown once, only its hash is stored");
                    return 0;
                }
                case "scope": {
                    if (a.size() < 2) return usage();
                    Set<String> territories = territories(option(a, "--territory"));
                    String org = option(a, "--org");
                    if (territories == null) return 2;
                    if (org == null || org.isBlank()) {
                        System.err.println("--org is required: the SAS, CPTS, pharmacy, hospital or effector id of the token");
                        return 2;
                    }
                    long n = tokens.scope(a.get(1), territories, org).toCompletableFuture().get(10, TimeUnit.SECONDS);
                    System.out.println(n + " token(s) scoped to " + String.join(",", new java.util.TreeSet<>(territories))
                            + " / " + org);
                    return n > 0 ? 0 : 1;
                }
                case "list": {
                    tokens.describe().toCompletableFuture().get(10, TimeUnit.SECONDS)
                            .forEach(j -> System.out.println(j.encode()));
                    return 0;
                }
                case "revoke": {
                    // the exact id only: a prefix (or a typo) revokes nothing
                    if (a.size() != 2 || !a.get(1).matches("[0-9a-f]{16}")) {
                        System.err.println("token revoke takes the exact 16-character token id that token list shows");
                        return 2;
                    }
                    long n = tokens.revoke(a.get(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
                    System.out.println(n + " token(s) revoked");
                    return n > 0 ? 0 : 1;
                }
                default:
                    return usage();
            }
        } finally {
            c.close();
            c.resources().shutdown();
            if (embedded != null) embedded.close();
        }
    }

    /**
     * user add|list|remove: the roster of people who may sign in (OpenID Connect), each by the issuer of their
     * identity provider (oidc.issuer unless --issuer) and their subject there (the RPPS with Pro Santé Connect).
     */
    private static int user(Settings settings, List<String> a) throws Exception {
        if (a.isEmpty()) return userUsage();
        String issuer = option(a, "--issuer") != null ? option(a, "--issuer") : settings.string("oidc.issuer");
        String subject = option(a, "--subject");
        if (!a.get(0).equals("list") && (issuer.isBlank() || subject == null || subject.isBlank()
                || issuer.contains(" ") || subject.contains(" "))) {
            System.err.println("--subject is required (the person's identifier at the provider, e.g. their RPPS), and "
                    + "--issuer unless oidc.issuer is set; neither holds a space");
            return 2;
        }
        EmbeddedRedis embedded = settings.isSet("redis.url") ? null
                : EmbeddedRedis.start(Path.of(settings.string("redis.embedded.dataDir")), true);
        fr.snp.dispatch.redis.RedisConnections c = commandLineRedis(settings, embedded);
        try {
            fr.snp.dispatch.auth.Roster roster = new fr.snp.dispatch.auth.Roster(c.async());
            switch (a.get(0)) {
                case "add": {
                    if (option(a, "--role") == null || option(a, "--name") == null) return userUsage();
                    Principal template = principalOf(a);
                    if (template == null) return 2;
                    Principal p = roster.add(issuer, subject, template).toCompletableFuture().get(10, TimeUnit.SECONDS);
                    System.out.println("person " + p.id() + " may sign in as " + p.role().wireName() + " \"" + p.name()
                            + "\" of " + p.org() + ", territories " + p.territoryList());
                    return 0;
                }
                case "list": {
                    roster.list().toCompletableFuture().get(10, TimeUnit.SECONDS).values()
                            .forEach(json -> System.out.println(new JsonObject(json).encode()));
                    return 0;
                }
                case "remove": {
                    boolean removed = roster.remove(issuer, subject).toCompletableFuture().get(10, TimeUnit.SECONDS);
                    // sessions read the roster at each request: theirs stop within seconds
                    System.out.println(removed ? "removed; their sessions stop working within 5 seconds" : "no such person");
                    return removed ? 0 : 1;
                }
                default:
                    return userUsage();
            }
        } finally {
            c.close();
            c.resources().shutdown();
            if (embedded != null) embedded.close();
        }
    }

    /**
     * origin add|list|remove: the web origins (https://host[:port]) of the sites that embed an organisation's widget.
     * Only those get CORS answers and widget sessions; a removed one stops working within 5 seconds.
     */
    private static int origin(Settings settings, List<String> a) throws Exception {
        String org = option(a, "--org");
        boolean list = !a.isEmpty() && a.get(0).equals("list");
        String origin = a.size() >= 2 && !list ? fr.snp.dispatch.auth.WidgetSessions.normalise(a.get(a.size() - 1)) : null;
        if (a.isEmpty() || (!list && (org == null || org.isBlank() || a.size() != 4))) return originUsage();
        if (!list && origin == null) {
            System.err.println(a.get(a.size() - 1) + " is not a web origin: https://host[:port], no path (http only on "
                    + "localhost or 127.0.0.1)");
            return 2;
        }
        EmbeddedRedis embedded = settings.isSet("redis.url") ? null
                : EmbeddedRedis.start(Path.of(settings.string("redis.embedded.dataDir")), true);
        fr.snp.dispatch.redis.RedisConnections c = commandLineRedis(settings, embedded);
        try {
            fr.snp.dispatch.auth.WidgetSessions widgets = new fr.snp.dispatch.auth.WidgetSessions(c.async(), new TokenStore(c.async()));
            switch (a.get(0)) {
                case "add": {
                    Set<String> now = widgets.addOrigin(org, origin).toCompletableFuture().get(10, TimeUnit.SECONDS);
                    System.out.println(org + " may embed its widget in pages of " + String.join(", ", now));
                    return 0;
                }
                case "remove": {
                    Set<String> now = widgets.removeOrigin(org, origin).toCompletableFuture().get(10, TimeUnit.SECONDS);
                    System.out.println(org + " may embed its widget in pages of " + (now.isEmpty() ? "no site" : String.join(", ", now))
                            + "; " + origin + " stops working within 5 seconds");
                    return 0;
                }
                case "list": {
                    widgets.listOrigins().toCompletableFuture().get(10, TimeUnit.SECONDS)
                            .forEach((o, json) -> System.out.println(o + " " + json));
                    return 0;
                }
                default:
                    return originUsage();
            }
        } finally {
            c.close();
            c.resources().shutdown();
            if (embedded != null) embedded.close();
        }
    }

    private static int originUsage() {
        System.err.println("usage: origin add --org ORG https://site.example | origin remove --org ORG https://site.example "
                + "| origin list");
        return 2;
    }

    private static int userUsage() {
        System.err.println("usage: user add --subject ID [--issuer URL] --role ROLE --name NAME --territory 36[,18] "
                + "(--org ORG | --effector ID) [--cpts A,B] | user list | user remove --subject ID [--issuer URL]");
        return 2;
    }

    /** --territory 36[,18]: département codes, at least one; null (with a message) when missing or wrong. */
    private static Set<String> territories(String value) {
        if (value == null || value.isBlank()) {
            System.err.println("--territory is required: the département codes the token serves, e.g. --territory 36 or 36,18");
            return null;
        }
        Set<String> out = new java.util.TreeSet<>();
        for (String t : value.split(",")) {
            if (!fr.snp.dispatch.domain.Ids.isTerritory(t.strip())) {
                System.err.println("'" + t + "' is not a département code (01..95, 2A, 2B, 971..976)");
                return null;
            }
            out.add(t.strip());
        }
        return out;
    }

    /** Why an organisation does not fit the role, or null. */
    /**
     * The principal that --role, --name, --territory, --org (or --effector) and --cpts describe, for a token or a
     * person of the roster; null when they do not fit (said on stderr).
     */
    private static Principal principalOf(List<String> a) {
        String role = option(a, "--role");
        Role r;
        try { r = Role.ofWireName(role); } catch (IllegalArgumentException e) {
            System.err.println("unknown role " + role + "; roles: " + Arrays.toString(Role.values()).toLowerCase());
            return null;
        }
        Set<String> territories = territories(option(a, "--territory"));
        if (territories == null) return null;
        String org = r == Role.EFFECTOR ? option(a, "--effector") : option(a, "--org");
        String problem = orgProblem(r, org, territories);
        if (problem != null) {
            System.err.println(problem);
            return null;
        }
        String cpts = option(a, "--cpts");
        Set<String> memberships = new java.util.HashSet<>(cpts == null ? Set.of() : Set.of(cpts.split(",")));
        if (r == Role.COORDINATOR) memberships.add(org);
        return new Principal(null, r, option(a, "--name"), territories, org, memberships);
    }

    static String orgProblem(Role r, String org, Set<String> territories) {
        if (r == Role.EFFECTOR) {
            if (org == null || !fr.snp.dispatch.domain.Ids.isWellFormed(org)
                    || !territories.contains(fr.snp.dispatch.domain.Ids.territoryOf(org))) {
                return "--effector is required for an effector token: the effector's id (e.g. 36-E12), in a served territory";
            }
            return null;
        }
        if (org == null || !org.matches("[A-Z0-9][A-Z0-9-]{1,49}")) {
            return "--org is required: the organisation in capitals, e.g. SAS-36 (regulator, osnp), CPTS-CASTELROUSSINE "
                    + "(coordinator: its CPTS as effectors list it), PHARMACIE-360001234 (pharmacist), CH-CHATEAUROUX "
                    + "(emergency), OPS-36 (ops)";
        }
        return null;
    }

    private static String option(List<String> a, String name) {
        int i = a.indexOf(name);
        return i >= 0 && i + 1 < a.size() ? a.get(i + 1) : null;
    }

    private static int usage() {
        System.err.println("usage: token create --role ROLE --name NAME --territory 36[,18] (--org ORG | --effector ID) [--cpts A,B] [--days N]"
                + " | token scope ID --territory 36[,18] --org ORG | token list | token revoke ID");
        return 2;
    }
}
