package fr.snp.dispatch.faults;

import fr.snp.dispatch.redis.RedisClusterNodes;
import fr.snp.dispatch.redis.RedisNode;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Redis Cluster for the fault matrix: 3 masters, one replica each (redis-server processes, node timeout 1 s,
 * {@code cluster-require-full-coverage no}), the dispatchers on it with {@code redis.cluster=true} and WAIT 1 (every
 * replica of the territory's master). "The master" is the one serving the load's territory, 36: the busiest (the
 * only one booked). A master killed is started again by a supervisor thread of this class once its replica has taken
 * over, as systemd would: it rejoins as that replica's replica (until then, WAIT 1 has no replica to count on and the
 * territory's bookings answer 503, settled by their keys).
 */
final class ClusterSetup extends ReplicatedSetup {
    static final String TAG = "{36}";
    private final RedisClusterNodes nodes;

    private ClusterSetup(RedisClusterNodes nodes) { this.nodes = nodes; }

    static ClusterSetup start(Path dir) throws IOException, InterruptedException {
        return new ClusterSetup(RedisClusterNodes.start(dir, 3));
    }

    @Override
    public String name() { return "cluster"; }

    @Override
    public String url() { return nodes.url(); }

    @Override
    public Map<String, String> dispatcherSettings() { return Map.of("redis.cluster", "true", "redis.replicas", "1"); }

    @Override
    RedisNode master() {
        RedisNode m = nodes.masterOf(TAG);
        if (m == null) throw new IllegalStateException("no master serves " + TAG + " now");
        return m;
    }

    @Override
    List<RedisNode> replicasOfMaster() { return nodes.replicasOf(master()); }

    /** Once another master serves the territory (its replica promoted): {@code dead} again, which rejoins as its replica. */
    @Override
    boolean restartIfReplaced(RedisNode dead) throws IOException {
        RedisNode now = nodes.masterOf(TAG);
        if (now == null || now == dead) return false;
        nodes.restart(dead);
        return true;
    }

    /**
     * CLUSTER FAILOVER on the master's replica. Paused first: the default, coordinated failover (the master stops
     * taking writes until the replica has caught up). Bare: FORCE, without the master's agreement, which goes on
     * taking writes until it learns (WAIT 1 cannot be met then: its one replica has left it).
     */
    @Override
    public void manualFailover(boolean pauseWritesFirst) {
        RedisNode m = master();
        List<RedisNode> replicas = nodes.replicasOf(m);
        if (replicas.isEmpty()) throw new IllegalStateException("the master of " + TAG + " has no replica to fail over to");
        String answer = pauseWritesFirst ? replicas.get(0).sync().clusterFailover(false)
                : replicas.get(0).sync().clusterFailover(true);
        if (!"OK".equals(answer)) throw new IllegalStateException("CLUSTER FAILOVER answered " + answer);
    }

    @Override
    public void awaitSteady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        thawAndAwaitRestart(deadline);
        for (RedisNode n : nodes.nodes()) {
            if (n.alive()) continue;
            try {
                nodes.restart(n);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        while (true) {
            try {
                nodes.awaitHealthy(1);
                if (nodes.replicasInSync() == 3 && nodes.replicasOf(master()).size() == 1) return;
            } catch (RuntimeException notYet) {
                // not healthy within the second: asked again
            }
            if (System.nanoTime() > deadline) throw new AssertionError("cluster: not steady in time");
            Thread.sleep(100);
        }
    }

    @Override
    public void close() {
        stopSupervisor();
        nodes.close();
    }
}
