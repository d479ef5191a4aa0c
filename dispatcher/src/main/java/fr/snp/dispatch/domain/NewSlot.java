package fr.snp.dispatch.domain;

/**
 * A slot to publish: its effector and practice location, start and end (epoch s) with the UTC offset at start,
 * mode, audience mask, and for a reserved slot when it opens (epoch ms, 0 = not reserved) to which audiences; the
 * ISO week of the start (the period of the weekly SAS cap). Its id is its effector and start minute.
 */
public record NewSlot(String effectorId, int location, long start, long end, int offsetSeconds, String mode,
                      int audiences, long releaseAtMs, int releaseTo, String week) {
    public String id() { return Ids.slot(effectorId, start); }
}
