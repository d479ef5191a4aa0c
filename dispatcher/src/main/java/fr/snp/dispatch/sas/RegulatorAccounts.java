package fr.snp.dispatch.sas;

import fr.snp.dispatch.redis.Key;
import fr.snp.dispatch.redis.Keys;
import fr.snp.dispatch.redis.LuaScript;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * The regulator accounts the national SAS platform creates and updates (INT_R02, {@code FrPractitionerRegul}): one JSON
 * per account in {@link Keys#REGULATORS}, indexed by the SAS technical UUID and by the national id ("8" + RPPS, or
 * the structured ADELI form the IG's examples show). Written by one script ({@code upsert_regulator.lua}) so that an
 * account first known by one identifier and later by both stays one person, whatever the order of concurrent calls.
 * <p>
 * An account records who the platform says the person is (names, e-mail: staff data, not patient data), whether it
 * is active ({@code active=false} withdraws at once: the next lookup sees it), and the platform that sent it (its
 * organisation and territories, from its certificate): another platform cannot change it.
 * <p>
 * <b>Signing in as an account.</b> A person who signs in (Pro Santé Connect: their subject is their national id,
 * "8" + RPPS) and is not on the roster is the regulator of the active account with that national id, if any
 * ({@code oidc.sasAccounts}): role regulator, the platform's organisation and territories, the account's id as
 * principal id (so that the INT_R03 push names them as the platform knows them). Read at every request, without a
 * cache: {@code active=false} withdraws the right at the next request, and the live feed's next check closes their
 * streams. Their holds stay until they expire, as the platform expects. An account known only by its SAS UUID cannot
 * sign in here (no identity provider vouches for a UUID): such regulators keep a roster entry or a desk token with
 * {@code sasUuid}.
 */
public final class RegulatorAccounts implements fr.snp.dispatch.auth.Roster.Accounts {

    /** The call record of {@code upsert_regulator.lua}: keys first, in the order of its header. */
    public record Upsert(@Key String accounts, @Key String byUuid, @Key String byNationalId, String uuid, String nationalId,
                         String newId, String json, long nowMs) {}

    static final LuaScript<Upsert> UPSERT = LuaScript.beside(RegulatorAccounts.class, "upsert_regulator.lua", Upsert.class);

    /** The call record of {@code forget_regulators.lua}. */
    public record Forget(@Key String accounts, @Key String byUuid, @Key String byNationalId, long beforeMs) {}

    static final LuaScript<Forget> FORGET = LuaScript.beside(RegulatorAccounts.class, "forget_regulators.lua", Forget.class);

    public static List<LuaScript<?>> scripts() { return List.of(UPSERT, FORGET); }

    /** What the platform sent, checked (see FhirRoutes): at least one of uuid and nationalId is set. */
    public record Account(String uuid, String nationalId, String family, String given, String email, boolean active) {}

    /** The answer: created or updated (with the account's id), or refused for the business reason given. */
    public record Saved(boolean created, String id, String refusal) {}

    private final RedisClusterAsyncCommands<String, String> redis;
    private final LongSupplier nowMs;

    public RegulatorAccounts(RedisClusterAsyncCommands<String, String> redis, LongSupplier nowMs) {
        this.redis = redis;
        this.nowMs = nowMs;
    }

    /** Creates or updates the account of {@code a} for the platform {@code org} serving {@code territories}. */
    public CompletionStage<Saved> save(Account a, String org, Set<String> territories) {
        JsonObject fields = new JsonObject().put("family", a.family()).put("given", a.given()).put("active", a.active())
                .put("org", org).put("territories", new JsonArray(List.copyOf(new TreeSet<>(territories))));
        if (a.email() != null) fields.put("email", a.email());
        // the id is ours, not the platform's: a person may come with either identifier first
        String newId = "R" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        Upsert call = new Upsert(Keys.REGULATORS, Keys.REGULATORS_BY_UUID, Keys.REGULATORS_BY_NATIONAL_ID,
                a.uuid() == null ? "" : a.uuid(), a.nationalId() == null ? "" : a.nationalId(), newId, fields.encode(),
                nowMs.getAsLong());
        return UPSERT.<List<Object>>run(redis, ScriptOutputType.MULTI, call).thenApply(r -> {
            String status = (String) r.get(0);
            return switch (status) {
                case "created" -> new Saved(true, (String) r.get(1), null);
                case "updated" -> new Saved(false, (String) r.get(1), null);
                default -> new Saved(false, null, (String) r.get(1));
            };
        });
    }

    /**
     * The retention pass: forgets the accounts withdrawn before {@code beforeMs} (see {@code sas.accountRetentionDays});
     * answers how many.
     */
    public CompletionStage<Long> forgetWithdrawnBefore(long beforeMs) {
        return FORGET.<Long>run(redis, ScriptOutputType.INTEGER,
                new Forget(Keys.REGULATORS, Keys.REGULATORS_BY_UUID, Keys.REGULATORS_BY_NATIONAL_ID, beforeMs));
    }

    /** Every account by its id (a few thousand at most: the regulators of the platforms this server serves). */
    public CompletionStage<Map<String, JsonObject>> all() {
        return redis.hgetall(Keys.REGULATORS).thenApply(m -> {
            Map<String, JsonObject> out = new java.util.HashMap<>();
            m.forEach((id, json) -> out.put(id, new JsonObject(json)));
            return out;
        });
    }

    /** Whether an id is of the form this class gives accounts ("R" + 20 hex digits: never an effector's "36-E…"). */
    public static boolean isAccountId(String id) { return id != null && id.matches("R[0-9a-f]{20}"); }

    /** The account of an id, or null. */
    public CompletionStage<JsonObject> byId(String id) {
        return redis.hget(Keys.REGULATORS, id).thenApply(json -> json == null ? null : new JsonObject(json));
    }

    /** The account of a national id, or null. */
    public CompletionStage<JsonObject> byNationalId(String nationalId) { return by(Keys.REGULATORS_BY_NATIONAL_ID, nationalId); }

    /** The account of a SAS UUID, or null. */
    public CompletionStage<JsonObject> byUuid(String uuid) { return by(Keys.REGULATORS_BY_UUID, uuid); }

    /** The regulator an active account with this national id stands for, or null (roster fallback). */
    @Override
    public CompletionStage<fr.snp.dispatch.auth.Principal> find(String subject) {
        return byNationalId(subject).thenApply(RegulatorAccounts::principal);
    }

    /** The same for many subjects: one HMGET of the index, one of the accounts. */
    @Override
    public CompletionStage<Map<String, fr.snp.dispatch.auth.Principal>> current(java.util.Collection<String> subjects) {
        List<String> all = List.copyOf(subjects);
        Map<String, fr.snp.dispatch.auth.Principal> out = new java.util.HashMap<>();
        if (all.isEmpty()) return CompletableFuture.completedFuture(out);
        return redis.hmget(Keys.REGULATORS_BY_NATIONAL_ID, all.toArray(String[]::new)).thenCompose(ids -> {
            Map<String, String> subjectOfId = new java.util.HashMap<>();
            for (io.lettuce.core.KeyValue<String, String> kv : ids) if (kv.hasValue()) subjectOfId.put(kv.getValue(), kv.getKey());
            if (subjectOfId.isEmpty()) return CompletableFuture.completedFuture(out);
            return redis.hmget(Keys.REGULATORS, subjectOfId.keySet().toArray(String[]::new)).thenApply(accounts -> {
                for (io.lettuce.core.KeyValue<String, String> kv : accounts) {
                    fr.snp.dispatch.auth.Principal p = kv.hasValue() ? principal(new JsonObject(kv.getValue())) : null;
                    if (p != null) out.put(subjectOfId.get(kv.getKey()), p);
                }
                return out;
            });
        });
    }

    /** What an account lets its person do: regulate in the platform's territories, while it is active. */
    static fr.snp.dispatch.auth.Principal principal(JsonObject a) {
        if (a == null || !a.getBoolean("active", false)) return null;
        String name = ((a.getString("given", "") + " " + a.getString("family", "")).strip());
        Set<String> territories = new TreeSet<>();
        a.getJsonArray("territories", new JsonArray()).forEach(t -> territories.add(String.valueOf(t)));
        if (territories.isEmpty()) return null;
        return new fr.snp.dispatch.auth.Principal(a.getString("id"), fr.snp.dispatch.domain.Role.REGULATOR,
                name.isEmpty() ? "Régulateur SAS" : name, territories, a.getString("org"), Set.of());
    }

    private CompletionStage<JsonObject> by(String index, String value) {
        if (value == null || value.isEmpty()) return CompletableFuture.completedFuture(null);
        return redis.hget(index, value).thenCompose(id -> id == null ? CompletableFuture.completedFuture(null)
                : redis.hget(Keys.REGULATORS, id).thenApply(json -> json == null ? null : new JsonObject(json)));
    }
}
