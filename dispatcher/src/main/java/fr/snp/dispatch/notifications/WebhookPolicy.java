package fr.snp.dispatch.notifications;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;

/**
 * Where the dispatcher may send an effector's notifications (which carry a patient's phone). Only https outside demo
 * and tests, and never to this machine, a private network, link-local addresses (the cloud metadata service is
 * 169.254.169.254) or the like: a webhook must not turn the server into a way into its own network. Checked at
 * registration and again at each send, since a name can resolve elsewhere later. Hosts the operator trusts (a
 * practice-software gateway on the LAN) are allow-listed in config.
 */
public final class WebhookPolicy {
    private final boolean requireHttps;
    private final Set<String> allowedHosts;

    public WebhookPolicy(boolean requireHttps, Set<String> allowedHosts) {
        this.requireHttps = requireHttps;
        this.allowedHosts = Set.copyOf(allowedHosts);
    }

    /** Why this URL is refused as written (scheme, form), or null. No name resolution. */
    public String refusal(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return "is not a URL";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && !requireHttps)) return "must be an https URL";
        if (uri.getHost() == null || uri.getUserInfo() != null) return "must name a host, without user or password";
        return null;
    }

    /** Why sending to this URL now is refused (as written, or where its host resolves), or null. Blocking (DNS). */
    public String refusalAtSend(String url) {
        String written = refusal(url);
        if (written != null) return written;
        String host = URI.create(url).getHost();
        if (allowedHosts.contains(host.toLowerCase(Locale.ROOT))) return null;
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (notPublic(a)) return "resolves to a loopback, private, link-local or reserved address";
            }
            return null;
        } catch (UnknownHostException e) {
            return "does not resolve";
        }
    }

    /** Loopback, wildcard, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local, multicast, CGNAT (100.64/10). */
    static boolean notPublic(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (b.length == 16) return (b[0] & 0xfe) == 0xfc;
        return (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64 || (b[0] & 0xff) == 0;
    }
}
