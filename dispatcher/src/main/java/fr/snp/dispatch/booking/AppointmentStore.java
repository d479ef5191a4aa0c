package fr.snp.dispatch.booking;

import fr.snp.dispatch.domain.Ids;
import fr.snp.dispatch.redis.Keys;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/** Reads appointments (written only by book.lua and cancel.lua). */
public final class AppointmentStore {
    private final RedisAsyncCommands<String, String> redis;

    public AppointmentStore(RedisAsyncCommands<String, String> redis) { this.redis = redis; }

    /** The appointment's fields, empty when there is none. */
    public CompletionStage<Map<String, String>> get(String id) {
        return redis.hgetall(Keys.appointment(Ids.territoryOf(id), id));
    }

    public CompletionStage<Map<String, String>> slotFields(String slotId) {
        return redis.hgetall(Keys.slot(Ids.territoryOf(slotId), slotId));
    }
}
