package dev.costgateway.core.embed;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * {@link PromptEmbedding#lazy}: each text embedded once, by the first thread or executor that asks for it. No lock
 * is held while the model runs, so {@link #ifComputed} (the router, on the request thread) never waits for an
 * embedding in progress. Thread-safe.
 */
final class LazyPromptEmbedding implements PromptEmbedding {

    private static final Optional<float[]> DOES_NOT_FIT = Optional.empty();

    private final Supplier<Optional<Embedder>> embedder;
    /** One future per text (usually one text per request); empty when the text does not fit the window. */
    private final Map<String, CompletableFuture<Optional<float[]>>> vectors = new ConcurrentHashMap<>(4);
    /** The model of the first embedding: all texts of one request use the same one. */
    private volatile Embedder model;

    LazyPromptEmbedding(Supplier<Optional<Embedder>> embedder) {
        this.embedder = Objects.requireNonNull(embedder);
    }

    @Override
    public Optional<float[]> vector(String text) {
        CompletableFuture<Optional<float[]>> known = vectors.get(text);
        if (known != null) {
            return known.join();
        }
        Embedder m = model();
        if (m == null) {
            return Optional.empty();
        }
        CompletableFuture<Optional<float[]>> mine = new CompletableFuture<>();
        known = vectors.putIfAbsent(text, mine);
        if (known != null) {
            return known.join(); // someone else is embedding it: wait for theirs
        }
        embedInto(mine, m, text);
        return mine.join();
    }

    @Override
    public CompletableFuture<Optional<float[]>> vectorOn(String text, Executor executor) {
        CompletableFuture<Optional<float[]>> known = vectors.get(text);
        if (known != null) {
            return known;
        }
        Embedder m = model();
        if (m == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        CompletableFuture<Optional<float[]>> mine = new CompletableFuture<>();
        known = vectors.putIfAbsent(text, mine);
        if (known != null) {
            return known;
        }
        try {
            executor.execute(() -> embedInto(mine, m, text));
        } catch (RejectedExecutionException e) {
            vectors.remove(text, mine); // a later vector() (the store) embeds it itself
            throw e;
        }
        return mine;
    }

    @Override
    public Optional<float[]> ifComputed(String text) {
        CompletableFuture<Optional<float[]>> known = vectors.get(text);
        return known != null && known.isDone() && !known.isCompletedExceptionally()
                ? known.join() : Optional.empty();
    }

    private Embedder model() {
        Embedder m = model;
        if (m == null) {
            m = embedder.get().orElse(null);
            if (m != null) {
                synchronized (this) {
                    if (model == null) {
                        model = m;
                    }
                    m = model;
                }
            }
        }
        return m;
    }

    private static void embedInto(CompletableFuture<Optional<float[]>> future, Embedder m, String text) {
        try {
            future.complete(m.fitsWindow(text) ? Optional.of(m.embed(text)) : DOES_NOT_FIT);
        } catch (RuntimeException | Error e) {
            future.completeExceptionally(e);
            throw e;
        }
    }
}
