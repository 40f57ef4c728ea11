package dev.costgateway.app.settings;

import static dev.costgateway.app.fx.Nodes.bound;
import static dev.costgateway.app.fx.Nodes.collapsing;
import static dev.costgateway.app.fx.Nodes.hgrow;
import static dev.costgateway.app.fx.Nodes.label;

import java.util.List;

import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Slider;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.control.cell.TextFieldTableCell;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import dev.costgateway.app.fx.AppTheme;

/** The settings form: one section per group, inline errors from the core's validator, Save bound to validity. */
public final class SettingsView {
    private final SettingsViewModel vm;
    private final VBox root;

    public SettingsView(SettingsViewModel vm) {
        this.vm = vm;
        Button save = new Button("Save");
        save.setId("settings-save");
        save.getStyleClass().add(AppTheme.ACCENT);
        save.disableProperty().bind(vm.canSaveBinding().not());
        save.setTooltip(new Tooltip("Write config.yaml and apply it (Ctrl+S)"));
        save.setOnAction(e -> vm.save());
        Button discard = new Button("Discard");
        discard.setId("settings-discard");
        discard.disableProperty().bind(vm.dirtyProperty().not().and(vm.outsideChangeBannerProperty().isEmpty()));
        discard.setOnAction(e -> vm.discardChanges());
        Label message = bound(vm.messageProperty(), "save-message");
        message.setId("settings-message");
        vm.messageIsErrorProperty().addListener((o, a, err) -> {
            message.getStyleClass().remove("error");
            if (err) {
                message.getStyleClass().add("error");
            }
        });
        HBox header = new HBox(new VBox(label("Settings", "screen-title"),
                label("Edits config.yaml in place: your comments and unknown keys are kept", "screen-subtitle")),
                hgrow(), message, discard, save);
        header.getStyleClass().add("toolbar-row");

        Label rejected = collapsing(vm.rejectedBannerProperty(), "banner", "danger");
        rejected.setId("settings-rejected");
        Label outside = collapsing(vm.outsideChangeBannerProperty(), "banner", "warning");
        outside.setId("settings-outside-change");
        Label general = collapsing(vm.generalErrorProperty(), "banner", "danger");

        VBox sections = new VBox(14);
        for (SettingGroup g : vm.groups()) {
            sections.getChildren().add(section(g));
        }
        ScrollPane scroll = new ScrollPane(sections);
        scroll.setFitToWidth(true);
        VBox.setVgrow(scroll, Priority.ALWAYS);
        root = new VBox(header, rejected, outside, general, scroll);
        root.getStyleClass().add("screen");
        root.setId("settings");
    }

    private Node section(SettingGroup group) {
        GridPane grid = new GridPane();
        grid.setHgap(18);
        grid.setVgap(10);
        ColumnConstraints labels = new ColumnConstraints();
        labels.setPercentWidth(32);
        ColumnConstraints inputs = new ColumnConstraints();
        inputs.setPercentWidth(68);
        inputs.setHgrow(Priority.ALWAYS);
        grid.getColumnConstraints().addAll(labels, inputs);
        int row = 0;
        for (SettingField f : group.fields()) {
            VBox left = new VBox(2, label(f.label(), "field-label"), label(f.key(), "field-key"));
            Node input = input(f);
            Label help = label(f.help(), "field-help");
            help.setVisible(!f.help().isEmpty());
            help.setManaged(!f.help().isEmpty());
            Label error = collapsing(f.errorProperty(), "field-error");
            error.setId(f.nodeId() + "-error");
            VBox right = new VBox(4, input, error, help);
            grid.add(left, 0, row);
            grid.add(right, 1, row);
            row++;
        }
        VBox box = new VBox(label(group.title(), "section-title"), grid);
        if (group.title().equals(dev.costgateway.core.config.ConfigSchema.Section.ROUTING.title())) {
            box.getChildren().add(1, routingKnob(vm.routingKnob()));
        }
        if (group.title().startsWith("Models")) {
            box.getChildren().add(modelsTable());
        }
        if (group.title().equals("Budgets")) {
            box.getChildren().add(budgetsTable());
        }
        box.getStyleClass().add("settings-section");
        return box;
    }

    private Node input(SettingField f) {
        Node node = switch (f.kind()) {
            case BOOLEAN -> {
                CheckBox c = new CheckBox("Enabled");
                c.selectedProperty().bindBidirectional(f.flagProperty());
                yield c;
            }
            case CHOICE -> {
                ChoiceBox<String> c = new ChoiceBox<>();
                c.getItems().setAll(f.choices());
                c.valueProperty().bindBidirectional(f.textProperty());
                yield c;
            }
            case LIST -> new ListEditor(f, f.key().endsWith("prefixes") ? "prefix"
                    : f.key().endsWith("hedge_words") ? "word" : "phrase");
            case SECRET -> {
                PasswordField p = new PasswordField();
                p.textProperty().bindBidirectional(f.textProperty());
                p.setPromptText("not set");
                yield p;
            }
            default -> {
                TextField t = new TextField();
                t.textProperty().bindBidirectional(f.textProperty());
                if (f.kind() != SettingField.Kind.TEXT) {
                    t.setMaxWidth(160);
                }
                yield t;
            }
        };
        if (node.getId() == null) {
            node.setId(f.nodeId());
        }
        f.errorProperty().addListener((o, a, err) -> node.pseudoClassStateChanged(
                javafx.css.PseudoClass.getPseudoClass("danger"), !err.isEmpty()));
        return node;
    }

    /** The shares as sliders, with what the form's setting would have done to the last 7 or 30 days. */
    private Node routingKnob(RoutingKnobViewModel knob) {
        Slider premium = shareSlider(knob.premiumShareProperty(), "routing-knob-premium");
        Slider fast = shareSlider(knob.fastShareProperty(), "routing-knob-fast");
        ChoiceBox<Integer> days = new ChoiceBox<>();
        days.setId("routing-knob-days");
        days.getItems().setAll(7, 30);
        days.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(Integer d) {
                return d == null ? "" : "last " + d + " days";
            }

            @Override
            public Integer fromString(String s) {
                return Integer.valueOf(s.replaceAll("\\D", ""));
            }
        });
        days.setValue(knob.daysProperty().get());
        days.valueProperty().addListener((o, a, d) -> knob.daysProperty().set(d));
        Label preview = bound(knob.previewProperty(), "field-help");
        preview.setId("routing-knob-preview");
        preview.setWrapText(true);
        Label examples = collapsing(knob.examplesProperty(), "field-help");
        examples.setId("routing-knob-examples");
        Label overrides = collapsing(knob.overridesProperty(), "field-error");
        overrides.setId("routing-knob-overrides");
        GridPane grid = new GridPane();
        grid.setHgap(12);
        grid.setVgap(6);
        grid.addRow(0, label("Premium share", "field-label"), premium, valueLabel(knob.premiumShareProperty()));
        grid.addRow(1, label("Fast share", "field-label"), fast, valueLabel(knob.fastShareProperty()));
        GridPane.setHgrow(premium, Priority.ALWAYS);
        GridPane.setHgrow(fast, Priority.ALWAYS);
        VBox box = new VBox(6, new HBox(8, label("What-if on your own traffic", "field-label"), hgrow(), days), grid,
                overrides, preview, examples, label("Dragging edits the two share fields below; Save writes config.yaml.",
                "field-help"));
        box.setId("routing-knob");
        return box;
    }

    private static Slider shareSlider(javafx.beans.property.DoubleProperty share, String id) {
        Slider s = new Slider(0, 1, share.get());
        s.setId(id);
        s.setMajorTickUnit(0.1);
        s.setMinorTickCount(9);
        s.setSnapToTicks(true);
        s.setBlockIncrement(0.01);
        s.valueProperty().bindBidirectional(share);
        return s;
    }

    private static Label valueLabel(javafx.beans.property.DoubleProperty share) {
        Label l = new Label();
        l.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(
                () -> dev.costgateway.app.fx.Formats.percentOfOne(share.get()), share));
        l.setMinWidth(56);
        return l;
    }

    private Node modelsTable() {
        TableView<ModelPriceRow> table = new TableView<>(vm.models());
        table.setId("settings-models");
        table.setEditable(true);
        table.setPrefHeight(260);
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        TableColumn<ModelPriceRow, String> model = new TableColumn<>("Model id");
        model.setCellValueFactory(c -> c.getValue().modelProperty());
        model.setCellFactory(TextFieldTableCell.forTableColumn());
        model.setPrefWidth(300);
        TableColumn<ModelPriceRow, String> in = new TableColumn<>("Input $/MTok");
        in.setCellValueFactory(c -> c.getValue().inputProperty());
        in.setCellFactory(TextFieldTableCell.forTableColumn());
        TableColumn<ModelPriceRow, String> out = new TableColumn<>("Output $/MTok");
        out.setCellValueFactory(c -> c.getValue().outputProperty());
        out.setCellFactory(TextFieldTableCell.forTableColumn());
        table.getColumns().addAll(List.of(model, in, out));
        Button add = new Button("Add model");
        add.setId("settings-models-add");
        add.setOnAction(e -> {
            vm.addModel();
            table.getSelectionModel().selectLast();
            table.scrollTo(vm.models().size() - 1);
            table.edit(vm.models().size() - 1, model);
        });
        Button remove = new Button("Remove");
        remove.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        remove.setOnAction(e -> vm.removeModel(table.getSelectionModel().getSelectedItem()));
        Label error = collapsing(vm.modelsErrorProperty(), "field-error");
        error.setId("settings-models-error");
        return new VBox(8, label("List prices (USD per million tokens)", "field-label"), table, error,
                new HBox(8, add, remove));
    }

    private Node budgetsTable() {
        TableView<BudgetRow> table = new TableView<>(vm.budgets());
        table.setId("settings-budgets");
        table.setEditable(true);
        table.setPrefHeight(170);
        table.setPlaceholder(new Label("No budgets: spending is not limited. Add one to warn or block at a limit."));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        TableColumn<BudgetRow, String> name = new TableColumn<>("Name");
        name.setCellValueFactory(c -> c.getValue().nameProperty());
        name.setCellFactory(TextFieldTableCell.forTableColumn());
        name.setPrefWidth(180);
        TableColumn<BudgetRow, String> period = choiceColumn("Period", BudgetRow::periodProperty, "day", "month");
        TableColumn<BudgetRow, String> limit = new TableColumn<>("Limit USD");
        limit.setCellValueFactory(c -> c.getValue().limitProperty());
        limit.setCellFactory(TextFieldTableCell.forTableColumn());
        TableColumn<BudgetRow, String> scope = choiceColumn("Scope", BudgetRow::scopeProperty, "all", "key", "project");
        TableColumn<BudgetRow, String> warn = new TableColumn<>("Warn at %");
        warn.setCellValueFactory(c -> c.getValue().warnAtProperty());
        warn.setCellFactory(TextFieldTableCell.forTableColumn());
        TableColumn<BudgetRow, String> action = choiceColumn("At the limit", BudgetRow::actionProperty, "warn",
                "block");
        table.getColumns().addAll(List.of(name, period, limit, scope, warn, action));
        Button add = new Button("Add budget");
        add.setId("settings-budgets-add");
        add.setOnAction(e -> {
            vm.addBudget();
            table.getSelectionModel().selectLast();
            table.edit(vm.budgets().size() - 1, name);
        });
        Button remove = new Button("Remove");
        remove.setId("settings-budgets-remove");
        remove.disableProperty().bind(table.getSelectionModel().selectedItemProperty().isNull());
        remove.setOnAction(e -> vm.removeBudget(table.getSelectionModel().getSelectedItem()));
        Label error = collapsing(vm.budgetsErrorProperty(), "field-error");
        error.setId("settings-budgets-error");
        return new VBox(8, label("Daily and monthly limits in USD; \"block\" answers 429 at the limit, \"warn\" only "
                + "tells you. Key budgets count each caller key alone.", "field-help"), table, error,
                new HBox(8, add, remove));
    }

    private static TableColumn<BudgetRow, String> choiceColumn(String title,
            java.util.function.Function<BudgetRow, javafx.beans.property.StringProperty> property, String... choices) {
        TableColumn<BudgetRow, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cell -> property.apply(cell.getValue()));
        c.setCellFactory(javafx.scene.control.cell.ChoiceBoxTableCell.forTableColumn(choices));
        return c;
    }

    public VBox root() {
        return root;
    }
}
