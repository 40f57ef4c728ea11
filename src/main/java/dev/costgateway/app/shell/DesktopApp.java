package dev.costgateway.app.shell;

import java.util.Objects;

import javafx.application.Application;
import javafx.application.Platform;
import javafx.stage.Stage;

import dev.costgateway.core.GatewayControl;

/**
 * Entry point of the desktop UI. The launcher's main class does not extend {@link Application} (the app runs from
 * the class path, where JavaFX refuses such a main class), so this starts the toolkit through a small nested
 * {@code Application}.
 */
public final class DesktopApp {
    private static volatile GatewayControl control;
    private static volatile Runnable onExit;

    private DesktopApp() {
    }

    /**
     * Starts JavaFX, shows the main window, and blocks until the window is closed; then calls {@code onExit}
     * (on the FX thread, before the toolkit shuts down). Call once per process.
     */
    public static void launch(GatewayControl gatewayControl, Runnable exitAction) {
        control = Objects.requireNonNull(gatewayControl);
        onExit = Objects.requireNonNull(exitAction);
        Application.launch(FxApp.class);
    }

    /** The JavaFX application object; public because JavaFX instantiates it reflectively. */
    public static final class FxApp extends Application {
        @Override
        public void start(Stage stage) {
            Platform.setImplicitExit(true);
            new MainWindow(MainWindow.Services.standard(control), null).show(stage);
        }

        @Override
        public void stop() {
            onExit.run();
        }
    }
}
