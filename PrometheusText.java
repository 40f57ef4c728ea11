package dev.costgateway.core.metrics.http;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

import dev.costgateway.core.metrics.MetricsQueries.CounterRow;
import dev.costgateway.core.metrics.MetricsQueries.LatencyHistogram;

/**
 * Prometheus text exposition format 0.0.4. Values are totals over the stored history (so they shrink when the
 * retention purge runs; Prometheus treats that as a counter reset). {@code saved_usd} may go down, so it is a gauge.
 */
final class PrometheusText {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Exported histogram bounds (ms); each is one of the store's bucket bounds. */
    private static final long[] EXPORTED_BOUNDS_MILLIS =
        {10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 60000, 120000, 300000};

    private PrometheusText() {
    }

    static String render(List<CounterRow> rows, LatencyHistogram latency, long dropped) {
        StringBuilder out = new StringBuilder(4096);
        family(out, "costgateway_requests_total", "counter",
                "Client requests recorded, by final model, tier and cache kind.", rows, r -> r.requests());
        family(out, "costgateway_request_errors_total", "counter",
                "Client requests that ended in an error, by final model, tier and cache kind.", rows, r -> r.errors());
        out.append("# HELP costgateway_tokens_total Tokens of the final answers, by type.\n");
        out.append("# TYPE costgateway_tokens_total counter\n");
        for (CounterRow r : rows) {
            tokenLine(out, r, "input", r.inputTokens());
            tokenLine(out, r, "output", r.outputTokens());
            tokenLine(out, r, "cache_creation", r.cacheCreationTokens());
            tokenLine(out, r, "cache_read", r.cacheReadTokens());
        }
        family(out, "costgateway_cost_usd_total", "counter", "What the requests cost, in USD.", rows,
                CounterRow::costUsd);
        family(out, "costgateway_counterfactual_usd_total", "counter",
                "What the requested models would have cost, in USD.", rows, CounterRow::counterfactualUsd);
        family(out, "costgateway_saved_usd", "gauge",
                "Counterfactual minus actual cost, in USD (negative when routing cost more).", rows,
                CounterRow::savedUsd);
        histogram(out, latency);
        out.append("# HELP costgateway_metrics_dropped_records_total Records the metrics store could not keep.\n");
        out.append("# TYPE costgateway_metrics_dropped_records_total counter\n");
        out.append("costgateway_metrics_dropped_records_total ").append(dropped).append('\n');
        return out.toString();
    }

    private static void family(StringBuilder out, String name, String type, String help, List<CounterRow> rows,
            ToDoubleFunction<CounterRow> value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        for (CounterRow r : rows) {
            out.append(name).append(labels(r, null)).append(' ').append(number(value.applyAsDouble(r))).append('\n');
        }
    }

    private static void tokenLine(StringBuilder out, CounterRow r, String type, long value) {
        out.append("costgateway_tokens_total").append(labels(r, type)).append(' ').append(value).append('\n');
    }

    private static void histogram(StringBuilder out, LatencyHistogram h) {
        String name = "costgateway_request_latency_seconds";
        out.append("# HELP ").append(name).append(" Total latency of client requests.\n");
        out.append("# TYPE ").append(name).append(" histogram\n");
        long cumulative = 0;
        int bucket = 0;
        for (long bound : EXPORTED_BOUNDS_MILLIS) {
            while (bucket < h.upperBoundsMillis().size() && h.upperBoundsMillis().get(bucket) <= bound) {
                cumulative += h.counts().get(bucket++);
            }
            out.append(name).append("_bucket{le=\"").append(number(bound / 1000.0)).append("\"} ")
                    .append(cumulative).append('\n');
        }
        out.append(name).append("_bucket{le=\"+Inf\"} ").append(h.count()).append('\n');
        out.append(name).append("_sum ").append(number(h.sumMillis() / 1000.0)).append('\n');
        out.append(name).append("_count ").append(h.count()).append('\n');
    }

    private static String labels(CounterRow r, String tokenType) {
        StringBuilder b = new StringBuilder("{model=\"").append(escape(r.model()))
                .append("\",tier=\"").append(escape(r.tier()))
                .append("\",cache=\"").append(escape(r.cacheKind())).append('"');
        if (tokenType != null) {
            b.append(",type=\"").append(tokenType).append('"');
        }
        return b.append('}').toString();
    }

    /** Label value escaping of the text format: backslash, double quote and line feed. */
    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%s", v);
    }
}
