package fr.snp.dispatch.redis;

import io.lettuce.core.RedisException;

/** Tells the HTTP layer, which never sees Lettuce, that a failure came from the store being unreachable. */
public final class StoreFailures {
    private StoreFailures() {}

    /**
     * Lettuce's own exceptions, and the socket's (a command in flight when Redis dies, "Connection reset", fails with
     * the raw I/O exception): either way the store did not answer, which the caller may try again.
     */
    public static boolean unavailable(Throwable t) { return t instanceof RedisException || t instanceof java.io.IOException; }
}
