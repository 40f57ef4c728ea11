package dev.costgateway.core.metrics;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Writes batches of records over one connection: request rows, attempt rows, the hourly rollups, the budgets'
 * spend per quarter hour and the session totals, all in one transaction per batch. Used only by the store's writer thread.
 */
final class BatchWriter implements AutoCloseable {

    private final Connection connection;
    private final String instance;
    private final PreparedStatement insertRequest;
    private final PreparedStatement insertAttempt;
    private final PreparedStatement takeIds;
    private final PreparedStatement readIds;
    private final RollupLevel hourly;
    private final RollupLevel daily;
    private final BudgetSpendTable budgetSpend;
    private final SessionCacheHealth cacheHealth;

    /**
     * @param instance    the gateway writing (see {@code GatewayInstance}), stored with every request row
     * @param cacheHealth the sessions' prompt-cache findings, kept with each batch (outlives this writer: its
     *                    trackers stay valid across reconnects)
     */
    BatchWriter(Connection connection, Dialect dialect, String instance, SessionCacheHealth cacheHealth)
            throws SQLException {
        this.connection = connection;
        this.instance = instance;
        this.cacheHealth = cacheHealth;
        connection.setAutoCommit(false);
        insertRequest = dialect.prepareBulkInsert(connection, RequestRows.INSERT_REQUEST);
        insertAttempt = dialect.prepareBulkInsert(connection, RequestRows.INSERT_ATTEMPT);
        takeIds = connection.prepareStatement(
                "UPDATE request_id_blocks SET next_id = next_id + ? WHERE name = 'requests'");
        readIds = connection.prepareStatement("SELECT next_id FROM request_id_blocks WHERE name = 'requests'");
        hourly = new RollupLevel(connection, dialect, "rollup_hourly", "latency_hourly", "hour_epoch");
        daily = new RollupLevel(connection, dialect, "rollup_daily", "latency_daily", "day_epoch");
        budgetSpend = new BudgetSpendTable(connection, dialect, instance);
        connection.commit();
    }

    Connection connection() {
        return connection;
    }

    /**
     * Writes the batch in one transaction, or nothing (rolled back) and throws.
     *
     * @param previews applied to prompt and answer previews before they are stored (may return null)
     */
    void write(List<RequestRecord> batch, UnaryOperator<String> previews) throws SQLException {
        // sorted keys: writers in two gateways then lock shared rollup rows in the same order (no deadlock)
        Map<RollupKey, Totals> hours = new TreeMap<>(RollupKey.ORDER);
        Map<List<Long>, long[]> hourLatency = new TreeMap<>(LATENCY_ORDER);
        long id = takeIds(batch.size());
        try {
            for (RequestRecord r : batch) {
                RequestRows.bindRequest(insertRequest, id, r, instance, previews.apply(r.promptPreview()),
                        previews.apply(r.answerPreview()));
                insertRequest.addBatch();
                for (AttemptRecord a : r.attempts()) {
                    RequestRows.bindAttempt(insertAttempt, id, a);
                    insertAttempt.addBatch();
                }
                RollupKey key = RollupKey.of(r);
                hours.computeIfAbsent(key, k -> new Totals()).add(r);
                hourLatency.computeIfAbsent(List.of(key.periodEpoch(),
                        (long) LatencyBuckets.bucketOf(r.latencyMillis())), k -> new long[1])[0]++;
                id++;
            }
            insertRequest.executeBatch();
            insertAttempt.executeBatch();
            hourly.upsert(hours, hourLatency);
            daily.upsert(totalsByDay(hours), latencyByDay(hourLatency));
            budgetSpend.add(batch);
            var newSessions = SessionTable.upsert(connection, SessionTable.deltas(batch));
            cacheHealth.afterBatch(connection, batch, newSessions);
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            cacheHealth.forgetAll();
            throw e;
        }
    }

    /**
     * Reserves {@code count} request ids in a transaction of its own (committed at once, so writers elsewhere
     * wait only for this, not for a whole batch) and returns the first. Ids of a batch that then fails are
     * simply never used.
     */
    private long takeIds(int count) throws SQLException {
        try {
            takeIds.setLong(1, count);
            if (takeIds.executeUpdate() != 1) {
                throw new SQLException("request_id_blocks has no 'requests' row");
            }
            long next;
            try (ResultSet rs = readIds.executeQuery()) {
                rs.next();
                next = rs.getLong(1);
            }
            connection.commit();
            return next - count;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            throw e;
        }
    }

    /**
     * Deletes requests (with their attempts) and rollups before the start of a UTC day, so the hourly and daily
     * levels always cover the same requests; returns the number of requests deleted.
     */
    int purgeBefore(long cutoffDayEpoch) throws SQLException {
        try (PreparedStatement attempts = connection.prepareStatement("DELETE FROM request_attempts WHERE "
                + "request_id IN (SELECT id FROM requests WHERE ts_micros < ?)");
                PreparedStatement requests = connection.prepareStatement("DELETE FROM requests WHERE ts_micros < ?");
                PreparedStatement rollups = connection.prepareStatement(
                        "DELETE FROM rollup_hourly WHERE hour_epoch < ?");
                PreparedStatement latencies = connection.prepareStatement(
                        "DELETE FROM latency_hourly WHERE hour_epoch < ?");
                PreparedStatement dailyRollups = connection.prepareStatement(
                        "DELETE FROM rollup_daily WHERE day_epoch < ?");
                PreparedStatement dailyLatencies = connection.prepareStatement(
                        "DELETE FROM latency_daily WHERE day_epoch < ?");
                PreparedStatement spend = connection.prepareStatement(
                        "DELETE FROM budget_spend WHERE slot_epoch < ?")) {
            long cutoffHourEpoch = Math.multiplyExact(cutoffDayEpoch, 24);
            long cutoffMicros = Math.multiplyExact(cutoffHourEpoch, RequestRows.HOUR_MICROS);
            attempts.setLong(1, cutoffMicros);
            attempts.executeUpdate();
            requests.setLong(1, cutoffMicros);
            int deleted = requests.executeUpdate();
            rollups.setLong(1, cutoffHourEpoch);
            rollups.executeUpdate();
            latencies.setLong(1, cutoffHourEpoch);
            latencies.executeUpdate();
            dailyRollups.setLong(1, cutoffDayEpoch);
            dailyRollups.executeUpdate();
            dailyLatencies.setLong(1, cutoffDayEpoch);
            dailyLatencies.executeUpdate();
            spend.setLong(1, Math.floorDiv(cutoffMicros, BudgetSpendTable.SLOT_MICROS));
            spend.executeUpdate();
            for (String cut : SessionTable.afterPurge(connection, cutoffMicros)) {
                cacheHealth.rebuild(connection, cut);
            }
            connection.commit();
            return deleted;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            cacheHealth.forgetAll();
            throw e;
        }
    }

    private static final Comparator<List<Long>> LATENCY_ORDER = Comparator.<List<Long>>comparingLong(k -> k.get(0))
            .thenComparingLong(k -> k.get(1));

    private static Map<RollupKey, Totals> totalsByDay(Map<RollupKey, Totals> hours) {
        Map<RollupKey, Totals> days = new TreeMap<>(RollupKey.ORDER);
        hours.forEach((k, t) -> days.computeIfAbsent(new RollupKey(Math.floorDiv(k.periodEpoch(), 24),
                k.finalModel(), k.tier(), k.classifierLayer(), k.cacheKind()), d -> new Totals()).add(t));
        return days;
    }

    private static Map<List<Long>, long[]> latencyByDay(Map<List<Long>, long[]> hours) {
        Map<List<Long>, long[]> days = new TreeMap<>(LATENCY_ORDER);
        hours.forEach((k, n) -> days.computeIfAbsent(List.of(Math.floorDiv(k.get(0), 24), k.get(1)),
                d -> new long[1])[0] += n[0]);
        return days;
    }

    private void rollbackQuietly() {
        try {
            insertRequest.clearBatch();
            insertAttempt.clearBatch();
            hourly.clearBatches();
            daily.clearBatches();
            budgetSpend.clearBatches();
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the store closes it and opens a new one for the next batch
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing a broken connection: nothing left to release
        }
    }

    /**
     * One level of rollup tables (hourly or daily): totals by key and latency histogram by bucket, each added to
     * with UPDATE and, for keys not there yet, INSERT (portable; no vendor upsert syntax).
     */
    private static final class RollupLevel {
        private static final List<String> KEYS = List.of("final_model", "tier", "classifier_layer", "cache_kind");
        private static final List<String> MEASURES = List.of("requests", "errors", "escalated_requests",
                "escalations", "input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens",
                "cost_usd", "counterfactual_usd", "saved_usd", "latency_sum_ms");

        /** Non-null when the dialect adds in one statement; then the four below are null. */
        private final PreparedStatement addTotals;
        private final PreparedStatement addLatency;
        private final PreparedStatement updateTotals;
        private final PreparedStatement insertTotals;
        private final PreparedStatement updateLatency;
        private final PreparedStatement insertLatency;

        RollupLevel(Connection c, Dialect dialect, String totalsTable, String latencyTable, String timeColumn)
                throws SQLException {
            String addTotalsSql = dialect.addToRollup(totalsTable, timeColumn, KEYS, MEASURES);
            if (addTotalsSql != null) {
                addTotals = c.prepareStatement(addTotalsSql);
                addLatency = c.prepareStatement(dialect.addToRollup(latencyTable, timeColumn,
                        List.of("latency_bucket"), List.of("requests")));
                updateTotals = null;
                insertTotals = null;
                updateLatency = null;
                insertLatency = null;
                return;
            }
            addTotals = null;
            addLatency = null;
            updateTotals = c.prepareStatement("UPDATE " + totalsTable + " SET requests = requests + ?, "
                    + "errors = errors + ?, escalated_requests = escalated_requests + ?, "
                    + "escalations = escalations + ?, input_tokens = input_tokens + ?, "
                    + "output_tokens = output_tokens + ?, cache_creation_tokens = cache_creation_tokens + ?, "
                    + "cache_read_tokens = cache_read_tokens + ?, cost_usd = cost_usd + ?, "
                    + "counterfactual_usd = counterfactual_usd + ?, saved_usd = saved_usd + ?, "
                    + "latency_sum_ms = latency_sum_ms + ? WHERE " + timeColumn + " = ? AND final_model = ? "
                    + "AND tier = ? AND classifier_layer = ? AND cache_kind = ?");
            insertTotals = c.prepareStatement("INSERT INTO " + totalsTable + " (requests, errors, "
                    + "escalated_requests, escalations, input_tokens, output_tokens, cache_creation_tokens, "
                    + "cache_read_tokens, cost_usd, counterfactual_usd, saved_usd, latency_sum_ms, " + timeColumn
                    + ", final_model, tier, classifier_layer, cache_kind) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            updateLatency = c.prepareStatement("UPDATE " + latencyTable + " SET requests = requests + ? WHERE "
                    + timeColumn + " = ? AND latency_bucket = ?");
            insertLatency = c.prepareStatement("INSERT INTO " + latencyTable + " (requests, " + timeColumn
                    + ", latency_bucket) VALUES (?, ?, ?)");
        }

        void upsert(Map<RollupKey, Totals> totals, Map<List<Long>, long[]> latency) throws SQLException {
            if (addTotals != null) {
                for (Map.Entry<RollupKey, Totals> e : totals.entrySet()) {
                    bindTotals(addTotals, e.getKey(), e.getValue());
                    addTotals.addBatch();
                }
                addTotals.executeBatch();
                for (Map.Entry<List<Long>, long[]> e : latency.entrySet()) {
                    bindLatency(addLatency, e.getKey(), e.getValue()[0]);
                    addLatency.addBatch();
                }
                addLatency.executeBatch();
                return;
            }
            List<Map.Entry<RollupKey, Totals>> entries = new ArrayList<>(totals.entrySet());
            for (Map.Entry<RollupKey, Totals> e : entries) {
                bindTotals(updateTotals, e.getKey(), e.getValue());
                updateTotals.addBatch();
            }
            int[] updated = updateTotals.executeBatch();
            boolean inserts = false;
            for (int i = 0; i < updated.length; i++) {
                if (updated[i] == 0) {
                    bindTotals(insertTotals, entries.get(i).getKey(), entries.get(i).getValue());
                    insertTotals.addBatch();
                    inserts = true;
                }
            }
            if (inserts) {
                insertTotals.executeBatch();
            }
            List<Map.Entry<List<Long>, long[]>> buckets = new ArrayList<>(latency.entrySet());
            for (Map.Entry<List<Long>, long[]> e : buckets) {
                bindLatency(updateLatency, e.getKey(), e.getValue()[0]);
                updateLatency.addBatch();
            }
            updated = updateLatency.executeBatch();
            inserts = false;
            for (int i = 0; i < updated.length; i++) {
                if (updated[i] == 0) {
                    bindLatency(insertLatency, buckets.get(i).getKey(), buckets.get(i).getValue()[0]);
                    insertLatency.addBatch();
                    inserts = true;
                }
            }
            if (inserts) {
                insertLatency.executeBatch();
            }
        }

        void clearBatches() throws SQLException {
            for (PreparedStatement ps : new PreparedStatement[] {addTotals, addLatency, updateTotals, insertTotals,
                updateLatency, insertLatency}) {
                if (ps != null) {
                    ps.clearBatch();
                }
            }
        }

        /** Same parameter order for the UPDATE and the INSERT: the measures, then the key. */
        private static void bindTotals(PreparedStatement ps, RollupKey k, Totals t) throws SQLException {
            int i = 1;
            ps.setLong(i++, t.requests);
            ps.setLong(i++, t.errors);
            ps.setLong(i++, t.escalatedRequests);
            ps.setLong(i++, t.escalations);
            ps.setLong(i++, t.inputTokens);
            ps.setLong(i++, t.outputTokens);
            ps.setLong(i++, t.cacheCreationTokens);
            ps.setLong(i++, t.cacheReadTokens);
            ps.setDouble(i++, t.costUsd);
            ps.setDouble(i++, t.counterfactualUsd);
            ps.setDouble(i++, t.savedUsd);
            ps.setLong(i++, t.latencySumMillis);
            ps.setLong(i++, k.periodEpoch());
            ps.setString(i++, k.finalModel());
            ps.setString(i++, k.tier());
            ps.setString(i++, k.classifierLayer());
            ps.setString(i, k.cacheKind());
        }

        private static void bindLatency(PreparedStatement ps, List<Long> key, long count) throws SQLException {
            ps.setLong(1, count);
            ps.setLong(2, key.get(0));
            ps.setInt(3, key.get(1).intValue());
        }
    }
}
