package dev.costgateway.core.decision;

/**
 * How demanding one request looks, from the router's model (package {@code routing}): two probabilities the router
 * compares with its calibrated thresholds ({@link RoutingThresholds}).
 *
 * @param premium   estimated probability that the request needs the premium tier (deep multi-step reasoning,
 *                  proofs, system design, long code, subtle debugging)
 * @param balanced  estimated probability that it needs at least the balanced tier (a fast model would answer
 *                  worse); at least {@code premium}
 * @param model     {@value #WITH_EMBEDDING} when the prompt's embedding was used,
 *                  {@value #FEATURES_ONLY} when the embedder was not ready (heuristic features only)
 * @param embedding the prompt's all-MiniLM-L6-v2 embedding (unit length), computed once per request so the
 *                  semantic cache can reuse it; null when the embedder was not ready or the prompt was empty.
 *                  Do not modify it.
 */
public record DifficultyScore(double premium, double balanced, String model, float[] embedding) {

    /** {@link #model()} when the prompt's embedding and the heuristic features were used. */
    public static final String WITH_EMBEDDING = "embedding+features";
    /** {@link #model()} when only the heuristic features were used (embedder not ready). */
    public static final String FEATURES_ONLY = "features";

    /** True when the embedding-based model produced these figures. */
    public boolean usedEmbedding() {
        return WITH_EMBEDDING.equals(model);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "DifficultyScore[premium=%.4f, balanced=%.4f, model=%s]",
                premium, balanced, model);
    }
}
