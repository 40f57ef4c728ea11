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

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    /** Runs until the gateway is stopped; returns the exit code. */
    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args args;
        try {
            args = parse(argv);
        } catch (IllegalArgumentException e) {
            err.println("cost-gateway: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (args.help()) {
            out.print(USAGE);
            return 0;
        }
        String upstream = args.upstream() != null ? args.upstream() : System.getenv("GATEWAY_UPSTREAM_URL");
        if (upstream != null && !upstream.isBlank()) {
            String problem = checkUrl(upstream);
            if (problem != null) {
                err.println("cost-gateway: --upstream / GATEWAY_UPSTREAM_URL " + problem);
                return 2;
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
            return 3;
        } catch (IOException e) {
            err.println("cost-gateway: cannot read or create " + configFile + ": " + e.getMessage());
            return 3;
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
            gateway.close();
            return 1;
        }
        if (args.headless()) {
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                gateway.close();
                stopped.countDown();
            }, "gateway-shutdown"));
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }
        CountDownLatch closed = new CountDownLatch(1);
        dev.costgateway.app.shell.DesktopApp.launch(gateway, closed::countDown);
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        gateway.close();
        return 0;
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
