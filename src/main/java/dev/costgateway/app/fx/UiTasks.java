package dev.costgateway.app.fx;

import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs blocking work (H2 queries, file writes, reloads) on a background executor and hands the result back on
 * the UI executor (the FX thread in the app, the calling thread in tests). View models get one of these
 * injected, so their tests need neither a toolkit nor sleeps.
 */
public final class UiTasks {
    private static final Logger LOG = LoggerFactory.getLogger(UiTasks.class);

    private final Executor background;
    private final Executor ui;

    public UiTasks(Executor background, Executor ui) {
        this.background = background;
        this.ui = ui;
    }

    /** Everything on the calling thread: for view-model tests. */
    public static UiTasks direct() {
        return new UiTasks(Runnable::run, Runnable::run);
    }

    /** A named daemon pool ({@code ui-background-N}) for the app, results on the FX thread. */
    public static UiTasks forFx() {
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "ui-background-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        return new UiTasks(pool, FxThread.EXECUTOR);
    }

    public <T> void run(Callable<T> work, Consumer<? super T> onSuccess, Consumer<? super Exception> onError) {
        background.execute(() -> {
            T result;
            try {
                result = work.call();
            } catch (Exception e) {
                ui.execute(() -> onError.accept(e));
                return;
            }
            ui.execute(() -> onSuccess.accept(result));
        });
    }

    /** Fire-and-forget work whose failure is only logged. */
    public void run(Runnable work) {
        run(() -> {
            work.run();
            return null;
        }, ignored -> {
        }, e -> LOG.warn("background task failed: {}", e.toString()));
    }

    /** Runs on the UI executor (for callbacks arriving from core threads). */
    public void onUi(Runnable action) {
        ui.execute(action);
    }
}
