package dev.costgateway.app.team;

import static dev.costgateway.app.fx.Nodes.bound;
import static dev.costgateway.app.fx.Nodes.label;

import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.scene.Node;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;

import dev.costgateway.app.fx.AppTheme;

/**
 * The bar above the screens when a team database is configured: "This gateway" / "Team", the instance to show in
 * team mode, and what is shown (or why the team view is unavailable). Binds to {@link TeamViewModel} only.
 */
public final class TeamBar {

    private final HBox root;

    public TeamBar(TeamViewModel vm) {
        ToggleGroup group = new ToggleGroup();
        ToggleButton local = new ToggleButton("This gateway");
        local.setId("team-local");
        local.getStyleClass().add(AppTheme.LEFT_PILL);
        local.setToggleGroup(group);
        local.setTooltip(new Tooltip("This gateway's own requests and costs"));
        ToggleButton team = new ToggleButton("Team");
        team.setId("team-team");
        team.getStyleClass().add(AppTheme.RIGHT_PILL);
        team.setToggleGroup(group);
        team.setTooltip(new Tooltip("Every gateway of the team, from the shared database (read-only); "
                + "this gateway keeps serving"));
        Runnable sync = () -> {
            boolean isTeam = vm.modeProperty().get() == TeamViewModel.Mode.TEAM;
            team.setSelected(isTeam);
            local.setSelected(!isTeam);
        };
        vm.modeProperty().addListener((o, was, now) -> sync.run());
        sync.run();
        local.setOnAction(e -> {
            vm.showLocal();
            sync.run();
        });
        team.setOnAction(e -> {
            vm.showTeam();
            sync.run();
        });

        ChoiceBox<TeamViewModel.Choice> instance = new ChoiceBox<>(vm.choices());
        instance.setId("team-instance");
        instance.valueProperty().bindBidirectional(vm.choiceProperty());
        instance.setTooltip(new Tooltip("Show one gateway of the team, or all of them"));
        BooleanBinding connected = vm.stateProperty().isEqualTo(TeamViewModel.State.CONNECTED);
        instance.visibleProperty().bind(connected);
        instance.managedProperty().bind(connected);

        Label status = bound(vm.statusProperty(), "team-status");
        status.setId("team-status");
        status.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(status, Priority.ALWAYS);
        vm.stateProperty().addListener((o, was, now) -> {
            status.getStyleClass().removeAll("error", "busy");
            if (now == TeamViewModel.State.FAILED) {
                status.getStyleClass().add("error");
            } else if (now == TeamViewModel.State.CONNECTING) {
                status.getStyleClass().add("busy");
            }
        });
        status.tooltipProperty().bind(Bindings.createObjectBinding(
                () -> vm.detailProperty().get().isEmpty() ? null : new Tooltip(vm.detailProperty().get()),
                vm.detailProperty()));

        Label caption = label("Showing", "muted");
        for (javafx.scene.layout.Region r : new javafx.scene.layout.Region[] {caption, local, team, instance}) {
            r.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE); // the status text gives way, not these
        }
        status.setMinWidth(0);
        status.setTextOverrun(javafx.scene.control.OverrunStyle.ELLIPSIS);
        root = new HBox(10, caption, new HBox(local, team), instance, status);
        root.setId("team-bar");
        root.getStyleClass().add("team-bar");
        vm.modeProperty().addListener((o, was, now) -> {
            root.getStyleClass().remove("team-on");
            if (now == TeamViewModel.Mode.TEAM) {
                root.getStyleClass().add("team-on");
            }
        });
        root.visibleProperty().bind(vm.availableProperty());
        root.managedProperty().bind(root.visibleProperty());
    }

    public Node root() {
        return root;
    }
}
