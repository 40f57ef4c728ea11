package dev.costgateway.core.embed;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * {@link PromptEmbedding#lazy}: each text embedded once, by the first thread or executor that gets to it. A text
 * handed to an executor ({@link #vectorOn}) that has not started yet is taken over by a thread that needs it now
 * ({@link #vector}): it never waits behind other prompts in that executor's queue, and never embeds twice. No lock
 * is held while the model runs. Thread-safe.
 */
final class LazyPromptEmbedding implements PromptEmbedding {

    private static final Optional<float[]> DOES_NOT_FIT = Optional.empty();

    /** One text's embedding: whoever claims it first runs the model, everyone else waits for the future. */
    private static final class Pending {
        final CompletableFuture<Optional<float[]>> future = new CompletableFuture<>();
        final AtomicBoolean claimed = new AtomicBoolean();
        final Embedder model;

        Pending(Embedder model) {
            this.model = model;
        }

        /** Runs the model here unless another thread claimed it; then returns (the future says when it is done). */
        void runIfUnclaimed(String text) {
            if (claimed.compareAndSet(false, true)) {
                try {
                    future.complete(model.fitsWindow(text) ? Optional.of(model.embed(text)) : DOES_NOT_FIT);
                } catch (RuntimeException | Error e) {
                    future.completeExceptionally(e);
                    throw e;
                }
            }
        }
    }

    private final Supplier<Optional<Embedder>> embedder;
    /** One entry per text (usually one text per request); empty when the text does not fit the window. */
    private final Map<String, Pending> vectors = new ConcurrentHashMap<>(4);
    /** The model of the first embedding: all texts of one request use the same one. */
    private volatile Embedder model;

    LazyPromptEmbedding(Supplier<Optional<Embedder>> embedder) {
        this.embedder = Objects.requireNonNull(embedder);
    }

    @Override
    public Optional<float[]> vector(String text) {
        Pending known = vectors.get(text);
        if (known == null) {
            Embedder m = model();
            if (m == null) {
                return Optional.empty();
            }
            Pending mine = new Pending(m);
            known = vectors.putIfAbsent(text, mine);
            if (known == null) {
                known = mine;
            }
        }
        known.runIfUnclaimed(text); // still queued (or nobody asked yet): run it here rather than wait
        return known.future.join(); // running elsewhere: wait for it
    }

    @Override
    public CompletableFuture<Optional<float[]>> vectorOn(String text, Executor executor) {
        Pending known = vectors.get(text);
        if (known != null) {
            return known.future;
        }
        Embedder m = model();
        if (m == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        Pending mine = new Pending(m);
        known = vectors.putIfAbsent(text, mine);
        if (known != null) {
            return known.future;
        }
        try {
            executor.execute(() -> mine.runIfUnclaimed(text));
        } catch (RejectedExecutionException e) {
            vectors.remove(text, mine); // a later vector() (the store) embeds it itself
            throw e;
        }
        return mine.future;
    }

    @Override
    public Optional<float[]> ifComputed(String text) {
        Pending known = vectors.get(text);
        return known != null && known.future.isDone() && !known.future.isCompletedExceptionally()
                ? known.future.join() : Optional.empty();
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
}
