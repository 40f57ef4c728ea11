package dev.costgateway.app.shell;

import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;

import dev.costgateway.core.GatewayControl;

/** Entry point of the desktop app: starts the JavaFX toolkit and shows the main window. */
public final class DesktopApp {

    private static GatewayControl control;
    private static Runnable onExit;

    private DesktopApp() {
    }

    public static void launch(GatewayControl gateway, Runnable exitHook) {
        control = gateway;
        onExit = exitHook;
        Application.launch(Fx.class);
        exitHook.run();
    }

    /** The JavaFX application; kept nested so {@code main} lives outside any Application subclass. */
    public static final class Fx extends Application {
        @Override
        public void start(Stage stage) {
            String url = control.status().get().listeningUrl();
            stage.setTitle("Cost Gateway");
            stage.setScene(new Scene(new Label("Cost Gateway " + (url == null ? "stopped" : "listening on " + url)),
                    640, 400));
            stage.setOnHidden(e -> Platform.exit());
            stage.show();
        }
    }
}
