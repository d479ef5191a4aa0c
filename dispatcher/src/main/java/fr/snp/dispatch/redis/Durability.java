package fr.snp.dispatch.redis;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * When an acknowledged state change (a booking, a cancellation, feedback, a request's outcome) counts as kept: the
 * one place the stores run those scripts through (reads and transient holds do not come here).
 * <ul>
 *   <li>{@link Level#RELAXED}: answered as soon as Redis ran the script (what Redis' own fsync policy and
 *   asynchronous replication give: up to about a second of acknowledged writes can be lost with the host, and the
 *   writes not yet replicated at a failover).</li>
 *   <li>{@link Level#STRICT}: with {@code replicas} &gt; 0, the script is followed by {@code WAIT replicas timeout} on
 *   the connection that ran it (WAIT counts that connection's own writes); fewer replicas acknowledging in time, or
 *   no answer in time, is {@link OutcomeUnknown} (503: retry with the same Idempotency-Key). With {@code replicas} 0
 *   the single Redis must fsync every write before answering ({@code appendfsync always}), which
 *   {@link #check} verifies at start.</li>
 * </ul>
 * WAIT blocks the connection it runs on: with replicas the durable scripts get a connection of their own, so that a
 * lagging replica delays the state changes (each answered within the time-out) and never the reads. On a Redis
 * Cluster, that connection's link to the master of the script's first key carries both the script and its WAIT (all
 * of a script's keys share one hash tag, so one master ran it).
 */
public final class Durability {
    private static final Logger LOG = Logger.getLogger(Durability.class.getName());

    public enum Level { STRICT, RELAXED }

    /** A state change ran, or may have run, but could not be confirmed kept in time. */
    public static final class OutcomeUnknown extends RuntimeException {
        public OutcomeUnknown(String message) { super(message, null, false, false); }
    }

    private final Level level;
    private final int replicas;
    private final long waitTimeoutMs;
    private final RedisClusterAsyncCommands<String, String> redis;
    private final java.util.concurrent.atomic.LongAdder unknownOutcomes = new java.util.concurrent.atomic.LongAdder();
    /** The durable scripts' own connection when they WAIT, else null. */
    private final RedisConnections.Dedicated waiting;

    /**
     * {@code redis}: the shared connection the scripts run on without WAIT; {@code waiting}: the connection of their
     * own they run on with WAIT (which blocks it), null when they do not wait. {@code replicas} is only used by
     * {@link Level#STRICT}.
     */
    public Durability(Level level, int replicas, long waitTimeoutMs, RedisClusterAsyncCommands<String, String> redis,
                      RedisConnections.Dedicated waiting) {
        if (replicas < 0) throw new IllegalArgumentException("redis.replicas must be 0 or more");
        if (level == Level.STRICT && replicas > 0 && waitTimeoutMs <= 0) {
            throw new IllegalArgumentException("redis.waitTimeoutMs must be more than 0 (WAIT 0 would wait for ever)");
        }
        this.level = level;
        this.replicas = replicas;
        this.waitTimeoutMs = waitTimeoutMs;
        this.redis = redis;
        this.waiting = waits() ? java.util.Objects.requireNonNull(waiting, "a connection for WAIT") : null;
    }

    /** Today's behaviour on the given connection: no WAIT. */
    public static Durability relaxed(RedisClusterAsyncCommands<String, String> redis) {
        return new Durability(Level.RELAXED, 0, 0, redis, null);
    }

    /** "strict", "relaxed", or "auto": strict with an external Redis, relaxed with the embedded one. */
    public static Level level(String setting, boolean embedded) {
        return switch (setting.strip().toLowerCase(Locale.ROOT)) {
            case "strict" -> Level.STRICT;
            case "relaxed" -> Level.RELAXED;
            case "auto", "" -> embedded ? Level.RELAXED : Level.STRICT;
            default -> throw new IllegalArgumentException("redis.durability must be strict, relaxed or auto, not " + setting);
        };
    }

    public Level level() { return level; }

    /** Whether each durable script is followed by a WAIT. */
    public boolean waits() { return level == Level.STRICT && replicas > 0; }

    public int replicas() { return replicas; }

    public long waitTimeoutMs() { return waitTimeoutMs; }

    /**
     * Runs a state-changing script and answers its reply once the change is kept as the level asks: under
     * {@code strict} with replicas, after {@code WAIT} on the same connection saw enough replicas acknowledge.
     */
    public <C extends Record, T> CompletionStage<T> run(LuaScript<C> script, ScriptOutputType type, C call) {
        if (!waits()) return script.run(redis, type, call);
        CompletableFuture<T> done = new CompletableFuture<>();
        waiting.nodeOf(script.keys(call)[0]).whenComplete((node, noNode) -> {
            if (noNode != null) done.completeExceptionally(noNode); // nothing sent: a plain store failure (503, retry)
            else runThenWait(node, script, type, call, done);
        });
        // queued behind another WAIT on this connection, the answer can be late: the caller hears within the time-out
        long deadline = waitTimeoutMs + Math.max(250, waitTimeoutMs / 2);
        return done.orTimeout(deadline, TimeUnit.MILLISECONDS).exceptionallyCompose(error -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof TimeoutException) cause = unknown(script.name() + ": no confirmation within " + deadline + " ms");
            if (cause instanceof OutcomeUnknown) unknownOutcomes.increment(); // once per answer, however it came
            return CompletableFuture.failedFuture(cause);
        });
    }

    private <C extends Record, T> void runThenWait(RedisClusterAsyncCommands<String, String> redis, LuaScript<C> script,
                                                   ScriptOutputType type, C call, CompletableFuture<T> done) {
        script.<T>run(redis, type, call).whenComplete((value, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                // sent but not answered in time: it may still run (queued behind a WAIT), so its outcome is unknown
                done.completeExceptionally(cause instanceof RedisCommandTimeoutException
                        ? unknown(script.name() + " not answered in time") : cause);
                return;
            }
            // right after the script, on the connection that ran it: WAIT counts this connection's writes
            redis.waitForReplication(replicas, waitTimeoutMs).whenComplete((acked, waitError) -> {
                if (waitError != null) {
                    done.completeExceptionally(unknown("WAIT failed after " + script.name() + ": " + waitError.getMessage()));
                } else if (acked == null || acked < replicas) {
                    done.completeExceptionally(unknown(script.name() + ": " + acked + " of " + replicas
                            + " replica(s) acknowledged within " + waitTimeoutMs + " ms"));
                } else {
                    done.complete(value);
                }
            });
        });
    }

    private static OutcomeUnknown unknown(String why) {
        LOG.warning(() -> "state change not confirmed kept (the caller is told to retry): " + why);
        return new OutcomeUnknown(why);
    }

    /**
     * Whether the writes made so far on {@code connection} are on the replicas this level waits for (WAIT on it); true
     * at once when it does not wait. For readers that must not tell the outside world of a change before it is kept
     * (the notifications outbox).
     */
    public CompletionStage<Boolean> replicated(RedisClusterAsyncCommands<String, String> connection) {
        if (!waits()) return CompletableFuture.completedFuture(true);
        return connection.waitForReplication(replicas, waitTimeoutMs).thenApply(acked -> acked != null && acked >= replicas);
    }

    /** State changes answered {@link OutcomeUnknown} since start: dispatch_outcome_unknown_total. */
    public long unknownOutcomes() { return unknownOutcomes.sum(); }

    // --- the check at start ---------------------------------------------------------------------------------------

    /**
     * What an external Redis says of itself that would lose acknowledged writes, as sentences naming the setting
     * (empty: nothing found). {@code CONFIG GET} first; a managed Redis that refuses CONFIG is asked INFO; what
     * neither tells is reported as unknown.
     */
    public static List<String> problems(RedisClusterAsyncCommands<String, String> redis, Level level, int replicas) {
        List<String> problems = new ArrayList<>();
        String appendonly = config(redis, "appendonly");
        String appendfsync = config(redis, "appendfsync");
        String policy = config(redis, "maxmemory-policy");
        if (appendonly == null || policy == null) {
            Map<String, String> info = info(redis, "persistence");
            info.putAll(info(redis, "memory"));
            if (appendonly == null && info.containsKey("aof_enabled")) appendonly = "1".equals(info.get("aof_enabled")) ? "yes" : "no";
            if (policy == null) policy = info.get("maxmemory_policy");
        }
        if (appendonly == null) {
            problems.add("cannot tell whether Redis keeps an append-only file (CONFIG GET appendonly and INFO persistence "
                    + "refused): confirm appendonly yes with your provider");
        } else if (!"yes".equalsIgnoreCase(appendonly)) {
            problems.add("Redis keeps no append-only file (appendonly " + appendonly + "): every acknowledged booking since "
                    + "the last snapshot is lost when it restarts; set appendonly yes");
        }
        if (policy == null) {
            problems.add("cannot tell Redis' maxmemory-policy (CONFIG GET and INFO memory refused): confirm noeviction "
                    + "with your provider");
        } else if (!"noeviction".equalsIgnoreCase(policy)) {
            problems.add("Redis evicts keys when its memory is full (maxmemory-policy " + policy + "): bookings, holds and "
                    + "tokens would silently disappear; set maxmemory-policy noeviction");
        }
        if (level == Level.STRICT && replicas == 0) {
            if (appendfsync == null) {
                problems.add("redis.durability=strict with redis.replicas=0 needs appendfsync always, and Redis refused "
                        + "CONFIG GET appendfsync: confirm it, or set redis.replicas to the replicas to WAIT for");
            } else if (!"always".equalsIgnoreCase(appendfsync)) {
                problems.add("redis.durability=strict with redis.replicas=0 needs every write on disk before it is "
                        + "acknowledged (appendfsync always), and Redis has appendfsync " + appendfsync + ": set "
                        + "appendfsync always, or set redis.replicas to the replicas to WAIT for");
            }
        }
        if (level == Level.STRICT && replicas > 0) {
            String connected = info(redis, "replication").get("connected_slaves");
            if (connected != null && Integer.parseInt(connected) < replicas) {
                LOG.warning("redis.replicas=" + replicas + " but Redis has " + connected + " replica(s) connected: state "
                        + "changes answer 503 OUTCOME_UNKNOWN until enough replicas follow");
            } else if (connected != null && Integer.parseInt(connected) > replicas) {
                // measured by the fault matrix: a bare SENTINEL FAILOVER with WAIT 1 of 2 lost acknowledged bookings
                LOG.warning("redis.replicas=" + replicas + " but Redis has " + connected + " replicas: a failover while the "
                        + "old master still takes writes (a frozen or cut-off master, a failover without CLIENT PAUSE WRITE) "
                        + "can promote a replica that lacks acknowledged bookings; redis.replicas=" + connected
                        + " waits for every replica (README, Durability)");
            }
        }
        String small = smallSortedSets(redis);
        if (small != null) LOG.warning(small);
        return problems;
    }

    /**
     * A warning when Redis turns a sorted set into its big encoding below {@link EmbeddedRedis#ZSET_LISTPACK_ENTRIES}
     * members (null: not below, or not told): each effector's start index ({@link Keys#effectorSlots}) then costs ~128
     * B a slot instead of ~15 once the effector has more slots. Memory only, never a refusal.
     */
    static String smallSortedSets(RedisClusterAsyncCommands<String, String> redis) {
        String entries = config(redis, "zset-max-listpack-entries"); // Redis 7; 6.2 knows the "ziplist" name only
        if (entries == null) entries = config(redis, "zset-max-ziplist-entries");
        if (entries == null) return null;
        try {
            if (Long.parseLong(entries.strip()) >= EmbeddedRedis.ZSET_LISTPACK_ENTRIES) return null;
        } catch (NumberFormatException unknown) {
            return null;
        }
        return "Redis keeps sorted sets compact up to " + entries + " members only (zset-max-listpack-entries): an effector "
                + "with more slots ahead takes ~8 times the memory for its start index; set zset-max-listpack-entries "
                + EmbeddedRedis.ZSET_LISTPACK_ENTRIES + " (ops/TOPOLOGY.md)";
    }

    /**
     * Refuses to start on {@link #problems} unless {@code allowUnsafe}, which starts with a warning instead. The
     * message names the settings to change, and the override.
     */
    public static void check(List<RedisConnections.Node> masters, Level level, int replicas, boolean allowUnsafe) {
        List<String> problems = new ArrayList<>();
        // on a cluster each master keeps its own share of the bookings: each one is asked, and named in the message
        for (RedisConnections.Node master : masters) {
            for (String p : problems(master.async(), level, replicas)) problems.add(masters.size() > 1 ? master.address() + ": " + p : p);
        }
        if (problems.isEmpty()) return;
        String list = "\n  - " + String.join("\n  - ", problems);
        if (allowUnsafe) {
            LOG.warning("Redis may lose acknowledged writes (started anyway: redis.allowUnsafe=true):" + list);
            return;
        }
        throw new IllegalStateException("refusing to start: Redis may lose acknowledged writes:" + list
                + "\nFix Redis' configuration, or set redis.allowUnsafe=true (DISPATCH_REDIS_ALLOWUNSAFE=true) to start anyway.");
    }

    private static String config(RedisClusterAsyncCommands<String, String> redis, String name) {
        try {
            Map<String, String> m = redis.configGet(name).toCompletableFuture().get(5, TimeUnit.SECONDS);
            return m == null ? null : m.get(name);
        } catch (Exception refused) { // a managed Redis may rename or forbid CONFIG
            return null;
        }
    }

    private static Map<String, String> info(RedisClusterAsyncCommands<String, String> redis, String section) {
        Map<String, String> m = new java.util.HashMap<>();
        try {
            String text = redis.info(section).toCompletableFuture().get(5, TimeUnit.SECONDS);
            for (String line : text.split("\r?\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && !line.startsWith("#")) m.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        } catch (Exception refused) {
            // unknown: the caller says so
        }
        return m;
    }
}
