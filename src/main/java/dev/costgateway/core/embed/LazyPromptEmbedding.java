package dev.costgateway.core.embed;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/** {@link PromptEmbedding#lazy}: each text embedded by the first thread that asks for it. Thread-safe. */
final class LazyPromptEmbedding implements PromptEmbedding {

    private static final float[] DOES_NOT_FIT = new float[0];

    private final Supplier<Optional<Embedder>> embedder;
    /** Guarded by {@code this}; few texts per request (usually one). */
    private final Map<String, float[]> vectors = new HashMap<>(4);
    private Embedder model;

    LazyPromptEmbedding(Supplier<Optional<Embedder>> embedder) {
        this.embedder = Objects.requireNonNull(embedder);
    }

    @Override
    public synchronized Optional<float[]> vector(String text) {
        float[] known = vectors.get(text);
        if (known == null) {
            if (model == null) {
                model = embedder.get().orElse(null);
                if (model == null) {
                    return Optional.empty();
                }
            }
            known = model.fitsWindow(text) ? model.embed(text) : DOES_NOT_FIT;
            vectors.put(text, known);
        }
        return known == DOES_NOT_FIT ? Optional.empty() : Optional.of(known);
    }

    @Override
    public synchronized Optional<float[]> ifComputed(String text) {
        float[] known = vectors.get(text);
        return known == null || known == DOES_NOT_FIT ? Optional.empty() : Optional.of(known);
    }
}
