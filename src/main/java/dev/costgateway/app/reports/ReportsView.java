package dev.costgateway.app.reports;

import static dev.costgateway.app.fx.Nodes.bound;
import static dev.costgateway.app.fx.Nodes.collapsing;
import static dev.costgateway.app.fx.Nodes.hgrow;
import static dev.costgateway.app.fx.Nodes.label;

import java.util.Locale;
import java.util.function.Function;

import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.DatePicker;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;

import dev.costgateway.app.fx.AppTheme;
import dev.costgateway.app.fx.Formats;
import dev.costgateway.app.fx.Money;
import dev.costgateway.core.metrics.MetricsQueries.ReportGrouping;
import dev.costgateway.core.metrics.MetricsQueries.ReportRow;

/** Report range and grouping, a preview table and Export CSV. */
public final class ReportsView {
    private final ReportsViewModel vm;
    private final CsvTarget target;
    private final VBox root;
    private final TableColumn<ReportRow, String> keyColumn;

    public ReportsView(ReportsViewModel vm, CsvTarget target) {
        this.vm = vm;
        this.target = target;
        DatePicker from = new DatePicker();
        from.setId("report-from");
        from.valueProperty().bindBidirectional(vm.fromProperty());
        DatePicker to = new DatePicker();
        to.setId("report-to");
        to.valueProperty().bindBidirectional(vm.toProperty());
        ChoiceBox<ReportGrouping> grouping = new ChoiceBox<>();
        grouping.setId("report-grouping");
        grouping.getItems().setAll(ReportGrouping.values());
        grouping.setConverter(new StringConverter<>() {
            @Override
            public String toString(ReportGrouping g) {
                return g == null ? "" : "By " + g.name().toLowerCase(Locale.ROOT);
            }

            @Override
            public ReportGrouping fromString(String s) {
                return ReportGrouping.valueOf(s.substring(3).toUpperCase(Locale.ROOT));
            }
        });
        grouping.valueProperty().bindBidirectional(vm.groupingProperty());
        Button export = new Button("Export CSV…");
        export.setId("report-export");
        export.getStyleClass().add(AppTheme.ACCENT);
        export.setTooltip(new Tooltip("Same columns as GET /gateway/report.csv (Ctrl+E)"));
        export.disableProperty().bind(vm.busyProperty());
        export.setOnAction(e -> export());

        HBox header = new HBox(new VBox(label("Reports", "screen-title"),
                label("Cost per day, model, tier or request; days are UTC", "screen-subtitle")), hgrow());
        header.getStyleClass().add("toolbar-row");
        HBox controls = new HBox(label("From", "muted"), from, label("to", "muted"), to, grouping, hgrow(), export);
        controls.getStyleClass().add("toolbar-row");

        TableView<ReportRow> table = new TableView<>(vm.rows());
        table.setId("report-table");
        table.getStyleClass().add(AppTheme.STRIPED);
        table.setPlaceholder(label("No traffic in this range.", "muted"));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_ALL_COLUMNS);
        keyColumn = column(table, "Day", ReportRow::key);
        vm.groupingProperty().addListener((o, a, g) -> keyColumn.setText(keyTitle(g)));
        keyColumn.setText(keyTitle(vm.groupingProperty().get()));
        keyColumn.setPrefWidth(140);
        keyColumn.setMinWidth(110);
        keyColumn.setStyle("-fx-alignment: CENTER-LEFT;");
        // two-line headers so every title reads in full at 1280 px; numbers right-aligned to compare by eye
        column(table, "Requests", r -> Formats.count(r.requests()));
        column(table, "Input\ntokens", r -> Formats.count(r.inputTokens()));
        column(table, "Output\ntokens", r -> Formats.count(r.outputTokens()));
        column(table, "Cache\nwrites", r -> Formats.count(r.cacheCreationTokens()));
        column(table, "Cache\nreads", r -> Formats.count(r.cacheReadTokens()));
        column(table, "Cost", r -> Money.usd(r.costUsd()));
        column(table, "Would have\ncost", r -> Money.usd(r.counterfactualUsd())).setPrefWidth(104);
        column(table, "Saved", r -> Money.usd(r.savedUsd()));
        column(table, "Cache\nhits", r -> Formats.count(r.cacheHits()));
        column(table, "Escalations", r -> Formats.count(r.escalations())).setPrefWidth(104);
        VBox.setVgrow(table, Priority.ALWAYS);

        root = new VBox(header, controls, collapsing(vm.rangeErrorProperty(), "banner", "danger"), table,
                new HBox(12, bound(vm.totalsProperty(), "muted"), hgrow(), idLabel()));
        root.getStyleClass().add("screen");
        root.setId("reports");
    }

    private javafx.scene.control.Label idLabel() {
        javafx.scene.control.Label l = bound(vm.messageProperty(), "save-message");
        l.setId("report-message");
        return l;
    }

    private static String keyTitle(ReportGrouping g) {
        return switch (g) {
            case DAY -> "Day (UTC)";
            case MODEL -> "Final model";
            case TIER -> "Tier";
            case REQUEST -> "Query id";
        };
    }

    private static TableColumn<ReportRow, String> column(TableView<ReportRow> table, String title,
            Function<ReportRow, String> value) {
        TableColumn<ReportRow, String> c = new TableColumn<>(title);
        c.setCellValueFactory(x -> new ReadOnlyStringWrapper(value.apply(x.getValue())));
        c.setSortable(false);
        c.setPrefWidth(84);
        c.setMinWidth(70);
        c.setStyle("-fx-alignment: CENTER-RIGHT;");
        table.getColumns().add(c);
        return c;
    }

    /** Asks for a file and writes the rows on screen to it. */
    public void export() {
        target.choose(vm.suggestedFileName()).ifPresent(vm::export);
    }

    public VBox root() {
        return root;
    }
}
