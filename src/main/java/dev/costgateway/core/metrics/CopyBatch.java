package dev.costgateway.core.metrics;

import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * A batch INSERT sent to PostgreSQL as one {@code COPY ... FROM STDIN (FORMAT csv)}: several times cheaper for the
 * server than parsing and planning multi-row INSERTs, which is what bounds the writer's rate. It looks like the
 * {@link PreparedStatement} of the INSERT it replaces (the same {@code set*}, {@code addBatch},
 * {@code executeBatch}), so the row binding in {@link RequestRows} serves both databases unchanged; the column
 * list is read from the INSERT, so a migration that adds a column needs nothing here.
 */
final class CopyBatch implements InvocationHandler {

    private static final Pattern INSERT = Pattern.compile(
            "(?is)\\s*INSERT\\s+INTO\\s+([a-z_][a-z0-9_]*)\\s*\\(([^)]*)\\)\\s*VALUES.*");

    private final CopyManager copy;
    private final String copySql;
    private final int columns;
    private final StringBuilder rows = new StringBuilder();
    private final String[] row;
    private int rowCount;

    private CopyBatch(CopyManager copy, String table, String columnList) {
        this.copy = copy;
        this.copySql = "COPY " + table + " (" + columnList + ") FROM STDIN (FORMAT csv)";
        this.columns = columnList.split(",").length;
        this.row = new String[columns];
    }

    /** A statement for the given {@code INSERT INTO t (a, b, ...) VALUES (?, ?, ...)} that copies instead. */
    static PreparedStatement prepare(Connection connection, String insertSql) throws SQLException {
        Matcher m = INSERT.matcher(insertSql);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a plain INSERT: " + insertSql);
        }
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        CopyBatch batch = new CopyBatch(copy, m.group(1), m.group(2).strip());
        return (PreparedStatement) Proxy.newProxyInstance(CopyBatch.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, batch);
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "setLong", "setInt", "setDouble" -> set(args, String.valueOf(args[1]));
            case "setBoolean" -> set(args, (Boolean) args[1] ? "t" : "f");
            case "setString" -> set(args, args[1] == null ? null : quote((String) args[1]));
            case "setNull" -> set(args, null);
            case "addBatch" -> addRow();
            case "executeBatch" -> {
                return executeBatch();
            }
            case "clearBatch" -> clear();
            case "close" -> clear();
            case "isClosed" -> {
                return false;
            }
            case "toString" -> {
                return "CopyBatch[" + copySql + "]";
            }
            case "hashCode" -> {
                return System.identityHashCode(proxy);
            }
            case "equals" -> {
                return proxy == args[0];
            }
            default -> throw new UnsupportedOperationException("CopyBatch does not support " + method.getName());
        }
        return null;
    }

    private void set(Object[] args, String csv) {
        int index = (Integer) args[0];
        if (index < 1 || index > columns) {
            throw new IllegalArgumentException("parameter " + index + " of " + columns);
        }
        row[index - 1] = csv;
    }

    private void addRow() {
        for (int i = 0; i < columns; i++) {
            if (i > 0) {
                rows.append(',');
            }
            if (row[i] != null) { // an unquoted empty field is NULL in CSV copy
                rows.append(row[i]);
            }
        }
        rows.append('\n');
        rowCount++;
        Arrays.fill(row, null);
    }

    private int[] executeBatch() throws SQLException {
        int n = rowCount;
        if (n == 0) {
            return new int[0];
        }
        try {
            copy.copyIn(copySql, new StringReader(rows.toString()));
        } catch (IOException e) {
            throw new SQLException("COPY failed: " + e.getMessage(), "08006", e);
        } finally {
            clear();
        }
        int[] counts = new int[n];
        Arrays.fill(counts, 1);
        return counts;
    }

    private void clear() {
        rows.setLength(0);
        rowCount = 0;
        Arrays.fill(row, null);
    }

    /**
     * A CSV field, always quoted (so an empty string is not NULL), quotes doubled. PostgreSQL text cannot hold
     * NUL, which a client may send in a prompt or a model id: it becomes U+FFFD rather than failing the batch.
     */
    static String quote(String s) {
        return "\"" + s.replace("\u0000", "\uFFFD").replace("\"", "\"\"") + "\"";
    }
}
