package dev.costgateway.core.routing;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.decision.DifficultyScore;
import dev.costgateway.core.embed.Embedder;

/**
 * Scores a request: {@link PromptFeatures} of its last user turn, the turn's embedding when the embedder is ready
 * (computed once here and handed on in the {@link DifficultyScore}, so the semantic cache need not embed again),
 * and {@link RouterModel}. While the embedder loads, is off or failed, the features-only model answers: every
 * request still gets a score. Thread-safe; never blocks on model loading.
 */
public final class DifficultyScorer {

    private final RouterModel model;
    private final Supplier<Optional<Embedder>> embedder;
    private final java.util.function.Function<String, Optional<float[]>> known;

    /** @param embedder the embedder once ready (e.g. {@code embedderService::ready}); must not block */
    public DifficultyScorer(RouterModel model, Supplier<Optional<Embedder>> embedder) {
        this(model, embedder, text -> Optional.empty());
    }

    private DifficultyScorer(RouterModel model, Supplier<Optional<Embedder>> embedder,
                             java.util.function.Function<String, Optional<float[]>> known) {
        this.model = Objects.requireNonNull(model);
        this.embedder = Objects.requireNonNull(embedder);
        this.known = Objects.requireNonNull(known);
    }

    /**
     * This scorer for one request whose text may already be embedded (by the semantic-cache lookup, same model):
     * {@code known} gives that vector, and the prompt is then not embedded a second time.
     */
    public DifficultyScorer reusing(java.util.function.Function<String, Optional<float[]>> known) {
        return new DifficultyScorer(model, embedder, known);
    }

    /** The shipped model with the given embedder. */
    public static DifficultyScorer shipped(Supplier<Optional<Embedder>> embedder) {
        return new DifficultyScorer(RouterModel.load(), embedder);
    }

    public RouterModel model() {
        return model;
    }

    /**
     * The features-only score (no embedding): for requests whose tier a rule already decided, where the score is
     * only recorded and an embedding (1-20 ms of CPU) would buy nothing.
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
            Optional<Embedder> e = embedder.get();
            if (e.isPresent() && e.get().dimensions() == model.embeddingDims()) {
                vector = known.apply(text).filter(v -> v.length == model.embeddingDims())
                        .orElseGet(() -> e.get().embed(text));
            }
        }
        return model.score(features, vector);
    }
}
