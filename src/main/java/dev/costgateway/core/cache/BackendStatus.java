package dev.costgateway.core.cache;

import java.util.Objects;

/**
 * Where the exact cache keeps its entries right now, for {@code /health} and the status bar.
 *
 * @param message one line for people (e.g. the Redis address without credentials, or why Redis is down)
 */
public record BackendStatus(Kind kind, String message) {

    public enum Kind {
        /** In memory only (no {@code cache.redis_url}). */
        MEMORY,
        /** Redis is configured and answering. */
        REDIS,
        /** Redis is configured but unreachable: the cache runs on memory until a re-probe succeeds. */
        REDIS_DOWN
    }

    public BackendStatus {
        Objects.requireNonNull(kind);
        Objects.requireNonNull(message);
    }
}
