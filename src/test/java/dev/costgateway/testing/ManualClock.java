package dev.costgateway.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import dev.costgateway.core.time.GatewayClock;

/**
 * A {@link GatewayClock} that moves only when a test says so: instants and nanos advance together, so TTLs
 * (Caffeine's ticker, stored timestamps) and latencies are driven without sleeping. Thread-safe.
 */
public final class ManualClock implements GatewayClock {

    private final Instant origin;
    private final AtomicLong nanos = new AtomicLong();

    public ManualClock(Instant origin) {
        this.origin = origin;
    }

    public ManualClock() {
        this(Instant.parse("2026-01-15T10:00:00Z"));
    }

    @Override
    public Instant instant() {
        return origin.plusNanos(nanos.get());
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    public ManualClock advance(Duration d) {
        nanos.addAndGet(d.toNanos());
        return this;
    }

    public ManualClock advanceMillis(long millis) {
        return advance(Duration.ofMillis(millis));
    }
}
