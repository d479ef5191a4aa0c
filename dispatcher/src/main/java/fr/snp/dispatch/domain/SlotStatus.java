package fr.snp.dispatch.domain;

/**
 * Stored slot status. "held" is not stored: a slot is held while its Redis hold key lives, so that a hold ends
 * exactly when Redis expires the key, with no job to run.
 */
public enum SlotStatus {
    FREE("f"), BOOKED("b"), CANCELLED("c");

    public final String code;

    SlotStatus(String code) { this.code = code; }

    public static SlotStatus ofCode(String code) {
        switch (code) {
            case "f": return FREE;
            case "b": return BOOKED;
            case "c": return CANCELLED;
            default: throw new IllegalStateException("unknown slot status code " + code);
        }
    }
}
