package dev.costgateway.core.routing;

import dev.costgateway.core.config.Tier;

/**
 * A classifier's answer for one request.
 *
 * @param tier       the cheapest tier the classifier thinks can answer well
 * @param confidence 0 to 1; the router lets the heuristic decide alone at or above
 *                   {@code classifier.heuristic_confidence}
 * @param reason     the signals behind it, short, for the request table
 * @param score      the heuristic's raw score (its tier boundaries are 0.5 and 3.0); NaN when not computed
 */
public record Classification(Tier tier, double confidence, String reason, double score) {

    public Classification(Tier tier, double confidence, String reason) {
        this(tier, confidence, reason, Double.NaN);
    }
}
