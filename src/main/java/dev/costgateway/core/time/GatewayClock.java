package dev.costgateway.core.time;

import java.time.Instant;
import java.time.InstantSource;

/**
 * The gateway's one time source: wall-clock instants (timestamps, TTLs measured against stored times, "today") and a
 * monotonic nanosecond counter (latencies, Caffeine's {@code Ticker}). Everything that reads time gets this injected,
 * so a test advances a manual clock instead of sleeping. It is an {@link InstantSource}, so it can be handed to code
 * that only needs instants. Implementations are thread-safe.
 */
public interface GatewayClock extends InstantSource {

    /** Monotonic nanoseconds with an arbitrary origin, as {@link System#nanoTime()}: only differences mean anything. */
    long nanoTime();

    /** The real clocks: {@link Instant#now()} and {@link System#nanoTime()}. */
    static GatewayClock system() {
        return SystemClock.INSTANCE;
    }

    /** The system clock; a singleton so identity comparisons in tests stay meaningful. */
    enum SystemClock implements GatewayClock {
        INSTANCE;

        @Override
        public Instant instant() {
            return Instant.now();
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }
    }
}
