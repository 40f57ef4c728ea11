package dev.costgateway.core.metrics;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

/**
 * The few places where H2 and PostgreSQL need different SQL. Everything else (the migrations, the writer's
 * inserts, every query) is portable SQL, so one set of migrations serves both.
 */
enum Dialect {

    /** The embedded file database of one desktop gateway: one process, one writer. */
    H2 {
        @Override
        void lockForMigration(Connection c) {
            // the file is locked to this process; nobody else can migrate it concurrently
        }

        @Override
        String addToRollup(String table, String timeColumn, List<String> keys, List<String> measures) {
            return null; // UPDATE, then INSERT the keys not there yet: enough with a single writer
        }

        @Override
        PreparedStatement prepareBulkInsert(Connection c, String insertSql) throws SQLException {
            return c.prepareStatement(insertSql);
        }
    },

    /** A database shared by several gateways (the team setup): writers race for rows and for migrations. */
    POSTGRESQL {
        /** Any fixed number, the same in every gateway, so they take turns migrating one database. */
        private static final long MIGRATION_LOCK = 0x636f73745f67774cL;

        @Override
        void lockForMigration(Connection c) throws SQLException {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
            }
        }

        /**
         * One statement that adds to the row or creates it, atomically: two gateways writing the same hour's
         * rollup would otherwise both find no row and both insert it, and one batch would fail.
         */
        @Override
        String addToRollup(String table, String timeColumn, List<String> keys, List<String> measures) {
            StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (");
            sql.append(String.join(", ", measures)).append(", ").append(timeColumn);
            for (String k : keys) {
                sql.append(", ").append(k);
            }
            sql.append(") VALUES (").append("?, ".repeat(measures.size() + keys.size())).append("?)");
            sql.append(" ON CONFLICT (").append(timeColumn);
            for (String k : keys) {
                sql.append(", ").append(k);
            }
            sql.append(") DO UPDATE SET ");
            for (int i = 0; i < measures.size(); i++) {
                String m = measures.get(i);
                sql.append(i == 0 ? "" : ", ").append(m).append(" = ").append(table).append('.').append(m)
                        .append(" + EXCLUDED.").append(m);
            }
            return sql.toString();
        }

        /** COPY: the server parses one statement per batch instead of one per row. */
        @Override
        PreparedStatement prepareBulkInsert(Connection c, String insertSql) throws SQLException {
            return CopyBatch.prepare(c, insertSql);
        }
    };

    /** The dialect of a JDBC URL: {@code jdbc:postgresql:} or else H2 (the default file, or any H2 URL). */
    static Dialect of(String jdbcUrl) {
        String url = jdbcUrl == null ? "" : jdbcUrl.toLowerCase(Locale.ROOT);
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (url.isEmpty() || url.startsWith("jdbc:h2:")) {
            return H2;
        }
        throw new IllegalArgumentException("metrics.jdbc_url: only jdbc:h2: and jdbc:postgresql: URLs are supported, "
                + "got " + JdbcUrls.masked(jdbcUrl));
    }

    /** Serialises migrations between processes sharing the database; called inside the migration transaction. */
    abstract void lockForMigration(Connection c) throws SQLException;

    /**
     * An INSERT-or-add statement for a rollup table whose parameters are the measures, the time column, then the
     * keys; or null when the writer should UPDATE and then INSERT what was missing.
     */
    abstract String addToRollup(String table, String timeColumn, List<String> keys, List<String> measures);

    /**
     * A statement for the writer's many-row INSERTs (request and attempt rows): set parameters, add batches,
     * execute the batch; the rows are in the current transaction either way.
     */
    abstract PreparedStatement prepareBulkInsert(Connection c, String insertSql) throws SQLException;

    /** Lower-case name for health and logs. */
    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
