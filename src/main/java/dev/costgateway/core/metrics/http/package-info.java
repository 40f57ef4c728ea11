/**
 * HTTP side of the metrics: {@link dev.costgateway.core.metrics.http.MetricsHandler} serves JSON totals, recent
 * requests, Prometheus text, the CSV cost report and the self-contained live dashboard page
 * ({@code dashboard.html} next to these classes: no CDN, charts drawn by its own script, data rendered with
 * {@code textContent} only). Everything here is thread-safe.
 */
package dev.costgateway.core.metrics.http;
