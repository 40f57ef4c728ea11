package dev.costgateway.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL from the OS packages (Debian {@code postgresql}: binaries under
 * {@code /usr/lib/postgresql/<version>/bin}), in a temporary data directory on a free loopback port, with
 * password authentication over TCP. As root it runs the server as the {@code postgres} user ({@code su postgres
 * -c}), since PostgreSQL refuses to run as root. {@code .ci/run} installs the package.
 *
 * <p>When PostgreSQL is not installed the test is skipped with a message saying so, except in CI
 * ({@code CI=true}), where it fails: there it must run.
 */
public final class PostgresServer implements AutoCloseable {

    public static final String USER = "postgres";
    private static final Path VERSIONS = Path.of("/usr/lib/postgresql");
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static PostgresServer shared;

    private final Path bin;
    private final Path dir;
    private final int port;
    private final String password;
    private final boolean asRoot;
    private final boolean durable;
    private volatile boolean running;

    private PostgresServer(Path bin, Path dir, int port, String password, boolean asRoot, boolean durable) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.password = password;
        this.asRoot = asRoot;
        this.durable = durable;
    }

    /** The binaries of the newest installed PostgreSQL, if any. */
    public static Optional<Path> installedBin() {
        if (!Files.isDirectory(VERSIONS)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(VERSIONS)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(PostgresServer::majorVersion));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString().replaceAll("\\D.*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Skips the calling test when PostgreSQL is missing on a developer's machine; fails in CI. */
    public static Path requireInstalled() {
        Optional<Path> bin = installedBin();
        if (bin.isEmpty()) {
            String msg = "PostgreSQL is not installed (no " + VERSIONS + "/*/bin/initdb): "
                    + "apt-get install -y postgresql, or run bash .ci/run";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(msg + " (CI=true: PostgreSQL tests must run)");
            }
            Assumptions.assumeTrue(false, msg);
        }
        return bin.get();
    }

    /** One server for the whole test run (a fresh database per test keeps them apart); stopped at JVM exit. */
    public static synchronized PostgresServer shared() {
        if (shared == null || !shared.running) {
            PostgresServer s = start();
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "postgres-test-stop"));
            shared = s;
        }
        return shared;
    }

    /**
     * A server of the caller's own (to stop and restart it); the caller closes it. Commits are not flushed to
     * disk (tests lose nothing to a crash they do not have, and run faster); see {@link #startDurable}.
     */
    public static PostgresServer start() {
        return start(false);
    }

    /** A server with PostgreSQL's default durability (fsync on every commit), for benchmarks. */
    public static PostgresServer startDurable() {
        return start(true);
    }

    private static PostgresServer start(boolean durable) {
        Path bin = requireInstalled();
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path dir = Files.createTempDirectory("pg-test");
            String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
            Path pwfile = dir.resolve("pwfile");
            Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
            if (root) {
                run(List.of("chown", "-R", USER + ":", dir.toString()), 30);
            }
            PostgresServer server = new PostgresServer(bin, dir, freePort(), password, root, durable);
            server.pg(120, bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", USER,
                    "--pwfile=" + pwfile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                    "--no-locale", "--no-sync");
            Files.deleteIfExists(pwfile);
            server.startServer();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start PostgreSQL for the test: " + e.getMessage(), e);
        }
    }

    public int port() {
        return port;
    }

    public String password() {
        return password;
    }

    /** JDBC URL of a database on this server, with the credentials in it (as {@code metrics.jdbc_url} takes). */
    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER + "&password=" + password;
    }

    /** Creates an empty database and returns its URL. */
    public String freshDatabase() {
        String name = "t" + DATABASES.incrementAndGet() + "_" + HexFormat.of().formatHex(new SecureRandom()
                .generateSeed(3));
        try (Connection c = DriverManager.getConnection(url("postgres")); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return url(name);
    }

    /** Stops the server (fast shutdown: open connections are cut, as when a database host goes away). */
    public void stop() {
        if (running) {
            pg(60, bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w",
                    "stop");
            running = false;
        }
    }

    /** Starts it again on the same port and data. */
    public void restart() {
        stop();
        startServer();
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (RuntimeException e) {
            // already gone
        }
        deleteTree(dir);
        deleteTree(dir); // a file the server wrote while the first pass ran
    }

    private void startServer() {
        String options = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c max_connections=100"
                + (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        pg(120, bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                dir.resolve("server.log").toString(), "-w", "-t", "60", "-o", options, "start");
        running = true;
    }

    /** Runs a PostgreSQL tool, as {@code postgres} when we are root. */
    private void pg(int timeoutSeconds, String... command) {
        List<String> cmd = new ArrayList<>();
        if (asRoot) {
            StringBuilder line = new StringBuilder();
            for (String part : command) {
                line.append(line.length() == 0 ? "" : " ").append(shellQuote(part));
            }
            cmd.addAll(List.of("su", USER, "-s", "/bin/sh", "-c", line.toString()));
        } else {
            cmd.addAll(List.of(command));
        }
        run(cmd, timeoutSeconds);
    }

    private static void run(List<String> cmd, int timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out;
            try (var in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + cmd.get(cmd.size() - 1));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("failed (" + p.exitValue() + "): " + String.join(" ", cmd) + "\n"
                        + new String(out, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a temp dir
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
