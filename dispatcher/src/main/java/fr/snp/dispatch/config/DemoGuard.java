package fr.snp.dispatch.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Demo mode stays on this machine. Its tokens are public (printed at start, written in the README): served on a
 * network address they would open the territory to anyone. So a demo refuses to start unless the server listens on
 * loopback, and its tokens are only enabled when Redis is the embedded one or on loopback too (a demo territory
 * loaded into a shared Redis must not come with well-known credentials).
 */
public final class DemoGuard {
    private DemoGuard() {}

    /** Throws, with what to do, when demo mode would listen on a network address. */
    public static void checkBind(String host) {
        if (!isLoopback(host)) {
            throw new IllegalStateException("refusing to start in demo mode on '" + host + "': the demo tokens are public and "
                    + "would be reachable from the network. Bind to 127.0.0.1 (HOST=127.0.0.1), or run for real: set REDIS_URL, "
                    + "create tokens with 'token create', and drop --demo");
        }
    }

    /** Whether the demo's public tokens may be enabled with this Redis (empty = the embedded one). */
    public static boolean tokensAllowed(String host, String redisUrl) {
        if (!isLoopback(host)) return false;
        if (redisUrl == null || redisUrl.isEmpty()) return true;
        try {
            String redisHost = URI.create(redisUrl.replaceFirst("^redis-sentinel://", "redis://")).getHost();
            return redisHost != null && isLoopback(redisHost);
        } catch (IllegalArgumentException malformed) {
            return false;
        }
    }

    /** Loopback by name or address (localhost, 127.0.0.0/8, ::1); the wildcard 0.0.0.0 is not. */
    static boolean isLoopback(String host) {
        if (host == null || host.isBlank()) return false;
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) if (!a.isLoopbackAddress()) return false;
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
