package fr.snp.dispatch.booking;

import fr.snp.dispatch.domain.SlotState;
import fr.snp.dispatch.matching.SlotIndex;

/** Applies the slot state a script returned to this instance's index (other instances follow the change stream). */
final class Slots {
    private Slots() {}

    static void apply(SlotIndex index, String slotId, ScriptReply reply) {
        if (slotId == null || reply.slot().isEmpty()) return;
        SlotState state = SlotState.fromHash(slotId, reply.slot());
        index.apply(state);
        if (reply.loadAll() >= 0) index.setLoad(state.effectorId(), state.week(), reply.loadAll(), reply.loadSas());
    }
}
