package dev.costgateway.app.reports;

import java.util.List;

import dev.costgateway.core.metrics.MetricsQueries.ReportGrouping;
import dev.costgateway.core.metrics.MetricsQueries.ReportRow;

/**
 * Turns report rows into CSV text. The app exports exactly the columns of the HTTP export, so the default is the
 * core's {@code CsvReport.toCsv(rows, grouping)}; tests may inject another.
 */
@FunctionalInterface
public interface CsvFormatter {

    String toCsv(List<ReportRow> rows, ReportGrouping grouping);

    /** The same CSV as {@code GET /v1/reports/costs.csv}. */
    CsvFormatter DEFAULT = dev.costgateway.core.metrics.CsvReport::toCsv;
}
