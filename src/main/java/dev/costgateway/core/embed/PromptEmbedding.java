package dev.costgateway.core.embed;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The embeddings of one request, computed lazily and at most once per text, so the semantic-cache lookup, the
 * store that follows the answer (on a background thread) and any other user of the same request (the router's
 * embedding layer) share one model call. A per-request value, not a component: create one per request with
 * {@link #lazy}. Thread-safe.
 *
 * <p>{@link #vector} is empty while the embedder is not ready and for a text that does not fit the model's
 * window ({@link Embedder#fitsWindow}): a truncated vector says nothing about the part that was cut off.
 */
public interface PromptEmbedding {

    /**
     * The unit vector of {@code text} (embedding it now if no one did for this request), or empty when the
     * embedder is not ready or the text does not fit its window. Waits for an embedding of the same text that is
     * running on another thread; one that an executor has queued but not started is run here instead. All texts
     * of one request use the same model.
     */
    Optional<float[]> vector(String text);

    /**
     * The vector of {@code text}, embedded on {@code executor} unless this request has it or is computing it
     * already; a later {@link #vector} of the same text waits for this one instead of embedding again. The
     * caller decides how long to wait (the semantic-cache lookup waits a small budget, then moves on).
     *
     * @throws java.util.concurrent.RejectedExecutionException when the executor refuses the task
     */
    CompletableFuture<Optional<float[]>> vectorOn(String text, Executor executor);

    /** The vector of {@code text} if this request has already computed it; never embeds, never waits. */
    Optional<float[]> ifComputed(String text);

    /** @param embedder the embedder once ready (e.g. {@code embedderService::ready}); must not block */
    static PromptEmbedding lazy(Supplier<Optional<Embedder>> embedder) {
        return new LazyPromptEmbedding(embedder);
    }
}
