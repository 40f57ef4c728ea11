package dev.costgateway.app.reports;

import java.util.List;

import dev.costgateway.core.metrics.MetricsQueries.ReportGrouping;
import dev.costgateway.core.metrics.MetricsQueries.ReportRow;

/**
 * Turns report rows into CSV text. The app must export the same columns as the HTTP export, so the default
 * should be the core's {@code CsvReport.toCsv(rows, grouping)}; until that class is on this branch,
 * {@link #DEFAULT} is a faithful stand-in writing the {@link ReportRow} fields in order.
 */
@FunctionalInterface
public interface CsvFormatter {

    String toCsv(List<ReportRow> rows, ReportGrouping grouping);

    /** The one call site to switch to {@code CsvReport::toCsv} once it exists. */
    CsvFormatter DEFAULT = ReportRowCsv::toCsv;
}
