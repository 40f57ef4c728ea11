package dev.costgateway.core.embed;

import java.io.Closeable;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
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
 * <p>Thread-safe. State listeners run on the thread that changes the state (the loader's, or the caller of
 * {@link #close()}).
 */
public final class EmbedderService implements Closeable {

    /** Life cycle of the model. {@code DISABLED} when no feature needs it; {@code FAILED} is final. */
    public enum State { DISABLED, LOADING, READY, FAILED }

    /** Name of the thread {@link #newLoaderExecutor()} creates. */
    public static final String LOADER_THREAD = "embedder-load";

    private static final Logger LOG = LoggerFactory.getLogger(EmbedderService.class);

    private final Observable<State> state;
    /**
     * Embeds hold the read side, {@link #close()} the write side: a native model must not be freed while a
     * thread is inside it (onnxruntime crashes the JVM), e.g. a background warm-up when the gateway stops.
     */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile Embedder embedder;
    private volatile Embedder guarded;
    private volatile String failure;
    private volatile boolean closed;

    private EmbedderService(State initial) {
        this.state = new Observable<>(initial);
    }

    /**
     * Starts loading at once on {@code executor}.
     *
     * @param loader   builds the embedder (blocking; e.g. {@code () -> OnnxEmbedder.load(name)})
     * @param executor where the load runs; {@link #newLoaderExecutor()} gives a daemon thread named
     *                 {@value #LOADER_THREAD}
     */
    public static EmbedderService loading(Supplier<? extends Embedder> loader, Executor executor) {
        Objects.requireNonNull(loader);
        EmbedderService service = new EmbedderService(State.LOADING);
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

    /** Frees the native model; a load still running is closed when it finishes. The state becomes DISABLED. */
    @Override
    public void close() {
        Embedder current;
        lifecycle.writeLock().lock();
        try {
            synchronized (this) {
                closed = true;
                current = embedder;
                embedder = null;
                guarded = null;
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
        closeQuietly(current);
        state.set(State.DISABLED);
    }

    private void load(Supplier<? extends Embedder> loader) {
        long start = System.nanoTime();
        Embedder loaded;
        try {
            loaded = Objects.requireNonNull(loader.get(), "loader returned null");
        } catch (RuntimeException | LinkageError e) {
            failure = e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.warn("embedding model failed to load, semantic cache and embedding classifier are off: {}", failure);
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
            closeQuietly(loaded);
            return;
        }
        LOG.info("embedding model ready in {} ms", (System.nanoTime() - start) / 1_000_000);
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
