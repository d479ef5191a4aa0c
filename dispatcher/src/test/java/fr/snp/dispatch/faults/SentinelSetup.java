package fr.snp.dispatch.faults;

import fr.snp.dispatch.redis.RedisNode;

import static fr.snp.dispatch.redis.RedisNode.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Redis Sentinel as real processes on loopback ports: one master with AOF, two replicas (AOF too), three sentinels
 * (quorum 2) that declare a node down after {@link #DOWN_AFTER_MS}. The data nodes keep their port and directory for
 * the whole run, so a killed one is started again on them, as a replica of the current master.
 */
final class SentinelSetup extends ReplicatedSetup {
    static final String NAME = "snp";
    static final int DOWN_AFTER_MS = 1000;
    /** Long enough for Sentinel to promote a replica and move the other one to it (a second or two here). */
    static final int PAUSE_FOR_FAILOVER_MS = 6000;

    private final Path dir;
    /** The three data nodes, by index (a restarted node replaces its dead self at the same index). */
    private final List<RedisNode> data = new ArrayList<>();
    private final List<RedisNode> sentinels = new ArrayList<>();

    private SentinelSetup(Path dir) { this.dir = dir; }

    static SentinelSetup start(Path dir) throws Exception {
        SentinelSetup s = new SentinelSetup(dir);
        try {
            RedisNode master = RedisNode.start(dir.resolve("d0"), "--appendonly", "yes");
            s.data.add(master);
            // each replica has finished its first sync: a failover before that would promote an empty replica
            s.data.add(RedisNode.replicaOf(master, dir.resolve("d1")));
            s.data.add(RedisNode.replicaOf(master, dir.resolve("d2")));
            for (int i = 0; i < 3; i++) s.sentinels.add(RedisNode.sentinel(dir.resolve("s" + i), NAME, master.port, DOWN_AFTER_MS));
            s.awaitSteady(Duration.ofSeconds(20));
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    @Override
    public String name() { return "sentinel"; }

    @Override
    public String url() {
        return "redis-sentinel://" + String.join(",", sentinels.stream().map(s -> "127.0.0.1:" + s.port).toList()) + "/0#" + NAME;
    }

    @Override
    /**
     * WAIT for both replicas: whichever one is promoted has every acknowledged write, even when the old master goes on
     * taking writes after the promotion (WAIT 1 of 2 does not give that: see the matrix's reported row).
     */
    public Map<String, String> dispatcherSettings() { return Map.of("redis.replicas", "2"); }

    /** The data node the first sentinel names as master now. */
    @Override
    RedisNode master() {
        int port = masterPort(sentinels.get(0));
        return data.stream().filter(n -> n.port == port).findFirst().orElseThrow();
    }

    List<RedisNode> replicas() {
        RedisNode m = master();
        return data.stream().filter(n -> n != m).toList();
    }

    @Override
    List<RedisNode> replicasOfMaster() { return replicas(); }

    /** Once the sentinels name another master that answers as one: {@code dead} on its port and data, as its replica. */
    @Override
    boolean restartIfReplaced(RedisNode dead) throws IOException {
        int now = masterPort(sentinels.get(0));
        if (now == dead.port) return false;
        RedisNode m = data.stream().filter(n -> n.port == now).findFirst().orElse(null);
        if (m == null || !m.alive() || m.frozen() || !cli(m.port, "ROLE").startsWith("master")) return false;
        synchronized (data) {
            int i = data.indexOf(dead);
            if (i < 0 || dead.alive()) return true;
            dead.close();
            data.set(i, RedisNode.start(dead.dir, dead.port, "--appendonly", "yes", "--replicaof", "127.0.0.1",
                    String.valueOf(m.port)));
        }
        return true;
    }

    /**
     * SENTINEL FAILOVER promotes a replica while the master goes on taking writes until Sentinel demotes it, seconds
     * later; the other replica confirms those writes (WAIT 1) and is then synced afresh from the new master: they are
     * lost. Paused first ({@code CLIENT PAUSE … WRITE}, longer than the switch takes), the master takes none meanwhile.
     */
    @Override
    public void manualFailover(boolean pauseWritesFirst) {
        if (pauseWritesFirst) {
            String paused = cli(master().port, "CLIENT", "PAUSE", String.valueOf(PAUSE_FOR_FAILOVER_MS), "WRITE").strip();
            if (!paused.equals("OK")) throw new IllegalStateException("CLIENT PAUSE answered " + paused);
        }
        String answer = cli(sentinels.get(0).port, "SENTINEL", "FAILOVER", NAME).strip();
        if (!answer.equals("OK")) throw new IllegalStateException("SENTINEL FAILOVER answered " + answer);
    }

    @Override
    public void awaitSteady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        thawAndAwaitRestart(deadline);
        // a master elected, answering as one, and no failover under way
        RedisNode m = until(deadline, "a master after the fault", () -> {
            Set<Integer> named = new HashSet<>();
            for (RedisNode s : sentinels) named.add(masterPort(s));
            if (named.size() != 1) return null;
            RedisNode candidate = master();
            if (!candidate.alive() || !cli(candidate.port, "ROLE").startsWith("master")) return null;
            return masterFlags(sentinels.get(0)).equals("master") ? candidate : null;
        });
        // a killed node comes back on its port and data, as a replica of the master of now (its AOF may hold writes
        // the new master never had: the first sync replaces them)
        for (int i = 0; i < data.size(); i++) {
            RedisNode n = data.get(i);
            if (n.alive()) continue;
            n.close();
            // (the supervisor above restarts a killed master as soon as it was replaced; this is for what it gave up on)
            try {
                data.set(i, RedisNode.start(n.dir, n.port, "--appendonly", "yes", "--replicaof", "127.0.0.1", String.valueOf(m.port)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        until(deadline, "two replicas in sync and known to every sentinel", () -> {
            String info = cli(m.port, "INFO", "replication");
            long online = info.lines().filter(l -> l.startsWith("slave") && l.contains("state=online")).count();
            if (online != 2) return null;
            for (RedisNode r : replicas()) {
                String ri = cli(r.port, "INFO", "replication");
                if (!ri.contains("master_port:" + m.port) || !ri.contains("master_link_status:up")) return null;
                if (!cli(r.port, "INFO", "persistence").contains("aof_rewrite_in_progress:0")) return null;
            }
            for (RedisNode s : sentinels) {
                if (masterPort(s) != m.port || !masterFlags(s).equals("master")) return null;
            }
            return Boolean.TRUE;
        });
    }

    private interface Probe<T> { T get(); }

    private static <T> T until(long deadline, String what, Probe<T> probe) throws InterruptedException {
        while (true) {
            try {
                T v = probe.get();
                if (v != null) return v;
            } catch (RuntimeException notYet) {
                // a node restarting, a sentinel between two states: asked again
            }
            if (System.nanoTime() > deadline) throw new AssertionError("Sentinel set-up: no " + what + " in time");
            Thread.sleep(100);
        }
    }

    static int masterPort(RedisNode sentinel) {
        String[] addr = cli(sentinel.port, "SENTINEL", "get-master-addr-by-name", NAME).strip().split("\n");
        return Integer.parseInt(addr[1].strip());
    }

    /** The flags Sentinel keeps for the master ("master" alone when nothing is wrong or under way). */
    static String masterFlags(RedisNode sentinel) {
        List<String> fields = cli(sentinel.port, "SENTINEL", "MASTER", NAME).lines().map(String::strip).toList();
        int i = fields.indexOf("flags");
        return i < 0 ? "" : fields.get(i + 1);
    }


    @Override
    public void close() {
        stopSupervisor();
        for (RedisNode n : sentinels) n.close();
        for (RedisNode n : data) n.close();
    }
}
