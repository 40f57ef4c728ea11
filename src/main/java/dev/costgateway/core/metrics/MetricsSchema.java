package dev.costgateway.core.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Creates and migrates the metrics schema from the numbered SQL files in {@code migrations/} (next to this class).
 * Each file runs once, in its own transaction, and is recorded in {@code schema_version}. To change the schema,
 * add {@code V<n>__what.sql} and list it in {@link #MIGRATIONS}; never edit an applied file. The same files
 * serve H2 and PostgreSQL (portable SQL; {@link Dialect} holds the few differences).
 *
 * <p>A migration applies when its version is not yet recorded, in ascending order, so versions developed in
 * parallel (each adding only its own tables and columns) may land in any order: a database that already has
 * V5 still gets V2 when it arrives. Gateways sharing one database take turns ({@link Dialect#lockForMigration}).
 */
final class MetricsSchema {

    static final List<String> MIGRATIONS = List.of(
            "V1__init.sql",
            "V2__sessions.sql",
            "V3__router_scores.sql",
            "V4__semantic_negatives.sql",
            "V5__instances.sql",
            "V6__budget_spend.sql",
            "V7__semantic_entries.sql",
            "V8__session_cache_health.sql");

    private static final Pattern NAME = Pattern.compile("V(\\d+)__([a-z0-9_]+)\\.sql");

    private MetricsSchema() {
    }

    /** Applies every listed migration the database has not recorded; returns the highest version recorded. */
    static int migrate(Connection connection, InstantSource clock) throws SQLException {
        return migrate(connection, Dialect.H2, clock);
    }

    static int migrate(Connection connection, Dialect dialect, InstantSource clock) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            dialect.lockForMigration(connection);
            try (Statement st = connection.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                        + "version INTEGER NOT NULL PRIMARY KEY, "
                        + "description VARCHAR(200) NOT NULL, "
                        + "applied_at_millis BIGINT NOT NULL)");
            }
            Set<Integer> applied = appliedVersions(connection);
            int previous = 0;
            for (String file : MIGRATIONS) {
                Matcher m = NAME.matcher(file);
                if (!m.matches()) {
                    throw new IllegalStateException("bad migration file name: " + file);
                }
                int version = Integer.parseInt(m.group(1));
                if (version <= previous) {
                    throw new IllegalStateException("migrations out of order at " + file);
                }
                previous = version;
                if (applied.contains(version)) {
                    continue;
                }
                // apply() commits, which ends the transaction and releases the migration lock: take it again
                dialect.lockForMigration(connection);
                if (appliedVersions(connection).contains(version)) {
                    continue; // another gateway applied it while we waited
                }
                apply(connection, file, version, m.group(2), clock);
            }
            connection.commit();
            return currentVersion(connection);
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** Every migration this build ships: version to its name (the part after {@code V<n>__}), ascending. */
    static java.util.SortedMap<Integer, String> shippedVersions() {
        java.util.SortedMap<Integer, String> out = new java.util.TreeMap<>();
        for (String file : MIGRATIONS) {
            Matcher m = NAME.matcher(file);
            if (m.matches()) {
                out.put(Integer.parseInt(m.group(1)), m.group(2));
            }
        }
        return out;
    }

    /** The versions {@code schema_version} records. */
    static Set<Integer> appliedVersions(Connection connection) throws SQLException {
        Set<Integer> out = new HashSet<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT version FROM schema_version")) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }

    static int currentVersion(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT MAX(version) FROM schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void apply(Connection connection, String file, int version, String description,
            InstantSource clock) throws SQLException {
        try (Statement st = connection.createStatement()) {
            for (String sql : statements(read(file))) {
                st.execute(sql);
            }
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO schema_version (version, description, applied_at_millis) VALUES (?, ?, ?)")) {
            ps.setInt(1, version);
            ps.setString(2, description);
            ps.setLong(3, clock.millis());
            ps.executeUpdate();
        }
        connection.commit();
    }

    /** The text of one migration file. */
    static String script(String file) {
        return read(file);
    }

    private static String read(String file) {
        try (InputStream in = MetricsSchema.class.getResourceAsStream("migrations/" + file)) {
            if (in == null) {
                throw new IllegalStateException("migration missing from the class path: " + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Splits a migration into statements: {@code --} comments dropped, statements end with {@code ;}. */
    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\\R")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                String sql = current.toString().strip();
                out.add(sql.substring(0, sql.length() - 1));
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString().strip());
        }
        return out;
    }
}
