package dev.costgateway.app.reports;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import dev.costgateway.app.fx.Formats;
import dev.costgateway.app.fx.MetricsSource;
import dev.costgateway.app.fx.Money;
import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.core.GatewayControl;
import dev.costgateway.core.metrics.MetricsQueries;
import dev.costgateway.core.metrics.MetricsQueries.ReportGrouping;
import dev.costgateway.core.metrics.MetricsQueries.ReportRow;

/** Cost report: a date range (UTC days, both inclusive) and a grouping, previewed, then exported as CSV. */
public final class ReportsViewModel {

    private final GatewayControl control;
    private final MetricsSource source;
    private final UiTasks tasks;
    private final CsvFormatter csv;

    private final ObjectProperty<LocalDate> from = new SimpleObjectProperty<>();
    private final ObjectProperty<LocalDate> to = new SimpleObjectProperty<>();
    private final ObjectProperty<ReportGrouping> grouping = new SimpleObjectProperty<>(ReportGrouping.DAY);
    private final ObservableList<ReportRow> rows = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper totals = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper rangeError = new ReadOnlyStringWrapper("");

    public ReportsViewModel(GatewayControl control, UiTasks tasks, CsvFormatter csv, InstantSource clock) {
        this(control, MetricsSource.local(control), tasks, csv, clock);
    }

    /** @param source this gateway's store or the team's (the team view): the report and its export read it */
    public ReportsViewModel(GatewayControl control, MetricsSource source, UiTasks tasks, CsvFormatter csv,
            InstantSource clock) {
        this.control = control;
        this.source = source;
        this.tasks = tasks;
        this.csv = csv;
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        from.set(today.minusDays(29));
        to.set(today);
        from.addListener(o -> refresh());
        to.addListener(o -> refresh());
        grouping.addListener(o -> refresh());
        source.revisionProperty().addListener((o, was, now) -> { // never export a mix of two sources
            rows.clear();
            totals.set("");
        });
    }

    public void refresh() {
        LocalDate f = from.get();
        LocalDate t = to.get();
        if (f != null && t != null && f.isAfter(t)) {
            rangeError.set("The start date is after the end date.");
            rows.clear();
            totals.set("");
            return;
        }
        rangeError.set("");
        ReportGrouping g = grouping.get();
        busy.set(true);
        MetricsQueries queries = source.queries();
        int rev = source.revision();
        tasks.run(() -> queries.report(f, t, g), result -> {
            busy.set(false);
            if (f == from.get() && t == to.get() && g == grouping.get() && rev == source.revision()) {
                rows.setAll(result);
                totals.set(summarize(result));
            }
        }, e -> {
            busy.set(false);
            message.set("Could not build the report: " + e.getMessage());
        });
    }

    private static String summarize(List<ReportRow> rows) {
        long requests = rows.stream().mapToLong(ReportRow::requests).sum();
        double cost = rows.stream().mapToDouble(ReportRow::costUsd).sum();
        double saved = rows.stream().mapToDouble(ReportRow::savedUsd).sum();
        return Formats.count(rows.size()) + " rows · " + Formats.count(requests) + " requests · spent "
                + Money.usd(cost) + " · saved " + Money.usd(saved);
    }

    /** A file name such as {@code cost-report-day-2026-11-02-to-2026-12-01.csv}. */
    public String suggestedFileName() {
        return "cost-report-" + grouping.get().name().toLowerCase(java.util.Locale.ROOT) + "-"
                + (from.get() == null ? "start" : from.get()) + "-to-" + (to.get() == null ? "today" : to.get())
                + ".csv";
    }

    /** Writes the rows on screen to {@code target} (temp file + move, so a failed write leaves no half file). */
    public void export(Path target) {
        List<ReportRow> snapshot = List.copyOf(rows);
        ReportGrouping g = grouping.get();
        busy.set(true);
        tasks.run(() -> {
            String text = csv.toCsv(snapshot, g);
            Path dir = target.toAbsolutePath().getParent();
            Path tmp = Files.createTempFile(dir, ".export-", ".csv.tmp");
            try {
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return snapshot.size();
        }, n -> {
            busy.set(false);
            message.set("Exported " + n + (n == 1 ? " row to " : " rows to ") + target);
        }, e -> {
            busy.set(false);
            message.set("Export failed: " + e.getMessage());
        });
    }

    public ObjectProperty<LocalDate> fromProperty() {
        return from;
    }

    public ObjectProperty<LocalDate> toProperty() {
        return to;
    }

    public ObjectProperty<ReportGrouping> groupingProperty() {
        return grouping;
    }

    public ObservableList<ReportRow> rows() {
        return FXCollections.unmodifiableObservableList(rows);
    }

    public ReadOnlyStringProperty totalsProperty() {
        return totals.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty rangeErrorProperty() {
        return rangeError.getReadOnlyProperty();
    }
}
