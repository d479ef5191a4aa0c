package fr.snp.dispatch.matching;

import fr.snp.dispatch.config.Settings;

/** Weights of the score parts and the knobs of the search (config keys ranking.* and matching.*). */
public record RankingWeights(double distance, double time, double fairness, int maxPerEffector, int perLocation,
                             int minLeadMinutes) {

    public static RankingWeights from(Settings s) {
        return new RankingWeights(s.decimal("ranking.weight.distance"), s.decimal("ranking.weight.time"),
                s.decimal("ranking.weight.fairness"), s.integer("ranking.maxPerEffector"),
                s.integer("matching.perLocation"), s.integer("matching.minLeadMinutes"));
    }
}
