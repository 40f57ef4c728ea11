package dev.costgateway.core.routing;

import java.util.Optional;

import dev.costgateway.core.config.Tier;

/**
 * Layer 2 of the classifier: nearest labelled examples in embedding space. Implemented next to the embedder
 * (package {@code cache}/{@code embed}); the router only knows this interface. Must not block on model loading:
 * while the embedder is not ready it returns empty.
 */
public interface EmbeddingLayer {

    /** A tier vote, or empty when the nearest examples disagree, are too far, or the model is not loaded yet. */
    Optional<TierVote> classify(String promptText);

    /** @param similarity cosine of the agreeing neighbours; @param nearestExample text of the closest example */
    record TierVote(Tier tier, double similarity, String nearestExample) {
    }

    EmbeddingLayer NONE = text -> Optional.empty();
}
