package fr.snp.dispatch.matching;

import fr.snp.dispatch.domain.Effector;
import fr.snp.dispatch.domain.PracticeLocation;
import fr.snp.dispatch.domain.SlotState;

/** A ranked slot with the parts of its score, so a regulator can see why it comes first. */
public record Candidate(SlotState slot, Effector effector, PracticeLocation place, double distanceKm,
                        double distanceScore, double timeScore, double fairnessScore, double score, int weekLoad) {
}
