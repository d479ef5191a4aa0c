package fr.snp.dispatch.sas;

import fr.snp.dispatch.domain.Rpps;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The regulators' SAS identities as this server stores them:
 * <ul>
 *   <li>a person on the roster signed in with Pro Santé Connect, whose subject is their national id ("8" + a valid
 *   RPPS: {@code oidc.subjectClaim=SubjectNameID}): IDNPS with that subject;</li>
 *   <li>a roster entry or an API token whose stored JSON has {@code "rpps"} (11 digits, or 12 with the "8"): IDNPS;
 *   else {@code "sasUuid"}: INTRN with it (a desk's token stands for one regulator only if made for one).</li>
 *   <li>then the platform's own accounts ({@link RegulatorAccounts}, INT_R02) complete it: a principal whose SAS UUID
 *   names an account that has since received a national id is pushed with that national id (what is known then);
 *   a national id with an account stays that national id; a principal whose id is an account's id (a regulator
 *   signed in as that account) is pushed with the account's national id, else its UUID.</li>
 * </ul>
 * A regulator signed in as their account ({@code oidc.sasAccounts}) has the account's id as principal id. A withdrawn
 * account ({@code active=false}) still names who booked before: the push reports history, not rights.
 * The lists are read whole (they are small: people and software of one server) and kept a minute: a
 * {@code sasUuid} added to a token by hand is used by the next retry within that time.
 */
public final class StoredRegulatorIdentity implements RegulatorIdentity {
    private static final long CACHE_MS = 60_000;

    private final RedisClusterAsyncCommands<String, String> redis;
    private final RegulatorAccounts accounts;
    private volatile Map<String, Operator> known = Map.of();
    private volatile long untilMs;

    public StoredRegulatorIdentity(RedisClusterAsyncCommands<String, String> redis, RegulatorAccounts accounts) {
        this.redis = redis;
        this.accounts = accounts;
    }

    @Override
    public CompletionStage<Operator> of(String principalId) {
        long now = System.currentTimeMillis();
        if (now < untilMs && known.containsKey(principalId)) return CompletableFuture.completedFuture(known.get(principalId));
        return redis.hgetall(Keys.ROSTER).thenCombine(redis.hgetall(Keys.TOKENS), (people, tokens) -> {
            Map<String, Operator> all = new HashMap<>();
            people.values().forEach(json -> add(all, new JsonObject(json)));
            tokens.values().forEach(json -> add(all, new JsonObject(json)));
            return all;
        }).thenCombine(accounts.all(), (all, byId) -> {
            Map<String, JsonObject> byUuid = new HashMap<>();
            byId.values().forEach(a -> { if (a.getString("uuid") != null) byUuid.put(a.getString("uuid"), a); });
            all.replaceAll((id, op) -> completed(op, byUuid));
            byId.forEach((id, a) -> {
                Operator op = ofAccount(a);
                if (op != null) all.putIfAbsent(id, op);
            });
            known = all;
            untilMs = now + CACHE_MS;
            return all.get(principalId);
        });
    }

    private static void add(Map<String, Operator> all, JsonObject j) {
        Operator op = operator(j);
        if (op != null && j.getString("id") != null) all.put(j.getString("id"), op);
    }

    /** The operator a stored principal stands for, or null (package-visible for the tests). */
    static Operator operator(JsonObject j) {
        String rpps = Rpps.normalise(j.getString("rpps"));
        String subject = j.getString("subject", "");
        // only the prefixed form of a subject: any provider's 11-digit subject is not an RPPS for that
        if (rpps == null && subject.length() == 12) rpps = Rpps.normalise(subject);
        if (rpps != null) return new Operator(Kind.IDNPS, "8" + rpps);
        String uuid = j.getString("sasUuid");
        return uuid == null || uuid.isBlank() ? null : new Operator(Kind.INTRN, uuid.strip());
    }

    /** A UUID operator whose account has received a national id since: that national id (the IDNPS is preferred). */
    static Operator completed(Operator op, Map<String, JsonObject> accountsByUuid) {
        if (op == null || op.kind() != Kind.INTRN) return op;
        JsonObject a = accountsByUuid.get(op.value());
        String nationalId = a == null ? null : a.getString("nationalId");
        return nationalId == null ? op : new Operator(Kind.IDNPS, nationalId);
    }

    /** The operator of an account: its national id, else its SAS UUID. */
    static Operator ofAccount(JsonObject a) {
        if (a.getString("nationalId") != null) return new Operator(Kind.IDNPS, a.getString("nationalId"));
        return a.getString("uuid") == null ? null : new Operator(Kind.INTRN, a.getString("uuid"));
    }
}
