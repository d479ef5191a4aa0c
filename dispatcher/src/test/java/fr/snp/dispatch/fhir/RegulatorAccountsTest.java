package fr.snp.dispatch.fhir;

import fr.snp.dispatch.Dispatcher;
import fr.snp.dispatch.config.Settings;
import fr.snp.dispatch.redis.EmbeddedRedis;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.sas.RegulatorAccounts;
import fr.snp.dispatch.sas.RegulatorIdentity;
import fr.snp.dispatch.sas.StoredRegulatorIdentity;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * INT_R02 against a demo server (its {@code /fhir} on the main port, as the demo SAS platform): the IG's own example
 * regulators are accepted, an account first known by its SAS UUID and later by a national id stays one account,
 * {@code active=false} withdraws it, every malformed body is a 400 OperationOutcome that stores nothing, and the
 * push's identity lookup (INT_R03) finds what the accounts say. Its own Redis, so that the test reads the keys.
 */
class RegulatorAccountsTest {
    static final String SAS = "urn:oid:1.2.250.1.213.3.6";
    static final String NAT = "urn:oid:1.2.250.1.71.4.2.1";

    static Path scratch;
    static EmbeddedRedis redisServer;
    static Dispatcher server;
    static Vertx vertx;
    static HttpClient http;
    static RedisClient client;
    static StatefulRedisConnection<String, String> connection;
    static RedisCommands<String, String> redis;

    record Resp(int status, String contentType, String location, String body) {
        JsonObject json() { return new JsonObject(body); }
    }

    @BeforeAll
    static void start() throws Exception {
        scratch = Files.createTempDirectory("snp-regul");
        redisServer = EmbeddedRedis.start(scratch, false);
        server = Dispatcher.start(Settings.defaultsWith(Map.of("redis.url", redisServer.url(), "http.port", "0", "redis.allowUnsafe", "true",
                "http.instances", "1")), true, Clock.systemUTC());
        vertx = Vertx.vertx();
        http = vertx.createHttpClient();
        client = RedisClient.create(redisServer.url());
        connection = client.connect();
        redis = connection.sync();
    }

    @AfterAll
    static void stop() throws Exception {
        if (connection != null) connection.close();
        if (client != null) client.shutdown();
        if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        if (server != null) server.close();
        if (redisServer != null) redisServer.close();
        try (var files = Files.walk(scratch)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    static Resp call(HttpMethod method, String uri, String body) throws Exception {
        io.vertx.core.Promise<Resp> done = io.vertx.core.Promise.promise();
        vertx.runOnContext(v -> http.request(method, server.port(), "127.0.0.1", uri).compose(req -> {
            req.putHeader("Content-Type", "application/fhir+json");
            return req.send(Buffer.buffer(body)).compose(resp -> resp.body().map(b -> new Resp(resp.statusCode(),
                    resp.getHeader("Content-Type"), resp.getHeader("Location"), b.toString())));
        }).onComplete(done));
        return done.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static Resp post(JsonObject body) throws Exception { return call(HttpMethod.POST, "/fhir/Practitioner", body.encode()); }

    static Resp put(String system, String value, JsonObject body) throws Exception {
        return call(HttpMethod.PUT, "/fhir/Practitioner?identifier=" + system + "%7C" + value, body.encode());
    }

    /** Every account and both indexes, for "a refused call changes nothing stored". */
    static Map<String, String> stored() {
        Map<String, String> all = new TreeMap<>();
        for (String k : redis.keys("*sas-accounts*")) all.put(k, new TreeMap<>(redis.hgetall(k)).toString());
        return all;
    }

    static JsonObject account(String id) { return new JsonObject(redis.hget(Keys.REGULATORS, id)); }

    /** A FrPractitionerRegul with the given identifiers ({system, value} pairs). */
    static JsonObject regulator(boolean active, String... identifiers) {
        JsonArray ids = new JsonArray();
        for (int i = 0; i < identifiers.length; i += 2) {
            ids.add(new JsonObject().put("system", identifiers[i]).put("value", identifiers[i + 1]));
        }
        return new JsonObject().put("resourceType", "Practitioner")
                .put("meta", new JsonObject().put("source", SAS).put("profile", new JsonArray().add(RegulatorBody.PROFILE)))
                .put("identifier", ids).put("active", active)
                .put("name", new JsonArray().add(new JsonObject().put("family", "Durand").put("given", new JsonArray().add("Alix"))))
                .put("telecom", new JsonArray().add(new JsonObject().put("system", "email").put("value", "alix.durand@test.fr")));
    }

    static String nationalId() {
        return "8" + fr.snp.dispatch.domain.Rpps.withCheckDigit(String.format("%010d", (long) (Math.random() * 1e9)));
    }

    @Test
    void theIgsExampleRegulatorsAreAccepted() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i : new int[]{1, 2, 4}) {
            Resp r = post(new JsonObject(SasValidatorTest.example("Practitioner-ExamplePractitionerRegul" + i + ".json")));
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            assertThat(r.contentType()).startsWith("application/fhir+json");
            String id = r.json().getString("id");
            assertThat(r.location()).endsWith("/fhir/Practitioner/" + id);
            ids.add(id);
        }
        JsonObject a = account(ids.get(0));
        assertThat(a.getString("nationalId")).isEqualTo("3456780581/11242343");
        assertThat(a.getString("family")).isEqualTo("Loridon");
        assertThat(a.getString("given")).isEqualTo("Sébastien");
        assertThat(a.getString("email")).isEqualTo("sebastien.loridon@test.com");
        assertThat(a.getBoolean("active")).isTrue();
        assertThat(a.getString("org")).isEqualTo("SAS-PLATFORM");
        assertThat(a.getJsonArray("territories").getList()).containsExactly("36", "85");
        assertThat(account(ids.get(2)).getString("uuid")).isEqualTo("1ef1c748-01a3-6180-b098-73283ce4e5b1");
        // example 3 is example 2's person withdrawn (same national id, active false): the same account, now inactive
        Resp r = post(new JsonObject(SasValidatorTest.example("Practitioner-ExamplePractitionerRegul3.json")));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().getString("id")).isEqualTo(ids.get(1));
        assertThat(account(ids.get(1)).getBoolean("active")).isFalse();
    }

    @Test
    void anAccountKnownByItsUuidThenByANationalIdIsOnePerson() throws Exception {
        String uuid = UUID.randomUUID().toString(), nat = nationalId();
        int before = redis.hlen(Keys.REGULATORS).intValue();
        Resp created = put(SAS, uuid, regulator(true, SAS, uuid));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().getString("id");
        Resp again = put(SAS, uuid, regulator(true, SAS, uuid));
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        Resp withNat = put(NAT, nat, regulator(true, SAS, uuid, NAT, nat));
        assertThat(withNat.status()).as(withNat.body()).isEqualTo(200);
        assertThat(withNat.json().getString("id")).isEqualTo(id);
        // and known by the national id alone from now on
        Resp byNat = put(NAT, nat, regulator(true, NAT, nat));
        assertThat(byNat.status()).as(byNat.body()).isEqualTo(200);
        assertThat(byNat.json().getString("id")).isEqualTo(id);
        assertThat(redis.hlen(Keys.REGULATORS).intValue()).isEqualTo(before + 1);
        assertThat(account(id).getString("uuid")).isEqualTo(uuid);
        assertThat(account(id).getString("nationalId")).isEqualTo(nat);
        assertThat(redis.hget(Keys.REGULATORS_BY_NATIONAL_ID, nat)).isEqualTo(id);

        // withdrawn at once
        Resp off = put(SAS, uuid, regulator(false, SAS, uuid));
        assertThat(off.status()).as(off.body()).isEqualTo(200);
        assertThat(account(id).getBoolean("active")).isFalse();
        // the push's lookup goes by national id
        var accounts = new RegulatorAccounts(connection.async(), System::currentTimeMillis);
        assertThat(accounts.byNationalId(nat).toCompletableFuture().get().getString("id")).isEqualTo(id);
    }

    /** The Location of a creation can be read: the account as known now, a valid FrPractitionerRegul, to its platform only. */
    @Test
    void anAccountIsReadBackAtItsLocationByItsPlatformOnly() throws Exception {
        String uuid = UUID.randomUUID().toString(), nat = nationalId();
        Resp created = put(SAS, uuid, regulator(true, SAS, uuid));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String path = created.location().substring(created.location().indexOf("/fhir/"));
        assertThat(put(NAT, nat, regulator(false, SAS, uuid, NAT, nat)).status()).isEqualTo(200);
        Resp read = call(HttpMethod.GET, path, "");
        assertThat(read.status()).as(read.body()).isEqualTo(200);
        JsonObject r = read.json();
        assertThat(r.getString("id")).isEqualTo(created.json().getString("id"));
        assertThat(r.getBoolean("active")).isFalse();
        assertThat(r.getJsonArray("identifier").stream().map(o -> ((JsonObject) o).getString("value")).toList())
                .containsExactly(nat, uuid);
        assertThat(r.getJsonArray("name").getJsonObject(0).getString("family")).isEqualTo("Durand");
        assertThat(SasValidator.errors(r.encode())).as("FrPractitionerRegul beyond the FR Core gaps").isEmpty();
        // another platform's account is not known here, to this caller
        String id = r.getString("id");
        redis.hset(Keys.REGULATORS, id, account(id).put("org", "OTHER-PLATFORM").encode());
        Resp other = call(HttpMethod.GET, path, "");
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.json().getString("resourceType")).isEqualTo("OperationOutcome");
        assertThat(other.body()).doesNotContain("Durand");
        assertThat(call(HttpMethod.GET, "/fhir/Practitioner/R00000000000000000000", "").status()).isEqualTo(404);
    }

    /**
     * Staff data leaves too: the retention pass forgets an account withdrawn before its cut-off (with both index
     * entries), keeps an active one and one withdrawn since, and one given the right again has no withdrawal date.
     */
    @Test
    void theRetentionPassForgetsAccountsWithdrawnLongEnoughAgo() throws Exception {
        String oldUuid = UUID.randomUUID().toString(), oldNat = nationalId();
        String backUuid = UUID.randomUUID().toString(), activeUuid = UUID.randomUUID().toString();
        String oldId = put(SAS, oldUuid, regulator(true, SAS, oldUuid, NAT, oldNat)).json().getString("id");
        String backId = put(SAS, backUuid, regulator(true, SAS, backUuid)).json().getString("id");
        String activeId = put(SAS, activeUuid, regulator(true, SAS, activeUuid)).json().getString("id");
        assertThat(account(oldId).containsKey("withdrawnMs")).isFalse();
        assertThat(put(SAS, oldUuid, regulator(false, SAS, oldUuid)).status()).isEqualTo(200);
        long withdrawn = account(oldId).getLong("withdrawnMs");
        // a second withdrawal keeps the first date
        Thread.sleep(5);
        assertThat(put(SAS, oldUuid, regulator(false, SAS, oldUuid)).status()).isEqualTo(200);
        assertThat(account(oldId).getLong("withdrawnMs")).isEqualTo(withdrawn);
        assertThat(put(SAS, backUuid, regulator(false, SAS, backUuid)).status()).isEqualTo(200);
        assertThat(put(SAS, backUuid, regulator(true, SAS, backUuid)).status()).isEqualTo(200);
        assertThat(account(backId).containsKey("withdrawnMs")).isFalse();

        var accounts = new RegulatorAccounts(connection.async(), System::currentTimeMillis);
        // a cut-off before the withdrawal forgets nothing of these
        accounts.forgetWithdrawnBefore(withdrawn).toCompletableFuture().get();
        assertThat(redis.hexists(Keys.REGULATORS, oldId)).isTrue();
        long forgotten = accounts.forgetWithdrawnBefore(withdrawn + 1).toCompletableFuture().get();
        assertThat(forgotten).isGreaterThanOrEqualTo(1);
        assertThat(redis.hexists(Keys.REGULATORS, oldId)).isFalse();
        assertThat(redis.hexists(Keys.REGULATORS_BY_UUID, oldUuid)).isFalse();
        assertThat(redis.hexists(Keys.REGULATORS_BY_NATIONAL_ID, oldNat)).isFalse();
        assertThat(redis.hexists(Keys.REGULATORS, backId)).isTrue();
        assertThat(redis.hexists(Keys.REGULATORS, activeId)).isTrue();
        assertThat(redis.hget(Keys.REGULATORS_BY_UUID, activeUuid)).isEqualTo(activeId);
        // the same person sent again later is a new account
        Resp again = put(SAS, oldUuid, regulator(true, SAS, oldUuid));
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.json().getString("id")).isNotEqualTo(oldId);
    }

    @Test
    void twoAccountsAreNeverMergedAndAnIdNeverReplaced() throws Exception {
        String u1 = UUID.randomUUID().toString(), u2 = UUID.randomUUID().toString(), nat = nationalId();
        assertThat(put(SAS, u1, regulator(true, SAS, u1)).status()).isEqualTo(201);
        assertThat(put(NAT, nat, regulator(true, NAT, nat)).status()).isEqualTo(201);
        Map<String, String> before = stored();
        Resp merge = put(SAS, u1, regulator(true, SAS, u1, NAT, nat));
        assertThat(merge.status()).as(merge.body()).isEqualTo(422);
        assertThat(merge.json().getString("resourceType")).isEqualTo("OperationOutcome");
        assertThat(stored()).isEqualTo(before);
        Resp add = put(NAT, nat, regulator(true, SAS, u2, NAT, nat));
        assertThat(add.status()).as(add.body()).isEqualTo(200); // u2 unknown: the national-id account gets it
        Map<String, String> after = stored();
        Resp replaceAgain = put(NAT, nat, regulator(true, SAS, UUID.randomUUID().toString(), NAT, nat));
        assertThat(replaceAgain.status()).as(replaceAgain.body()).isEqualTo(422);
        assertThat(stored()).isEqualTo(after);
        assertThat(after).isNotEqualTo(before);
    }

    @Test
    void everyMalformedBodyIsA400ThatStoresNothing() throws Exception {
        String uuid = UUID.randomUUID().toString();
        JsonObject good = regulator(true, SAS, uuid);
        Map<String, UnaryOperator<JsonObject>> faults = new java.util.LinkedHashMap<>();
        faults.put("wrong resourceType", j -> j.put("resourceType", "Patient"));
        faults.put("no resourceType", j -> { j.remove("resourceType"); return j; });
        faults.put("no meta", j -> { j.remove("meta"); return j; });
        faults.put("no meta.source", j -> { j.getJsonObject("meta").remove("source"); return j; });
        faults.put("another meta.source", j -> { j.getJsonObject("meta").put("source", "urn:oid:1.2.250.1.71.4.2.1"); return j; });
        faults.put("no active", j -> { j.remove("active"); return j; });
        faults.put("active as text", j -> j.put("active", "true"));
        faults.put("no name", j -> { j.remove("name"); return j; });
        faults.put("empty name", j -> j.put("name", new JsonArray()));
        faults.put("no family", j -> { j.getJsonArray("name").getJsonObject(0).remove("family"); return j; });
        faults.put("no given", j -> { j.getJsonArray("name").getJsonObject(0).remove("given"); return j; });
        faults.put("blank given", j -> { j.getJsonArray("name").getJsonObject(0).put("given", new JsonArray().add(" ")); return j; });
        faults.put("no identifier", j -> { j.remove("identifier"); return j; });
        faults.put("empty identifier", j -> j.put("identifier", new JsonArray()));
        faults.put("unknown system", j -> j.put("identifier", new JsonArray().add(new JsonObject()
                .put("system", "urn:oid:1.2.250.1.71.4.2.2").put("value", "12345"))));
        faults.put("identifier without value", j -> j.put("identifier", new JsonArray().add(new JsonObject().put("system", SAS))));
        faults.put("uuid that is not one", j -> j.put("identifier", new JsonArray().add(new JsonObject()
                .put("system", SAS).put("value", "not-a-uuid"))));
        faults.put("two uuids", j -> { j.getJsonArray("identifier").add(new JsonObject().put("system", SAS)
                .put("value", UUID.randomUUID().toString())); return j; });
        faults.put("email not an address", j -> j.put("telecom", new JsonArray().add(new JsonObject()
                .put("system", "email").put("value", "nobody"))));
        Map<String, String> before = stored();
        for (var f : faults.entrySet()) {
            for (boolean viaPut : new boolean[]{false, true}) {
                JsonObject body = f.getValue().apply(good.copy());
                Resp r = viaPut ? put(SAS, uuid, body) : post(body);
                assertThat(r.status()).as(f.getKey() + (viaPut ? " (PUT)" : " (POST)") + ": " + r.body()).isEqualTo(400);
                assertThat(r.json().getString("resourceType")).as(f.getKey()).isEqualTo("OperationOutcome");
                assertThat(r.body()).as(f.getKey() + ": nothing of the body is echoed").doesNotContain("Durand", "alix.durand");
            }
        }
        for (String raw : new String[]{"", "not json", "[]", "{\"resourceType\":", "42"}) {
            Resp r = call(HttpMethod.POST, "/fhir/Practitioner", raw);
            assertThat(r.status()).as("'" + raw + "': " + r.body()).isEqualTo(400);
            assertThat(r.json().getString("resourceType")).isEqualTo("OperationOutcome");
        }
        // a PUT whose query names an identifier the body lacks, or none, or an unknown system
        String other = UUID.randomUUID().toString();
        for (String uri : new String[]{"/fhir/Practitioner?identifier=" + SAS + "%7C" + other,
                "/fhir/Practitioner?identifier=" + NAT + "%7C" + nationalId(), "/fhir/Practitioner",
                "/fhir/Practitioner?identifier=" + other, "/fhir/Practitioner?identifier=urn:oid:1.2.3%7C" + uuid}) {
            Resp r = call(HttpMethod.PUT, uri, good.encode());
            assertThat(r.status()).as(uri + ": " + r.body()).isEqualTo(400);
            assertThat(r.json().getString("resourceType")).isEqualTo("OperationOutcome");
        }
        assertThat(stored()).isEqualTo(before);
        // and the good body itself goes through (the faults above are the only difference)
        assertThat(put(SAS, uuid, good).status()).isEqualTo(201);
    }

    @Test
    void thePushFindsWhatTheAccountsSay() throws Exception {
        var async = connection.async();
        var accounts = new RegulatorAccounts(async, System::currentTimeMillis);
        // a roster person known to this server by the SAS UUID only (the platform had sent no national id yet)
        String uuid = UUID.randomUUID().toString(), nat = nationalId(), person = "p-" + UUID.randomUUID();
        redis.hset(Keys.ROSTER, "test|" + person, new JsonObject().put("id", person).put("sasUuid", uuid).encode());
        assertThat(put(SAS, uuid, regulator(true, SAS, uuid)).status()).isEqualTo(201);
        assertThat(new StoredRegulatorIdentity(async, accounts).of(person).toCompletableFuture().get())
                .isEqualTo(new RegulatorIdentity.Operator(RegulatorIdentity.Kind.INTRN, uuid));
        // the platform later sends the national id: the next push names the regulator by it
        Resp r = put(NAT, nat, regulator(true, SAS, uuid, NAT, nat));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        var identity = new StoredRegulatorIdentity(async, accounts);
        assertThat(identity.of(person).toCompletableFuture().get())
                .isEqualTo(new RegulatorIdentity.Operator(RegulatorIdentity.Kind.IDNPS, nat));
        // a principal that is the account itself
        assertThat(identity.of(r.json().getString("id")).toCompletableFuture().get())
                .isEqualTo(new RegulatorIdentity.Operator(RegulatorIdentity.Kind.IDNPS, nat));
    }
}
