package dev.costgateway.core.decision;

import java.util.concurrent.CompletableFuture;

/**
 * A request's place among identical requests in flight at the same time (single-flight, see
 * {@code core.cache.SingleFlight}): the first one leads and goes upstream, the others follow and wait for it to
 * land, then look the cache up again. The pipeline sees only this.
 */
public interface InFlight {

    /** True when an identical request is in flight: wait for {@link #landed()}, then look the cache up. */
    boolean follower();

    /** Completes (never exceptionally) once the leader has landed; already complete for a leader. */
    CompletableFuture<Void> landed();

    /** For the leader: its answer is stored, or it ends without one; wakes the followers. Idempotent. */
    void land();

    /** The place of a request in no flight (caches off, opted out): leads nothing, waits for nothing. */
    InFlight NONE = new InFlight() {
        @Override
        public boolean follower() {
            return false;
        }

        @Override
        public CompletableFuture<Void> landed() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void land() {
        }
    };
}
