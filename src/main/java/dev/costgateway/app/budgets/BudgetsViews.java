package dev.costgateway.app.budgets;

import static dev.costgateway.app.fx.Nodes.bound;
import static dev.costgateway.app.fx.Nodes.hgrow;
import static dev.costgateway.app.fx.Nodes.label;

import javafx.collections.ListChangeListener;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import dev.costgateway.app.fx.AppTheme;
import dev.costgateway.core.budget.BudgetState;

/** The three places budgets show: a banner over every screen, a card on the dashboard, a status bar item. */
public final class BudgetsViews {

    private BudgetsViews() {
    }

    /** Over every screen while a budget refuses requests, with "Allow for the next hour". */
    public static Node banner(BudgetsViewModel vm) {
        Label text = bound(vm.blockedBannerProperty());
        text.setId("budget-banner-text");
        text.setWrapText(true);
        text.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(text, Priority.ALWAYS);
        Button allow = new Button("Allow for the next hour");
        allow.setId("budget-allow-hour");
        allow.getStyleClass().add(AppTheme.SMALL);
        allow.setOnAction(e -> vm.allowForAnHour(vm.blockedBudgetProperty().get()));
        allow.disableProperty().bind(vm.readOnlyProperty());
        allow.setTooltip(new javafx.scene.control.Tooltip("Lets this gateway's requests past the limit for an hour "
                + "(switch the team view back to This gateway first)"));
        HBox box = new HBox(12, text, allow);
        box.setId("budget-banner");
        box.getStyleClass().addAll("banner", "danger", "budget-banner");
        box.visibleProperty().bind(vm.blockedBannerProperty().isNotEmpty());
        box.managedProperty().bind(box.visibleProperty());
        return box;
    }

    /** The dashboard's budgets card: each budget's spend against its limit; hidden when there are none. */
    public static Node card(BudgetsViewModel vm) {
        VBox list = new VBox(10);
        list.setId("budget-rows");
        Runnable fill = () -> {
            list.getChildren().clear();
            for (BudgetsViewModel.Row r : vm.rows()) {
                list.getChildren().add(row(r));
            }
        };
        vm.rows().addListener((ListChangeListener<BudgetsViewModel.Row>) c -> fill.run());
        fill.run();
        VBox card = new VBox(8, label("Budgets", "chart-title"), list);
        card.setId("budgets-card");
        card.getStyleClass().add("chart-card");
        card.setStyle("-fx-padding: 10 12 10 12;");
        card.visibleProperty().bind(javafx.beans.binding.Bindings.isNotEmpty(vm.rows()));
        card.managedProperty().bind(card.visibleProperty());
        return card;
    }

    private static Node row(BudgetsViewModel.Row r) {
        ProgressBar bar = new ProgressBar(Math.min(1, r.fraction()));
        bar.setMaxWidth(Double.MAX_VALUE);
        bar.getStyleClass().add(switch (r.level()) {
            case OK -> "budget-ok";
            case WARNING -> "budget-warning";
            case EXCEEDED -> "budget-exceeded";
        });
        Label name = label(r.name(), "budget-name");
        Label amounts = label(r.amounts(), "budget-amounts");
        HBox head = new HBox(8, name, label(r.scope(), "muted"), hgrow(), amounts);
        VBox box = new VBox(4, head, bar, label(r.detail(), "muted", "small"));
        box.getStyleClass().add("budget-row");
        box.setId("budget-row-" + r.name().replaceAll("[^A-Za-z0-9_-]", "_"));
        return box;
    }

    /** The status bar's budget item: the most pressing budget, coloured by its level; empty without budgets. */
    public static Label statusItem(BudgetsViewModel vm) {
        Label l = bound(vm.headlineProperty(), "status-budget");
        l.setId("status-budget");
        // the bar's other items keep their room; a long budget name is the one cut short (full text in the tooltip)
        l.setMaxWidth(260);
        l.setMinWidth(60);
        javafx.scene.control.Tooltip tip = new javafx.scene.control.Tooltip();
        tip.textProperty().bind(vm.headlineProperty());
        l.setTooltip(tip);
        vm.headlineLevelProperty().addListener((o, a, level) -> tint(l, level));
        tint(l, vm.headlineLevelProperty().get());
        l.visibleProperty().bind(vm.headlineProperty().isNotEmpty());
        l.managedProperty().bind(l.visibleProperty());
        return l;
    }

    private static void tint(Label l, BudgetState.Level level) {
        l.getStyleClass().removeAll("budget-warning-text", "budget-exceeded-text");
        if (level == BudgetState.Level.WARNING) {
            l.getStyleClass().add("budget-warning-text");
        } else if (level == BudgetState.Level.EXCEEDED) {
            l.getStyleClass().add("budget-exceeded-text");
        }
    }
}
