package dev.costgateway.app.requests;

import static dev.costgateway.app.fx.Nodes.bound;
import static dev.costgateway.app.fx.Nodes.collapsing;
import static dev.costgateway.app.fx.Nodes.hgrow;
import static dev.costgateway.app.fx.Nodes.label;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.ListChangeListener;
import javafx.geometry.Orientation;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import dev.costgateway.app.fx.AppTheme;
import dev.costgateway.app.fx.Formats;
import dev.costgateway.app.fx.Money;
import dev.costgateway.app.markdown.MarkdownView;
import dev.costgateway.core.metrics.AttemptRecord;
import dev.costgateway.core.metrics.MetricsQueries.SortField;
import dev.costgateway.core.metrics.RequestRecord;

/** Request table (sorted and searched by the store) and the detail of the selected request. */
public final class RequestsView {
    private final RequestsViewModel vm;
    private final VBox root;
    private final TextField search;
    private final TableView<RequestRecord> table = new TableView<>();
    private final Map<TableColumn<RequestRecord, ?>, SortField> sortable = new HashMap<>();

    public RequestsView(RequestsViewModel vm, Consumer<String> clipboard) {
        this.vm = vm;
        search = new TextField();
        search.setId("requests-search");
        search.setPromptText("Search id, model, tier, layer, cache, error, text…  (Ctrl+F)");
        search.textProperty().bindBidirectional(vm.searchProperty());
        search.setPrefColumnCount(30);
        HBox header = new HBox(new VBox(label("Requests", "screen-title"), bound(vm.summaryLineProperty(),
                "screen-subtitle")), hgrow(), search);
        header.getStyleClass().add("toolbar-row");

        table.setId("requests-table");
        table.getStyleClass().add(AppTheme.STRIPED);
        table.setPlaceholder(label("No requests yet. Point a client at the gateway (Copy setup) and they appear here.",
                "muted"));
        // Widths in px at 100 % for the table's 0.85 em font: the nine default columns fit what a 1280 px window
        // leaves the table beside the detail. Layer and Esc start hidden (the detail says both; the header's "+"
        // menu shows them). Extra width goes to Model; a cell's tooltip holds the full value behind compact text.
        addColumn("Time", SortField.TIME, 64, r -> Formats.time(r.timestamp(), vm.zone()),
                r -> Formats.dateTime(r.timestamp(), vm.zone()));
        addColumn("Model", null, 158, RequestsView::modelText, r -> r.requestedModel() + " → " + r.finalModel())
                .setMaxWidth(Double.MAX_VALUE);
        addPillColumn("Tier", 88, r -> r.tier() == null ? "—" : r.tier(),
                r -> r.tier() == null ? "not routed" : r.tier() + " tier");
        addColumn("Layer", null, 80, RequestRecord::classifierLayer,
                r -> r.classifierLayer() + (r.classifierReason() == null ? "" : ": " + r.classifierReason()))
                .setVisible(false);
        addPillColumn("Cache", 84, RequestRecord::cacheKind, r -> r.cacheKind() + " cache");
        TableColumn<RequestRecord, String> esc = addColumn("Esc", null, 40,
                r -> r.escalations() == 0 ? "" : String.valueOf(r.escalations()),
                r -> r.escalations() + (r.escalations() == 1 ? " escalation" : " escalations"));
        esc.setStyle("-fx-alignment: CENTER;");
        esc.setVisible(false);
        right(addColumn("Tokens", SortField.TOKENS, 78, r -> r.usage() == null ? "" : compact(r.usage().inputTokens())
                + " / " + compact(r.usage().outputTokens()), r -> r.usage() == null ? "" : Formats.count(
                r.usage().inputTokens()) + " in / " + Formats.count(r.usage().outputTokens()) + " out"));
        right(addColumn("Cost", SortField.COST, 62, r -> Money.compact(r.costUsd()), r -> Money.exact(r.costUsd())
                + " (would have cost " + Money.exact(r.counterfactualUsd()) + ")"));
        TableColumn<RequestRecord, String> saved = right(addColumn("Saved", SortField.SAVED, 62,
                r -> Money.compact(r.savedUsd()), r -> Money.exact(r.savedUsd())));
        saved.setCellFactory(c -> new ValueCell() {
            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                getStyleClass().removeAll("positive-text", "negative-text");
                RequestRecord r = empty || getTableRow() == null ? null : getTableRow().getItem();
                if (r != null && r.savedUsd() != null && r.savedUsd() != 0) {
                    getStyleClass().add(r.savedUsd() > 0 ? "positive-text" : "negative-text");
                }
            }
        });
        right(addColumn("Latency", SortField.LATENCY, 68, r -> compactMillis(r.latencyMillis()),
                r -> Formats.millis(r.latencyMillis()) + " total · first byte " + Formats.millis(r.ttfbMillis())));
        addColumn("HTTP", null, 52, r -> String.valueOf(r.status()),
                r -> r.errorType() == null ? "HTTP " + r.status() : "HTTP " + r.status() + " " + r.errorType());
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_ALL_COLUMNS);
        table.setTableMenuButtonVisible(true); // the header's "+" menu shows and hides columns
        table.setItems(vm.rows());
        table.setSortPolicy(t -> true); // rows arrive sorted from the store; a click asks the store again
        table.getSortOrder().addListener((ListChangeListener<TableColumn<RequestRecord, ?>>) c -> {
            if (!table.getSortOrder().isEmpty()) {
                TableColumn<RequestRecord, ?> col = table.getSortOrder().get(0);
                vm.sortBy(sortable.get(col), col.getSortType() == TableColumn.SortType.DESCENDING);
            }
        });
        table.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (b != null) {
                vm.selectedProperty().set(b);
            }
        });
        vm.selectedProperty().addListener((o, a, b) -> {
            if (b != null && table.getSelectionModel().getSelectedItem() != b) {
                table.getSelectionModel().select(b);
            }
        });

        SplitPane split = new SplitPane(table, detail(clipboard));
        split.setOrientation(Orientation.HORIZONTAL);
        split.setDividerPositions(0.69);
        VBox.setVgrow(split, Priority.ALWAYS);
        root = new VBox(header, collapsing(vm.errorProperty(), "banner", "danger"), split);
        root.getStyleClass().add("screen");
        root.setId("requests");
    }

    /** A text cell whose tooltip shows the full value; the row's record gives it. */
    private class ValueCell extends TableCell<RequestRecord, String> {
        private final Tooltip tip = new Tooltip();

        @Override
        protected void updateItem(String item, boolean empty) {
            super.updateItem(item, empty);
            setText(empty ? null : item);
            RequestRecord r = empty || getTableRow() == null ? null : getTableRow().getItem();
            Function<RequestRecord, String> full = tooltips.get(getTableColumn());
            String text = r == null || full == null ? null : full.apply(r);
            tip.setText(text);
            setTooltip(text == null || text.isBlank() ? null : tip);
        }
    }

    private final Map<TableColumn<RequestRecord, ?>, Function<RequestRecord, String>> tooltips = new HashMap<>();

    private TableColumn<RequestRecord, String> addColumn(String title, SortField sort, double width,
            Function<RequestRecord, String> value, Function<RequestRecord, String> fullValue) {
        TableColumn<RequestRecord, String> col = new TableColumn<>(title);
        col.setCellValueFactory(c -> new ReadOnlyStringWrapper(value.apply(c.getValue())));
        col.setCellFactory(c -> new ValueCell());
        col.setPrefWidth(width);
        col.setMinWidth(Math.round(width * 0.8));
        col.setMaxWidth(Math.round(width * 1.4));
        col.setSortable(sort != null);
        tooltips.put(col, fullValue);
        if (sort != null) {
            sortable.put(col, sort);
            col.sortTypeProperty().addListener(o -> {
                if (table.getSortOrder().contains(col)) {
                    vm.sortBy(sort, col.getSortType() == TableColumn.SortType.DESCENDING);
                }
            });
        }
        table.getColumns().add(col);
        return col;
    }

    private static TableColumn<RequestRecord, String> right(TableColumn<RequestRecord, String> col) {
        col.setStyle("-fx-alignment: CENTER-RIGHT;");
        return col;
    }

    private void addPillColumn(String title, double width, Function<RequestRecord, String> value,
            Function<RequestRecord, String> fullValue) {
        TableColumn<RequestRecord, String> col = addColumn(title, null, width, value, fullValue);
        col.setCellFactory(c -> new ValueCell() {
            // one label per cell, re-tinted on reuse: a table refresh creates no nodes
            private final Label pill = label("", "pill");

            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                if (empty || item == null || item.equals("none") || item.equals("—")) {
                    setGraphic(null);
                    setText(empty || item == null || item.equals("none") ? null : item);
                    if (item != null && item.equals("none")) {
                        setTooltip(null);
                    }
                } else {
                    pill.setText(item);
                    if (pill.getStyleClass().size() != 2 || !pill.getStyleClass().get(1).equals(item)) {
                        pill.getStyleClass().setAll("pill", item);
                    }
                    setGraphic(pill);
                    setText(null);
                }
            }
        });
    }

    /** {@code sonnet-4-6 → haiku-4-5}, or one name when the request kept its model. */
    static String modelText(RequestRecord r) {
        if (r.requestedModel() == null) {
            return shortModel(r.finalModel());
        }
        return r.requestedModel().equals(r.finalModel()) ? shortModel(r.finalModel())
                : shortModel(r.requestedModel()) + " → " + shortModel(r.finalModel());
    }

    /** {@code 570ms}, {@code 1.4s}, {@code 12s}. */
    static String compactMillis(long ms) {
        if (ms < 0) {
            return "—";
        }
        if (ms < 1000) {
            return ms + "ms";
        }
        return ms < 10_000 ? String.format(Locale.ROOT, "%.1fs", ms / 1000.0) : ms / 1000 + "s";
    }

    static String compact(long n) {
        return n < 1000 ? Long.toString(n) : String.format(Locale.ROOT, "%.1fk", n / 1000.0);
    }

    static String shortModel(String model) {
        if (model == null) {
            return "?";
        }
        String m = model.startsWith("claude-") ? model.substring("claude-".length()) : model;
        return m.replaceAll("-\\d{8}$", "");
    }

    private Node detail(Consumer<String> clipboard) {
        Label title = label("Select a request", "detail-title");
        Label when = label("", "muted");
        Label decision = bound(vm.decisionProperty(), "decision");
        decision.setId("request-decision");
        decision.setMaxWidth(Double.MAX_VALUE);
        decision.visibleProperty().bind(decision.textProperty().isNotEmpty());
        GridPane facts = new GridPane();
        javafx.scene.layout.ColumnConstraints keys = new javafx.scene.layout.ColumnConstraints();
        keys.setMinWidth(Region.USE_PREF_SIZE);
        facts.getColumnConstraints().add(keys);
        facts.setHgap(14);
        facts.setVgap(4);
        VBox attempts = new VBox(6);
        attempts.setId("request-attempts");
        MarkdownView prompt = new MarkdownView("request-prompt", "Prompt (last user turn)");
        MarkdownView answer = new MarkdownView("request-answer", "Answer");
        Button curl = new Button("Copy as curl");
        curl.setId("request-copy-curl");
        curl.setOnAction(e -> {
            if (vm.detailProperty().get() != null) {
                clipboard.accept(vm.curl(vm.detailProperty().get()));
            }
        });
        Button reject = new Button("Wrong answer for this prompt");
        reject.setId("request-reject-semantic");
        reject.setTooltip(new javafx.scene.control.Tooltip("Remove this answer from the semantic cache; neither it "
                + "nor a paraphrase will answer this prompt again"));
        reject.visibleProperty().bind(vm.rejectableProperty());
        reject.managedProperty().bind(vm.rejectableProperty());
        reject.setOnAction(e -> vm.rejectSemanticHit());
        Button reask = new Button("Ask upstream again");
        reask.setId("request-reask-semantic");
        reask.setTooltip(new javafx.scene.control.Tooltip("Send this request again, past the caches; the new "
                + "answer is kept for this prompt"));
        reask.visibleProperty().bind(vm.reaskableProperty());
        reask.managedProperty().bind(vm.reaskableProperty());
        reask.setOnAction(e -> vm.reaskSemanticHit());
        Label rejectStatus = bound(vm.rejectStatusProperty(), "muted");
        rejectStatus.setId("request-reject-status");
        rejectStatus.setWrapText(true);
        rejectStatus.visibleProperty().bind(rejectStatus.textProperty().isNotEmpty());
        rejectStatus.managedProperty().bind(rejectStatus.visibleProperty());
        Label attemptsTitle = label("Upstream attempts", "section-title");
        VBox box = new VBox(new HBox(title, hgrow(), curl), when, decision, reject, reask, rejectStatus, facts, attemptsTitle,
                attempts, prompt, answer);
        box.getStyleClass().add("detail-pane");
        box.setId("request-detail");
        vm.detailProperty().addListener((o, a, r) -> {
            boolean has = r != null;
            curl.setDisable(!has);
            title.setText(has ? "Request " + r.queryId() : "Select a request");
            when.setText(has ? Formats.dateTime(r.timestamp(), vm.zone()) + (r.stream() ? " · streamed" : "") : "");
            facts.getChildren().clear();
            attempts.getChildren().clear();
            if (has) {
                int row = 0;
                row = fact(facts, row, "Requested", r.requestedModel());
                row = fact(facts, row, "Answered by", r.finalModel());
                row = fact(facts, row, "Cache", r.cacheKind());
                if (r.routerScores() != null) {
                    row = fact(facts, row, "Scores", RequestsViewModel.scores(r.routerScores()), "request-scores");
                    row = fact(facts, row, "Thresholds", RequestsViewModel.thresholds(r.routerScores()),
                            "request-thresholds");
                    row = fact(facts, row, "Score says", RequestsViewModel.scoreVerdict(r), "request-score-verdict");
                }
                row = fact(facts, row, "Tokens", r.usage() == null ? "" : Formats.count(r.usage().inputTokens())
                        + " in · " + Formats.count(r.usage().outputTokens()) + " out" + (r.usage()
                        .cacheReadInputTokens() > 0 ? " · " + Formats.count(r.usage().cacheReadInputTokens())
                        + " cache read" : ""));
                row = fact(facts, row, "Cost", Money.usd(r.costUsd()));
                row = fact(facts, row, "Would have cost", Money.usd(r.counterfactualUsd()));
                row = fact(facts, row, "Saved", Money.usd(r.savedUsd()));
                row = fact(facts, row, "Latency", Formats.millis(r.latencyMillis()));
                row = fact(facts, row, "First byte", Formats.millis(r.ttfbMillis()));
                fact(facts, row, "Upstream", Formats.millis(r.upstreamMillis()));
                for (AttemptRecord at : r.attempts()) {
                    Label l = label(RequestsViewModel.describe(at), "attempt");
                    l.setMaxWidth(Double.MAX_VALUE);
                    attempts.getChildren().add(l);
                }
                if (r.attempts().isEmpty()) {
                    attempts.getChildren().add(label("None: answered without calling upstream.", "muted"));
                }
            }
            prompt.setText(has && r.promptPreview() != null ? r.promptPreview() : "");
            answer.setText(has && r.answerPreview() != null ? r.answerPreview() : "");
            boolean text = has && (r.promptPreview() != null || r.answerPreview() != null);
            for (Node n : new Node[] {prompt, answer}) {
                n.setVisible(text);
                n.setManaged(text);
            }
            attemptsTitle.setVisible(has);
        });
        curl.setDisable(true);
        attemptsTitle.setVisible(false);
        for (Node n : new Node[] {prompt, answer}) {
            n.setVisible(false);
            n.setManaged(false);
        }
        ScrollPane scroll = new ScrollPane(box);
        scroll.setFitToWidth(true);
        scroll.setMinWidth(260);
        return scroll;
    }

    private static int fact(GridPane grid, int row, String key, String value, String id) {
        fact(grid, row, key, value);
        grid.getChildren().get(grid.getChildren().size() - 1).setId(id);
        return row + 1;
    }

    private static int fact(GridPane grid, int row, String key, String value) {
        grid.add(label(key, "fact-key"), 0, row);
        Label v = label(value == null ? "—" : value, "fact-value");
        v.setWrapText(true);
        grid.add(v, 1, row);
        return row + 1;
    }

    public void focusSearch() {
        search.requestFocus();
    }

    public VBox root() {
        return root;
    }
}
