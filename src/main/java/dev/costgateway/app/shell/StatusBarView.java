package dev.costgateway.app.shell;

import static dev.costgateway.app.fx.Nodes.bound;
import static dev.costgateway.app.fx.Nodes.hgrow;
import static dev.costgateway.app.fx.Nodes.label;

import java.util.List;

import javafx.beans.value.ObservableValue;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;

import dev.costgateway.app.fx.AppTheme;
import dev.costgateway.core.GatewayStatus;

/** The bar at the bottom of the window; binds to a {@link StatusBarViewModel}. */
final class StatusBarView {
    private final HBox root;

    StatusBarView(StatusBarViewModel vm, Runnable copySetup, Label budget) {
        Region proxyDot = dot();
        vm.proxyStateProperty().addListener((o, a, s) -> tint(proxyDot, s == GatewayStatus.ProxyState.RUNNING ? "ok"
                : s == GatewayStatus.ProxyState.FAILED ? "bad" : s == GatewayStatus.ProxyState.STARTING ? "warn" : ""));
        tint(proxyDot, vm.proxyStateProperty().get() == GatewayStatus.ProxyState.RUNNING ? "ok" : "");
        Label proxy = bound(vm.proxyTextProperty());
        proxy.setId("status-proxy");
        proxy.setTooltip(new Tooltip());
        proxy.getTooltip().textProperty().bind(vm.proxyTextProperty());
        proxy.setMaxWidth(Region.USE_PREF_SIZE);

        Button startStop = new Button();
        startStop.setId("status-start-stop");
        startStop.textProperty().bind(vm.startStopLabelProperty());
        startStop.disableProperty().bind(vm.busyProperty());
        startStop.getStyleClass().add(AppTheme.SMALL);
        startStop.setOnAction(e -> vm.toggleProxy());

        Button copy = new Button("Copy setup");
        copy.setId("status-copy-setup");
        copy.getStyleClass().addAll(AppTheme.SMALL, AppTheme.ACCENT);
        copy.setTooltip(new Tooltip("Copy export ANTHROPIC_BASE_URL=… to the clipboard (Ctrl+Shift+C)"));
        copy.setOnAction(e -> copySetup.run());

        Region embedderDot = dot();
        vm.embedderStateProperty().addListener((o, a, s) -> tint(embedderDot, embedderTint(s)));
        tint(embedderDot, embedderTint(vm.embedderStateProperty().get()));
        Region upstreamDot = dot();
        vm.upstreamStateProperty().addListener((o, a, s) -> tint(upstreamDot, upstreamTint(s)));
        tint(upstreamDot, upstreamTint(vm.upstreamStateProperty().get()));

        Label spend = bound(vm.todaySpendProperty(), "status-money");
        spend.setId("status-today-spend");
        Label saved = bound(vm.todaySavedProperty(), "status-saved");
        saved.setId("status-today-saved");
        Label notice = bound(vm.noticeProperty(), "muted", "small");
        notice.setId("status-notice");
        // shown only while an outside edit of the config file is refused
        Region configDot = dot();
        tint(configDot, "bad");
        Label configText = idLabel(vm.configProblemProperty(), "status-config-problem");
        configText.setTooltip(new Tooltip());
        configText.getTooltip().textProperty().bind(vm.configProblemProperty());
        configText.setMaxWidth(420);
        HBox configItem = item(configDot, configText);
        configItem.visibleProperty().bind(vm.configProblemProperty().isNotEmpty());
        configItem.managedProperty().bind(configItem.visibleProperty());

        HBox today = new HBox(4, label("Today", "muted"), spend, label("spent ·", "muted"), saved,
                label("saved", "muted"));
        // when the bar is short of room, the descriptive texts give way; the buttons and today's money never do
        for (javafx.scene.Node n : List.of(startStop, copy, today)) {
            ((Region) n).setMinWidth(Region.USE_PREF_SIZE);
        }
        for (javafx.scene.Node n : today.getChildren()) {
            ((Region) n).setMinWidth(Region.USE_PREF_SIZE);
        }
        root = new HBox(item(proxyDot, proxy), startStop, copy, sep(), item(embedderDot,
                bound(vm.embedderTextProperty())), item(upstreamDot, idLabel(vm.upstreamTextProperty(),
                "status-upstream")), configItem, hgrow(), notice, budget, sep(), today);
        root.getStyleClass().add("status-bar");
        root.setId("status-bar");
    }

    private static Label idLabel(ObservableValue<String> text, String id) {
        Label l = bound(text);
        l.setId(id);
        return l;
    }

    private static String embedderTint(GatewayStatus.EmbedderState s) {
        return switch (s) {
            case READY -> "ok";
            case LOADING -> "warn";
            case FAILED -> "bad";
            case DISABLED -> "";
        };
    }

    private static String upstreamTint(GatewayStatus.UpstreamState s) {
        return switch (s) {
            case REACHABLE -> "ok";
            case UNREACHABLE -> "bad";
            case UNKNOWN -> "";
        };
    }

    private static HBox item(Region dot, Label text) {
        HBox box = new HBox(dot, text);
        box.getStyleClass().add("status-item");
        return box;
    }

    private static Label sep() {
        return label("|", "status-sep");
    }

    private static Region dot() {
        Region r = new Region();
        r.getStyleClass().add("status-dot");
        return r;
    }

    private static void tint(Region dot, String tint) {
        dot.getStyleClass().removeAll(List.of("ok", "warn", "bad"));
        if (!tint.isEmpty()) {
            dot.getStyleClass().add(tint);
        }
    }

    HBox root() {
        return root;
    }
}
