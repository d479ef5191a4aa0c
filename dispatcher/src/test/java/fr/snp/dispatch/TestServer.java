package fr.snp.dispatch;

import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.config.Settings;
import fr.snp.dispatch.domain.Role;
import fr.snp.dispatch.redis.EmbeddedRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real redis-server on a free port (the PATH one, else the bundled binary), a dispatcher on a free HTTP port
 * against it, and one token per role (created through the real token store, so stored hashed).
 */
public final class TestServer implements AutoCloseable {
    private static final AtomicInteger RPPS_SEQ = new AtomicInteger(1000);
    /** The tests' link keys: the second, older one still verifies. */
    public static final String LINK_KEYS = fr.snp.dispatch.notifications.LinkKeys.fresh("t2") + ","
            + fr.snp.dispatch.notifications.LinkKeys.fresh("t1");

    /** The Redis this server made (null: one of the test's, see {@link #onRedis}). */
    public final EmbeddedRedis redisServer;
    private final String redisUrl;
    public final Dispatcher dispatcher;
    public final Api api;
    public final RedisCommands<String, String> redis;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    public final Map<Role, String> tokens = new EnumMap<>(Role.class);

    /** The temporary data directory this server made for its Redis, deleted at close (null: the caller's). */
    private java.nio.file.Path scratch;

    private TestServer(EmbeddedRedis redisServer, String redisUrl, Dispatcher dispatcher) throws Exception {
        this.redisServer = redisServer;
        this.redisUrl = redisUrl;
        this.dispatcher = dispatcher;
        this.api = new Api("http://127.0.0.1:" + dispatcher.port());
        this.client = RedisClient.create(redisUrl);
        this.connection = client.connect();
        this.redis = connection.sync();
        for (Role r : Role.values()) tokens.put(r, token(r, "test " + r.wireName(), defaultOrg(r), Set.of("CPTS-TEST")));
    }

    public static TestServer start() throws Exception { return start(Map.of()); }

    public static TestServer start(Map<String, String> settings) throws Exception {
        return start(settings, Clock.systemUTC());
    }

    /** With a clock of the test's (see {@link fr.snp.dispatch.sim.SimulationClock}). */
    public static TestServer start(Map<String, String> settings, Clock clock) throws Exception {
        java.nio.file.Path scratch = Files.createTempDirectory("snp-redis");
        TestServer server = start(settings, clock, EmbeddedRedis.start(scratch, false));
        server.scratch = scratch; // this server's own: removed when it closes
        return server;
    }

    /** With Redis keeping its append-only file in {@code redisDataDir}, as a deployment's does (the retention test reads it). */
    public static TestServer startPersistent(Map<String, String> settings, Clock clock, java.nio.file.Path redisDataDir)
            throws Exception {
        return start(settings, clock, EmbeddedRedis.start(redisDataDir, true));
    }

    /** A dispatcher on a Redis the test runs itself (a master with a replica…); that Redis stays the test's to stop. */
    public static TestServer onRedis(String redisUrl, Map<String, String> settings) throws Exception {
        return start(settings, Clock.systemUTC(), redisUrl, null);
    }

    /**
     * The zero-setup default: no redis.url, the dispatcher starts (and supervises) its own embedded Redis with its AOF
     * in {@code redisDataDir}; {@link #redisServer} is that one.
     */
    public static TestServer startEmbedded(Map<String, String> settings, java.nio.file.Path redisDataDir) throws Exception {
        Map<String, String> s = new HashMap<>(settings);
        s.put("redis.url", "");
        s.put("redis.embedded.dataDir", redisDataDir.toString());
        s.put("http.port", "0");
        s.putIfAbsent("http.instances", "2");
        s.putIfAbsent("links.keys", LINK_KEYS);
        s.putIfAbsent("limits.writesPerMinute", "0");
        s.putIfAbsent("limits.activeHoldsPerPrincipal", "0");
        s.putIfAbsent("limits.liveStreamsPerPrincipal", "0");
        Dispatcher d = Dispatcher.start(Settings.defaultsWith(s), false, Clock.systemUTC());
        try {
            return new TestServer(d.embeddedRedis(), d.embeddedRedis().url(), d);
        } catch (Exception | Error failed) {
            d.close();
            throw failed;
        }
    }

    private static TestServer start(Map<String, String> settings, Clock clock, EmbeddedRedis redis) throws Exception {
        return start(settings, clock, redis.url(), redis);
    }

    private static TestServer start(Map<String, String> settings, Clock clock, String redisUrl, EmbeddedRedis redis)
            throws Exception {
        Map<String, String> s = new HashMap<>(settings);
        s.put("redis.url", redisUrl);
        s.put("http.port", "0");
        s.putIfAbsent("http.instances", "2");
        s.putIfAbsent("links.keys", LINK_KEYS); // shared by a second instance, as a deployment would
        // one token per role serves every test of a class: the per-principal limits are off unless a test sets them
        // (limits/FloodLimitsTest)
        s.putIfAbsent("limits.writesPerMinute", "0");
        s.putIfAbsent("limits.activeHoldsPerPrincipal", "0");
        s.putIfAbsent("limits.liveStreamsPerPrincipal", "0");
        // the tests' Redis keeps no append-only file (speed): accepted here, refused in a deployment
        s.putIfAbsent("redis.allowUnsafe", "true");
        try {
            return new TestServer(redis, redisUrl, Dispatcher.start(Settings.defaultsWith(s), false, clock));
        } catch (Exception | Error failed) {
            if (redis != null) redis.close(); // no redis-server left behind by a server that did not start
            throw failed;
        }
    }

    /** A second dispatcher on the same Redis (another instance of a deployment). */
    public Dispatcher secondInstance() throws Exception {
        return Dispatcher.start(Settings.defaultsWith(Map.of("redis.url", redisUrl, "http.port", "0",
                "http.instances", "1", "links.keys", LINK_KEYS,
                "redis.allowUnsafe", "true")), false, Clock.systemUTC());
    }

    /** A second dispatcher on the same Redis with some settings of the test's (e.g. the same limits). */
    public Dispatcher secondInstance(Map<String, String> settings) throws Exception {
        Map<String, String> s = new HashMap<>(settings);
        s.put("redis.url", redisUrl);
        s.put("http.port", "0");
        s.put("http.instances", "1");
        s.putIfAbsent("redis.allowUnsafe", "true");
        return Dispatcher.start(Settings.defaultsWith(s), false, Clock.systemUTC());
    }

    /** The organisation of the standard token of each role: one SAS, one CPTS (the test effectors'), one pharmacy… */
    public static String defaultOrg(Role r) {
        return switch (r) {
            case REGULATOR, OSNP -> "SAS-36";
            case COORDINATOR -> "CPTS-TEST";
            case PHARMACIST -> "PHARMACIE-TEST";
            case EMERGENCY -> "CH-TEST";
            case EFFECTOR -> "36-E999999"; // no such effector: tests that act as a doctor make a token for theirs
            case OPS -> "OPS-36";
            case DPO -> "DPO-36";
        };
    }

    private static final AtomicInteger ORGS = new AtomicInteger();

    /** A token serving Indre (36); {@code org} null: an organisation of its own (another pharmacy, another SAS…). */
    public String token(Role role, String name, String org, Set<String> cpts) throws Exception {
        return token(role, name, Set.of("36"), org == null ? "ORG-" + ORGS.incrementAndGet() : org, cpts);
    }

    public String token(Role role, String name, Set<String> territories, String org, Set<String> cpts) throws Exception {
        return dispatcher.services().tokens().create(new Principal(null, role, name, territories, org, cpts))
                .toCompletableFuture().get(5, TimeUnit.SECONDS).getKey();
    }

    public String token(Role role) { return tokens.get(role); }

    // --- fixtures through the API --------------------------------------------------------------------------------

    /** Creates an effector practising in a commune of Indre; returns its id. */
    public String effector(String communeInsee, JsonObject extra) {
        String rpps = fr.snp.dispatch.domain.Rpps.withCheckDigit(String.format("10%08d", RPPS_SEQ.incrementAndGet()));
        JsonObject body = new JsonObject().put("rpps", rpps).put("firstName", "Test").put("lastName", "Effecteur" + rpps)
                .put("specialty", "SM54").put("cpts", new JsonArray().add("CPTS-TEST"))
                .put("locations", new JsonArray().add(new JsonObject().put("name", "Cabinet").put("communeInsee", communeInsee)
                        .put("accessible", true)));
        if (extra != null) body.mergeIn(extra);
        Api.Response r = api.post("/api/v1/effectors", token(Role.COORDINATOR), body);
        if (r.status() != 201) throw new IllegalStateException("effector not created: " + r);
        return r.json().getString("id");
    }

    /** Publishes one slot starting {@code inMinutes} from now (rounded to the minute); returns its id. */
    public String slot(String effectorId, int inMinutes, String mode, String... audiences) {
        OffsetDateTime start = java.time.Instant.ofEpochMilli(dispatcher.services().nowMs()).atZone(ZoneId.of("Europe/Paris"))
                .toOffsetDateTime().truncatedTo(ChronoUnit.MINUTES).plusMinutes(inMinutes);
        JsonObject body = new JsonObject().put("effectorId", effectorId).put("start", start.toString())
                .put("end", start.plusMinutes(20).toString()).put("mode", mode)
                .put("audiences", new JsonArray(java.util.List.of(audiences.length == 0 ? new String[]{"SNP"} : audiences)));
        Api.Response r = api.post("/api/v1/slots", token(Role.COORDINATOR), body);
        if (r.status() != 201) throw new IllegalStateException("slot not created: " + r);
        return r.json().getString("id");
    }

    /** Files a request from the given role for a patient of a commune; returns the whole response. */
    public Api.Response request(Role role, String origin, String communeInsee, JsonObject need) {
        JsonObject body = new JsonObject().put("origin", origin)
                .put("patient", new JsonObject().put("initials", "TP").put("birthYear", 1960).put("phone", "0612345678")
                        .put("communeInsee", communeInsee));
        if (need != null) body.put("need", need);
        return api.post("/api/v1/requests", token(role), body);
    }

    public String requestId(Role role, String origin) {
        Api.Response r = request(role, origin, "36044", null);
        if (r.status() != 201) throw new IllegalStateException("request not created: " + r);
        return r.json().getString("id");
    }

    public static Duration seconds(long s) { return Duration.ofSeconds(s); }

    /**
     * Every stored key with its content, for "a refused call changes nothing stored". Left out: the audit trail
     * (refused calls are traced too) and a token's last use, which move on any call; and the write-rate counters
     * unless {@code withRateCounters} (every attempted write counts, a refused one too).
     */
    public Map<String, String> stored(boolean withRateCounters) {
        Map<String, String> all = new java.util.TreeMap<>();
        for (String k : redis.keys("*")) {
            if (!withRateCounters && k.startsWith("snp:rate:")) continue;
            if (k.endsWith(":audit") || k.equals("snp:tokens:used")) continue;
            String type = redis.type(k);
            String v = switch (type) {
                case "string" -> redis.get(k);
                case "hash" -> new java.util.TreeMap<>(redis.hgetall(k)).toString();
                case "zset" -> redis.zrangeWithScores(k, 0, -1).toString();
                case "set" -> new java.util.TreeSet<>(redis.smembers(k)).toString();
                case "stream" -> String.valueOf(redis.xlen(k));
                default -> type;
            };
            all.put(k, v);
        }
        return all;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
        dispatcher.close();
        if (redisServer != null) redisServer.close();
        if (scratch != null) {
            try (var files = Files.walk(scratch)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (java.io.IOException ignored) {
                // a temporary directory left behind costs a little disk, not a failed test
            }
        }
    }
}
