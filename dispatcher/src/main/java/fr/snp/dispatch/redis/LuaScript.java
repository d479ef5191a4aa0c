package fr.snp.dispatch.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A Lua script that lives beside the Java class calling it (same package, in resources). Runs by EVALSHA; when
 * Redis does not know the script yet (restart, failover, SCRIPT FLUSH) it falls back once to EVAL, which loads it.
 */
public final class LuaScript {
    private final String name;
    private final String body;
    private final String sha;

    private LuaScript(String name, String body) {
        this.name = name;
        this.body = body;
        this.sha = sha1(body);
    }

    /** The counting functions (bump, appointmentDims, leadBucket) shared by the scripts that keep statistics. */
    public static final String STATS_PRELUDE = "/fr/snp/dispatch/stats/stats.lua";

    /**
     * A script with shared Lua functions in front (Redis scripts cannot include one another); each prelude is a
     * resource beside {@code owner}, or an absolute resource path.
     */
    public static LuaScript beside(Class<?> owner, String file, String... preludes) {
        StringBuilder body = new StringBuilder();
        for (String prelude : preludes) body.append(read(owner, prelude));
        return new LuaScript(file, body.append(read(owner, file)).toString());
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

    public String body() { return body; }

    public <T> CompletionStage<T> run(RedisAsyncCommands<String, String> redis, ScriptOutputType type, String[] keys,
                                      String... args) {
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

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
