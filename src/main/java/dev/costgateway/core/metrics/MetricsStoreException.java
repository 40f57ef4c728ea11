package dev.costgateway.core.metrics;

/** The metrics database could not be opened, migrated or queried. */
public final class MetricsStoreException extends RuntimeException {

    public MetricsStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
