package dev.costgateway.core.observe;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A value that changes over time, observable without JavaFX. {@link #subscribe} delivers the current value at
 * once and every later one, on the thread that {@link #set} was called on; the UI hops to its own thread.
 * Thread-safe.
 */
public final class Observable<T> {

    /** Cancels a subscription; closing twice is harmless. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    private volatile T value;
    private final List<Consumer<? super T>> listeners = new CopyOnWriteArrayList<>();

    public Observable(T initial) {
        this.value = Objects.requireNonNull(initial);
    }

    public T get() {
        return value;
    }

    public void set(T newValue) {
        Objects.requireNonNull(newValue);
        synchronized (this) {
            if (newValue.equals(value)) {
                return;
            }
            value = newValue;
        }
        for (Consumer<? super T> l : listeners) {
            l.accept(newValue);
        }
    }

    public Subscription subscribe(Consumer<? super T> listener) {
        listeners.add(listener);
        listener.accept(value);
        return () -> listeners.remove(listener);
    }
}
