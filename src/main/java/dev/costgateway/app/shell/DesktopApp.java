package dev.costgateway.app.shell;

import java.util.Objects;

import javafx.application.Application;
import javafx.application.Platform;
import javafx.stage.Stage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.costgateway.core.GatewayControl;

/**
 * Entry point of the desktop UI. The launcher's main class does not extend {@link Application} (the app runs from
 * the class path, where JavaFX refuses such a main class), so this starts the toolkit through a small nested
 * {@code Application}.
 */
public final class DesktopApp {
    /**
     * The X11 {@code WM_CLASS} (instance and class) of every window, matched by the {@code .desktop} file's
     * {@code StartupWMClass}. Without it JavaFX uses the Application class name, which moves with refactorings.
     */
    public static final String WM_CLASS = "cost-gateway";
    private static final Logger LOG = LoggerFactory.getLogger(DesktopApp.class);
    private static volatile GatewayControl control;
    private static volatile Runnable onExit;
    private static volatile boolean exitRequested;

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

    /**
     * Closes the app as if its window were closed (SIGTERM / Ctrl+C while the window is open); safe from any
     * thread and before the toolkit has started (the window then closes as soon as it opens).
     */
    public static void requestExit() {
        exitRequested = true;
        try {
            Platform.exit();
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("toolkit not running yet: {}", e.toString());
        }
    }

    /** The JavaFX application object; public because JavaFX instantiates it reflectively. */
    public static final class FxApp extends Application {

        /**
         * JavaFX constructs the application on the FX thread and only then names the toolkit after its class; the
         * first name set wins, so naming it here fixes the window class before any window exists.
         */
        public FxApp() {
            claimWindowClass();
        }

        @Override
        public void start(Stage stage) {
            Platform.setImplicitExit(true);
            if (exitRequested) {
                Platform.exit();
                return;
            }
            new MainWindow(MainWindow.Services.standard(control), null).show(stage);
        }

        @Override
        public void stop() {
            onExit.run();
        }
    }

    /** Names the toolkit {@link #WM_CLASS}; true when it took (it must run on the FX thread, before any window). */
    static boolean claimWindowClass() {
        try {
            com.sun.glass.ui.Application glass = com.sun.glass.ui.Application.GetApplication();
            glass.setName(WM_CLASS);
            return WM_CLASS.equals(glass.getName());
        } catch (RuntimeException | LinkageError e) {
            // a JavaFX without this internal class (or run from the module path): windows keep the default class
            LOG.debug("cannot set the window class: {}", e.toString());
            return false;
        }
    }
}
