package fr.snp.dispatch.faults;

import fr.snp.dispatch.redis.RedisNode;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static fr.snp.dispatch.redis.RedisNode.cli;

/**
 * What the Sentinel and Cluster set-ups do alike: the faults on "the master" (the one the load writes to) and its
 * replicas, the nodes frozen by a fault, and the supervisor that starts a killed master again once another took its
 * place (as systemd would: it comes back as a replica). Each set-up says who the master and its replicas are, and how
 * a dead node rejoins.
 */
abstract class ReplicatedSetup implements RedisSetup {
    /** Nodes frozen by a fault, to thaw when the fault is over. */
    protected final Set<RedisNode> frozen = new HashSet<>();
    private volatile Thread supervisor;

    /** The node taking the load's writes now. */
    abstract RedisNode master();

    /** The master's live replicas. */
    abstract List<RedisNode> replicasOfMaster();

    /** Starts {@code dead} again as a replica if another master has taken its place; false: not yet. */
    abstract boolean restartIfReplaced(RedisNode dead) throws IOException;

    @Override
    public long masterPid() { return master().pid(); }

    @Override
    public void killMaster() {
        RedisNode m = master();
        m.kill();
        superviseRestart(m);
    }

    @Override
    public void freezeMaster(Duration d) throws InterruptedException {
        master().freezeFor(d); // thawed, it learns it was replaced and follows the promoted replica
    }

    @Override
    public void cutReplicasOff() {
        RedisNode m = master();
        for (RedisNode r : replicasOfMaster()) {
            r.freeze();
            frozen.add(r);
        }
        // a frozen replica still has the master's stream queued in its socket: closing the link from the master's
        // side makes what it has now all it will ever get from this master
        cli(m.port, "CLIENT", "KILL", "TYPE", "replica");
    }

    @Override
    public void killMasterAndPromoteALaggingReplica() {
        RedisNode m = master();
        m.kill();
        thawAll(); // only once the master is dead: thawed before, a replica would reconnect and catch up
        superviseRestart(m);
    }

    @Override
    public void flushScripts() {
        String answer = cli(master().port, "SCRIPT", "FLUSH").strip();
        if (!answer.equals("OK")) throw new IllegalStateException("SCRIPT FLUSH answered " + answer);
    }

    /** The start of {@link #awaitSteady}: every frozen node thawed, the supervisor's restart done (or given up). */
    protected void thawAndAwaitRestart(long deadlineNanos) throws InterruptedException {
        thawAll();
        Thread restarting = supervisor;
        if (restarting != null) restarting.join(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000));
    }

    private void thawAll() {
        for (RedisNode f : List.copyOf(frozen)) {
            f.thaw();
            frozen.remove(f);
        }
    }

    /** A killed master started again within 30 s of its replacement; what it gives up on, awaitSteady restarts. */
    private void superviseRestart(RedisNode dead) {
        Thread t = new Thread(() -> {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    if (restartIfReplaced(dead)) return;
                } catch (RuntimeException | IOException notYet) {
                    // a node between two states: asked again
                }
                try { Thread.sleep(100); } catch (InterruptedException e) { return; }
            }
        }, name() + "-supervisor");
        t.setDaemon(true);
        t.start();
        supervisor = t;
    }

    /** Stops the supervisor (at close). */
    protected void stopSupervisor() {
        Thread s = supervisor;
        if (s != null) s.interrupt();
    }
}
