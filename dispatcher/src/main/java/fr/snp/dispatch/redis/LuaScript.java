package fr.snp.dispatch.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A Lua script that lives beside the Java class calling it (same package, in resources), called with one record
 * ({@code C}) whose components name each key ({@link Key}) and argument, in the order of the script's header.
 * The script reads them by name: a generated first line binds {@code KEY.slot}, {@code ARG.nowMs}… to KEYS[i] and
 * ARGV[i] from the record's components, so the Java call and the Lua body cannot disagree on positions. This class
 * is the one place that turns a call record into KEYS and ARGV.
 * <p>
 * Runs by EVALSHA; when Redis does not know the script yet (restart, failover, SCRIPT FLUSH) it falls back once to
 * EVAL, which loads it.
 */
public final class LuaScript<C extends Record> {
    /** The counting functions (bump, appointmentDims, leadBucket) shared by the scripts that keep statistics. */
    public static final String STATS_PRELUDE = "/fr/snp/dispatch/stats/stats.lua";
    /** The tenancy checks (served territory, organisation, reach) shared by every script acting for a caller. */
    public static final String TENANCY_PRELUDE = "/fr/snp/dispatch/redis/tenancy.lua";

    private final String name;
    private final String source;
    private final String body;
    private final String sha;
    private final Class<C> call;
    private final List<String> keyNames = new ArrayList<>();
    private final List<String> argNames = new ArrayList<>();
    private final MethodHandle[] keyAccessors;
    private final MethodHandle[] argAccessors;

    private LuaScript(String name, String source, String preludes, Class<C> call) {
        this.name = name;
        this.source = source;
        this.call = call;
        List<MethodHandle> keys = new ArrayList<>();
        List<MethodHandle> args = new ArrayList<>();
        boolean argsStarted = false;
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            for (RecordComponent c : call.getRecordComponents()) {
                // typed (Record)Object once, so that each call is an invokeExact (no per-call adaptation)
                MethodHandle accessor = lookup.unreflect(c.getAccessor())
                        .asType(MethodType.methodType(Object.class, Record.class));
                if (c.isAnnotationPresent(Key.class)) {
                    if (argsStarted) throw new IllegalStateException(call.getName() + ": keys come before arguments");
                    keyNames.add(c.getName());
                    keys.add(accessor);
                } else {
                    argsStarted = true;
                    argNames.add(c.getName());
                    args.add(accessor);
                }
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("record " + call.getName() + " must be public", e);
        }
        this.keyAccessors = keys.toArray(MethodHandle[]::new);
        this.argAccessors = args.toArray(MethodHandle[]::new);
        this.body = names() + preludes + source;
        this.sha = sha1(body);
    }

    /**
     * The script {@code file} beside {@code owner}, called with records of {@code call}; shared Lua functions in
     * {@code preludes} (resources beside {@code owner}, or absolute paths) come in front (Redis scripts cannot
     * include one another).
     */
    public static <C extends Record> LuaScript<C> beside(Class<?> owner, String file, Class<C> call, String... preludes) {
        StringBuilder p = new StringBuilder();
        for (String prelude : preludes) p.append(read(owner, prelude));
        return new LuaScript<>(file, read(owner, file), p.toString(), call);
    }

    /** {@code local KEY = {slot = KEYS[1], …}  local ARG = {slotId = ARGV[1], …}} on one line (line numbers stay). */
    private String names() {
        StringBuilder b = new StringBuilder("local KEY = {");
        for (int i = 0; i < keyNames.size(); i++) b.append(i == 0 ? "" : ", ").append(keyNames.get(i)).append(" = KEYS[").append(i + 1).append(']');
        b.append("} local ARG = {");
        for (int i = 0; i < argNames.size(); i++) b.append(i == 0 ? "" : ", ").append(argNames.get(i)).append(" = ARGV[").append(i + 1).append(']');
        return b.append("}\n").toString();
    }

    private static String read(Class<?> owner, String file) {
        try (InputStream in = owner.getResourceAsStream(file)) {
            if (in == null) throw new IllegalStateException("Lua script " + file + " missing beside " + owner.getName());
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String name() { return name; }

    public String sha() { return sha; }

    /** What Redis runs: the generated names, the preludes, the script. */
    public String body() { return body; }

    /** The script file as written, header comment included. */
    public String source() { return source; }

    public Class<C> callType() { return call; }

    public List<String> keyNames() { return List.copyOf(keyNames); }

    public List<String> argNames() { return List.copyOf(argNames); }

    public String[] keys(C c) { return values(keyAccessors, c); }

    public String[] args(C c) { return values(argAccessors, c); }

    public <T> CompletionStage<T> run(RedisClusterAsyncCommands<String, String> redis, ScriptOutputType type, C c) {
        String[] keys = keys(c);
        String[] args = args(c);
        CompletionStage<T> first = redis.evalsha(sha, type, keys, args);
        return first.handle((value, error) -> {
            if (error == null) return CompletableFuture.completedFuture(value);
            Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
            if (cause instanceof RedisNoScriptException
                    || (cause != null && String.valueOf(cause.getMessage()).startsWith("NOSCRIPT"))) {
                return redis.<T>eval(body, type, keys, args).toCompletableFuture();
            }
            return CompletableFuture.<T>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    /** A flat field/value reply (HGETALL, or a script returning one) as a map; empty for none. */
    public static java.util.Map<String, String> fields(List<Object> flat) {
        if (flat == null || flat.isEmpty()) return java.util.Map.of();
        java.util.Map<String, String> map = new java.util.HashMap<>(flat.size());
        for (int i = 0; i + 1 < flat.size(); i += 2) map.put((String) flat.get(i), (String) flat.get(i + 1));
        return map;
    }

    private static String[] values(MethodHandle[] accessors, Record c) {
        String[] out = new String[accessors.length];
        try {
            for (int i = 0; i < accessors.length; i++) out[i] = text((Object) accessors[i].invokeExact(c));
        } catch (Throwable e) {
            throw new IllegalStateException("reading a script call record", e);
        }
        return out;
    }

    /** How a component becomes a Redis string: booleans "1"/"0", enums by name, collections sorted, comma-separated. */
    static String text(Object v) {
        if (v == null) return "";
        if (v instanceof String s) return s;
        if (v instanceof Boolean b) return b ? "1" : "0";
        if (v instanceof Enum<?> e) return e.name();
        if (v instanceof Collection<?> c) {
            TreeSet<String> sorted = new TreeSet<>();
            c.forEach(x -> sorted.add(text(x)));
            return String.join(",", sorted);
        }
        return v.toString();
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
