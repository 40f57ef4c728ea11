package dev.costgateway.app;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A request to stop the process, made once by SIGTERM / SIGINT (Ctrl+C) or by a test. The launcher waits for it,
 * closes the gateway itself (which waits for a native model load in progress) and returns exit code 0: with the
 * JVM's own signal handling the process would end with 143 / 130 and could exit while onnxruntime is still
 * building a session, which crashes the JVM.
 *
 * <p>Thread-safe.
 */
final class StopRequest {

    private final CountDownLatch requested = new CountDownLatch(1);
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile String reason;

    /** Asks to stop; the first call wins, later calls only print that the stop is under way. */
    void request(String why, PrintStream err) {
        synchronized (this) {
            if (reason != null) {
                if (err != null) {
                    err.println("cost-gateway: " + why + " again; already stopping (in-flight requests get up to "
                            + "10 s, a model load up to 30 s)");
                }
                return;
            }
            reason = why;
        }
        requested.countDown();
        for (Runnable l : listeners) {
            l.run();
        }
    }

    boolean isRequested() {
        return requested.getCount() == 0;
    }

    /** What asked to stop ("SIGTERM", ...), or null. */
    String reason() {
        return reason;
    }

    /** Runs {@code action} on the requesting thread when the stop is requested (at once if it already was). */
    void onRequest(Runnable action) {
        listeners.add(action);
        if (isRequested()) {
            action.run();
        }
    }

    void await() throws InterruptedException {
        requested.await();
    }

    /**
     * Routes SIGTERM and SIGINT to a new request. Where the JVM does not let us handle signals ({@code -Xrs}, a
     * JVM without {@code sun.misc.Signal}), the JVM's default stays: shutdown hooks, then exit 143 / 130.
     *
     * @return false when the signals could not be taken over
     */
    @SuppressWarnings("sunapi") // sun.misc.Signal is the only way to choose the exit status of a signal-initiated stop
    static boolean installSignalHandlers(StopRequest stop, PrintStream err) {
        try {
            for (String name : new String[] {"TERM", "INT"}) {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> stop.request("SIG" + sig.getName(), err));
            }
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
            return false;
        }
    }
}
