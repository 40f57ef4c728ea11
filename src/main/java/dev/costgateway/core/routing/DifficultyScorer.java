package dev.costgateway.core.routing;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.decision.DifficultyScore;
import dev.costgateway.core.embed.Embedder;

/**
 * Scores a request: {@link PromptFeatures} of its last user turn, the turn's word-piece vector
 * ({@link dev.costgateway.core.embed.TokenVectors}: a tokenisation and a mean, no transformer, so scoring is cheap
 * enough for every request on the request thread; ADR 0026) once it is loaded, and {@link RouterModel}. The
 * semantic cache's sentence embedding is a different model and never used here. While the vectors load, or when
 * they failed, the features-only model answers: every request still gets a score. Thread-safe; never blocks on
 * model loading.
 */
public final class DifficultyScorer {

    private final RouterModel model;
    private final Supplier<Optional<Embedder>> vectors;

    /** @param vectors the router's word-piece vectors once loaded (e.g. {@code service::ready}); must not block */
    public DifficultyScorer(RouterModel model, Supplier<Optional<Embedder>> vectors) {
        this.model = Objects.requireNonNull(model);
        this.vectors = Objects.requireNonNull(vectors);
    }

    /** The shipped model with the given vectors. */
    public static DifficultyScorer shipped(Supplier<Optional<Embedder>> vectors) {
        return new DifficultyScorer(RouterModel.load(), vectors);
    }

    public RouterModel model() {
        return model;
    }

    /**
     * The features-only score (no vector): for requests whose tier a rule already decided, where the score is
     * only recorded and the model with the vector would buy nothing.
     */
    public DifficultyScore scoreWithoutEmbedding(ObjectNode body) {
        String text = PromptText.lastUserText(body);
        return model.score(PromptFeatures.of(text, PromptText.systemText(body).length(), PromptText.userTurns(body)),
                null);
    }

    public DifficultyScore score(ObjectNode body) {
        String text = PromptText.lastUserText(body);
        double[] features = PromptFeatures.of(text, PromptText.systemText(body).length(), PromptText.userTurns(body));
        float[] vector = null;
        if (!text.isBlank()) {
            Optional<Embedder> e = vectors.get();
            if (e.isPresent() && e.get().dimensions() == model.embeddingDims()) {
                vector = e.get().embed(text);
            }
        }
        return model.score(features, vector);
    }
}
