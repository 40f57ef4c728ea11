package dev.costgateway.core.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

class EmbedderServiceTest {

    private final List<Runnable> queued = new ArrayList<>();

    private static class FakeEmbedder implements Embedder, AutoCloseable {
        final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public float[] embed(String text) {
            return new float[] {1f};
        }

        @Override
        public int dimensions() {
            return 1;
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    @Test
    void isLoadingAndNotReadyUntilTheLoaderRuns() {
        EmbedderService service = EmbedderService.loading(FakeEmbedder::new, queued::add);
        assertThat(service.state()).isEqualTo(EmbedderService.State.LOADING);
        assertThat(service.ready()).isEmpty();

        queued.forEach(Runnable::run);

        assertThat(service.state()).isEqualTo(EmbedderService.State.READY);
        assertThat(service.ready()).isPresent();
        assertThat(service.failure()).isNull();
    }

    @Test
    void publishesEveryStateChangeToListeners() {
        EmbedderService service = EmbedderService.loading(FakeEmbedder::new, queued::add);
        List<EmbedderService.State> seen = new ArrayList<>();
        service.subscribe(seen::add);
        queued.forEach(Runnable::run);
        service.close();
        assertThat(seen).containsExactly(EmbedderService.State.LOADING, EmbedderService.State.READY,
                EmbedderService.State.DISABLED);
    }

    @Test
    void reportsFailureWithoutThrowing() {
        EmbedderService service = EmbedderService.loading(() -> {
            throw new IllegalStateException("model resource missing");
        }, queued::add);
        queued.forEach(Runnable::run);
        assertThat(service.state()).isEqualTo(EmbedderService.State.FAILED);
        assertThat(service.ready()).isEmpty();
        assertThat(service.failure()).contains("model resource missing");
    }

    @Test
    void abandonsALoadThatHadNotStartedWhenClosed() {
        AtomicBoolean loaderCalled = new AtomicBoolean();
        EmbedderService service = EmbedderService.loading(() -> {
            loaderCalled.set(true);
            return new FakeEmbedder();
        }, queued::add);
        service.close();
        queued.forEach(Runnable::run);
        assertThat(loaderCalled).as("the native runtime is never touched after close").isFalse();
        assertThat(service.ready()).isEmpty();
        assertThat(service.state()).isEqualTo(EmbedderService.State.DISABLED);
    }

    @Test
    void closeWaitsForALoadInProgressAndClosesWhatItLoaded() throws Exception {
        FakeEmbedder fake = new FakeEmbedder();
        CountDownLatch loaderEntered = new CountDownLatch(1);
        CountDownLatch releaseLoader = new CountDownLatch(1);
        EmbedderService service = EmbedderService.loading(() -> {
            loaderEntered.countDown();
            try {
                releaseLoader.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return fake;
        }, EmbedderService.newLoaderExecutor());
        assertThat(loaderEntered.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(service::close);
        // close must not return while the (native) load is still running
        assertThatThrownBy(() -> closing.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(fake.closed).isFalse();

        releaseLoader.countDown();
        closing.get(10, TimeUnit.SECONDS);
        assertThat(fake.closed).as("the model loaded during close is freed before close returns").isTrue();
        assertThat(service.ready()).isEmpty();
        assertThat(service.state()).isEqualTo(EmbedderService.State.DISABLED);
    }

    @Test
    void closeWaitsForAnInferenceInProgressAndLaterOnesFailFastInsteadOfTouchingAFreedModel() throws Exception {
        CountDownLatch embedding = new CountDownLatch(1);
        CountDownLatch releaseEmbed = new CountDownLatch(1);
        FakeEmbedder slow = new FakeEmbedder() {
            @Override
            public float[] embed(String text) {
                embedding.countDown();
                try {
                    releaseEmbed.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                assertThat(closed).as("the model is never freed under a running inference").isFalse();
                return super.embed(text);
            }
        };
        EmbedderService service = EmbedderService.loading(() -> slow, queued::add);
        queued.forEach(Runnable::run);
        Embedder handedOut = service.ready().orElseThrow();
        CompletableFuture<float[]> inference = CompletableFuture.supplyAsync(() -> handedOut.embed("warm-up"));
        assertThat(embedding.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(service::close);
        assertThatThrownBy(() -> closing.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(slow.closed).isFalse();

        releaseEmbed.countDown();
        assertThat(inference.get(10, TimeUnit.SECONDS)).containsExactly(1f);
        closing.get(10, TimeUnit.SECONDS);
        assertThat(slow.closed).isTrue();
        assertThatThrownBy(() -> handedOut.embed("after close")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void waitingForALoadIsBounded() throws Exception {
        CountDownLatch loaderEntered = new CountDownLatch(1);
        CountDownLatch releaseLoader = new CountDownLatch(1);
        EmbedderService service = EmbedderService.loading(() -> {
            loaderEntered.countDown();
            try {
                releaseLoader.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return new FakeEmbedder();
        }, EmbedderService.newLoaderExecutor());
        assertThat(loaderEntered.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(service.awaitLoadEnd(java.time.Duration.ofMillis(50))).isFalse();
        releaseLoader.countDown();
        assertThat(service.awaitLoadEnd(java.time.Duration.ofSeconds(10))).isTrue();
        service.close();
    }

    @Test
    void disabledServiceNeverOffersAnEmbedder() {
        EmbedderService service = EmbedderService.disabled();
        assertThat(service.state()).isEqualTo(EmbedderService.State.DISABLED);
        assertThat(service.ready()).isEmpty();
    }

    @Test
    void loaderExecutorRunsOnANamedDaemonThread() throws Exception {
        CompletableFuture<Thread> ran = new CompletableFuture<>();
        EmbedderService.newLoaderExecutor().execute(() -> ran.complete(Thread.currentThread()));
        Thread thread = ran.get(10, TimeUnit.SECONDS);
        assertThat(thread.getName()).isEqualTo(EmbedderService.LOADER_THREAD);
        assertThat(thread.isDaemon()).isTrue();
    }
}
