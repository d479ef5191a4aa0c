package fr.snp.dispatch.redis;

import io.lettuce.core.RedisException;

/** Tells the HTTP layer, which never sees Lettuce, that a failure came from the store being unreachable. */
public final class StoreFailures {
    private StoreFailures() {}

    public static boolean unavailable(Throwable t) { return t instanceof RedisException; }
}
