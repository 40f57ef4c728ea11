package dev.costgateway.core.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.costgateway.testing.FakeEmbedder;

class PromptEmbeddingTest {

    private final FakeEmbedder model = new FakeEmbedder(4);

    @Test
    void embedsEachTextOnceAndOnlyWhenAsked() {
        PromptEmbedding prompt = PromptEmbedding.lazy(() -> Optional.of(model));
        assertThat(prompt.ifComputed("hello there")).isEmpty();
        assertThat(model.calls()).isZero();

        float[] first = prompt.vector("hello there").orElseThrow();
        assertThat(prompt.vector("hello there")).containsSame(first);
        assertThat(prompt.ifComputed("hello there")).containsSame(first);
        assertThat(model.calls()).isEqualTo(1);

        prompt.vector("another text");
        assertThat(model.calls()).isEqualTo(2);
    }

    @Test
    void isEmptyWhileTheModelIsNotReadyAndTriesAgainLater() {
        AtomicReference<Optional<Embedder>> ready = new AtomicReference<>(Optional.empty());
        PromptEmbedding prompt = PromptEmbedding.lazy(ready::get);
        assertThat(prompt.vector("hello")).isEmpty();
        ready.set(Optional.of(model));
        assertThat(prompt.vector("hello")).isPresent();
    }

    @Test
    void aTextBeyondTheWindowHasNoVectorAndIsNotEmbedded() {
        PromptEmbedding prompt = PromptEmbedding.lazy(() -> Optional.of(model));
        assertThat(prompt.vector("one two three four five")).isEmpty();
        assertThat(prompt.vector("one two three four five")).isEmpty();
        assertThat(model.calls()).isZero();
    }

    @Test
    void anEmbeddingOnAnExecutorIsSharedAndNeverBlocksIfComputed() {
        PromptEmbedding prompt = PromptEmbedding.lazy(() -> Optional.of(model));
        Queue<Runnable> executor = new ArrayDeque<>();
        CompletableFuture<Optional<float[]>> first = prompt.vectorOn("hello there", executor::add);
        assertThat(prompt.vectorOn("hello there", executor::add)).as("one task per text").isSameAs(first);
        assertThat(executor).hasSize(1);
        assertThat(first).isNotDone();
        assertThat(prompt.ifComputed("hello there")).as("in progress: not waited for").isEmpty();

        executor.poll().run();
        assertThat(first).isDone();
        assertThat(prompt.ifComputed("hello there")).containsSame(first.join().orElseThrow());
        assertThat(prompt.vector("hello there")).containsSame(first.join().orElseThrow());
        assertThat(model.calls()).isEqualTo(1);
    }

    @Test
    void aThreadThatNeedsAVectorNowTakesOverAQueuedEmbeddingAndTheQueuedTaskThenDoesNothing() {
        PromptEmbedding prompt = PromptEmbedding.lazy(() -> Optional.of(model));
        Queue<Runnable> executor = new ArrayDeque<>();
        CompletableFuture<Optional<float[]>> queued = prompt.vectorOn("hello there", executor::add);

        float[] now = prompt.vector("hello there").orElseThrow(); // the router: does not wait behind the queue
        assertThat(queued).as("the lookup's future completes with the same vector").isDone();
        assertThat(queued.join()).containsSame(now);
        assertThat(model.calls()).isEqualTo(1);

        executor.poll().run(); // the queued task finds the work done
        assertThat(model.calls()).isEqualTo(1);
        assertThat(prompt.vector("hello there")).containsSame(now);
    }

    @Test
    void aThreadWaitsForAnEmbeddingRunningElsewhereInsteadOfEmbeddingAgain() throws Exception {
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        FakeEmbedder inner = new FakeEmbedder(4);
        Embedder slow = new Embedder() {
            @Override
            public float[] embed(String text) {
                running.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return inner.embed(text);
            }

            @Override
            public int dimensions() {
                return inner.dimensions();
            }

            @Override
            public boolean fitsWindow(String text) {
                return inner.fitsWindow(text);
            }
        };
        PromptEmbedding prompt = PromptEmbedding.lazy(() -> Optional.of(slow));
        java.util.concurrent.ExecutorService embedThread = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<Optional<float[]>> lookup = prompt.vectorOn("hello there", embedThread);
            running.await();
            CompletableFuture<Optional<float[]>> router = CompletableFuture.supplyAsync(
                    () -> prompt.vector("hello there"));
            assertThat(router).as("waits for the running embedding").isNotDone();
            release.countDown();
            assertThat(router.get(10, java.util.concurrent.TimeUnit.SECONDS)).containsSame(lookup.join().orElseThrow());
            assertThat(inner.calls()).isEqualTo(1);
        } finally {
            embedThread.shutdownNow();
        }
    }
}
