package dev.costgateway.core.cache;

import java.util.Objects;

/**
 * An exact-cache key: lowercase hex SHA-256 of a request's canonical form (see {@link ExactCache#key}).
 * Carries no request text and no credential.
 */
public record CacheKey(String hex) {

    public CacheKey {
        Objects.requireNonNull(hex);
        if (hex.length() != 64) {
            throw new IllegalArgumentException("a cache key is 64 hex digits");
        }
    }

    @Override
    public String toString() {
        return hex;
    }
}
