package dev.costgateway.core.cache;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import dev.costgateway.core.embed.PromptEmbedding;

/**
 * The query vector of a semantic-cache lookup, if the embedding is ready within a small budget
 * ({@code cache.semantic_lookup_wait_ms}). The prompt is embedded on an explicit executor, never on the request
 * thread; the request waits at most the budget for it and otherwise goes on as a miss. A late embedding is not wasted: it completes in the background and the
 * store after the response reuses it (one embedding per request, {@link PromptEmbedding}).
 *
 * <p>The budget is what a semantic hit may cost at most before the request goes upstream anyway: a short prompt
 * embeds in about 1 ms on an idle core; a long one (hundreds of tokens, 15–20 ms) is not worth holding the
 * request for, and mostly does not hit. Thread-safe.
 */
final class LookupEmbedding {

    /** Name of the thread {@link #newExecutor()} creates. */
    static final String THREAD = "semantic-embed";
    /** Lookups waiting for {@value #THREAD} at most; more go on as misses. */
    static final int QUEUE = 64;

    private final Executor executor;
    private final Supplier<Duration> budget;
    private final LongAdder late = new LongAdder();

    /**
     * @param executor runs the model (production: {@link #newExecutor()}; tests: a queue they run by hand)
     * @param budget   longest the request waits, read on every lookup; zero takes only a vector that is ready
     */
    LookupEmbedding(Executor executor, Supplier<Duration> budget) {
        this.executor = Objects.requireNonNull(executor);
        this.budget = Objects.requireNonNull(budget);
    }

    LookupEmbedding(Executor executor, Duration budget) {
        this(executor, () -> budget);
    }

    /** Embeds on the calling thread and waits as long as it takes (callers that have no request to protect). */
    static LookupEmbedding onCaller() {
        return new LookupEmbedding(Runnable::run, Duration.ZERO);
    }

    /**
     * One daemon thread named {@value #THREAD} with a queue of {@value #QUEUE}; beyond that a lookup is a miss
     * rather than a wait behind other prompts. Separate from the store executor, whose tasks wait for these.
     */
    static ExecutorService newExecutor() {
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, THREAD);
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** The vector of {@code text} if it is ready within the budget; empty (and counted as late) otherwise. */
    Optional<float[]> vector(PromptEmbedding prompt, String text) {
        CompletableFuture<Optional<float[]>> embedding;
        try {
            embedding = prompt.vectorOn(text, executor);
        } catch (RejectedExecutionException e) {
            late.increment();
            return Optional.empty();
        }
        Duration wait = budget.get();
        try {
            if (embedding.isDone() || wait.isZero() || wait.isNegative()) {
                Optional<float[]> now = embedding.getNow(null);
                if (now == null) {
                    late.increment();
                    return Optional.empty();
                }
                return now;
            }
            return embedding.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            late.increment();
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | java.util.concurrent.CompletionException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether other prompts wait for the embedding thread now: the machine is behind, not merely slow, and work that
     * can be skipped (a second look) should be.
     */
    boolean backlogged() {
        return executor instanceof ThreadPoolExecutor pool && !pool.getQueue().isEmpty();
    }

    /** Lookups that went on as misses because the embedding was not ready in time (or its queue was full). */
    long late() {
        return late.sum();
    }
}
