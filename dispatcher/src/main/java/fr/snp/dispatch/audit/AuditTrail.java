package fr.snp.dispatch.audit;

import fr.snp.dispatch.auth.Access;
import fr.snp.dispatch.auth.Principal;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Who touched patient data: one append-only stream per territory of who (person or token id, role, organisation),
 * what (action and object id), the answer's status, the client's address and when (the entry's id) — never a patient
 * field. Nothing in the API edits or deletes an entry; entries older than the retention leave by trimming at each
 * write. The data protection officer (role dpo) reads it.
 */
public final class AuditTrail {
    private static final Logger LOG = Logger.getLogger(AuditTrail.class.getName());

    /** One access. {@code atMs} is the stream entry's time. */
    public record Entry(String id, long atMs, String actor, String role, String org, String action, String object,
                        int result, String client) {

        Map<String, String> fields() {
            Map<String, String> f = new LinkedHashMap<>();
            f.put("actor", actor);
            f.put("role", role);
            f.put("org", org);
            f.put("action", action);
            f.put("object", object == null ? "" : object);
            f.put("result", String.valueOf(result));
            f.put("client", client == null ? "" : client);
            return f;
        }

        static Entry of(String id, Map<String, String> f) {
            return new Entry(id, Long.parseLong(id.substring(0, id.indexOf('-'))), f.get("actor"), f.get("role"), f.get("org"),
                    f.get("action"), f.get("object"), Integer.parseInt(f.getOrDefault("result", "0")), f.get("client"));
        }
    }

    private final RedisClusterAsyncCommands<String, String> redis;
    private final long retentionMs;
    private final LongSupplier clock;

    public AuditTrail(RedisClusterAsyncCommands<String, String> redis, int retentionDays, LongSupplier clock) {
        this.redis = redis;
        this.retentionMs = retentionDays * 86_400_000L;
        this.clock = clock;
    }

    /**
     * Appends an access (the entry's id and time are Redis's). Not awaited by the caller's answer; a failure is logged
     * (without the entry's content beyond the action and object id).
     */
    public CompletionStage<String> record(String territory, Entry e) {
        String oldest = Math.max(0, System.currentTimeMillis() - retentionMs) + "-0";
        return redis.xadd(Keys.audit(territory), XAddArgs.Builder.minId(oldest).approximateTrimming(), e.fields())
                .whenComplete((id, error) -> {
                    if (error != null) LOG.warning("audit entry " + e.action() + " " + e.object() + " not written: " + error.getMessage());
                });
    }

    /** The entries of a territory between two times (ms), optionally of one actor and/or one object, oldest first. */
    public CompletionStage<List<Entry>> query(Principal dpo, String territory, long fromMs, long toMs, String actor,
                                              String object, int limit) {
        Access.territory(dpo, territory, "territory");
        return redis.xrange(Keys.audit(territory), Range.create(fromMs + "-0", toMs + "-" + Long.MAX_VALUE),
                Limit.create(0, 100_000)).thenApply(found -> {
            List<Entry> out = new ArrayList<>();
            for (var m : found) {
                Entry e = Entry.of(m.getId(), m.getBody());
                if (actor != null && !actor.equals(e.actor())) continue;
                if (object != null && !object.equals(e.object())) continue;
                out.add(e);
                if (out.size() >= limit) break;
            }
            return out;
        });
    }
}
