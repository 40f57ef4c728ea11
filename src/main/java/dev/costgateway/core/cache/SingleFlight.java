package dev.costgateway.core.cache;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import dev.costgateway.core.decision.InFlight;

/**
 * Single-flight for cacheable requests: while one request with a key is on its way upstream (the leader), an
 * identical request with the same key (a follower) waits for it instead of paying for a second upstream call,
 * then looks the cache up again. The key is the exact-cache key, which holds the caller's scope, so requests of
 * different callers never wait for each other (unless {@code cache.scope: global} shares the cache itself).
 *
 * <p>The leader must {@link InFlight#land()} when its answer is stored, or when it ends without one (error,
 * uncacheable answer, client gone); landing twice is harmless. A follower that finds no entry after the landing
 * goes upstream itself, without joining again, so uncacheable requests are never serialised.
 *
 * <p>Thread-safe; nothing blocks: followers get a future.
 *
 * @param <K> the key type (the exact cache's {@link CacheKey})
 */
public final class SingleFlight<K> {

    /** The ticket of a request that is in no flight (caches off, opted out). */
    public static final InFlight NONE = InFlight.NONE;

    private final ConcurrentMap<K, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

    /** The first caller for {@code key} leads; later callers follow until the leader lands. */
    public InFlight join(K key) {
        Objects.requireNonNull(key);
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> existing = inFlight.putIfAbsent(key, mine);
        if (existing != null) {
            return new Follower(existing);
        }
        return new Leader(key, mine);
    }

    /** Keys with a leader in flight now (for tests and health). */
    public int inFlight() {
        return inFlight.size();
    }

    private final class Leader implements InFlight {
        private final K key;
        private final CompletableFuture<Void> flight;

        Leader(K key, CompletableFuture<Void> flight) {
            this.key = key;
            this.flight = flight;
        }

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
            // remove first: a request arriving after the landing must find the cache entry or lead anew
            inFlight.remove(key, flight);
            flight.complete(null);
        }
    }

    private static final class Follower implements InFlight {
        private final CompletableFuture<Void> flight;

        Follower(CompletableFuture<Void> flight) {
            this.flight = flight;
        }

        @Override
        public boolean follower() {
            return true;
        }

        @Override
        public CompletableFuture<Void> landed() {
            return flight;
        }

        @Override
        public void land() {
            // a follower leads nothing
        }
    }
}
