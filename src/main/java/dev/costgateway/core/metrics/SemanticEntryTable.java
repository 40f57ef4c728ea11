package dev.costgateway.core.metrics;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.costgateway.core.cache.SemanticShare;

/**
 * The SQL of the {@code semantic_entries} table (migration V7) on PostgreSQL: inserts and evictions that notify
 * channel {@value #CHANNEL} in their own transaction, and the reads a listener needs. Every method works on the
 * caller's connection and leaves it in auto-commit. Stateless, thread-safe.
 *
 * <p>Notifications: {@code "i <id> <instance>"} for an insert, {@code "e <id> <instance>"} for an eviction, sent
 * by PostgreSQL at commit, so a listener that hears of a row can read it.
 */
final class SemanticEntryTable {

    static final String CHANNEL = "cg_semantic";

    private static final String COLUMNS = "id, instance, model, group_key, scope_hash, prompt, vector, answer, "
            + "stored_at_millis, expires_at_millis";
    private static final String EVICTION_COLUMNS = "id, evicted_by, group_key, prompt, stored_at_millis, vector, "
            + "asked_vector, similarity";

    private SemanticEntryTable() {
    }

    /** Inserts {@code e} as written by {@code instance} and notifies; returns the new row's id. */
    static long insert(Connection c, String instance, SemanticShare.Entry e) throws SQLException {
        return inTransaction(c, () -> {
            long id;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO semantic_entries (instance, model, group_key, "
                    + "scope_hash, prompt, vector, answer, stored_at_millis, expires_at_millis) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
                ps.setString(1, instance);
                ps.setString(2, e.model());
                ps.setString(3, e.group());
                ps.setString(4, e.scope());
                ps.setBytes(5, e.prompt().getBytes(StandardCharsets.UTF_8));
                ps.setBytes(6, SemanticNegativeTable.bytes(e.vector()));
                ps.setBytes(7, e.answer());
                ps.setLong(8, e.storedAtMillis());
                ps.setLong(9, e.expiresAtMillis());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            notify(c, "i " + id + " " + instance);
            return List.of(id);
        }).get(0);
    }

    /**
     * Marks evicted, by {@code instance} at {@code nowMillis}, every live row of {@code model} with the
     * eviction's group and prompt stored at or before its time, keeping the rejected pair's asked vector and
     * similarity, and notifies once per row. Returns the rows' ids (none when another gateway was first).
     */
    static List<Long> evict(Connection c, String instance, String model, SemanticShare.Eviction e, long nowMillis)
            throws SQLException {
        return inTransaction(c, () -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("UPDATE semantic_entries SET evicted_at_millis = ?, "
                    + "evicted_by = ?, asked_vector = ?, similarity = ? WHERE group_key = ? AND model = ? "
                    + "AND prompt = ? AND stored_at_millis <= ? AND evicted_at_millis IS NULL RETURNING id")) {
                ps.setLong(1, nowMillis);
                ps.setString(2, instance);
                ps.setBytes(3, e.asked() == null ? null : SemanticNegativeTable.bytes(e.asked()));
                ps.setDouble(4, e.similarity());
                ps.setString(5, e.group());
                ps.setString(6, model);
                ps.setBytes(7, e.prompt().getBytes(StandardCharsets.UTF_8));
                ps.setLong(8, e.storedAtMillis());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            for (long id : ids) {
                notify(c, "e " + id + " " + instance);
            }
            return ids;
        });
    }

    /**
     * Live rows of {@code model} (not evicted, not expired at {@code nowMillis}) with an id above
     * {@code afterId}, not written by {@code excludeInstance} (null: any), the newest {@code limit}, oldest first.
     */
    static List<SemanticShare.Entry> live(Connection c, String model, long afterId, long nowMillis,
            String excludeInstance, int limit) throws SQLException {
        List<SemanticShare.Entry> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM semantic_entries WHERE model = ? "
                + "AND id > ? AND evicted_at_millis IS NULL AND expires_at_millis > ?"
                + (excludeInstance == null ? "" : " AND instance <> ?")
                + " ORDER BY id DESC FETCH FIRST " + Math.max(0, limit) + " ROWS ONLY")) {
            ps.setString(1, model);
            ps.setLong(2, afterId);
            ps.setLong(3, nowMillis);
            if (excludeInstance != null) {
                ps.setString(4, excludeInstance);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(entry(rs));
                }
            }
        }
        java.util.Collections.reverse(out);
        return out;
    }

    /** The live row {@code id} of {@code model}, if it is still live. */
    static Optional<SemanticShare.Entry> liveById(Connection c, String model, long id, long nowMillis)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM semantic_entries WHERE id = ? "
                + "AND model = ? AND evicted_at_millis IS NULL AND expires_at_millis > ?")) {
            ps.setLong(1, id);
            ps.setString(2, model);
            ps.setLong(3, nowMillis);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(entry(rs)) : Optional.empty();
            }
        }
    }

    /** Evicted rows of {@code model} that would still be live at {@code nowMillis}, oldest first. */
    static List<SemanticShare.Eviction> evictions(Connection c, String model, long nowMillis) throws SQLException {
        List<SemanticShare.Eviction> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + EVICTION_COLUMNS + " FROM semantic_entries "
                + "WHERE model = ? AND evicted_at_millis IS NOT NULL AND expires_at_millis > ? ORDER BY id")) {
            ps.setString(1, model);
            ps.setLong(2, nowMillis);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(eviction(rs));
                }
            }
        }
        return out;
    }

    /** The eviction of row {@code id} of {@code model}, if it was evicted. */
    static Optional<SemanticShare.Eviction> evictionById(Connection c, String model, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + EVICTION_COLUMNS + " FROM semantic_entries "
                + "WHERE id = ? AND model = ? AND evicted_at_millis IS NOT NULL")) {
            ps.setLong(1, id);
            ps.setString(2, model);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(eviction(rs)) : Optional.empty();
            }
        }
    }

    /** Deletes rows that expired before {@code beforeMillis}; returns how many. */
    static int purge(Connection c, long beforeMillis) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM semantic_entries WHERE expires_at_millis < ?")) {
            ps.setLong(1, beforeMillis);
            return ps.executeUpdate();
        }
    }

    private static SemanticShare.Entry entry(ResultSet rs) throws SQLException {
        return new SemanticShare.Entry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), new String(rs.getBytes(6), StandardCharsets.UTF_8),
                SemanticNegativeTable.floats(rs.getBytes(7)), rs.getBytes(8), rs.getLong(9), rs.getLong(10));
    }

    private static SemanticShare.Eviction eviction(ResultSet rs) throws SQLException {
        byte[] asked = rs.getBytes(7);
        return new SemanticShare.Eviction(rs.getLong(1), rs.getString(2), rs.getString(3),
                new String(rs.getBytes(4), StandardCharsets.UTF_8), rs.getLong(5),
                SemanticNegativeTable.floats(rs.getBytes(6)), asked == null ? null : SemanticNegativeTable.floats(asked),
                rs.getDouble(8));
    }

    private static void notify(Connection c, String payload) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, CHANNEL);
            ps.setString(2, payload);
            ps.executeQuery().close();
        }
    }

    @FunctionalInterface
    private interface Work {
        List<Long> run() throws SQLException;
    }

    private static List<Long> inTransaction(Connection c, Work work) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            List<Long> out = work.run();
            c.commit();
            return out;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the connection is gone: the transaction went with it
            }
            throw e;
        } finally {
            try {
                c.setAutoCommit(autoCommit);
            } catch (SQLException ignored) {
                // as above
            }
        }
    }
}
