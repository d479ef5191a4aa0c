package fr.snp.dispatch.notifications;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The keys that sign the doctors' and patients' links, each with an id carried in the link, so that a key can rotate:
 * the first signs, every one verifies (the previous key stays listed until the links it signed have expired). They
 * come from configuration ({@code links.keys} = "id:base64key,…") or a file ({@code links.keyFile}, one "id:base64key"
 * a line, first line signs) — never from Redis, where they would sit beside the data they protect. Without either,
 * an embedded (one-machine) server makes a key file in its private data directory; a server on an external Redis
 * makes a key for this process only and says so (links then die with the process and differ between instances).
 */
public record LinkKeys(List<Key> keys) {
    private static final Logger LOG = Logger.getLogger(LinkKeys.class.getName());

    public record Key(String id, byte[] secret) {
        public Key {
            if (!id.matches("[A-Za-z0-9]{1,16}")) throw new IllegalArgumentException("a link key id is 1 to 16 letters or digits");
            if (secret.length < 32) throw new IllegalArgumentException("link key " + id + " has fewer than 32 bytes");
        }
    }

    public LinkKeys {
        if (keys.isEmpty()) throw new IllegalArgumentException("no link key");
        keys = List.copyOf(keys);
    }

    public Key signing() { return keys.get(0); }

    public Key byId(String id) {
        for (Key k : keys) if (k.id().equals(id)) return k;
        return null;
    }

    /** "id:base64key,id:base64key" or the same one a line. */
    public static LinkKeys parse(String text) {
        Map<String, Key> keys = new LinkedHashMap<>();
        List<String> items = new ArrayList<>();
        for (String line : text.split("\\n")) {
            if (!line.strip().startsWith("#")) items.addAll(List.of(line.split(",")));
        }
        for (String item : items) {
            String t = item.strip();
            if (t.isEmpty()) continue;
            int colon = t.indexOf(':');
            if (colon < 1) throw new IllegalArgumentException("a link key is written id:base64key");
            Key k = new Key(t.substring(0, colon), Base64.getDecoder().decode(t.substring(colon + 1)));
            keys.putIfAbsent(k.id(), k);
        }
        return new LinkKeys(new ArrayList<>(keys.values()));
    }

    /** The configured keys; else a key file made once in {@code privateDir} (0600); else a key for this process. */
    public static LinkKeys load(String configured, String keyFile, Path privateDir) throws IOException {
        if (configured != null && !configured.isBlank()) return parse(configured);
        if (keyFile != null && !keyFile.isBlank()) return parse(Files.readString(Path.of(keyFile), StandardCharsets.UTF_8));
        if (privateDir != null) {
            Path file = privateDir.resolve("link-keys");
            if (!Files.exists(file)) {
                Files.writeString(file, "# keys of the signed links: id:base64key, the first signs\n" + fresh("k1") + "\n");
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException notPosix) {
                    // not a POSIX file system: the data directory's own protection applies
                }
            }
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        }
        LOG.warning("no links.keys nor links.keyFile: the signed links use a key made for this process only (they stop "
                + "working at restart and on other instances)");
        return parse(fresh("p" + Long.toString(System.currentTimeMillis() % 100_000, 36)));
    }

    /** A new "id:base64key" line (32 random bytes), e.g. to add at the head of links.keys when rotating. */
    public static String fresh(String id) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return id + ":" + Base64.getEncoder().encodeToString(key);
    }
}
