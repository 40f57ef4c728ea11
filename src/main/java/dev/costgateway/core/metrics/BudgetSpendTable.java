package dev.costgateway.core.metrics;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.costgateway.core.budget.OthersSpend;
import dev.costgateway.core.budget.SpendSource;

/**
 * Table {@code budget_spend} (migration V6): the priced spend per quarter-hour slot (UTC), gateway instance, caller
 * key hash and project. The writer adds each batch to it in the batch's transaction ({@link #add}). Budgets read
 * it: this gateway's own rows once at start ({@link #spendSince}), the other instances' rows of today once a
 * second and those of the month's earlier days once a minute ({@link #othersBetween};
 * docs/adr/0065-shared-budgets-refreshed-from-the-store.md). A gateway writes only its own instance's rows, so
 * writers of a team never contend for one. Not thread-safe: one instance per writer connection.
 */
final class BudgetSpendTable {

    /** A slot is a quarter of an hour: midnight in every time zone in use today falls on a slot boundary. */
    static final long SLOT_MICROS = 15L * 60 * 1_000_000;

    /** Longest a budget read may take before it fails (a database that stopped answering). */
    static final int QUERY_TIMEOUT_SECONDS = 5;

    private static final Comparator<List<Object>> ORDER = Comparator.<List<Object>>comparingLong(k -> (Long) k.get(0))
            .thenComparing(k -> (String) k.get(1)).thenComparing(k -> (String) k.get(2));

    private final String instance;
    /** Non-null when the dialect adds in one statement; then the two below are null. */
    private final PreparedStatement addSpend;
    private final PreparedStatement updateSpend;
    private final PreparedStatement insertSpend;

    BudgetSpendTable(Connection c, Dialect dialect, String instance) throws SQLException {
        this.instance = RequestRows.cut(instance == null ? "" : instance, RequestRows.INSTANCE_CHARS);
        String add = dialect.addToRollup("budget_spend", "slot_epoch", List.of("instance", "caller_key_hash",
                "project"), List.of("cost_usd"));
        if (add != null) {
            addSpend = c.prepareStatement(add);
            updateSpend = null;
            insertSpend = null;
        } else {
            addSpend = null;
            updateSpend = c.prepareStatement("UPDATE budget_spend SET cost_usd = cost_usd + ? WHERE slot_epoch = ? "
                    + "AND instance = ? AND caller_key_hash = ? AND project = ?");
            insertSpend = c.prepareStatement("INSERT INTO budget_spend (cost_usd, slot_epoch, instance, "
                    + "caller_key_hash, project) VALUES (?, ?, ?, ?, ?)");
        }
    }

    /** The slot of an instant (UTC quarter hours since the epoch); a boundary inside a slot rounds down. */
    static long slotOf(Instant at) {
        return Math.floorDiv(RequestRows.toMicros(at), SLOT_MICROS);
    }

    /** Adds the batch's priced records (cost &gt; 0) to their slots, within the caller's transaction. */
    void add(List<RequestRecord> batch) throws SQLException {
        Map<List<Object>, double[]> sums = new TreeMap<>(ORDER);
        for (RequestRecord r : batch) {
            Double cost = r.costUsd();
            if (cost == null || !(cost > 0) || Double.isInfinite(cost)) {
                continue;
            }
            String key = RequestRows.cut(r.callerKeyHash() == null ? "" : r.callerKeyHash(),
                    RequestRows.KEY_HASH_CHARS);
            String project = r.session().isPresent() && r.session().project() != null
                    ? RequestRows.cut(r.session().project(), RequestRows.PROJECT_CHARS) : "";
            sums.computeIfAbsent(List.of(slotOf(r.timestamp()), key, project), k -> new double[1])[0] += cost;
        }
        if (sums.isEmpty()) {
            return;
        }
        if (addSpend != null) {
            for (Map.Entry<List<Object>, double[]> e : sums.entrySet()) {
                bind(addSpend, e.getKey(), e.getValue()[0]);
                addSpend.addBatch();
            }
            addSpend.executeBatch();
            return;
        }
        List<Map.Entry<List<Object>, double[]>> entries = new ArrayList<>(sums.entrySet());
        for (Map.Entry<List<Object>, double[]> e : entries) {
            bind(updateSpend, e.getKey(), e.getValue()[0]);
            updateSpend.addBatch();
        }
        int[] updated = updateSpend.executeBatch();
        boolean inserts = false;
        for (int i = 0; i < updated.length; i++) {
            if (updated[i] == 0) {
                bind(insertSpend, entries.get(i).getKey(), entries.get(i).getValue()[0]);
                insertSpend.addBatch();
                inserts = true;
            }
        }
        if (inserts) {
            insertSpend.executeBatch();
        }
    }

    private void bind(PreparedStatement ps, List<Object> key, double cost) throws SQLException {
        ps.setDouble(1, cost);
        ps.setLong(2, (Long) key.get(0));
        ps.setString(3, instance);
        ps.setString(4, (String) key.get(1));
        ps.setString(5, (String) key.get(2));
    }

    void clearBatches() throws SQLException {
        for (PreparedStatement ps : new PreparedStatement[] {addSpend, updateSpend, insertSpend}) {
            if (ps != null) {
                ps.clearBatch();
            }
        }
    }

    /** Whose spend {@link #spendSince} sums. */
    enum Whose {
        /** Every instance's (one gateway on its own H2 file: all of it is its own). */
        ALL,
        /** Only the given instance's. */
        MINE
    }

    /**
     * Spend per caller key and project since {@code monthStart}, and the part of it since {@code dayStart}: one
     * grouped read of the month's slots (primary key range), no {@code requests} row.
     */
    static List<SpendSource.Row> spendSince(ConnectionFactory connections, Instant monthStart, Instant dayStart,
            Whose whose, String instance) {
        String sql = "SELECT caller_key_hash, project, SUM(cost_usd), "
                + "SUM(CASE WHEN slot_epoch >= ? THEN cost_usd ELSE 0 END) FROM budget_spend WHERE slot_epoch >= ?"
                + (whose == Whose.MINE ? " AND instance = ?" : "")
                + " GROUP BY caller_key_hash, project";
        List<SpendSource.Row> rows = new ArrayList<>();
        try (Connection c = connections.open(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            ps.setLong(1, slotOf(dayStart));
            ps.setLong(2, slotOf(monthStart));
            if (whose == Whose.MINE) {
                ps.setString(3, RequestRows.cut(instance == null ? "" : instance, RequestRows.INSTANCE_CHARS));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new SpendSource.Row(rs.getString(1), rs.getString(2), rs.getDouble(3),
                            rs.getDouble(4)));
                }
            }
        } catch (SQLException e) {
            throw new MetricsStoreException("spend query failed", e);
        }
        return rows;
    }

    /**
     * The spend of every instance but {@code instance} (the rest of the team) per caller key and project, in the
     * slots of {@code [from, to)} ({@code to} null: no upper bound): a primary-key range of {@code budget_spend}.
     */
    static List<OthersSpend.KeySpend> othersBetween(ConnectionFactory connections, Instant from, Instant to,
            String instance) {
        String sql = "SELECT caller_key_hash, project, SUM(cost_usd) FROM budget_spend WHERE slot_epoch >= ?"
                + (to == null ? "" : " AND slot_epoch < ?") + " AND instance <> ? GROUP BY caller_key_hash, project";
        List<OthersSpend.KeySpend> rows = new ArrayList<>();
        try (Connection c = connections.open(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            int i = 1;
            ps.setLong(i++, slotOf(from));
            if (to != null) {
                ps.setLong(i++, slotOf(to));
            }
            ps.setString(i, RequestRows.cut(instance == null ? "" : instance, RequestRows.INSTANCE_CHARS));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new OthersSpend.KeySpend(rs.getString(1), rs.getString(2), rs.getDouble(3)));
                }
            }
        } catch (SQLException e) {
            throw new MetricsStoreException("spend query failed", e);
        }
        return rows;
    }
}
