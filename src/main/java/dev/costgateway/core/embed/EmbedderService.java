package dev.costgateway.core.embed;

import java.io.Closeable;
import java.util.Objects;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.costgateway.core.observe.Observable;

/**
 * Owns the embedder's life: loads it in the background at start, hands it out only once it is ready, and
 * publishes its {@link State}. Request threads call {@link #ready()}, which never blocks: while the model loads
 * (or failed, or is disabled) semantic features are skipped.
 *
 * <p>{@link #close()} never lets the process exit under native work: a load that has not started yet is
 * abandoned (the loader is never called), one that is running is waited for, at most {@link #CLOSE_WAIT}, and
 * its result closed; inferences in progress are waited for too. onnxruntime crashes the JVM (SIGSEGV in
 * {@code OrtSession.createSession} or {@code run}) when the runtime exits or the session is freed meanwhile, so
 * every shutdown path goes through here before the JVM ends.
 *
 * <p>Thread-safe. State listeners run on the thread that changes the state (the loader's, or the caller of
 * {@link #close()}).
 */
public final class EmbedderService implements Closeable {

    /** Life cycle of the model. {@code DISABLED} when no feature needs it; {@code FAILED} is final. */
    public enum State { DISABLED, LOADING, READY, FAILED }

    /** Name of the thread {@link #newLoaderExecutor()} creates. */
    public static final String LOADER_THREAD = "embedder-load";

    /** Longest {@link #close()} waits for a load in progress (a cold load takes 1-6 s on a busy 2-core machine). */
    public static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(EmbedderService.class);

    private static final String MODEL_LOG_NAME = "embedding model";

    private final Observable<State> state;
    /** What is loaded and what its failure turns off, for the log. */
    private final String what;
    private final String whenFailed;
    /**
     * Embeds hold the read side, {@link #close()} the write side: a native model must not be freed while a
     * thread is inside it (onnxruntime crashes the JVM), e.g. a background warm-up when the gateway stops.
     */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile Embedder embedder;
    private volatile Embedder guarded;
    private volatile String failure;
    private volatile boolean closed;
    /** Open while a load may still run; counted down when it ended or was abandoned. */
    private final CountDownLatch loadEnded;
    private boolean loadStarted; // guarded by this

    private EmbedderService(State initial) {
        this(initial, MODEL_LOG_NAME, "");
    }

    private EmbedderService(State initial, String what, String whenFailed) {
        this.what = Objects.requireNonNull(what);
        this.whenFailed = Objects.requireNonNull(whenFailed);
        this.state = new Observable<>(initial);
        this.loadEnded = new CountDownLatch(initial == State.LOADING ? 1 : 0);
    }

    /**
     * Starts loading at once on {@code executor}.
     *
     * @param loader   builds the embedder (blocking; e.g. {@code () -> OnnxEmbedder.load(name)})
     * @param executor where the load runs; {@link #newLoaderExecutor()} gives a daemon thread named
     *                 {@value #LOADER_THREAD}
     */
    public static EmbedderService loading(Supplier<? extends Embedder> loader, Executor executor) {
        return loading(MODEL_LOG_NAME, "semantic cache and embedding classifier are off", loader, executor);
    }

    /**
     * As {@link #loading(Supplier, Executor)}, for another model: {@code what} names it in the log lines
     * ("{@code <what> ready in N ms}") and {@code whenFailed} says what a failure turns off.
     */
    public static EmbedderService loading(String what, String whenFailed, Supplier<? extends Embedder> loader,
                                          Executor executor) {
        Objects.requireNonNull(loader);
        EmbedderService service = new EmbedderService(State.LOADING, what, whenFailed);
        executor.execute(() -> service.load(loader));
        return service;
    }

    /** A service that never loads anything (semantic cache and embedding classifier both off). */
    public static EmbedderService disabled() {
        return new EmbedderService(State.DISABLED);
    }

    /** A one-shot executor running the load on a daemon thread named {@value #LOADER_THREAD}. */
    public static Executor newLoaderExecutor() {
        return task -> {
            Thread t = new Thread(task, LOADER_THREAD);
            t.setDaemon(true);
            t.start();
        };
    }

    public State state() {
        return state.get();
    }

    /**
     * The embedder when {@link State#READY}, else empty. Never blocks. Its calls fail with an
     * {@link IllegalStateException} once the service is closed; {@link #close()} waits for calls in progress.
     */
    public Optional<Embedder> ready() {
        return Optional.ofNullable(guarded);
    }

    /** Why the load failed (one line, no stack trace), or null unless {@link State#FAILED}. */
    public String failure() {
        return failure;
    }

    /**
     * Calls {@code listener} with the current state at once and then with every change.
     *
     * @return closing it stops the calls
     */
    public Observable.Subscription subscribe(Consumer<? super State> listener) {
        return state.subscribe(listener);
    }

    /**
     * Frees the native model after the inferences in progress. A load not started yet is abandoned; one in
     * progress is waited for (at most {@link #CLOSE_WAIT}) and its model closed, so the caller may let the JVM
     * exit afterwards. The state becomes DISABLED. Idempotent.
     */
    @Override
    public void close() {
        Embedder current;
        boolean wait;
        lifecycle.writeLock().lock();
        try {
            synchronized (this) {
                closed = true;
                current = embedder;
                embedder = null;
                guarded = null;
                wait = loadStarted;
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
        closeQuietly(current);
        if (wait) {
            awaitLoadEnd(CLOSE_WAIT);
        }
        state.set(State.DISABLED);
    }

    /** Waits until no load runs any more; true when it ended within {@code timeout}. */
    boolean awaitLoadEnd(Duration timeout) {
        try {
            if (loadEnded.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            LOG.warn("the {} is still loading after {} s; stopping anyway", what, timeout.toSeconds());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private void load(Supplier<? extends Embedder> loader) {
        synchronized (this) {
            if (closed) {
                loadEnded.countDown(); // closed before the load began: never touch the native runtime
                return;
            }
            loadStarted = true;
        }
        try {
            loadAndPublish(loader);
        } finally {
            loadEnded.countDown();
        }
    }

    private void loadAndPublish(Supplier<? extends Embedder> loader) {
        long start = System.nanoTime();
        Embedder loaded;
        try {
            loaded = Objects.requireNonNull(loader.get(), "loader returned null");
        } catch (RuntimeException | LinkageError e) {
            failure = e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.warn("{} failed to load, {}: {}", what, whenFailed, failure);
            if (!closed) {
                state.set(State.FAILED);
            }
            return;
        }
        synchronized (this) {
            if (!closed) {
                embedder = loaded;
                guarded = new Guarded(loaded);
                loaded = null;
            }
        }
        if (loaded != null) {
            closeQuietly(loaded); // closed while loading: free the session here, before close() returns
            return;
        }
        LOG.info("{} ready in {} ms", what, (System.nanoTime() - start) / 1_000_000);
        if (!closed) {
            state.set(State.READY);
        }
    }

    /** The loaded embedder, refusing calls once the service is closed (see {@link #lifecycle}). */
    private final class Guarded implements Embedder {
        private final Embedder delegate;

        Guarded(Embedder delegate) {
            this.delegate = delegate;
        }

        @Override
        public float[] embed(String text) {
            lifecycle.readLock().lock();
            try {
                if (closed) {
                    throw new IllegalStateException("the embedder is closed");
                }
                return delegate.embed(text);
            } finally {
                lifecycle.readLock().unlock();
            }
        }

        @Override
        public boolean fitsWindow(String text) {
            lifecycle.readLock().lock();
            try {
                if (closed) {
                    throw new IllegalStateException("the embedder is closed");
                }
                return delegate.fitsWindow(text);
            } finally {
                lifecycle.readLock().unlock();
            }
        }

        @Override
        public int dimensions() {
            return delegate.dimensions();
        }
    }

    private static void closeQuietly(Embedder e) {
        if (e instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ex) {
                LOG.debug("closing the embedder failed", ex);
            }
        }
    }
}
