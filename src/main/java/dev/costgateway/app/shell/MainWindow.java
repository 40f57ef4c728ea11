package dev.costgateway.app.shell;

import static dev.costgateway.app.fx.Nodes.hgrow;
import static dev.costgateway.app.fx.Nodes.label;

import java.io.File;
import java.nio.file.Path;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.OverrunStyle;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Stage;

import dev.costgateway.app.budgets.BudgetsViewModel;
import dev.costgateway.app.budgets.BudgetsViews;
import dev.costgateway.app.budgets.DesktopNotifier;
import dev.costgateway.app.dashboard.DashboardView;
import dev.costgateway.app.dashboard.DashboardViewModel;
import dev.costgateway.app.fx.AppTheme;
import dev.costgateway.app.fx.Formats;
import dev.costgateway.app.fx.FxThread;
import dev.costgateway.app.fx.MetricsSource;
import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.app.reports.CsvFormatter;
import dev.costgateway.app.reports.CsvTarget;
import dev.costgateway.app.reports.ReportsView;
import dev.costgateway.app.reports.ReportsViewModel;
import dev.costgateway.app.requests.RequestsView;
import dev.costgateway.app.requests.RequestsViewModel;
import dev.costgateway.app.sessions.SessionsView;
import dev.costgateway.app.sessions.SessionsViewModel;
import dev.costgateway.app.settings.SettingsView;
import dev.costgateway.app.settings.SettingsViewModel;
import dev.costgateway.app.team.TeamBar;
import dev.costgateway.app.team.TeamViewModel;
import dev.costgateway.core.GatewayControl;

/**
 * The main window: side navigation, the five screens, the status bar, shortcuts and a 1 s poll of the metrics
 * store for the visible screen (never an update per request). Wires the view models by hand.
 */
public final class MainWindow {

    public enum Screen { DASHBOARD, REQUESTS, SESSIONS, SETTINGS, REPORTS }

    /** What the window needs from outside; tests pass synchronous tasks, a fixed clock and a fixed CSV target. */
    public record Services(GatewayControl control, UiTasks tasks, InstantSource clock, ZoneId zone, CsvFormatter csv,
            boolean windows) {
        public static Services standard(GatewayControl control) {
            return new Services(control, UiTasks.forFx(), control.clock(), ZoneId.systemDefault(),
                    CsvFormatter.DEFAULT, System.getProperty("os.name", "").toLowerCase().contains("win"));
        }
    }

    private final Services services;
    private final StatusBarViewModel status;
    private final DashboardViewModel dashboard;
    private final RequestsViewModel requests;
    private final SessionsViewModel sessions;
    private final SettingsViewModel settings;
    private final ReportsViewModel reports;
    private final BudgetsViewModel budgets;
    private final MetricsSource source;
    private final TeamViewModel team;
    private final RequestsView requestsView;
    private final ReportsView reportsView;
    private final Map<Screen, Node> screens = new EnumMap<>(Screen.class);
    private final Map<Screen, ToggleButton> nav = new EnumMap<>(Screen.class);
    private final StackPane content = new StackPane();
    private final BorderPane root = new BorderPane();
    private ScheduledExecutorService poll;
    private Screen current = Screen.DASHBOARD;
    private AppTheme theme = AppTheme.LIGHT;
    private Stage stage;

    public MainWindow(Services services, CsvTarget csvTarget) {
        this.services = services;
        GatewayControl control = services.control();
        status = new StatusBarViewModel(control, services.tasks(), services.clock(), services.zone(),
                services.windows());
        // this gateway's store, or the team's while the team view is on
        source = MetricsSource.local(control);
        team = new TeamViewModel(control, source, services.tasks());
        dashboard = new DashboardViewModel(control, source, services.tasks(), services.clock(), services.zone());
        requests = new RequestsViewModel(control, source, services.tasks(), status::clientUrl, services.zone());
        sessions = new SessionsViewModel(control, source, services.tasks(), services.zone());
        sessions.setOnOpenRequest(r -> {
            showScreen(Screen.REQUESTS);
            requests.open(r);
        });
        settings = new SettingsViewModel(control, services.tasks());
        reports = new ReportsViewModel(control, source, services.tasks(), services.csv(), services.clock());
        budgets = new BudgetsViewModel(control, services.tasks());
        budgets.readOnlyProperty().bind(source.readOnlyProperty());
        source.revisionProperty().addListener((o, was, now) -> refreshVisible());

        requestsView = new RequestsView(requests, this::copyToClipboard);
        reportsView = new ReportsView(reports, csvTarget != null ? csvTarget : this::chooseCsvFile);
        screens.put(Screen.DASHBOARD, new DashboardView(dashboard, BudgetsViews.card(budgets)).root());
        screens.put(Screen.REQUESTS, requestsView.root());
        screens.put(Screen.SESSIONS, new SessionsView(sessions).root());
        screens.put(Screen.SETTINGS, new SettingsView(settings).root());
        screens.put(Screen.REPORTS, reportsView.root());
        content.getChildren().addAll(screens.values());

        root.setLeft(sidebar());
        root.setCenter(new VBox(BudgetsViews.banner(budgets), new TeamBar(team).root(), content));
        VBox.setVgrow(content, javafx.scene.layout.Priority.ALWAYS);
        root.setBottom(new StatusBarView(status, this::copySetup, BudgetsViews.statusItem(budgets)).root());
        root.setId("main");
        showScreen(Screen.DASHBOARD);
    }

    private Node sidebar() {
        Label mark = label("$", "brand-mark");
        VBox brand = new VBox(new HBox(8, mark, new VBox(label("Cost Gateway", "brand-name"),
                label("Claude API proxy", "brand-sub")))) ;
        brand.getStyleClass().add("brand");
        ToggleGroup group = new ToggleGroup();
        VBox items = new VBox(4);
        String[][] entries = {{"◧", "Dashboard", "Ctrl+1"}, {"☰", "Requests", "Ctrl+2"}, {"▦", "Sessions", "Ctrl+3"},
            {"⚙", "Settings", "Ctrl+4"}, {"⇩", "Reports", "Ctrl+5"}};
        for (Screen s : Screen.values()) {
            String[] e = entries[s.ordinal()];
            ToggleButton b = new ToggleButton();
            Label glyph = label(e[0], "nav-glyph");
            HBox graphic = new HBox(6, glyph, label(e[1]));
            b.setGraphic(graphic);
            b.setTooltip(new javafx.scene.control.Tooltip(e[1] + " (" + e[2] + ")"));
            b.getStyleClass().setAll("nav-button");
            b.setToggleGroup(group);
            b.setId("nav-" + s.name().toLowerCase());
            b.setMaxWidth(Double.MAX_VALUE);
            b.setOnAction(x -> showScreen(s));
            nav.put(s, b);
            items.getChildren().add(b);
        }
        Region spacer = new Region();
        VBox.setVgrow(spacer, Priority.ALWAYS);
        Button themeButton = new Button("◐  Dark mode");
        themeButton.setId("theme-toggle");
        themeButton.getStyleClass().addAll("nav-button");
        themeButton.setMaxWidth(Double.MAX_VALUE);
        themeButton.setOnAction(e -> {
            theme = theme.other();
            theme.apply();
            themeButton.setText(theme == AppTheme.LIGHT ? "◐  Dark mode" : "◑  Light mode");
        });
        Path configFile = services.control().configFile().toAbsolutePath();
        Path home = Path.of(System.getProperty("user.home"));
        // file name and folder on their own lines: a narrow sidebar cuts only the folder, from the left
        Label configName = label(String.valueOf(configFile.getFileName()), "nav-hint", "nav-config-name");
        Label configDir = label(configFile.getParent() == null ? "" : Formats.shortPath(configFile.getParent(), home),
                "nav-hint");
        configDir.setId("sidebar-config-path");
        configDir.setTextOverrun(OverrunStyle.LEADING_ELLIPSIS);
        VBox config = new VBox(label("Config file", "nav-hint", "nav-caption"), configName, configDir);
        javafx.scene.control.Tooltip.install(config, new javafx.scene.control.Tooltip("Configuration file: "
                + configFile));
        VBox side = new VBox(brand, items, spacer, themeButton, config);
        side.getStyleClass().add("sidebar");
        return side;
    }

    public void showScreen(Screen s) {
        current = s;
        screens.forEach((k, node) -> node.setVisible(k == s));
        nav.get(s).setSelected(true);
        refreshVisible();
    }

    public Screen currentScreen() {
        return current;
    }

    /** The 1 s tick: status bar money plus the visible screen's data. */
    public void refreshVisible() {
        status.refresh();
        budgets.refresh();
        switch (current) {
            case DASHBOARD -> dashboard.refresh();
            case REQUESTS -> requests.refresh();
            case SESSIONS -> sessions.refresh();
            case REPORTS -> reports.refresh();
            case SETTINGS -> {
                // the form follows configState; polling it would overwrite typing
            }
        }
    }

    private void copySetup() {
        copyToClipboard(status.setupText());
        status.setupCopied();
    }

    private void copyToClipboard(String text) {
        ClipboardContent c = new ClipboardContent();
        c.putString(text);
        Clipboard.getSystemClipboard().setContent(c);
    }

    private Optional<Path> chooseCsvFile(String suggested) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Export cost report");
        chooser.setInitialFileName(suggested);
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("CSV files", "*.csv"));
        File f = chooser.showSaveDialog(stage);
        return Optional.ofNullable(f).map(File::toPath);
    }

    /** Builds the scene with stylesheets and shortcuts. */
    public Scene createScene(double width, double height) {
        Scene scene = new Scene(root, width, height);
        AppTheme.addAppStylesheet(scene);
        var acc = scene.getAccelerators();
        acc.put(new KeyCodeCombination(KeyCode.DIGIT1, KeyCombination.SHORTCUT_DOWN), () -> showScreen(Screen.DASHBOARD));
        acc.put(new KeyCodeCombination(KeyCode.DIGIT2, KeyCombination.SHORTCUT_DOWN), () -> showScreen(Screen.REQUESTS));
        acc.put(new KeyCodeCombination(KeyCode.DIGIT3, KeyCombination.SHORTCUT_DOWN), () -> showScreen(Screen.SESSIONS));
        acc.put(new KeyCodeCombination(KeyCode.DIGIT4, KeyCombination.SHORTCUT_DOWN), () -> showScreen(Screen.SETTINGS));
        acc.put(new KeyCodeCombination(KeyCode.DIGIT5, KeyCombination.SHORTCUT_DOWN), () -> showScreen(Screen.REPORTS));
        acc.put(new KeyCodeCombination(KeyCode.S, KeyCombination.SHORTCUT_DOWN), settings::save);
        acc.put(new KeyCodeCombination(KeyCode.E, KeyCombination.SHORTCUT_DOWN), () -> {
            showScreen(Screen.REPORTS);
            reportsView.export();
        });
        acc.put(new KeyCodeCombination(KeyCode.C, KeyCombination.SHORTCUT_DOWN, KeyCombination.SHIFT_DOWN),
                this::copySetup);
        acc.put(new KeyCodeCombination(KeyCode.F, KeyCombination.SHORTCUT_DOWN), () -> {
            showScreen(Screen.REQUESTS);
            requestsView.focusSearch();
        });
        acc.put(new KeyCodeCombination(KeyCode.F5), this::refreshVisible);
        return scene;
    }

    /** Shows the window with its remembered bounds and starts following the gateway. */
    public void show(Stage stage) {
        this.stage = stage;
        theme.apply();
        WindowStateStore store = windowStore();
        Optional<WindowStateStore.Bounds> bounds = store.load();
        Scene scene = createScene(bounds.map(WindowStateStore.Bounds::width).orElse(1280.0),
                bounds.map(WindowStateStore.Bounds::height).orElse(820.0));
        stage.setScene(scene);
        stage.setTitle("Cost Gateway");
        AppIcons.apply(stage);
        stage.setMinWidth(900);
        stage.setMinHeight(600);
        bounds.ifPresent(b -> {
            stage.setX(b.x());
            stage.setY(b.y());
            stage.setMaximized(b.maximized());
        });
        stage.setOnHiding(e -> {
            store.save(new WindowStateStore.Bounds(stage.getX(), stage.getY(), stage.getWidth(), stage.getHeight(),
                    stage.isMaximized()));
            deactivate();
        });
        // the tray is looked up at the first alert, so AWT starts only if a budget ever needs to say something
        budgets.setNotifier(DesktopNotifier.lazy(DesktopNotifier::tray));
        activate();
        stage.show();
    }

    private WindowStateStore windowStore() {
        Path dir = services.control().configFile().toAbsolutePath().getParent();
        return new WindowStateStore(dir.resolve("window.properties"));
    }

    /** Subscribes to the gateway and starts the poll; {@link #show} calls it. */
    public void activate() {
        status.activate();
        budgets.activate();
        settings.activate();
        team.activate();
        refreshVisible();
        if (poll == null) {
            // A plain timer thread, not a Timeline: a running animation keeps JavaFX pulsing 60 times a second.
            poll = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ui-poll");
                t.setDaemon(true);
                return t;
            });
            poll.scheduleWithFixedDelay(() -> FxThread.run(this::refreshVisible), 1, 1, TimeUnit.SECONDS);
        }
    }

    public void deactivate() {
        if (poll != null) {
            poll.shutdownNow();
            poll = null;
        }
        status.deactivate();
        budgets.deactivate();
        settings.deactivate();
        team.deactivate();
    }

    /** The team view switch (tests drive it as the bar would). */
    public TeamViewModel team() {
        return team;
    }

    /** Budget alerts also go to the desktop (the system tray) from a window that {@link #show}s. */
    public void setNotifier(DesktopNotifier notifier) {
        budgets.setNotifier(notifier);
    }

    public BudgetsViewModel budgets() {
        return budgets;
    }

    public BorderPane root() {
        return root;
    }
}
