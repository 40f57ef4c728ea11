package dev.costgateway.app.fx;

import java.util.concurrent.Executor;

import javafx.application.Platform;

/** The one way back onto the FX application thread: run now when already there, else queue it. */
public final class FxThread {

    /** An executor that runs its tasks on the FX application thread. */
    public static final Executor EXECUTOR = FxThread::run;

    private FxThread() {
    }

    public static void run(Runnable action) {
        if (Platform.isFxApplicationThread()) {
            action.run();
        } else {
            Platform.runLater(action);
        }
    }
}
