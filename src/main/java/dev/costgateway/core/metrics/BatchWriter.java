package dev.costgateway.core.metrics;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Writes batches of records over one connection: request rows, attempt rows and the hourly rollups, all in one
 * transaction per batch. Used only by the store's writer thread.
 */
final class BatchWriter implements AutoCloseable {

    private static final String UPDATE_ROLLUP = "UPDATE rollup_hourly SET requests = requests + ?, "
            + "errors = errors + ?, escalated_requests = escalated_requests + ?, escalations = escalations + ?, "
            + "input_tokens = input_tokens + ?, output_tokens = output_tokens + ?, "
            + "cache_creation_tokens = cache_creation_tokens + ?, cache_read_tokens = cache_read_tokens + ?, "
            + "cost_usd = cost_usd + ?, counterfactual_usd = counterfactual_usd + ?, saved_usd = saved_usd + ?, "
            + "latency_sum_ms = latency_sum_ms + ? "
            + "WHERE hour_epoch = ? AND final_model = ? AND tier = ? AND classifier_layer = ? AND cache_kind = ?";

    private static final String INSERT_ROLLUP = "INSERT INTO rollup_hourly (requests, errors, escalated_requests, "
            + "escalations, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, cost_usd, "
            + "counterfactual_usd, saved_usd, latency_sum_ms, hour_epoch, final_model, tier, classifier_layer, "
            + "cache_kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static final String UPDATE_LATENCY = "UPDATE latency_hourly SET requests = requests + ? "
            + "WHERE hour_epoch = ? AND latency_bucket = ?";

    private static final String INSERT_LATENCY =
            "INSERT INTO latency_hourly (requests, hour_epoch, latency_bucket) VALUES (?, ?, ?)";

    private final Connection connection;
    private final PreparedStatement insertRequest;
    private final PreparedStatement insertAttempt;
    private final PreparedStatement updateRollup;
    private final PreparedStatement insertRollup;
    private final PreparedStatement updateLatency;
    private final PreparedStatement insertLatency;
    private long nextId;

    BatchWriter(Connection connection) throws SQLException {
        this.connection = connection;
        connection.setAutoCommit(false);
        insertRequest = connection.prepareStatement(RequestRows.INSERT_REQUEST);
        insertAttempt = connection.prepareStatement(RequestRows.INSERT_ATTEMPT);
        updateRollup = connection.prepareStatement(UPDATE_ROLLUP);
        insertRollup = connection.prepareStatement(INSERT_ROLLUP);
        updateLatency = connection.prepareStatement(UPDATE_LATENCY);
        insertLatency = connection.prepareStatement(INSERT_LATENCY);
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(id), 0) FROM requests")) {
            rs.next();
            nextId = rs.getLong(1) + 1;
        }
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
        Map<RollupKey, Totals> rollup = new LinkedHashMap<>();
        Map<List<Long>, long[]> latency = new LinkedHashMap<>();
        long id = nextId;
        try {
            for (RequestRecord r : batch) {
                RequestRows.bindRequest(insertRequest, id, r, previews.apply(r.promptPreview()),
                        previews.apply(r.answerPreview()));
                insertRequest.addBatch();
                for (AttemptRecord a : r.attempts()) {
                    RequestRows.bindAttempt(insertAttempt, id, a);
                    insertAttempt.addBatch();
                }
                RollupKey key = RollupKey.of(r);
                rollup.computeIfAbsent(key, k -> new Totals()).add(r);
                latency.computeIfAbsent(List.of(key.hourEpoch(), (long) LatencyBuckets.bucketOf(r.latencyMillis())),
                        k -> new long[1])[0]++;
                id++;
            }
            insertRequest.executeBatch();
            insertAttempt.executeBatch();
            upsertRollup(rollup);
            upsertLatency(latency);
            connection.commit();
            nextId = id;
        } catch (SQLException | RuntimeException e) {
            insertRequest.clearBatch();
            insertAttempt.clearBatch();
            rollbackQuietly();
            throw e;
        }
    }

    /** Deletes requests (with their attempts) and rollup hours before the cutoff; returns deleted requests. */
    int purgeBefore(long cutoffHourEpoch) throws SQLException {
        try (PreparedStatement attempts = connection.prepareStatement("DELETE FROM request_attempts WHERE "
                + "request_id IN (SELECT id FROM requests WHERE ts_micros < ?)");
                PreparedStatement requests = connection.prepareStatement("DELETE FROM requests WHERE ts_micros < ?");
                PreparedStatement rollups = connection.prepareStatement(
                        "DELETE FROM rollup_hourly WHERE hour_epoch < ?");
                PreparedStatement latencies = connection.prepareStatement(
                        "DELETE FROM latency_hourly WHERE hour_epoch < ?")) {
            long cutoffMicros = Math.multiplyExact(cutoffHourEpoch, RequestRows.HOUR_MICROS);
            attempts.setLong(1, cutoffMicros);
            attempts.executeUpdate();
            requests.setLong(1, cutoffMicros);
            int deleted = requests.executeUpdate();
            rollups.setLong(1, cutoffHourEpoch);
            rollups.executeUpdate();
            latencies.setLong(1, cutoffHourEpoch);
            latencies.executeUpdate();
            connection.commit();
            return deleted;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            throw e;
        }
    }

    private void upsertRollup(Map<RollupKey, Totals> rollup) throws SQLException {
        List<Map.Entry<RollupKey, Totals>> entries = new ArrayList<>(rollup.entrySet());
        for (Map.Entry<RollupKey, Totals> e : entries) {
            bindRollup(updateRollup, e.getKey(), e.getValue());
            updateRollup.addBatch();
        }
        int[] updated = updateRollup.executeBatch();
        boolean inserts = false;
        for (int i = 0; i < updated.length; i++) {
            if (updated[i] == 0) {
                bindRollup(insertRollup, entries.get(i).getKey(), entries.get(i).getValue());
                insertRollup.addBatch();
                inserts = true;
            }
        }
        if (inserts) {
            insertRollup.executeBatch();
        }
    }

    private void upsertLatency(Map<List<Long>, long[]> latency) throws SQLException {
        List<Map.Entry<List<Long>, long[]>> entries = new ArrayList<>(latency.entrySet());
        for (Map.Entry<List<Long>, long[]> e : entries) {
            bindLatency(updateLatency, e.getKey(), e.getValue()[0]);
            updateLatency.addBatch();
        }
        int[] updated = updateLatency.executeBatch();
        boolean inserts = false;
        for (int i = 0; i < updated.length; i++) {
            if (updated[i] == 0) {
                bindLatency(insertLatency, entries.get(i).getKey(), entries.get(i).getValue()[0]);
                insertLatency.addBatch();
                inserts = true;
            }
        }
        if (inserts) {
            insertLatency.executeBatch();
        }
    }

    /** Same parameter order for the UPDATE and the INSERT: the measures, then the key. */
    private static void bindRollup(PreparedStatement ps, RollupKey k, Totals t) throws SQLException {
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
        ps.setLong(i++, k.hourEpoch());
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

    private void rollbackQuietly() {
        try {
            updateRollup.clearBatch();
            insertRollup.clearBatch();
            updateLatency.clearBatch();
            insertLatency.clearBatch();
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
}
