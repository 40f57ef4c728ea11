/**
 * Metrics: the records the proxy produces for every client request ({@link dev.costgateway.core.metrics.RequestRecord},
 * {@link dev.costgateway.core.metrics.AttemptRecord}), the hot-path door
 * ({@link dev.costgateway.core.metrics.MetricsRecorder}), the read side
 * ({@link dev.costgateway.core.metrics.MetricsQueries}), their JDBC implementation on H2 or PostgreSQL
 * ({@link dev.costgateway.core.metrics.MetricsStore}) and the CSV cost report
 * ({@link dev.costgateway.core.metrics.CsvReport}).
 *
 * <p>Units: money in USD (doubles), durations in milliseconds, tokens as counted by the API. Threads: the store
 * owns one writer thread, {@code metrics-writer} (on PostgreSQL the connection pool adds its housekeeping thread);
 * everything else here is immutable or thread-safe.
 * Schema migrations live in {@code migrations/V<n>__*.sql} next to these classes, one set for both databases
 * ({@link dev.costgateway.core.metrics.Dialect} holds the differences).
 */
package dev.costgateway.core.metrics;
