package fr.snp.dispatch.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * What Redis keeps on disk once patient data is due to go. Requests, doctor requests and contacts leave Redis by
 * their time-to-live, appointments by pseudonymisation; but an append-only file keeps every write as it was made (the
 * patient's phone in the HSET that filed the request) until the file is rewritten. Once a day, after the
 * pseudonymisation, this store makes Redis drop every key whose time has come and has the AOF rewritten.
 * <p>
 * Why the sweep first: Redis deletes an expired key when a command touches it, or when its active expiry happens to
 * sample it. A rewrite writes every key still in memory, logically expired or not, with its past expiry time (Redis
 * 7.0 skips such keys only when it loads a file; checked: a key expired but not yet sampled is in the new base file
 * with its value). SCAN expires each due key it meets, and EXISTS on each page does it for those that expired since.
 */
public final class DiskRetention {
    private static final Logger LOG = Logger.getLogger(DiskRetention.class.getName());
    private static final long DAY_SECONDS = 86_400;
    /** A rewrite already under way (Redis' own, started before the sweep) is waited for, then ours is asked again. */
    private static final int BUSY_RETRIES = 60;
    private static final long BUSY_RETRY_SECONDS = 5;

    /** What became of the rewrite asked for. */
    public enum Rewrite {
        /** BGREWRITEAOF accepted: Redis rewrites (or will, once its snapshot in progress ends) in the background. */
        STARTED,
        /** This Redis keeps no append-only file: nothing to rewrite. */
        AOF_OFF,
        /** retention.rewriteAof=false: the operator schedules rewrites. */
        DISABLED,
        /** Redis refused (a managed Redis may): logged once for the operator, who must schedule rewrites. */
        REFUSED
    }

    private final RedisClusterAsyncCommands<String, String> redis;
    private final boolean rewriteAof;
    private final AtomicBoolean operatorTold = new AtomicBoolean();
    private final AtomicBoolean aofOffTold = new AtomicBoolean();

    /** Where the rewrite is asked: every master of a cluster, each keeping the append-only file of its share. */
    private final java.util.function.Supplier<CompletionStage<java.util.List<RedisClusterAsyncCommands<String, String>>>> masters;

    /** On one Redis. */
    public DiskRetention(RedisClusterAsyncCommands<String, String> redis, boolean rewriteAof) {
        this.redis = redis;
        this.rewriteAof = rewriteAof;
        this.masters = () -> CompletableFuture.completedFuture(java.util.List.of(redis));
    }

    /** On the server's Redis, one or a cluster. */
    public DiskRetention(RedisConnections connections, boolean rewriteAof) {
        this.redis = connections.async();
        this.rewriteAof = rewriteAof;
        this.masters = () -> connections.masters().thenApply(all -> all.stream().map(RedisConnections.Node::async).toList());
    }

    /**
     * true when this instance takes today's retention pass: none took it in the last day (any instance, before any
     * restart). An hourly check then runs the pass once a day even on a server restarted more often than daily.
     */
    public CompletionStage<Boolean> claimDailyPass(long nowMs) {
        return redis.set(Keys.RETENTION_PASS, String.valueOf(nowMs), SetArgs.Builder.nx().ex(DAY_SECONDS)).thenApply("OK"::equals);
    }

    /** Gives today's pass back (it failed half-way): the next hourly check tries again. */
    public CompletionStage<Long> releaseDailyPass() { return redis.del(Keys.RETENTION_PASS); }

    /** Makes Redis delete every key of the dispatcher whose time-to-live has passed; answers how many keys remain. */
    public CompletionStage<Long> expireDue() {
        AtomicLong remaining = new AtomicLong();
        return sweep(ScanCursor.INITIAL, remaining).thenApply(v -> remaining.get());
    }

    private CompletionStage<Void> sweep(ScanCursor cursor, AtomicLong remaining) {
        return redis.scan(cursor, ScanArgs.Builder.matches("snp:*").limit(1000)).thenCompose(page -> {
            CompletionStage<Long> touched = page.getKeys().isEmpty() ? CompletableFuture.completedFuture(0L)
                    : redis.exists(page.getKeys().toArray(String[]::new));
            return touched.thenCompose(alive -> {
                remaining.addAndGet(alive);
                return page.isFinished() ? CompletableFuture.<Void>completedFuture(null)
                        : sweep(ScanCursor.of(page.getCursor()), remaining);
            });
        });
    }

    /**
     * Asks Redis to rewrite its append-only file, when it keeps one (INFO persistence, which managed services allow
     * where they refuse CONFIG). Does not wait for the rewrite to end.
     */
    public CompletionStage<Rewrite> rewriteAof() {
        if (!rewriteAof) return CompletableFuture.completedFuture(Rewrite.DISABLED);
        return masters.get().thenCompose(nodes -> {
            List<CompletableFuture<Rewrite>> each = nodes.stream().map(n -> rewriteAof(n).toCompletableFuture()).toList();
            return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenApply(v -> {
                // one master refusing is what the operator must hear of; AOF_OFF only when no master keeps a file
                List<Rewrite> outcomes = each.stream().map(CompletableFuture::join).toList();
                if (outcomes.contains(Rewrite.REFUSED)) return Rewrite.REFUSED;
                return outcomes.contains(Rewrite.STARTED) ? Rewrite.STARTED : Rewrite.AOF_OFF;
            });
        });
    }

    private CompletionStage<Rewrite> rewriteAof(RedisClusterAsyncCommands<String, String> redis) {
        return redis.info("persistence").thenCompose(info -> {
            if (!info.contains("aof_enabled:1")) {
                if (aofOffTold.compareAndSet(false, true)) {
                    LOG.info("Redis keeps no append-only file: no rewrite needed for expired patient data to leave the disk");
                }
                return CompletableFuture.completedFuture(Rewrite.AOF_OFF);
            }
            return bgrewriteaof(redis, BUSY_RETRIES);
        }).exceptionally(this::refused);
    }

    private CompletionStage<Rewrite> bgrewriteaof(RedisClusterAsyncCommands<String, String> redis, int retriesLeft) {
        return redis.bgrewriteaof().handle((ok, error) -> {
            if (error == null) return CompletableFuture.completedFuture(Rewrite.STARTED);
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            // one already under way may have been forked before the sweep: ours follows it
            if (retriesLeft > 0 && String.valueOf(cause.getMessage()).contains("already in progress")) {
                return CompletableFuture.supplyAsync(() -> null,
                        CompletableFuture.delayedExecutor(BUSY_RETRY_SECONDS, TimeUnit.SECONDS))
                        .thenCompose(v -> bgrewriteaof(redis, retriesLeft - 1));
            }
            return CompletableFuture.<Rewrite>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    private Rewrite refused(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (!(cause instanceof RedisCommandExecutionException)) throw new CompletionException(cause); // not a refusal
        if (operatorTold.compareAndSet(false, true)) {
            LOG.warning("Redis refused to report or rewrite its append-only file (" + cause.getMessage() + "). Expired "
                    + "requests and pseudonymised appointment fields stay readable in that file until it is rewritten: "
                    + "the operator must have BGREWRITEAOF run once a day after this server's retention pass (or "
                    + "confirm the provider rewrites it), see README, Security and data protection. Not said again.");
        }
        return Rewrite.REFUSED;
    }
}
