package fr.snp.dispatch.booking;

import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.matching.SlotIndex;
import fr.snp.dispatch.redis.LuaScript;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Runs a slot script and applies the slot state it returned to this instance's index (other instances follow the
 * change stream): what Bookings and Publishing share.
 */
final class Slots {
    private Slots() {}

    static <C extends Record> CompletionStage<ScriptReply> run(RedisClusterAsyncCommands<String, String> redis, SlotIndex index,
                                                               LuaScript<C> script, C call, String slotId) {
        return script.<List<Object>>run(redis, ScriptOutputType.MULTI, call).thenApply(raw -> {
            ScriptReply reply = ScriptReply.parse(raw);
            apply(index, slotId, reply);
            return reply;
        });
    }

    /** A state change that must be kept as {@code durability} asks (booking, cancellation, feedback). */
    static <C extends Record> CompletionStage<ScriptReply> run(fr.snp.dispatch.redis.Durability durability, SlotIndex index,
                                                               LuaScript<C> script, C call, String slotId) {
        return durability.<C, List<Object>>run(script, ScriptOutputType.MULTI, call).thenApply(raw -> {
            ScriptReply reply = ScriptReply.parse(raw);
            apply(index, slotId, reply);
            return reply;
        });
    }

    static void apply(SlotIndex index, String slotId, ScriptReply reply) {
        if (slotId == null || reply.slot().isEmpty()) return;
        SlotState state = SlotState.fromHash(slotId, reply.slot());
        index.apply(state);
        if (reply.loadAll() >= 0) index.setLoad(state.effectorId(), state.week(), reply.loadAll(), reply.loadSas());
    }
}
