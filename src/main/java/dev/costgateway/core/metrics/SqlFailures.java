package dev.costgateway.core.metrics;

import java.sql.SQLException;

/** Tells a lost database connection (worth waiting for) from a failure of the data or the SQL (not). */
final class SqlFailures {

    private SqlFailures() {
    }

    /**
     * True when a cause of {@code e} is the connection's: a JDBC connection exception, or SQLState class 08
     * (connection exception) or 57P (57P0x: the server is shutting down or starting up).
     */
    static boolean connectionLost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException
                    || t instanceof java.sql.SQLNonTransientConnectionException
                    || t instanceof java.sql.SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }
}
