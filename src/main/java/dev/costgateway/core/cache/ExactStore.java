package dev.costgateway.core.cache;

import java.util.Optional;

/** Where exact-cache entries live. Implementations are thread-safe; Redis ones may throw when unreachable. */
interface ExactStore extends AutoCloseable {

    Optional<CachedAnswer> get(CacheKey key);

    void put(CacheKey key, CachedAnswer answer);

    @Override
    void close();
}
