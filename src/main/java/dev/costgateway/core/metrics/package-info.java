/**
 * Metrics: the records the proxy produces for every client request ({@link dev.costgateway.core.metrics.RequestRecord},
 * {@link dev.costgateway.core.metrics.AttemptRecord}), the hot-path door
 * ({@link dev.costgateway.core.metrics.MetricsRecorder}), the read side
 * ({@link dev.costgateway.core.metrics.MetricsQueries}), their H2/JDBC implementation
 * ({@link dev.costgateway.core.metrics.MetricsStore}) and the CSV cost report
 * ({@link dev.costgateway.core.metrics.CsvReport}).
 *
 * <p>Units: money in USD (doubles), durations in milliseconds, tokens as counted by the API. Threads: the store
 * owns one writer thread, {@code metrics-writer}; everything else here is immutable or thread-safe.
 * Schema migrations live in {@code migrations/V<n>__*.sql} next to these classes.
 */
package dev.costgateway.core.metrics;
