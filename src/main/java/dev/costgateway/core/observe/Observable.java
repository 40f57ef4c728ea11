package dev.costgateway.core.observe;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A value that changes over time, observable without JavaFX. Thread-safe, and built so that concurrent changes
 * can neither be lost nor be seen out of order:
 *
 * <ul>
 *   <li>{@link #update} applies a function to the current value atomically, so two threads that each change one
 *       part of a record (the embedder state, the upstream state) both keep their change. Read-modify-write as
 *       {@code set(get().withX())} would let a stale copy overwrite a newer change.</li>
 *   <li>Every listener sees values in the order they were set, and never an older value after a newer one. When
 *       changes come faster than listeners run, a listener may skip intermediate values but always gets the
 *       latest.</li>
 *   <li>Listeners are never called under a lock that updaters wait on: one thread at a time delivers, and an
 *       updater that finds delivery busy leaves its value to that thread and returns at once.</li>
 * </ul>
 *
 * Listeners therefore run on the thread that changed the value or on another updater's thread; the UI hops to
 * its own thread. A listener may change the value again (delivered after it returns).
 */
public final class Observable<T> {

    /** Cancels a subscription; closing twice is harmless. */
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /** A listener and the version it last received; touched only by the delivering thread. */
    private static final class Listener<T> {
        final Consumer<? super T> consumer;
        long seen = -1;

        Listener(Consumer<? super T> consumer) {
            this.consumer = consumer;
        }
    }

    private final Object lock = new Object();
    private volatile T value;
    private long version; // guarded by lock
    private final List<Listener<T>> listeners = new CopyOnWriteArrayList<>();
    /** Deliveries asked for and not yet done; whoever raises it from 0 delivers until it is back at 0. */
    private final AtomicInteger pending = new AtomicInteger();

    public Observable(T initial) {
        this.value = Objects.requireNonNull(initial);
    }

    public T get() {
        return value;
    }

    /** Replaces the value; use {@link #update} when the new value is computed from the old one. */
    public void set(T newValue) {
        Objects.requireNonNull(newValue);
        update(old -> newValue);
    }

    /**
     * Atomically replaces the value with {@code change.apply(current)} and notifies the listeners when it
     * differs. {@code change} may run while other updaters wait, so keep it short and free of side effects.
     *
     * @return the value after the change
     */
    public T update(UnaryOperator<T> change) {
        T next;
        synchronized (lock) {
            T current = value;
            next = Objects.requireNonNull(change.apply(current), "an update must not produce null");
            if (next.equals(current)) {
                return current;
            }
            value = next;
            version++;
        }
        deliver();
        return next;
    }

    /** Delivers the current value at once (or, while another thread is delivering, by that thread) and every later one. */
    public Subscription subscribe(Consumer<? super T> listener) {
        Listener<T> l = new Listener<>(Objects.requireNonNull(listener));
        listeners.add(l);
        deliver();
        return () -> listeners.remove(l);
    }

    private void deliver() {
        if (pending.getAndIncrement() != 0) {
            return; // the delivering thread will see the new value before it stops
        }
        int missed = 1;
        try {
            do {
                T v;
                long ver;
                synchronized (lock) {
                    v = value;
                    ver = version;
                }
                for (Listener<T> l : listeners) {
                    if (l.seen < ver) {
                        l.seen = ver;
                        l.consumer.accept(v);
                    }
                }
                missed = pending.addAndGet(-missed);
            } while (missed != 0);
        } catch (RuntimeException | Error e) {
            pending.set(0); // a failing listener must not stop all later deliveries
            throw e;
        }
    }
}
