package fr.snp.dispatch.domain;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * One slot as Redis stores it (a small hash with one-letter fields, to stay well under 400 bytes a slot) and as
 * the in-memory index keeps it. Immutable: every Lua script returns the new state, with a version that only grows.
 */
public record SlotState(String id, String effectorId, int location, long start, long end, int offsetSeconds, Mode mode,
                        int audiences, long releaseAtMs, int releaseTo, boolean released, SlotStatus status,
                        long holdUntilMs, String appointmentId, String week, long version) {

    /**
     * Reads the flat HGETALL reply of a slot hash (or a change-stream entry, which carries the same fields). The
     * effector "e" and the start "s" are read from the id when absent: the scripts store them only when the id does
     * not tell them (issue 14: a start off the minute keeps its "s"), hashes written before keep both.
     */
    public static SlotState fromHash(String id, Map<String, String> h) {
        String e = h.get("e"), s = h.get("s");
        return new SlotState(id, e != null ? e : Ids.effectorOfSlot(id), Integer.parseInt(h.get("l")),
                s != null ? Long.parseLong(s) : Ids.slotStart(id),
                Long.parseLong(h.get("n")), Integer.parseInt(h.get("o")), Mode.valueOf(h.get("m")),
                Integer.parseInt(h.get("a")), Long.parseLong(h.getOrDefault("ra", "0")),
                Integer.parseInt(h.getOrDefault("rt", "0")), h.containsKey("rl"), SlotStatus.ofCode(h.get("st")),
                Long.parseLong(h.getOrDefault("h", "0")), h.get("ap"), h.get("w"), Long.parseLong(h.get("v")));
    }

    public boolean heldAt(long nowMs) { return status == SlotStatus.FREE && holdUntilMs > nowMs; }

    public int audiencesAt(long nowMs) { return Audience.effective(audiences, releaseAtMs, releaseTo, nowMs); }

    /** Free, not held, not started, and visible to a viewer whose audience mask (for this effector) is given. */
    public boolean offerableTo(int viewerMask, long nowMs) {
        return status == SlotStatus.FREE && holdUntilMs <= nowMs && start * 1000 > nowMs
                && (audiencesAt(nowMs) & viewerMask) != 0;
    }

    /** The API status vocabulary: free, held, booked, cancelled. */
    public String apiStatus(long nowMs) {
        if (heldAt(nowMs)) return "held";
        switch (status) {
            case FREE: return "free";
            case BOOKED: return "booked";
            default: return "cancelled";
        }
    }

    public OffsetDateTime startTime() { return at(start); }

    public OffsetDateTime endTime() { return at(end); }

    private OffsetDateTime at(long epochSecond) {
        return Instant.ofEpochSecond(epochSecond).atOffset(ZoneOffset.ofTotalSeconds(offsetSeconds));
    }
}
