package dev.costgateway.testing;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The one bounded polling loop of the tests, for what happens on another thread with no event to wait on (a
 * record reaching the database, a file watch firing). It polls every 10 ms and gives up after the timeout; a test
 * that can wait on an event or drive a clock should do that instead.
 */
public final class Await {
    private static final long POLL_MILLIS = 10;

    private Await() {
    }

    /** The first value {@code probe} offers within {@code timeout}; empty when it offered none in time. */
    public static <T> Optional<T> poll(Duration timeout, Supplier<Optional<T>> probe) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> found = probe.get();
            if (found.isPresent() || System.nanoTime() > deadline) {
                return found;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** The first value {@code probe} offers within {@code timeout}, else an {@link AssertionError} saying {@code failure}. */
    public static <T> T value(Duration timeout, String failure, Supplier<Optional<T>> probe)
            throws InterruptedException {
        return poll(timeout, probe).orElseThrow(() -> new AssertionError(failure));
    }

    /** Returns once {@code condition} holds; an {@link AssertionError} saying {@code failure} after {@code timeout}. */
    public static void until(Duration timeout, String failure, BooleanSupplier condition) throws InterruptedException {
        value(timeout, failure, () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }
}
