package dev.costgateway.testing;

import java.time.Duration;
import java.util.Optional;

/**
 * The one bounded polling loop of the tests, for what happens on another thread with no event to wait on (a
 * record reaching the database, a file watch firing, a web page loading). It polls every 10 ms and gives up after
 * the timeout; a test that can wait on an event or drive a clock should do that instead. A probe may throw; its
 * exception ends the wait.
 */
public final class Await {
    private static final long POLL_MILLIS = 10;

    /** Looks once; empty when the awaited thing is not there yet. */
    @FunctionalInterface
    public interface Probe<T, E extends Exception> {
        Optional<T> look() throws E;
    }

    /** Checks once. */
    @FunctionalInterface
    public interface Condition<E extends Exception> {
        boolean holds() throws E;
    }

    private Await() {
    }

    /** The first value {@code probe} offers within {@code timeout}; empty when it offered none in time. */
    public static <T, E extends Exception> Optional<T> poll(Duration timeout, Probe<T, E> probe)
            throws E, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> found = probe.look();
            if (found.isPresent() || System.nanoTime() > deadline) {
                return found;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** The first value {@code probe} offers within {@code timeout}, else an {@link AssertionError} saying {@code failure}. */
    public static <T, E extends Exception> T value(Duration timeout, String failure, Probe<T, E> probe)
            throws E, InterruptedException {
        return poll(timeout, probe).orElseThrow(() -> new AssertionError(failure));
    }

    /** Returns once {@code condition} holds; an {@link AssertionError} saying {@code failure} after {@code timeout}. */
    public static <E extends Exception> void until(Duration timeout, String failure, Condition<E> condition)
            throws E, InterruptedException {
        value(timeout, failure, () -> condition.holds() ? Optional.of(Boolean.TRUE) : Optional.<Boolean>empty());
    }
}
