package fr.snp.dispatch.redis;

import io.lettuce.core.cluster.SlotHash;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster for a test: {@code masters} masters with one replica each, redis-server processes on free
 * loopback ports (cluster bus on a port of its own: {@code cluster-port}, as port + 10000 may not exist), AOF on,
 * made into a cluster by {@code redis-cli --cluster create}. The test can find the master serving a key's slot, and
 * kill or freeze it.
 */
public final class RedisClusterNodes implements AutoCloseable {
    public static final int NODE_TIMEOUT_MS = 1000;
    private final List<RedisNode> nodes;
    /** Each node's arguments by port, to start it again as it was (its cluster bus port, its nodes.conf). */
    private final java.util.Map<Integer, String[]> args;

    private RedisClusterNodes(List<RedisNode> nodes, java.util.Map<Integer, String[]> args) {
        this.nodes = new java.util.concurrent.CopyOnWriteArrayList<>(nodes);
        this.args = args;
    }

    public static RedisClusterNodes start(Path dir, int masters) throws IOException, InterruptedException {
        List<RedisNode> nodes = new ArrayList<>();
        java.util.Map<Integer, String[]> args = new java.util.concurrent.ConcurrentHashMap<>();
        try {
            for (int i = 0; i < masters * 2; i++) {
                // cluster-require-full-coverage no: the masters left alone keep serving their slots while one share of
                // the slots has no master (the default, yes, stops the whole cluster: CLUSTERDOWN everywhere)
                String[] a = {"--cluster-enabled", "yes", "--cluster-port", String.valueOf(EmbeddedRedis.freePort()),
                        "--cluster-config-file", dir.resolve("node-" + i).resolve("nodes.conf").toString(),
                        "--cluster-node-timeout", String.valueOf(NODE_TIMEOUT_MS), "--cluster-require-full-coverage", "no",
                        "--appendonly", "yes"};
                RedisNode n = RedisNode.start(dir.resolve("node-" + i), a);
                args.put(n.port, a);
                nodes.add(n);
            }
            List<String> cmd = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            for (RedisNode n : nodes) cmd.add("127.0.0.1:" + n.port);
            cmd.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            Process create = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(create.getInputStream().readAllBytes());
            if (!create.waitFor(60, TimeUnit.SECONDS) || create.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed:\n" + out);
            }
            RedisClusterNodes cluster = new RedisClusterNodes(nodes, args);
            cluster.awaitHealthy(30);
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            for (RedisNode n : nodes) n.close();
            throw e;
        }
    }

    /**
     * Every live node sees the cluster ok, every slot served by a master alive, and each master's replica has done
     * its first sync and the AOF rewrite after it (a failover before would promote an empty replica).
     */
    public void awaitHealthy(int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            try {
                boolean ok = true;
                for (RedisNode n : nodes) {
                    if (!n.alive() || n.frozen()) continue;
                    ok &= n.sync().clusterInfo().contains("cluster_state:ok");
                    String repl = n.sync().info("replication");
                    if (repl.contains("role:slave")) {
                        String p = n.sync().info("persistence");
                        ok &= repl.contains("master_link_status:up") && p.contains("aof_rewrite_in_progress:0")
                                && p.contains("aof_rewrite_scheduled:0");
                    }
                }
                if (ok && mastersAlive()) return;
            } catch (RuntimeException notYet) {
                // a node still starting its cluster bus
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("cluster not healthy after " + seconds + " s");
            RedisNode.sleep(100);
        }
    }

    private boolean mastersAlive() {
        for (int slot : new int[] {0, 8000, 16383}) if (masterOfSlot(slot) == null) return false;
        return true;
    }

    /** Seed URIs of every node, as redis.url of a cluster takes them. */
    public String url() {
        return String.join(",", nodes.stream().map(n -> "redis://127.0.0.1:" + n.port).toList());
    }

    /** The live master serving {@code key}'s slot, as a live node sees it, or null. */
    public RedisNode masterOf(String key) { return masterOfSlot(SlotHash.getSlot(key)); }

    private RedisNode masterOfSlot(int slot) {
        for (RedisNode n : nodes) {
            if (!n.alive() || n.frozen()) continue;
            for (String line : n.sync().clusterNodes().split("\n")) {
                String[] f = line.split(" ");
                if (f.length < 9 || !f[2].contains("master") || f[2].contains("fail")) continue;
                for (int i = 8; i < f.length; i++) {
                    String range = f[i].strip();
                    if (range.startsWith("[")) continue; // a slot being migrated
                    String[] ends = range.split("-");
                    int from = Integer.parseInt(ends[0]), to = Integer.parseInt(ends[ends.length - 1]);
                    if (slot >= from && slot <= to) {
                        int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@')));
                        return nodes.stream().filter(x -> x.port == port && x.alive() && !x.frozen()).findFirst().orElse(null);
                    }
                }
            }
            return null; // the first live node's view (a frozen one would not answer)
        }
        return null;
    }

    public List<RedisNode> nodes() { return List.copyOf(nodes); }

    /** The live replicas of {@code master}, as it sees them. */
    public List<RedisNode> replicasOf(RedisNode master) {
        String masterId = master.sync().clusterMyId();
        List<RedisNode> replicas = new ArrayList<>();
        for (String line : master.sync().clusterNodes().split("\n")) {
            String[] f = line.split(" ");
            if (f.length < 4 || !f[2].contains("slave") || !f[3].equals(masterId) || f[2].contains("fail")) continue;
            int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@')));
            nodes.stream().filter(n -> n.port == port && n.alive()).findFirst().ifPresent(replicas::add);
        }
        return replicas;
    }

    /** How many live replicas have finished their sync with their master (master_link_status:up). */
    public int replicasInSync() {
        int n = 0;
        for (RedisNode node : nodes) {
            if (!node.alive() || node.frozen()) continue;
            String repl = node.sync().info("replication");
            if (repl.contains("role:slave") && repl.contains("master_link_status:up")) n++;
        }
        return n;
    }

    /**
     * Starts a dead node again on its port, data and cluster configuration, as a supervisor would: it rejoins the
     * cluster (as a replica of the master promoted in its place, if one was).
     */
    public RedisNode restart(RedisNode dead) throws IOException {
        if (dead.alive()) throw new IllegalStateException("node " + dead.port + " is running");
        RedisNode again = RedisNode.start(dead.dir, dead.port, args.get(dead.port));
        nodes.set(nodes.indexOf(dead), again);
        return again;
    }

    @Override
    public void close() { for (RedisNode n : nodes) n.close(); }
}
