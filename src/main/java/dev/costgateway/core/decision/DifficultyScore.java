package dev.costgateway.core.decision;

/**
 * How demanding one request looks, from the router's model (package {@code routing}): two probabilities the router
 * compares with its calibrated thresholds ({@link RoutingThresholds}).
 *
 * @param premium   estimated probability that the request needs the premium tier (deep multi-step reasoning,
 *                  proofs, system design, long code, subtle debugging)
 * @param balanced  estimated probability that it needs at least the balanced tier (a fast model would answer
 *                  worse); at least {@code premium}
 * @param model     {@value #WITH_EMBEDDING} when the prompt's word-piece vector was used (the router's own
 *                  vectors, ADR 0026, not the semantic cache's sentence embedding), {@value #FEATURES_ONLY}
 *                  when they were not loaded yet (heuristic features only)
 */
public record DifficultyScore(double premium, double balanced, String model) {

    /** {@link #model()} when the prompt's word-piece vector and the heuristic features were used. */
    public static final String WITH_EMBEDDING = "embedding+features";
    /** {@link #model()} when only the heuristic features were used (vectors not loaded). */
    public static final String FEATURES_ONLY = "features";

    /** True when the embedding-based model produced these figures. */
    public boolean usedEmbedding() {
        return WITH_EMBEDDING.equals(model);
    }
}
