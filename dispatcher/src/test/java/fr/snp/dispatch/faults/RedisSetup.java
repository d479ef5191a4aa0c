package fr.snp.dispatch.faults;

import java.time.Duration;
import java.util.Map;

/**
 * The Redis the dispatchers of a fault run share, and the faults it can suffer. One implementation per topology
 * (Sentinel today; Redis Cluster can be plugged in the same way): the matrix only knows this interface, so a scenario
 * reads the same on any topology.
 */
public interface RedisSetup extends AutoCloseable {
    /** A short name for the report ("sentinel", "cluster"). */
    String name();

    /** The dispatchers' {@code redis.url}. */
    String url();

    /** Settings this topology needs on every dispatcher (e.g. how many replicas a strict write waits for). */
    Map<String, String> dispatcherSettings();

    /** The pid of the redis-server that takes the writes now (for its CPU time). */
    long masterPid();

    /** SIGKILL of the master: nothing flushed beyond what was written; a replica takes over. */
    void killMaster();

    /** SIGSTOP of the master for {@code d}, then SIGCONT: it must come back as a replica of whoever took over. */
    void freezeMaster(Duration d) throws InterruptedException;

    /**
     * A failover asked of the topology (Sentinel's SENTINEL FAILOVER, Cluster's CLUSTER FAILOVER). With
     * {@code pauseWritesFirst}, as a runbook would do it: the master stops taking writes for the time of the switch
     * (CLUSTER FAILOVER does this by itself; Sentinel does not, so the master is paused first).
     */
    void manualFailover(boolean pauseWritesFirst);

    /**
     * Every replica is frozen and cut from the master: from now on the writes reach the master alone (a strict write
     * cannot be confirmed; a relaxed one is acknowledged all the same).
     */
    void cutReplicasOff();

    /**
     * After {@link #cutReplicasOff}: the master is killed and the replicas thawed, so that the one promoted is one that
     * lacks every write made since the cut.
     */
    void killMasterAndPromoteALaggingReplica();

    /** SCRIPT FLUSH on the master: every dispatcher's cached script is gone (NOSCRIPT on its next call). */
    void flushScripts();

    /**
     * Back to the full topology after a fault: a master that answers, what was killed restarted as a replica, what
     * was frozen thawed, every replica in sync and every watcher agreeing. Throws when not reached in time.
     */
    void awaitSteady(Duration timeout) throws InterruptedException;

    @Override
    void close();
}
