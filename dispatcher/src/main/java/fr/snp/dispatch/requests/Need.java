package fr.snp.dispatch.requests;

import fr.snp.dispatch.domain.Mode;

import java.time.OffsetDateTime;
import java.util.Set;

/** What the patient needs: a window, the acceptable modes, a specialty, how far they can go, how many candidates. */
public record Need(OffsetDateTime from, OffsetDateTime to, Set<Mode> modes, String specialty, double radiusKm, int limit) {
    public Need {
        modes = Set.copyOf(modes);
    }
}
