package dev.costgateway.core.metrics;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.function.UnaryOperator;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * Where the metrics live: the dialect, a source of connections, and a description safe to show (no password).
 * H2 opens a connection per use (cheap, in-process); PostgreSQL borrows from a small pool, because a new
 * connection costs a network round trip and an authentication every time.
 */
final class MetricsDatabase implements AutoCloseable {

    /** Connections to PostgreSQL: the writer's, and a few for concurrent reads (dashboard, CSV, endpoints). */
    static final int POOL_SIZE = 4;

    /** Longest a writer try or a query waits for a connection while PostgreSQL is away. */
    static final long BORROW_TIMEOUT_MILLIS = 2000;

    private final Dialect dialect;
    private final ConnectionFactory connections;
    private final String description;
    private final AutoCloseable resources;
    /** Connections outside the pool, held for long (the semantic share's LISTEN); the pool's for H2. */
    private final ConnectionFactory dedicated;

    MetricsDatabase(Dialect dialect, ConnectionFactory connections, String description, AutoCloseable resources) {
        this(dialect, connections, description, resources, connections);
    }

    MetricsDatabase(Dialect dialect, ConnectionFactory connections, String description, AutoCloseable resources,
            ConnectionFactory dedicated) {
        this.dialect = dialect;
        this.connections = connections;
        this.description = description;
        this.resources = resources;
        this.dedicated = dedicated;
    }

    /**
     * The database named by {@code metrics.jdbc_url}, or the embedded H2 file in the data directory when empty.
     *
     * @param env reads the environment ({@code PGUSER}, {@code PGPASSWORD} when the URL has no credentials)
     */
    static MetricsDatabase forUrl(String jdbcUrl, Path dataDir, UnaryOperator<String> env) {
        String url = jdbcUrl == null || jdbcUrl.isBlank() ? MetricsStore.defaultUrl(dataDir) : jdbcUrl.strip();
        Dialect dialect = Dialect.of(url);
        if (dialect == Dialect.H2) {
            return new MetricsDatabase(dialect, () -> DriverManager.getConnection(url), JdbcUrls.masked(url), null);
        }
        JdbcUrls.Postgres pg = JdbcUrls.postgres(url, env);
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("metrics-pool");
        hc.setDriverClassName("org.postgresql.Driver");
        hc.setJdbcUrl(pg.url());
        hc.setUsername(pg.user());
        hc.setPassword(pg.password());
        hc.setMaximumPoolSize(POOL_SIZE);
        hc.setMinimumIdle(1);
        // Borrowing waits at most this long when the database is away: the writer retries later, a query fails.
        hc.setConnectionTimeout(BORROW_TIMEOUT_MILLIS);
        hc.setValidationTimeout(1000);
        // Start even when PostgreSQL is down: the writer keeps records queued until it is back.
        hc.setInitializationFailTimeout(-1);
        HikariDataSource pool = new HikariDataSource(hc);
        java.util.Properties credentials = new java.util.Properties();
        if (pg.user() != null) {
            credentials.setProperty("user", pg.user());
        }
        if (pg.password() != null) {
            credentials.setProperty("password", pg.password());
        }
        return new MetricsDatabase(dialect, pool::getConnection, JdbcUrls.masked(url), pool,
                () -> DriverManager.getConnection(pg.url(), credentials));
    }

    /** A database reached through a caller's connections (tests). */
    static MetricsDatabase of(Dialect dialect, ConnectionFactory connections) {
        return new MetricsDatabase(dialect, connections, dialect.label(), null);
    }

    Dialect dialect() {
        return dialect;
    }

    Connection open() throws SQLException {
        return connections.open();
    }

    ConnectionFactory connections() {
        return connections;
    }

    /** A connection of its own, not borrowed from the pool, for a caller that keeps it open (LISTEN). */
    Connection openDedicated() throws SQLException {
        return dedicated.open();
    }

    /** The URL with any password masked. */
    String description() {
        return description;
    }

    @Override
    public void close() {
        if (resources != null) {
            try {
                resources.close();
            } catch (Exception ignored) {
                // closing the pool of a database that went away: nothing left to release
            }
        }
    }
}
