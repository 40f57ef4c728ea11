package dev.costgateway.core.embed;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The embeddings of one request, computed lazily and at most once per text, so the semantic-cache lookup, the
 * store that follows the answer (on a background thread) and any other user of the same request (the router's
 * embedding layer) share one model call. Create one per request; it is thread-safe, and a text is embedded by the
 * first thread that asks for it.
 *
 * <p>{@link #vector} is empty while the embedder is not ready and for a text that does not fit the model's
 * window ({@link Embedder#fitsWindow}): a truncated vector says nothing about the part that was cut off.
 */
public final class PromptEmbedding {

    private static final float[] DOES_NOT_FIT = new float[0];

    private final Supplier<Optional<Embedder>> embedder;
    /** Guarded by {@code this}; few texts per request (usually one). */
    private final Map<String, float[]> vectors = new HashMap<>(4);
    private Embedder model;

    /** @param embedder the embedder once ready (e.g. {@code embedderService::ready}); must not block */
    public PromptEmbedding(Supplier<Optional<Embedder>> embedder) {
        this.embedder = Objects.requireNonNull(embedder);
    }

    /**
     * The unit vector of {@code text} (embedding it now if no one did for this request), or empty when the
     * embedder is not ready or the text does not fit its window. All texts of one request use the same model.
     */
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

    /** The vector of {@code text} if this request has already computed it; never embeds. */
    public synchronized Optional<float[]> ifComputed(String text) {
        float[] known = vectors.get(text);
        return known == null || known == DOES_NOT_FIT ? Optional.empty() : Optional.of(known);
    }
}
