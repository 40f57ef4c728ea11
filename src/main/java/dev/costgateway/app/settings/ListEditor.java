package dev.costgateway.app.settings;

import javafx.beans.binding.Bindings;
import javafx.collections.ObservableList;
import javafx.scene.control.Button;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.control.cell.TextFieldListCell;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * Edits a list setting in place: double-click an entry to change it (an emptied entry is removed), Delete or Remove
 * drops the selected one, the field below adds one (Enter). Works on the field's own list, so dirty state and
 * validation follow every change. Node ids: the list has the field's id, the editor {@code <id>-editor}, then
 * {@code <id>-add}, {@code <id>-add-button} and {@code <id>-remove}.
 */
final class ListEditor extends VBox {
    private static final int VISIBLE_ROWS = 5;
    private static final double ROW_HEIGHT = 26;

    private final ObservableList<String> items;
    private final ListView<String> list;
    private final TextField entry = new TextField();

    ListEditor(SettingField field, String noun) {
        super(6);
        setId(field.nodeId() + "-editor");
        this.items = field.items();
        list = new ListView<>(items);
        list.setId(field.nodeId());
        list.setEditable(true);
        list.setCellFactory(TextFieldListCell.forListView());
        list.setFixedCellSize(ROW_HEIGHT);
        list.prefHeightProperty().bind(Bindings.createDoubleBinding(
                () -> Math.max(1, Math.min(VISIBLE_ROWS, items.size())) * ROW_HEIGHT + 4, items));
        list.setMinHeight(ROW_HEIGHT + 4);
        list.setPlaceholder(new javafx.scene.control.Label("No " + noun + "s"));
        list.getStyleClass().add("list-editor");
        list.setOnEditCommit(e -> {
            String value = e.getNewValue() == null ? "" : e.getNewValue().strip();
            if (value.isEmpty()) {
                items.remove(e.getIndex());
            } else if (!value.equals(items.get(e.getIndex()))) {
                items.set(e.getIndex(), value);
            }
        });
        list.addEventFilter(javafx.scene.input.KeyEvent.KEY_PRESSED, e -> {
            if ((e.getCode() == KeyCode.DELETE || e.getCode() == KeyCode.BACK_SPACE) && list.getEditingIndex() < 0) {
                removeSelected();
                e.consume();
            }
        });

        entry.setId(field.nodeId() + "-add");
        entry.setPromptText("Add a " + noun + " and press Enter");
        entry.setOnAction(e -> add());
        HBox.setHgrow(entry, Priority.ALWAYS);
        Button addButton = new Button("Add");
        addButton.setId(field.nodeId() + "-add-button");
        addButton.disableProperty().bind(entry.textProperty().map(String::isBlank));
        addButton.setOnAction(e -> add());
        Button remove = new Button("Remove");
        remove.setId(field.nodeId() + "-remove");
        remove.setTooltip(new Tooltip("Remove the selected " + noun + " (Delete)"));
        remove.disableProperty().bind(list.getSelectionModel().selectedIndexProperty().lessThan(0));
        remove.setOnAction(e -> removeSelected());
        HBox controls = new HBox(6, entry, addButton, remove);
        getChildren().addAll(list, controls);
    }

    /** Adds the typed entry unless it is blank or already listed (case-insensitively). */
    private void add() {
        String value = entry.getText() == null ? "" : entry.getText().strip();
        if (value.isEmpty()) {
            return;
        }
        if (items.stream().noneMatch(value::equalsIgnoreCase)) {
            items.add(value);
            list.scrollTo(items.size() - 1);
        }
        entry.clear();
    }

    private void removeSelected() {
        int i = list.getSelectionModel().getSelectedIndex();
        if (i >= 0) {
            items.remove(i);
        }
    }
}
