package dev.costgateway.app;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import dev.costgateway.core.Gateway;
import dev.costgateway.core.GatewayStatus;
import dev.costgateway.core.config.ConfigException;
import dev.costgateway.core.config.ConfigProblem;

/**
 * {@code main}: parses the command line, opens the gateway, then runs it headless or opens the desktop app.
 * Deliberately not a JavaFX {@code Application}: the app runs from the class path.
 */
public final class Launcher {

    static {
        // DJL must never phone home; this runs before any DJL class can load.
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
        }
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
    }

    /** Parsed command line. */
    record Args(boolean headless, Integer port, String host, Path config, Path dataDir, String upstream,
                boolean help) {
    }

    static final String USAGE = """
            Usage: cost-gateway [--headless] [--port N] [--host H] [--config FILE] [--data-dir DIR] [--upstream URL]

              --headless       run the gateway without a window (servers, CI, benchmarks)
              --port N         listen on port N (default 8000, or server.port in the config)
              --host H         listen on address H (default 127.0.0.1; others need server.auth_token)
              --config FILE    configuration file (default: config.yaml in the user's config folder,
                               created with commented defaults on first run)
              --data-dir DIR   folder for the metrics database and caches (default: the user's data folder)
              --upstream URL   Anthropic API base URL (default https://api.anthropic.com;
                               also config upstream.base_url and env GATEWAY_UPSTREAM_URL)
              --help           print this help
            """;

    static Args parse(String[] argv) {
        boolean headless = false;
        boolean help = false;
        Integer port = null;
        String host = null;
        Path config = null;
        Path data = null;
        String upstream = null;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            switch (a) {
                case "--headless" -> headless = true;
                case "--help", "-h" -> help = true;
                case "--port", "--host", "--config", "--data-dir", "--upstream" -> {
                    if (value == null) {
                        if (i + 1 >= argv.length) {
                            throw new IllegalArgumentException(a + " needs a value");
                        }
                        value = argv[++i];
                    }
                    switch (a) {
                        case "--port" -> {
                            try {
                                port = Integer.parseInt(value);
                            } catch (NumberFormatException e) {
                                throw new IllegalArgumentException("--port must be a number, not '" + value + "'");
                            }
                            if (port < 0 || port > 65535) {
                                throw new IllegalArgumentException("--port must be between 0 and 65535");
                            }
                        }
                        case "--host" -> host = value;
                        case "--config" -> config = Path.of(value);
                        case "--data-dir" -> data = Path.of(value);
                        default -> upstream = value;
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        return new Args(headless, port, host, config, data, upstream, help);
    }

    /** Exit code of a normal stop: window closed, SIGTERM or SIGINT (Ctrl+C). */
    static final int EXIT_OK = 0;
    /** Exit code when the listener could not start (port taken, refused exposure). */
    static final int EXIT_LISTENER = 1;
    /** Exit code for a bad command line. */
    static final int EXIT_USAGE = 2;
    /** Exit code for an invalid configuration file. */
    static final int EXIT_CONFIG = 3;
    /** Exit code when another gateway holds the data folder. */
    static final int EXIT_DATA_DIR_IN_USE = 4;

    public static void main(String[] argv) {
        StopRequest stop = new StopRequest();
        StopRequest.installSignalHandlers(stop, System.err);
        System.exit(run(argv, System.out, System.err, stop));
    }

    /** Runs until the gateway is stopped; returns the exit code. Only a window close or an error ends it. */
    static int run(String[] argv, PrintStream out, PrintStream err) {
        return run(argv, out, err, new StopRequest());
    }

    /** Runs until the gateway is stopped or {@code stop} is requested; returns the exit code. */
    static int run(String[] argv, PrintStream out, PrintStream err, StopRequest stop) {
        Args args;
        try {
            args = parse(argv);
        } catch (IllegalArgumentException e) {
            err.println("cost-gateway: " + e.getMessage());
            err.print(USAGE);
            return EXIT_USAGE;
        }
        if (args.help()) {
            out.print(USAGE);
            return EXIT_OK;
        }
        String upstream = args.upstream() != null ? args.upstream() : System.getenv("GATEWAY_UPSTREAM_URL");
        if (upstream != null && !upstream.isBlank()) {
            String problem = checkUrl(upstream);
            if (problem != null) {
                err.println("cost-gateway: --upstream / GATEWAY_UPSTREAM_URL " + problem);
                return EXIT_USAGE;
            }
        }
        Path configFile = args.config() != null ? args.config() : AppPaths.configDir().resolve("config.yaml");
        Path dataDir = args.dataDir() != null ? args.dataDir() : AppPaths.dataDir();
        Gateway gateway;
        try {
            gateway = Gateway.open(new Gateway.Options(configFile, dataDir, args.host(), args.port(),
                    upstream == null || upstream.isBlank() ? null : upstream, null, null));
        } catch (ConfigException e) {
            err.println("cost-gateway: the configuration is invalid and was not applied:");
            for (ConfigProblem p : e.problems()) {
                err.println("  " + p);
            }
            return EXIT_CONFIG;
        } catch (Gateway.DataDirInUseException e) {
            err.println(dataDirInUseLine(e, args.port()));
            return EXIT_DATA_DIR_IN_USE;
        } catch (IOException e) {
            err.println("cost-gateway: cannot read or create " + configFile + ": " + e.getMessage());
            return EXIT_CONFIG;
        }
        // If anything calls System.exit while the gateway is open (or the signals could not be taken over), the
        // hook still closes it: close() waits for a model load in progress, so the JVM never exits under it.
        Thread closeOnExit = new Thread(gateway::close, "gateway-shutdown");
        Runtime.getRuntime().addShutdownHook(closeOnExit);
        try {
            return runOpened(gateway, args, configFile, out, err, stop);
        } finally {
            gateway.close();
            try {
                Runtime.getRuntime().removeShutdownHook(closeOnExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run; close is idempotent
            }
        }
    }

    private static int runOpened(Gateway gateway, Args args, Path configFile, PrintStream out, PrintStream err,
                                 StopRequest stop) {
        if (stop.isRequested()) {
            return EXIT_OK; // stopped while opening: nothing was listening yet
        }
        gateway.start();
        GatewayStatus st = gateway.status().get();
        if (st.proxy() == GatewayStatus.ProxyState.RUNNING) {
            out.println("Cost Gateway " + Gateway.version() + " listening on " + st.listeningUrl()
                    + " (upstream " + gateway.config().upstream().baseUrl() + ", config " + configFile + ")");
            out.println("Point your tools at it: export ANTHROPIC_BASE_URL=" + st.listeningUrl());
            out.flush();
        } else if (args.headless()) {
            err.println("cost-gateway: " + st.error());
            return EXIT_LISTENER;
        }
        if (args.headless()) {
            awaitStop(stop);
            return EXIT_OK;
        }
        CountDownLatch closed = new CountDownLatch(1);
        stop.onRequest(dev.costgateway.app.shell.DesktopApp::requestExit);
        try {
            dev.costgateway.app.shell.DesktopApp.launch(gateway, closed::countDown);
        } catch (RuntimeException | LinkageError e) {
            // no window on this machine (no GTK 3, no display): the gateway itself is fine, keep serving
            String url = gateway.status().get().listeningUrl();
            err.println(windowUnavailableLine(e, url));
            err.flush();
            if (url == null) {
                err.println("cost-gateway: " + gateway.status().get().error());
                return EXIT_LISTENER;
            }
            awaitStop(stop);
            return EXIT_OK;
        }
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return EXIT_OK;
    }

    private static void awaitStop(StopRequest stop) {
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The one line printed when the window cannot open: what is missing, where the gateway runs, the flag. */
    static String windowUnavailableLine(Throwable e, String url) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        String why;
        if (message.contains("GTK")) {
            why = "GTK 3 is missing (install libgtk-3-0; the window also needs libgl1)";
        } else if (message.contains("DISPLAY")) {
            why = "there is no display (DISPLAY is not set or cannot be opened)";
        } else {
            why = message;
        }
        return "cost-gateway: cannot open the window: " + why + "; the gateway keeps running headless"
                + (url == null ? "" : " at " + url) + " (start it with --headless to skip the window)";
    }

    /** The one line a second gateway on a busy data folder prints: what is locked, by whom, what to do. */
    static String dataDirInUseLine(Gateway.DataDirInUseException e, Integer port) {
        Path dir = e.dataDir();
        int nextPort = port == null || port == 0 ? 8001 : port + 1;
        return "cost-gateway: the data folder " + dir + " is in use by another Cost Gateway"
                + (e.holder().isEmpty() ? "" : " (" + e.holder() + ")")
                + "; stop that one, or start this one with its own --data-dir and --port (e.g. --data-dir "
                + dir + "-2 --port " + nextPort + ")";
    }

    private static String checkUrl(String url) {
        try {
            java.net.URI u = java.net.URI.create(url.trim());
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                return "must be an http:// or https:// URL with a host, not '" + url + "'";
            }
            return null;
        } catch (IllegalArgumentException e) {
            return "is not a valid URL: " + url;
        }
    }
}
