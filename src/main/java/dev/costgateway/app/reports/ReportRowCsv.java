package dev.costgateway.app.reports;

import java.util.List;
import java.util.Locale;

import dev.costgateway.core.metrics.MetricsQueries.ReportGrouping;
import dev.costgateway.core.metrics.MetricsQueries.ReportRow;

/** RFC 4180 CSV of report rows: a header, then the record fields in declaration order, money with 6 decimals. */
final class ReportRowCsv {

    private ReportRowCsv() {
    }

    static String toCsv(List<ReportRow> rows, ReportGrouping grouping) {
        StringBuilder sb = new StringBuilder();
        sb.append(grouping.name().toLowerCase(Locale.ROOT)).append(",requests,input_tokens,output_tokens,")
                .append("cache_creation_tokens,cache_read_tokens,cost_usd,counterfactual_usd,saved_usd,")
                .append("cache_hits,escalations\r\n");
        for (ReportRow r : rows) {
            sb.append(field(r.key())).append(',').append(r.requests()).append(',').append(r.inputTokens())
                    .append(',').append(r.outputTokens()).append(',').append(r.cacheCreationTokens()).append(',')
                    .append(r.cacheReadTokens()).append(',').append(money(r.costUsd())).append(',')
                    .append(money(r.counterfactualUsd())).append(',').append(money(r.savedUsd())).append(',')
                    .append(r.cacheHits()).append(',').append(r.escalations()).append("\r\n");
        }
        return sb.toString();
    }

    private static String money(double usd) {
        return String.format(Locale.ROOT, "%.6f", usd);
    }

    private static String field(String s) {
        String v = s == null ? "" : s;
        // a leading = + - @ would be run as a formula by spreadsheets
        if (!v.isEmpty() && "=+-@".indexOf(v.charAt(0)) >= 0) {
            v = "'" + v;
        }
        return v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")
                ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }
}
