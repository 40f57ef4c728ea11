package dev.costgateway.core.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
    void closesAnEmbedderThatFinishesLoadingAfterClose() {
        FakeEmbedder fake = new FakeEmbedder();
        EmbedderService service = EmbedderService.loading(() -> fake, queued::add);
        service.close();
        queued.forEach(Runnable::run);
        assertThat(fake.closed).isTrue();
        assertThat(service.ready()).isEmpty();
        assertThat(service.state()).isEqualTo(EmbedderService.State.DISABLED);
    }

    @Test
    void closeWaitsForAnEmbedInProgressAndLaterCallsFail() throws Exception {
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        FakeEmbedder slow = new FakeEmbedder() {
            @Override
            public float[] embed(String text) {
                inside.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                assertThat(closed).as("not freed while in use").isFalse();
                return super.embed(text);
            }
        };
        EmbedderService service = EmbedderService.loading(() -> slow, queued::add);
        queued.forEach(Runnable::run);
        Embedder handed = service.ready().orElseThrow();
        CompletableFuture<float[]> embedding = CompletableFuture.supplyAsync(() -> handed.embed("x"));
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        Thread closer = new Thread(service::close, "closer");
        closer.start();
        closer.join(200);
        assertThat(closer.isAlive()).as("close waits for the embed in progress").isTrue();
        assertThat(slow.closed).isFalse();

        release.countDown();
        assertThat(embedding.get(10, TimeUnit.SECONDS)).containsExactly(1f);
        closer.join(10_000);
        assertThat(slow.closed).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> handed.embed("y"))
                .isInstanceOf(IllegalStateException.class);
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
