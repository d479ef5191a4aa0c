package fr.snp.dispatch.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.resource.ClientResources;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The Redis the server runs on, as connections: one Redis (alone, or the master Sentinel names: a
 * {@code redis-sentinel://} URL) or a Redis Cluster ({@code redis.cluster=true}). The only class that knows which.
 * Stores get one routed command interface ({@link #async()}): on a cluster each command goes to the master of its
 * key's slot, which works because every script and multi-key command touches keys of one hash tag ({@link Keys}).
 * What a cluster changes is said here and at the few places that ask {@link #isCluster()}: a multi-stream read
 * (XREAD, XREADGROUP) is one read per territory; WAIT goes to the master that ran the script; INFO, CONFIG, the
 * health check and the AOF rewrite ask every master.
 */
public final class RedisConnections implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RedisConnections.class.getName());
    /** A command not answered in this time fails (503 to the caller) rather than queue while Redis is away. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /**
     * How often the cluster's topology is read again regardless of events. Failover shows first as reconnects to the
     * dead master and MOVED replies, which refresh at once (adaptive triggers); the periodic read catches what
     * no command of this instance ran into (a replica added, a manual failover on a quiet territory).
     */
    static final Duration TOPOLOGY_REFRESH = Duration.ofSeconds(2);

    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> shared;
    private final RedisClusterAsyncCommands<String, String> async;
    private final List<StatefulConnection<String, String>> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The one Redis' URI (null on a cluster). */
    private final RedisURI standaloneUri;

    private RedisConnections(AbstractRedisClient client, RedisURI standaloneUri, StatefulConnection<String, String> shared,
                             RedisClusterAsyncCommands<String, String> async) {
        this.client = client;
        this.standaloneUri = standaloneUri;
        this.shared = shared;
        this.async = async;
    }

    /**
     * Connects: {@code url} is one Redis URI (redis://, rediss://, redis-sentinel://), or with {@code cluster} a
     * comma-separated list of seed nodes ("redis://10.0.0.1:7000,10.0.0.2:7000", or "host:port,…"), any one of which
     * answering is enough. Commands fail fast while Redis is unreachable (503 to the caller) rather than queue.
     */
    public static RedisConnections open(String url, boolean cluster, ClientResources resources) {
        TimeoutOptions timeouts = TimeoutOptions.enabled(COMMAND_TIMEOUT);
        if (!cluster) {
            RedisURI uri = RedisURI.create(url);
            RedisClient client = RedisClient.create(resources, uri);
            client.setOptions(ClientOptions.builder().autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(timeouts).build());
            try {
                StatefulRedisConnection<String, String> c = client.connect();
                return new RedisConnections(client, uri, c, c.async());
            } catch (RuntimeException e) {
                client.shutdown();
                throw e;
            }
        }
        RedisClusterClient client = RedisClusterClient.create(resources, seeds(url));
        client.setOptions(ClusterClientOptions.builder().autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(timeouts)
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(TOPOLOGY_REFRESH)
                        .enableAllAdaptiveRefreshTriggers()
                        // a dead master is given up on after two reconnect attempts, not the default five
                        .refreshTriggersReconnectAttempts(2)
                        .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                        .closeStaleConnections(true).build())
                .build());
        try {
            StatefulRedisClusterConnection<String, String> c = client.connect();
            RedisConnections connections = new RedisConnections(client, null, c, c.async());
            // every master's connection is opened now, and again whenever the topology changes: with REJECT_COMMANDS,
            // a command sent to a node whose connection is still opening is refused (the first booking of a territory
            // after a failover would answer 503 for nothing)
            connections.openNodeConnections(c).get(10, TimeUnit.SECONDS);
            client.getResources().eventBus().get()
                    .filter(e -> e instanceof ClusterTopologyChangedEvent)
                    .subscribe(e -> connections.openEveryNodeConnection());
            return connections;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            client.shutdown();
            throw new io.lettuce.core.RedisConnectionException("cannot reach every master of the cluster: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.shutdown();
            throw new IllegalStateException(e);
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    static List<RedisURI> seeds(String url) {
        List<RedisURI> seeds = new ArrayList<>();
        for (String part : url.split(",")) {
            String seed = part.strip();
            if (seed.isEmpty()) continue;
            seeds.add(RedisURI.create(seed.contains("://") ? seed : "redis://" + seed));
        }
        if (seeds.isEmpty()) throw new IllegalArgumentException("redis.url names no cluster node: " + url);
        return seeds;
    }

    /** After a topology change: every connection's links to the masters now, the promoted ones included. */
    private void openEveryNodeConnection() {
        if (shared instanceof StatefulRedisClusterConnection<String, String> c) openNodeConnections(c);
        for (StatefulConnection<String, String> o : opened) {
            if (o instanceof StatefulRedisClusterConnection<String, String> c && c.isOpen()) openNodeConnections(c);
        }
    }

    /** Opens (or finds open) this connection's link to every master ({@link #linkTo}). */
    private CompletableFuture<Void> openNodeConnections(StatefulRedisClusterConnection<String, String> c) {
        List<CompletableFuture<?>> opening = new ArrayList<>();
        for (RedisClusterNode n : mastersOf(c)) {
            opening.add(linkTo(c, n).whenComplete((node, error) -> {
                if (error != null) LOG.warning(() -> "cluster node " + n.getUri() + " unreachable: " + error.getMessage());
            }));
        }
        return CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new));
    }

    /** The masters serving slots, as {@code c} knows the topology now. */
    private static List<RedisClusterNode> mastersOf(StatefulRedisClusterConnection<String, String> c) {
        List<RedisClusterNode> masters = new ArrayList<>();
        for (RedisClusterNode n : c.getPartitions()) {
            if (n.is(RedisClusterNode.NodeFlag.UPSTREAM) && !n.getSlots().isEmpty()) masters.add(n);
        }
        return masters;
    }

    /**
     * {@code c}'s link to {@code node}, asked by host and port: the link that commands routed to its slots use (a link
     * asked by node id is another one), so a WAIT on it counts the writes those commands made.
     */
    private static CompletableFuture<StatefulRedisConnection<String, String>> linkTo(StatefulRedisClusterConnection<String, String> c,
                                                                                    RedisClusterNode node) {
        return c.getConnectionAsync(node.getUri().getHost(), node.getUri().getPort());
    }

    /** Whether Redis is a cluster (multi-stream reads are one read per territory, per-master checks). */
    public boolean isCluster() { return client instanceof RedisClusterClient; }

    /** The shared, routed commands every store uses (never blocked: no blocking read or WAIT on it). */
    public RedisClusterAsyncCommands<String, String> async() { return async; }

    /** A connection of its own (a worker's blocking reads, the durable writes' WAIT), closed with the others. */
    public Dedicated connect() {
        StatefulConnection<String, String> c;
        if (client instanceof RedisClusterClient cluster) {
            StatefulRedisClusterConnection<String, String> cc = cluster.connect();
            try {
                openNodeConnections(cc).get(10, TimeUnit.SECONDS);
            } catch (Exception unreachable) { // a master away: its link opens when it is back (the commands say so meanwhile)
                LOG.warning(() -> "a cluster master is unreachable: " + unreachable.getMessage());
            }
            c = cc;
        } else {
            c = ((RedisClient) client).connect();
        }
        opened.add(c);
        return new Dedicated(c);
    }

    /** A master: its address and a connection to it alone. */
    public record Node(String address, RedisClusterAsyncCommands<String, String> async) {}

    /**
     * Every master now (one without a cluster): what the health check pings, and what INFO, CONFIG and
     * BGREWRITEAOF are asked of. A master whose connection cannot be opened fails the stage.
     */
    public CompletionStage<List<Node>> masters() {
        if (!(shared instanceof StatefulRedisClusterConnection<String, String> c)) {
            return CompletableFuture.completedFuture(List.of(new Node(address(), async)));
        }
        List<CompletableFuture<Node>> nodes = new ArrayList<>();
        for (RedisClusterNode n : mastersOf(c)) {
            String address = n.getUri().getHost() + ":" + n.getUri().getPort();
            nodes.add(linkTo(c, n).thenApply(node -> new Node(address, node.async())));
        }
        return CompletableFuture.allOf(nodes.toArray(CompletableFuture[]::new))
                .thenApply(v -> nodes.stream().map(CompletableFuture::join).toList());
    }

    /** The same, waited for (start-up checks). */
    public List<Node> mastersNow() {
        try {
            return masters().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot reach every Redis master: " + e.getMessage(), e);
        }
    }

    /** How one Redis is named in reports: host:port, or the master's name behind Sentinel (never a password). */
    private String address() {
        RedisURI uri = standaloneUri;
        if (uri == null) return "redis";
        return uri.getSentinelMasterId() != null ? "sentinel master " + uri.getSentinelMasterId() : uri.getHost() + ":" + uri.getPort();
    }

    /**
     * The replication ids of the masters, as one text ("node:replid" sorted), or null when a master refuses INFO: it
     * changes when any master is another server than before (a failover, a restart without its data).
     */
    public String replicationIds() {
        try {
            List<Node> masters = mastersNow();
            // asked of every master at once: a master frozen costs one command time-out, not one per master
            List<CompletableFuture<String>> infos = masters.stream()
                    .map(n -> n.async().info("replication").toCompletableFuture()).toList();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < masters.size(); i++) {
                String id = replicationId(infos.get(i).get(10, TimeUnit.SECONDS));
                if (id == null) return null;
                ids.add((isCluster() ? masters.get(i).address() + "=" : "") + id);
            }
            ids.sort(null);
            return String.join(",", ids);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception refused) { // a managed Redis may refuse INFO; a master away: asked again later
            return null;
        }
    }

    /** master_replid from INFO replication, or null. */
    public static String replicationId(String info) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("master_replid:")) return line.substring("master_replid:".length()).strip();
        }
        return null;
    }

    /** The client's resources (threads, the latency recorder): shut down by whoever built them, after {@link #close}. */
    public ClientResources resources() { return client.getResources(); }

    @Override
    public void close() {
        for (StatefulConnection<String, String> c : opened) c.close();
        shared.close();
        client.shutdown();
    }

    /** A connection of one user's own: sync for a worker's loop, async, and the node of a key for WAIT. */
    public static final class Dedicated {
        private final StatefulConnection<String, String> connection;

        Dedicated(StatefulConnection<String, String> connection) { this.connection = connection; }

        public boolean isCluster() { return connection instanceof StatefulRedisClusterConnection; }

        public RedisClusterCommands<String, String> sync() {
            return connection instanceof StatefulRedisClusterConnection<String, String> c ? c.sync()
                    : ((StatefulRedisConnection<String, String>) connection).sync();
        }

        public RedisClusterAsyncCommands<String, String> async() {
            return connection instanceof StatefulRedisClusterConnection<String, String> c ? c.async()
                    : ((StatefulRedisConnection<String, String>) connection).async();
        }

        /**
         * This connection to the master serving {@code key} (itself without a cluster): a script and the WAIT after it
         * must go down the same connection to the same server, as WAIT counts that connection's writes there.
         */
        public CompletionStage<RedisClusterAsyncCommands<String, String>> nodeOf(String key) {
            if (!(connection instanceof StatefulRedisClusterConnection<String, String> c)) {
                return CompletableFuture.completedFuture(async());
            }
            RedisClusterNode master = c.getPartitions().getPartitionBySlot(SlotHash.getSlot(key));
            if (master == null) {
                return CompletableFuture.failedFuture(new io.lettuce.core.RedisException("no master serves slot "
                        + SlotHash.getSlot(key) + " now"));
            }
            return linkTo(c, master).thenApply(StatefulRedisConnection::async);
        }

        public void close() { connection.close(); }
    }
}
