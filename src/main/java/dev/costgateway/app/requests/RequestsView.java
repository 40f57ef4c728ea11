package dev.costgateway.app.requests;

import static dev.costgateway.app.fx.Nodes.bound;
import static dev.costgateway.app.fx.Nodes.collapsing;
import static dev.costgateway.app.fx.Nodes.hgrow;
import static dev.costgateway.app.fx.Nodes.label;

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
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import dev.costgateway.app.fx.AppTheme;
import dev.costgateway.app.fx.Formats;
import dev.costgateway.core.metrics.AttemptRecord;
import dev.costgateway.core.metrics.MetricsQueries.SortField;
import dev.costgateway.core.metrics.RequestRecord;

/** Request table (sorted and searched by the store) and the detail of the selected request. */
public final class RequestsView {
    private final RequestsViewModel vm;
    private final VBox root;
    private final TextField search;
    private final TableView<RequestRecord> table = new TableView<>();
    private final Map<TableColumn<RequestRecord, ?>, SortField> sortable = new java.util.HashMap<>();

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
        addColumn("Time", SortField.TIME, 7, r -> Formats.time(r.timestamp(), vm.zone()));
        addColumn("Model", null, 16, r -> r.requestedModel() == null ? r.finalModel()
                : r.requestedModel().equals(r.finalModel()) ? shortModel(r.finalModel())
                : shortModel(r.requestedModel()) + " → " + shortModel(r.finalModel()));
        addPillColumn("Tier", 6, r -> r.tier() == null ? "—" : r.tier());
        addColumn("Layer", null, 6, RequestRecord::classifierLayer);
        addPillColumn("Cache", 6, RequestRecord::cacheKind);
        addColumn("Esc.", null, 3, r -> r.escalations() == 0 ? "" : String.valueOf(r.escalations()));
        addColumn("Tokens", SortField.TOKENS, 7, r -> r.usage() == null ? "" : compact(r.usage().inputTokens())
                + " / " + compact(r.usage().outputTokens()));
        addColumn("Cost", SortField.COST, 6, r -> Formats.usd(r.costUsd()));
        TableColumn<RequestRecord, String> saved = addColumn("Saved", SortField.SAVED, 6,
                r -> Formats.usd(r.savedUsd()));
        saved.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty ? null : item);
                getStyleClass().removeAll("positive-text", "negative-text");
                RequestRecord r = empty || getTableRow() == null ? null : getTableRow().getItem();
                if (r != null && r.savedUsd() != null && r.savedUsd() != 0) {
                    getStyleClass().add(r.savedUsd() > 0 ? "positive-text" : "negative-text");
                }
            }
        });
        addColumn("Latency", SortField.LATENCY, 6, r -> Formats.millis(r.latencyMillis()));
        addColumn("Status", null, 5, r -> r.errorType() == null ? String.valueOf(r.status())
                : r.status() + " " + r.errorType());
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
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
        split.setDividerPositions(0.68);
        VBox.setVgrow(split, Priority.ALWAYS);
        root = new VBox(header, collapsing(vm.errorProperty(), "banner", "danger"), split);
        root.getStyleClass().add("screen");
        root.setId("requests");
    }

    private TableColumn<RequestRecord, String> addColumn(String title, SortField sort, double width,
            Function<RequestRecord, String> value) {
        TableColumn<RequestRecord, String> col = new TableColumn<>(title);
        col.setCellValueFactory(c -> new ReadOnlyStringWrapper(value.apply(c.getValue())));
        col.setPrefWidth(width * 12);
        col.setMinWidth(width * 9);
        col.setSortable(sort != null);
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

    private void addPillColumn(String title, double width, Function<RequestRecord, String> value) {
        TableColumn<RequestRecord, String> col = addColumn(title, null, width, value);
        col.setCellFactory(c -> new TableCell<>() {
            // one label per cell, re-tinted on reuse: a table refresh creates no nodes
            private final Label pill = label("", "pill");

            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                if (empty || item == null || item.equals("none") || item.equals("—")) {
                    setGraphic(null);
                    setText(empty || item == null || item.equals("none") ? null : item);
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

    static String compact(long n) {
        return n < 1000 ? Long.toString(n) : String.format(java.util.Locale.ROOT, "%.1fk", n / 1000.0);
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
        TextArea prompt = preview("request-prompt");
        TextArea answer = preview("request-answer");
        Label promptTitle = label("Prompt (last user turn)", "section-title");
        Label answerTitle = label("Answer", "section-title");
        Button curl = new Button("Copy as curl");
        curl.setId("request-copy-curl");
        curl.setOnAction(e -> {
            if (vm.detailProperty().get() != null) {
                clipboard.accept(vm.curl(vm.detailProperty().get()));
            }
        });
        Label attemptsTitle = label("Upstream attempts", "section-title");
        VBox box = new VBox(new HBox(title, hgrow(), curl), when, decision, facts, attemptsTitle, attempts, promptTitle,
                prompt, answerTitle, answer);
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
                row = fact(facts, row, "Tokens in / out", r.usage() == null ? "" : Formats.count(r.usage().inputTokens())
                        + " / " + Formats.count(r.usage().outputTokens()) + (r.usage().cacheReadInputTokens() > 0
                        ? " (" + Formats.count(r.usage().cacheReadInputTokens()) + " cache read)" : ""));
                row = fact(facts, row, "Cost / would have cost", Formats.usd(r.costUsd()) + " / "
                        + Formats.usd(r.counterfactualUsd()));
                row = fact(facts, row, "Saved", Formats.usd(r.savedUsd()));
                fact(facts, row, "Latency", Formats.millis(r.latencyMillis()) + " total · first byte "
                        + Formats.millis(r.ttfbMillis()) + " · upstream " + Formats.millis(r.upstreamMillis()));
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
            for (Node n : new Node[] {promptTitle, prompt, answerTitle, answer}) {
                n.setVisible(text);
                n.setManaged(text);
            }
            attemptsTitle.setVisible(has);
        });
        curl.setDisable(true);
        attemptsTitle.setVisible(false);
        for (Node n : new Node[] {promptTitle, prompt, answerTitle, answer}) {
            n.setVisible(false);
            n.setManaged(false);
        }
        ScrollPane scroll = new ScrollPane(box);
        scroll.setFitToWidth(true);
        scroll.setMinWidth(260);
        return scroll;
    }

    private static int fact(GridPane grid, int row, String key, String value) {
        grid.add(label(key, "fact-key"), 0, row);
        Label v = label(value == null ? "—" : value, "fact-value");
        v.setWrapText(true);
        grid.add(v, 1, row);
        return row + 1;
    }

    private static TextArea preview(String id) {
        TextArea t = new TextArea();
        t.setId(id);
        t.setEditable(false);
        t.setWrapText(true);
        t.setPrefRowCount(4);
        t.getStyleClass().add("preview");
        return t;
    }

    public void focusSearch() {
        search.requestFocus();
    }

    public VBox root() {
        return root;
    }
}
