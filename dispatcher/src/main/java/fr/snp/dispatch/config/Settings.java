package fr.snp.dispatch.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The configuration: config/dispatcher.properties (documented there), overridden by environment variables and
 * system properties. Read once at start; typed getters fail fast on a bad value.
 */
public final class Settings {
    private final Map<String, String> values;

    private Settings(Map<String, String> values) { this.values = Map.copyOf(values); }

    /** Defaults from the bundled file (or {@code file} if given), then environment, then system properties. */
    public static Settings load(Path file, Map<String, String> env) {
        Map<String, String> v = new HashMap<>(read(file));
        v.keySet().forEach(key -> {
            String fromEnv = env.get("DISPATCH_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
            if (fromEnv != null) v.put(key, fromEnv);
            String fromProp = System.getProperty("dispatch." + key);
            if (fromProp != null) v.put(key, fromProp);
        });
        if (env.get("PORT") != null) v.put("http.port", env.get("PORT"));
        if (env.get("HOST") != null) v.put("http.host", env.get("HOST"));
        if (env.get("REDIS_URL") != null) v.put("redis.url", env.get("REDIS_URL"));
        return new Settings(v);
    }

    /** Bundled defaults with some keys replaced: what tests use. */
    public static Settings defaultsWith(Map<String, String> overrides) {
        Map<String, String> v = new HashMap<>(read(null));
        overrides.forEach((k, val) -> {
            if (!v.containsKey(k)) throw new IllegalArgumentException("unknown setting " + k);
            v.put(k, val);
        });
        return new Settings(v);
    }

    public Settings with(String key, String value) {
        Map<String, String> v = new HashMap<>(values);
        v.put(key, value);
        return new Settings(v);
    }

    private static Map<String, String> read(Path file) {
        Properties p = new Properties();
        try {
            if (file != null) {
                try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) { p.load(r); }
            } else {
                try (InputStream in = Settings.class.getResourceAsStream("/config/dispatcher.properties")) {
                    if (in == null) throw new IllegalStateException("config/dispatcher.properties missing from the jar");
                    p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read configuration " + file, e);
        }
        Map<String, String> m = new HashMap<>();
        p.forEach((k, val) -> m.put(k.toString(), val.toString().strip()));
        return m;
    }

    public String string(String key) {
        String v = values.get(key);
        if (v == null) throw new IllegalStateException("missing setting " + key);
        return v;
    }

    public int integer(String key) {
        try { return Integer.parseInt(string(key)); }
        catch (NumberFormatException e) { throw new IllegalStateException("setting " + key + " is not an integer: " + string(key)); }
    }

    public double decimal(String key) {
        try { return Double.parseDouble(string(key)); }
        catch (NumberFormatException e) { throw new IllegalStateException("setting " + key + " is not a number: " + string(key)); }
    }

    public Duration duration(String key) { return Duration.parse(string(key)); }

    public ZoneId zone(String key) { return ZoneId.of(string(key)); }

    public boolean isSet(String key) { return !values.getOrDefault(key, "").isEmpty(); }
}
