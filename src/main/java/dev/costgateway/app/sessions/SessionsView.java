package dev.costgateway.app.sessions;

import static dev.costgateway.app.fx.Nodes.bound;
import static dev.costgateway.app.fx.Nodes.collapsing;
import static dev.costgateway.app.fx.Nodes.hgrow;
import static dev.costgateway.app.fx.Nodes.label;

import java.util.Comparator;
import java.util.Locale;
import java.util.function.Function;

import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ListChangeListener;
import javafx.collections.transformation.SortedList;
import javafx.geometry.Orientation;
import javafx.scene.chart.BarChart;
import javafx.scene.chart.CategoryAxis;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

import dev.costgateway.app.fx.AppTheme;
import dev.costgateway.app.fx.Formats;
import dev.costgateway.app.fx.Money;
import dev.costgateway.core.metrics.MetricsQueries.SessionRow;
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.core.session.CacheHealth;
import dev.costgateway.core.session.SessionTag;

/**
 * Sessions (or projects) in a sortable table; below, the selected session: its figures, prompt-cache findings, its
 * requests in order (double-click or "Open in inspector" shows one in the request inspector) and its cost per turn.
 */
public final class SessionsView {

    private final SessionsViewModel vm;
    private final VBox root;
    private final TextField search = new TextField();
    private final TableView<SessionRow> sessionsTable = new TableView<>();
    private final TableView<SessionsViewModel.ProjectRow> projectsTable = new TableView<>();
    private final TableView<RequestRecord> turnsTable = new TableView<>();
    private final BarChart<String, Number> costChart = new BarChart<>(new CategoryAxis(), new NumberAxis());
    private final XYChart.Series<String, Number> costSeries = new XYChart.Series<>();

    public SessionsView(SessionsViewModel vm) {
        this.vm = vm;
        search.setId("sessions-search");
        search.setPromptText("Search session, project, model…");
        search.textProperty().bindBidirectional(vm.searchProperty());
        search.setPrefColumnCount(24);
        ToggleGroup group = new ToggleGroup();
        ToggleButton bySession = new ToggleButton("Sessions");
        bySession.setId("sessions-by-session");
        ToggleButton byProject = new ToggleButton("Projects");
        byProject.setId("sessions-by-project");
        bySession.setToggleGroup(group);
        byProject.setToggleGroup(group);
        bySession.setOnAction(e -> vm.groupingProperty().set(SessionsViewModel.Grouping.SESSION));
        byProject.setOnAction(e -> vm.groupingProperty().set(SessionsViewModel.Grouping.PROJECT));
        HBox header = new HBox(new VBox(label("Sessions", "screen-title"), bound(vm.summaryLineProperty(),
                "screen-subtitle")), hgrow(), new HBox(bySession, byProject), search);
        header.getStyleClass().add("toolbar-row");

        buildSessionsTable();
        buildProjectsTable();
        StackPane lists = new StackPane(sessionsTable, projectsTable);
        Runnable showGrouping = () -> {
            boolean projects = vm.groupingProperty().get() == SessionsViewModel.Grouping.PROJECT;
            sessionsTable.setVisible(!projects);
            projectsTable.setVisible(projects);
            (projects ? byProject : bySession).setSelected(true);
        };
        vm.groupingProperty().addListener((o, a, b) -> showGrouping.run());
        showGrouping.run();

        SplitPane split = new SplitPane(lists, detail());
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.45);
        VBox.setVgrow(split, Priority.ALWAYS);
        root = new VBox(header, collapsing(vm.errorProperty(), "banner", "danger"), split);
        root.getStyleClass().add("screen");
        root.setId("sessions");
    }

    private void buildSessionsTable() {
        sessionsTable.setId("sessions-table");
        sessionsTable.getStyleClass().add(AppTheme.STRIPED);
        sessionsTable.setPlaceholder(label("No sessions yet. Claude Code and SDK conversations appear here as they run.",
                "muted"));
        TableColumn<SessionRow, String> project = text(sessionsTable, "Project", 130,
                s -> s.project().isEmpty() ? "—" : SessionTag.shortProject(s.project()));
        project.setComparator(String.CASE_INSENSITIVE_ORDER);
        text(sessionsTable, "Session", 80, s -> SessionsViewModel.shortId(s.sessionId()));
        TableColumn<SessionRow, java.time.Instant> last = value(sessionsTable, "Last activity", 136,
                SessionRow::lastActivity, t -> Formats.dateTime(t, vm.zone()));
        value(sessionsTable, "Started", 96, SessionRow::started, t -> Formats.dateTime(t, vm.zone()))
                .setVisible(false);
        value(sessionsTable, "Duration", 70, SessionRow::duration, SessionsViewModel::duration);
        value(sessionsTable, "Reqs", 52, SessionRow::requests, n -> Formats.count(n));
        text(sessionsTable, "Models", 130, s -> SessionsViewModel.models(s.models()));
        value(sessionsTable, "Cost", 70, SessionRow::costUsd, Money::usd).setId("sessions-cost-column");
        value(sessionsTable, "Would have cost", 70, SessionRow::counterfactualUsd, Money::usd).setVisible(false);
        value(sessionsTable, "Saved", 64, SessionRow::savedUsd, Money::usd).setVisible(false);
        value(sessionsTable, "Input", 64, SessionRow::inputTokens, SessionsView::compact).setVisible(false);
        value(sessionsTable, "Output", 64, SessionRow::outputTokens, SessionsView::compact).setVisible(false);
        // prompt-cache tokens: written to the cache, read from it, and reads as a share of the prompt
        value(sessionsTable, "Writes", 64, SessionRow::cacheCreationTokens, SessionsView::compact);
        value(sessionsTable, "Reads", 64, SessionRow::cacheReadTokens, SessionsView::compact);
        value(sessionsTable, "Hit", 56, SessionRow::promptCacheHitRatio, Formats::percentOfOne);
        // prompt-cache findings (CacheHealth) of the whole session, and their money; blank when there are none
        value(sessionsTable, "Warnings", 86, SessionRow::cacheWarnings, n -> n == 0 ? "" : "⚠ " + n)
                .setId("sessions-warnings-column");
        value(sessionsTable, "Wasted", 76, SessionRow::cacheWastedUsd, usd -> usd == 0 ? "" : Money.usd(usd));
        value(sessionsTable, "Esc", 40, SessionRow::escalations, n -> n == 0 ? "" : String.valueOf(n))
                .setVisible(false);
        SortedList<SessionRow> sorted = new SortedList<>(vm.sessions());
        sorted.comparatorProperty().bind(sessionsTable.comparatorProperty());
        sessionsTable.setItems(sorted);
        last.setSortType(TableColumn.SortType.DESCENDING);
        sessionsTable.getSortOrder().add(last);
        sessionsTable.setTableMenuButtonVisible(true);
        sessionsTable.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_ALL_COLUMNS);
        sessionsTable.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (b != null) {
                vm.selectedProperty().set(b);
            }
        });
        vm.selectedProperty().addListener((o, a, b) -> {
            if (b != null && sessionsTable.getSelectionModel().getSelectedItem() != b) {
                sessionsTable.getSelectionModel().select(b);
            }
        });
    }

    private void buildProjectsTable() {
        projectsTable.setId("projects-table");
        projectsTable.getStyleClass().add(AppTheme.STRIPED);
        projectsTable.setPlaceholder(label("No projects yet.", "muted"));
        TableColumn<SessionsViewModel.ProjectRow, String> name = text(projectsTable, "Project", 260,
                p -> p.project().isEmpty() ? "(no project stated)" : p.project());
        name.setComparator(String.CASE_INSENSITIVE_ORDER);
        value(projectsTable, "Sessions", 64, SessionsViewModel.ProjectRow::sessions, n -> Formats.count(n));
        value(projectsTable, "Requests", 64, SessionsViewModel.ProjectRow::requests, n -> Formats.count(n));
        value(projectsTable, "Last activity", 110, SessionsViewModel.ProjectRow::lastActivity,
                t -> Formats.dateTime(t, vm.zone()));
        value(projectsTable, "Cost", 70, SessionsViewModel.ProjectRow::costUsd, Money::usd);
        value(projectsTable, "Would have cost", 80, SessionsViewModel.ProjectRow::counterfactualUsd, Money::usd);
        value(projectsTable, "Saved", 64, SessionsViewModel.ProjectRow::savedUsd, Money::usd);
        value(projectsTable, "Cache write", 70, SessionsViewModel.ProjectRow::cacheCreationTokens,
                SessionsView::compact);
        value(projectsTable, "Cache read", 70, SessionsViewModel.ProjectRow::cacheReadTokens, SessionsView::compact);
        value(projectsTable, "Cache hit", 64, SessionsViewModel.ProjectRow::promptCacheHitRatio,
                Formats::percentOfOne);
        SortedList<SessionsViewModel.ProjectRow> sorted = new SortedList<>(vm.projects());
        sorted.comparatorProperty().bind(projectsTable.comparatorProperty());
        projectsTable.setItems(sorted);
        projectsTable.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_ALL_COLUMNS);
        projectsTable.setRowFactory(t -> {
            TableRow<SessionsViewModel.ProjectRow> row = new TableRow<>();
            row.setOnMouseClicked(e -> {
                if (e.getButton() == MouseButton.PRIMARY && e.getClickCount() == 2 && row.getItem() != null) {
                    vm.showProject(row.getItem().project());
                }
            });
            return row;
        });
    }

    private VBox detail() {
        Label title = bound(vm.detailTitleProperty(), "detail-title");
        title.setId("session-title");
        Label line = bound(vm.detailLineProperty(), "muted");
        line.setId("session-line");
        Label health = bound(vm.healthLineProperty(), "section-title");
        health.setId("session-health");
        VBox warnings = new VBox(2);
        warnings.setId("session-warnings");
        vm.warnings().addListener((ListChangeListener<CacheHealth.Warning>) c -> {
            warnings.getChildren().clear();
            for (CacheHealth.Warning w : vm.warnings()) {
                Label l = label("Request " + (w.turnIndex() + 1) + " · " + kindText(w.kind()) + " · "
                        + Money.usd(w.costUsd()) + " — " + w.detail(), "attempt");
                l.setWrapText(true);
                warnings.getChildren().add(l);
            }
        });

        turnsTable.setId("session-turns");
        turnsTable.getStyleClass().add(AppTheme.STRIPED);
        turnsTable.setPlaceholder(label("Select a session to see its requests.", "muted"));
        TableColumn<RequestRecord, Number> index = new TableColumn<>("#");
        index.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(turnsTable.getItems().indexOf(c.getValue()) + 1));
        index.setPrefWidth(36);
        index.setSortable(false);
        turnsTable.getColumns().add(index);
        turnText("Time", 72, r -> Formats.time(r.timestamp(), vm.zone()));
        turnText("Model", 110, r -> SessionsViewModel.models(java.util.List.of(r.finalModel() == null ? "?"
                : r.finalModel())));
        turnText("In", 50, r -> r.usage() == null ? "" : compact(r.usage().inputTokens()));
        turnText("Write", 60, r -> r.usage() == null ? "" : compact(r.usage().cacheCreationInputTokens()));
        turnText("Read", 60, r -> r.usage() == null ? "" : compact(r.usage().cacheReadInputTokens()));
        turnText("Out", 50, r -> r.usage() == null ? "" : compact(r.usage().outputTokens()));
        turnText("Cost", 70, r -> Money.usd(r.costUsd()));
        turnText("Prompt", 220, r -> r.promptPreview() == null ? "" : r.promptPreview().replace('\n', ' '))
                .setMaxWidth(Double.MAX_VALUE);
        turnsTable.setItems(vm.turns());
        turnsTable.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_ALL_COLUMNS);
        turnsTable.setRowFactory(t -> {
            TableRow<RequestRecord> row = new TableRow<>();
            row.setOnMouseClicked(e -> {
                if (e.getButton() == MouseButton.PRIMARY && e.getClickCount() == 2 && row.getItem() != null) {
                    vm.openRequest(row.getItem());
                }
            });
            return row;
        });
        Button open = new Button("Open in inspector");
        open.setId("session-open-request");
        open.disableProperty().bind(turnsTable.getSelectionModel().selectedItemProperty().isNull());
        open.setOnAction(e -> vm.openRequest(turnsTable.getSelectionModel().getSelectedItem()));

        costChart.setId("session-cost-chart");
        costChart.setAnimated(false);
        costChart.setLegendVisible(false);
        costChart.setTitle("Cost per request");
        costChart.setBarGap(1);
        costChart.setCategoryGap(2);
        costChart.setPrefWidth(320);
        costChart.setMinWidth(260);
        NumberAxis money = (NumberAxis) costChart.getYAxis();
        money.setTickLabelFormatter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(Number n) {
                double unit = money.getTickUnit();
                int decimals = unit > 0 && unit < 0.01 ? Math.min(6, (int) Math.ceil(-Math.log10(unit))) : 2;
                return String.format(Locale.ROOT, "$%." + decimals + "f", n.doubleValue());
            }

            @Override
            public Number fromString(String text) {
                return Double.parseDouble(text.replace("$", ""));
            }
        });
        ((CategoryAxis) costChart.getXAxis()).setTickLabelsVisible(true);
        costChart.getData().add(costSeries);
        vm.turns().addListener((ListChangeListener<RequestRecord>) c -> redrawChart());

        HBox.setHgrow(turnsTable, Priority.ALWAYS);
        HBox body = new HBox(12, turnsTable, costChart);
        VBox.setVgrow(body, Priority.ALWAYS);
        VBox box = new VBox(6, new HBox(8, new VBox(title, line), hgrow(), open), health, warnings, body);
        box.getStyleClass().add("detail-pane");
        box.setId("session-detail");
        return box;
    }

    /** One series for the chart's life: points replaced, never the series (the category axis follows then). */
    private void redrawChart() {
        java.util.List<XYChart.Data<String, Number>> points = new java.util.ArrayList<>();
        int i = 1;
        for (double cost : vm.costPerTurn()) {
            points.add(new XYChart.Data<>(String.valueOf(i++), cost));
        }
        costSeries.getData().setAll(points);
    }

    static String kindText(CacheHealth.Kind k) {
        return switch (k) {
            case BELOW_MINIMUM -> "prompt below the cacheable minimum";
            case REWRITE_WITHIN_TTL -> "prefix re-written within its TTL";
            case IDLE_REWRITE -> "re-written after an idle gap";
            case MODEL_SWITCH -> "model switch re-wrote the prefix";
        };
    }

    private TableColumn<RequestRecord, String> turnText(String title, double width,
            Function<RequestRecord, String> value) {
        TableColumn<RequestRecord, String> c = new TableColumn<>(title);
        c.setCellValueFactory(x -> new ReadOnlyObjectWrapper<>(value.apply(x.getValue())));
        c.setPrefWidth(width);
        c.setSortable(false);
        turnsTable.getColumns().add(c);
        return c;
    }

    private static <R> TableColumn<R, String> text(TableView<R> table, String title, double width,
            Function<R, String> value) {
        TableColumn<R, String> c = new TableColumn<>(title);
        c.setCellValueFactory(x -> new ReadOnlyObjectWrapper<>(value.apply(x.getValue())));
        c.setPrefWidth(width);
        table.getColumns().add(c);
        return c;
    }

    /** A column sorted by the value, shown formatted. */
    private static <R, V extends Comparable<V>> TableColumn<R, V> value(TableView<R> table, String title,
            double width, Function<R, V> value, Function<V, String> format) {
        TableColumn<R, V> c = new TableColumn<>(title);
        c.setCellValueFactory(x -> new ReadOnlyObjectWrapper<>(value.apply(x.getValue())));
        c.setComparator(Comparator.naturalOrder());
        c.setCellFactory(col -> new javafx.scene.control.TableCell<>() {
            @Override
            protected void updateItem(V item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : format.apply(item));
            }
        });
        c.setStyle("-fx-alignment: CENTER-RIGHT;");
        c.setPrefWidth(width);
        table.getColumns().add(c);
        return c;
    }

    static String compact(long n) {
        if (n < 1000) {
            return Long.toString(n);
        }
        return n < 1_000_000 ? String.format(Locale.ROOT, "%.1fk", n / 1000.0)
                : String.format(Locale.ROOT, "%.1fM", n / 1e6);
    }

    public void focusSearch() {
        search.requestFocus();
    }

    public VBox root() {
        return root;
    }
}
