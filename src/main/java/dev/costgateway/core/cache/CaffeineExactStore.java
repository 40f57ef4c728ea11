package dev.costgateway.core.cache;

import java.time.Duration;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

/** Exact entries in memory: bounded by count, expiring a fixed time after they were written. */
final class CaffeineExactStore implements ExactStore {

    private final Cache<CacheKey, CachedAnswer> cache;

    CaffeineExactStore(int maxEntries, Duration ttl, Ticker ticker) {
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .expireAfterWrite(ttl)
                .ticker(ticker)
                // maintenance on the calling thread: no background pool, and tests see evictions at once
                .executor(Runnable::run)
                .build();
    }

    @Override
    public Optional<CachedAnswer> get(CacheKey key) {
        return Optional.ofNullable(cache.getIfPresent(key));
    }

    @Override
    public void put(CacheKey key, CachedAnswer answer) {
        cache.put(key, answer);
    }

    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    @Override
    public void close() {
        cache.invalidateAll();
    }
}
