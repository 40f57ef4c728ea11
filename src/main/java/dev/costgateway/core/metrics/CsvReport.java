package dev.costgateway.core.metrics;

import java.math.BigDecimal;
import java.util.List;

import dev.costgateway.core.metrics.MetricsQueries.ReportGrouping;
import dev.costgateway.core.metrics.MetricsQueries.ReportRow;

/**
 * The cost report as CSV (RFC 4180), shared by {@code GET /v1/reports/costs.csv} and the desktop export.
 *
 * <p>Columns, stable, one per {@link ReportRow} field in order: the key ({@code date} as YYYY-MM-DD,
 * {@code model}, {@code tier}, {@code query_id}, {@code session_id} or {@code project}, by grouping), {@code requests}, {@code input_tokens},
 * {@code output_tokens}, {@code cache_creation_tokens}, {@code cache_read_tokens}, {@code cost_usd},
 * {@code counterfactual_usd}, {@code saved_usd}, {@code cache_hits}, {@code escalations}. Money is a plain decimal
 * number in USD with a dot and no exponent ({@code 0.000123}); {@code saved_usd} may be negative ({@code -0.5}).
 *
 * <p>Format: a header row, CRLF after every row, a field quoted with {@code "} when it holds a comma, quote, CR
 * or LF (quotes doubled). The text is meant to be written as UTF-8 without a byte-order mark.
 *
 * <p>Spreadsheet safety: the key is the only text column; when it starts with {@code =}, {@code +}, {@code -},
 * {@code @}, tab or CR it gets a leading {@code '} so a spreadsheet shows it as text instead of running it as a
 * formula. Number columns are written by this class from numbers and are left as they are, so a negative
 * {@code saved_usd} stays a number. Thread-safe (stateless).
 */
public final class CsvReport {

    /** Header names after the key column. */
    public static final List<String> VALUE_COLUMNS = List.of("requests", "input_tokens", "output_tokens",
            "cache_creation_tokens", "cache_read_tokens", "cost_usd", "counterfactual_usd", "saved_usd",
            "cache_hits", "escalations");

    private static final String CRLF = "\r\n";

    private CsvReport() {
    }

    /** The key column's header for a grouping: {@code date}, {@code model}, {@code tier}, {@code query_id}, ... */
    public static String keyColumn(ReportGrouping grouping) {
        return switch (grouping) {
            case DAY -> "date";
            case MODEL -> "model";
            case TIER -> "tier";
            case REQUEST -> "query_id";
            case SESSION -> "session_id";
            case PROJECT -> "project";
        };
    }

    public static String toCsv(List<ReportRow> rows, ReportGrouping grouping) {
        StringBuilder out = new StringBuilder(64 + rows.size() * 96);
        out.append(keyColumn(grouping));
        for (String column : VALUE_COLUMNS) {
            out.append(',').append(column);
        }
        out.append(CRLF);
        for (ReportRow r : rows) {
            out.append(textCell(r.key())).append(',')
                    .append(r.requests()).append(',')
                    .append(r.inputTokens()).append(',')
                    .append(r.outputTokens()).append(',')
                    .append(r.cacheCreationTokens()).append(',')
                    .append(r.cacheReadTokens()).append(',')
                    .append(money(r.costUsd())).append(',')
                    .append(money(r.counterfactualUsd())).append(',')
                    .append(money(r.savedUsd())).append(',')
                    .append(r.cacheHits()).append(',')
                    .append(r.escalations())
                    .append(CRLF);
        }
        return out.toString();
    }

    /** A text cell: neutralised against formulas, then quoted when needed. */
    static String textCell(String value) {
        String v = value == null ? "" : value;
        if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
            v = "'" + v;
        }
        if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) {
            return '"' + v.replace("\"", "\"\"") + '"';
        }
        return v;
    }

    /** Shortest exact decimal of the double, never in exponent form; non-finite amounts as 0. */
    static String money(double usd) {
        if (Double.isNaN(usd) || Double.isInfinite(usd) || usd == 0) {
            return "0";
        }
        return BigDecimal.valueOf(usd).stripTrailingZeros().toPlainString();
    }
}
