package fr.snp.dispatch.matching;

import fr.snp.dispatch.domain.Mode;
import fr.snp.dispatch.domain.Viewer;

import java.util.Set;

/**
 * A search for slots: where the patient is, the window (epoch seconds), the acceptable modes, the specialty
 * (null = general practice), whether the practice must be accessible, the radius, and whether the request is
 * SAS-regulated (then effectors at their weekly SAS cap are left out).
 */
public record MatchQuery(double lat, double lng, long fromSec, long toSec, Set<Mode> modes, String specialty,
                         boolean reducedMobility, double radiusKm, boolean sasRegulated, Viewer viewer, int limit) {
}
