package fr.snp.dispatch.bench;

import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The figures of one bench run under stable names, printed at its end as one machine-readable line
 * ({@code BENCH {json}}) so that runs can be compared by a script. Names are snake_case and carry their unit:
 * {@code _us} (microseconds), {@code _ms}, {@code _per_s}, {@code _bytes}, {@code _ratio}, {@code _cpu_us} (CPU
 * microseconds per operation). A phase that did not run leaves its names out rather than writing zeros.
 */
public final class Figures {
    private final Map<String, Object> values = new LinkedHashMap<>();

    /** Records a figure; a second value under the same name is a bench bug (two phases claiming one name). */
    public Figures put(String name, double value) {
        if (!name.matches("[a-z0-9_]+")) throw new IllegalArgumentException("figure names are snake_case: " + name);
        if (values.containsKey(name)) throw new IllegalStateException("figure " + name + " recorded twice");
        values.put(name, Double.isFinite(value) ? round(value) : null);
        return this;
    }

    public Figures put(String name, String value) {
        if (values.containsKey(name)) throw new IllegalStateException("figure " + name + " recorded twice");
        values.put(name, value);
        return this;
    }

    public Object get(String name) { return values.get(name); }

    private static Object round(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return (long) v;
        return Math.round(v * 1000) / 1000.0;
    }

    public String line() { return "BENCH " + new JsonObject(values).encode(); }
}
