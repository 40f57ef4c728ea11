package dev.costgateway.core.metrics;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.HashSet;
import java.util.Map;
import java.util.TreeSet;

import dev.costgateway.core.metrics.MetricsQueries.SessionRow;
import dev.costgateway.core.session.SessionTag;

/**
 * The {@code sessions} table (V2): one row of totals per session, kept by the writer with each batch, and the
 * same figures computed from the request rows for a session cut by a range's edges. Not thread-safe; the
 * statements belong to the connection they are made on.
 */
final class SessionTable {

    static final String COLUMNS = "session_id, session_source, project, first_micros, end_micros, requests, "
            + "models, cost_usd, counterfactual_usd, saved_usd, input_tokens, output_tokens, cache_creation_tokens, "
            + "cache_read_tokens, cache_hits, escalations, errors, cache_warnings, cache_wasted_usd";

    private static final String MODEL_SEPARATOR = "|";
    private static final int MODELS_CHARS = 2000;

    private SessionTable() {
    }

    /** Sums of one session within one batch (or one range). */
    static final class Delta {
        final String id;
        String source;
        String project;
        String callerKeyHash;
        long firstMicros = Long.MAX_VALUE;
        long lastMicros = Long.MIN_VALUE;
        long endMicros = Long.MIN_VALUE;
        long requests;
        long errors;
        long escalations;
        long cacheHits;
        long inputTokens;
        long outputTokens;
        long cacheCreationTokens;
        long cacheReadTokens;
        double costUsd;
        double counterfactualUsd;
        double savedUsd;
        final TreeSet<String> models = new TreeSet<>();

        Delta(String id) {
            this.id = id;
        }

        void add(RequestRecord r) {
            SessionTag s = r.session();
            if (source == null) {
                source = s.source().wire();
                callerKeyHash = r.callerKeyHash() == null ? "" : r.callerKeyHash();
            }
            if ((project == null || project.isEmpty()) && !s.project().isEmpty()) {
                project = RequestRows.cut(s.project(), RequestRows.PROJECT_CHARS);
            }
            long start = RequestRows.toMicros(r.timestamp());
            firstMicros = Math.min(firstMicros, start);
            lastMicros = Math.max(lastMicros, start);
            endMicros = Math.max(endMicros, start + Math.max(0, r.latencyMillis()) * 1000);
            requests++;
            errors += r.errorType() != null ? 1 : 0;
            escalations += r.escalations();
            cacheHits += "exact".equals(r.cacheKind()) || "semantic".equals(r.cacheKind()) ? 1 : 0;
            if (r.usage() != null) {
                inputTokens += r.usage().inputTokens();
                outputTokens += r.usage().outputTokens();
                cacheCreationTokens += r.usage().cacheCreationInputTokens();
                cacheReadTokens += r.usage().cacheReadInputTokens();
            }
            costUsd += finite(r.costUsd());
            counterfactualUsd += finite(r.counterfactualUsd());
            savedUsd += finite(r.savedUsd());
            if (r.finalModel() != null && !r.finalModel().isEmpty()) {
                models.add(RequestRows.cut(r.finalModel(), RequestRows.MODEL_CHARS));
            }
        }

        /** @param whole the session's row in the table, whose prompt-cache findings (of the whole session) it keeps */
        SessionRow toRow(SessionRow whole) {
            return new SessionRow(id, source == null ? "" : source, project == null ? "" : project,
                    RequestRows.fromMicros(firstMicros), RequestRows.fromMicros(endMicros), requests,
                    new ArrayList<>(models), costUsd, counterfactualUsd, savedUsd, inputTokens, outputTokens,
                    cacheCreationTokens, cacheReadTokens, cacheHits, escalations, errors, whole.cacheWarnings(),
                    whole.cacheWastedUsd());
        }
    }

    /** The records' sums per session id (records without a session are left out), in first-seen order. */
    static Map<String, Delta> deltas(List<RequestRecord> batch) {
        Map<String, Delta> out = new LinkedHashMap<>();
        for (RequestRecord r : batch) {
            if (r.session().isPresent()) {
                String id = RequestRows.cut(r.session().id(), RequestRows.SESSION_ID_CHARS);
                out.computeIfAbsent(id, Delta::new).add(r);
            }
        }
        return out;
    }

    /** Adds the batch's sums to the table (UPDATE, then INSERT for new sessions; portable, no vendor upsert). */
    static Set<String> upsert(Connection c, Map<String, Delta> deltas) throws SQLException {
        if (deltas.isEmpty()) {
            return Set.of();
        }
        Set<String> inserted = new HashSet<>();
        Map<String, String[]> existing = new HashMap<>(); // id -> {models, project}
        List<String> ids = new ArrayList<>(deltas.keySet());
        for (int start = 0; start < ids.size(); start += 100) {
            List<String> chunk = ids.subList(start, Math.min(ids.size(), start + 100));
            String in = String.join(", ", Collections.nCopies(chunk.size(), "?"));
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT session_id, models, project FROM sessions WHERE session_id IN (" + in + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        existing.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3)});
                    }
                }
            }
        }
        try (PreparedStatement update = c.prepareStatement("UPDATE sessions SET "
                + "first_micros = LEAST(first_micros, ?), last_micros = GREATEST(last_micros, ?), "
                + "end_micros = GREATEST(end_micros, ?), requests = requests + ?, errors = errors + ?, "
                + "escalations = escalations + ?, cache_hits = cache_hits + ?, input_tokens = input_tokens + ?, "
                + "output_tokens = output_tokens + ?, cache_creation_tokens = cache_creation_tokens + ?, "
                + "cache_read_tokens = cache_read_tokens + ?, cost_usd = cost_usd + ?, "
                + "counterfactual_usd = counterfactual_usd + ?, saved_usd = saved_usd + ?, models = ?, "
                + "project = ? WHERE session_id = ?");
                PreparedStatement insert = c.prepareStatement("INSERT INTO sessions (first_micros, last_micros, "
                        + "end_micros, requests, errors, escalations, cache_hits, input_tokens, output_tokens, "
                        + "cache_creation_tokens, cache_read_tokens, cost_usd, counterfactual_usd, saved_usd, "
                        + "models, project, session_id, session_source, caller_key_hash) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            boolean updates = false;
            boolean inserts = false;
            for (Delta d : deltas.values()) {
                String[] old = existing.get(d.id);
                if (old != null) {
                    TreeSet<String> models = new TreeSet<>(splitModels(old[0]));
                    models.addAll(d.models);
                    String project = old[1] == null || old[1].isEmpty() ? nz(d.project) : old[1];
                    int i = bindMeasures(update, d);
                    update.setString(i++, joinModels(models));
                    update.setString(i++, project);
                    update.setString(i, d.id);
                    update.addBatch();
                    updates = true;
                } else {
                    int i = bindMeasures(insert, d);
                    insert.setString(i++, joinModels(d.models));
                    insert.setString(i++, nz(d.project));
                    insert.setString(i++, d.id);
                    insert.setString(i++, RequestRows.cut(nz(d.source), RequestRows.SESSION_SOURCE_CHARS));
                    insert.setString(i, RequestRows.cut(nz(d.callerKeyHash), RequestRows.KEY_HASH_CHARS));
                    insert.addBatch();
                    inserts = true;
                    inserted.add(d.id);
                }
            }
            if (updates) {
                update.executeBatch();
            }
            if (inserts) {
                insert.executeBatch();
            }
        }
        return inserted;
    }

    /**
     * After the purge deleted requests before {@code cutoffMicros}: drops sessions with nothing left and recomputes
     * the totals of sessions that started before the cutoff from their remaining rows; returns the latter, whose
     * prompt-cache findings must be judged again.
     */
    static List<String> afterPurge(Connection c, long cutoffMicros) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM sessions WHERE last_micros < ?")) {
            ps.setLong(1, cutoffMicros);
            ps.executeUpdate();
        }
        List<String> cut = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT session_id FROM sessions WHERE first_micros < ?")) {
            ps.setLong(1, cutoffMicros);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    cut.add(rs.getString(1));
                }
            }
        }
        for (String id : cut) {
            Delta d = fromRequests(c, id, null, null);
            try (PreparedStatement del = c.prepareStatement("DELETE FROM sessions WHERE session_id = ?")) {
                del.setString(1, id);
                del.executeUpdate();
            }
            if (d != null) {
                upsert(c, Map.of(id, d));
            }
        }
        return cut;
    }

    /** One session's sums from its request rows in [from, to) (null bounds open); null when it has none there. */
    static Delta fromRequests(Connection c, String id, Long fromMicros, Long toMicros) throws SQLException {
        return fromRequests(c, id, fromMicros, toMicros, null);
    }

    /** @param instance only the rows of this gateway instance ("" = rows without one); null = every row */
    static Delta fromRequests(Connection c, String id, Long fromMicros, Long toMicros, String instance)
            throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT " + RequestRows.REQUEST_COLUMNS
                + " FROM requests WHERE session_id = ?");
        List<Object> params = new ArrayList<>(List.of(id));
        if (instance != null) {
            sql.append(" AND COALESCE(instance, '') = ?");
            params.add(instance);
        }
        if (fromMicros != null) {
            sql.append(" AND ts_micros >= ?");
            params.add(fromMicros);
        }
        if (toMicros != null) {
            sql.append(" AND ts_micros < ?");
            params.add(toMicros);
        }
        Delta d = new Delta(id);
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    d.add(RequestRows.readRequest(rs, List.of()));
                }
            }
        }
        return d.requests == 0 ? null : d;
    }

    /** A row selected with {@link #COLUMNS}. */
    static SessionRow readRow(ResultSet rs) throws SQLException {
        int i = 1;
        return new SessionRow(rs.getString(i++), rs.getString(i++), rs.getString(i++),
                RequestRows.fromMicros(rs.getLong(i++)), RequestRows.fromMicros(rs.getLong(i++)), rs.getLong(i++),
                splitModels(rs.getString(i++)), rs.getDouble(i++), rs.getDouble(i++), rs.getDouble(i++),
                rs.getLong(i++), rs.getLong(i++), rs.getLong(i++), rs.getLong(i++), rs.getLong(i++), rs.getLong(i++),
                rs.getLong(i++), rs.getLong(i++), rs.getDouble(i));
    }

    private static int bindMeasures(PreparedStatement ps, Delta d) throws SQLException {
        int i = 1;
        ps.setLong(i++, d.firstMicros);
        ps.setLong(i++, d.lastMicros);
        ps.setLong(i++, d.endMicros);
        ps.setLong(i++, d.requests);
        ps.setLong(i++, d.errors);
        ps.setLong(i++, d.escalations);
        ps.setLong(i++, d.cacheHits);
        ps.setLong(i++, d.inputTokens);
        ps.setLong(i++, d.outputTokens);
        ps.setLong(i++, d.cacheCreationTokens);
        ps.setLong(i++, d.cacheReadTokens);
        ps.setDouble(i++, d.costUsd);
        ps.setDouble(i++, d.counterfactualUsd);
        ps.setDouble(i++, d.savedUsd);
        return i;
    }

    static List<String> splitModels(String s) {
        if (s == null || s.isEmpty()) {
            return List.of();
        }
        return Arrays.asList(s.split("\\" + MODEL_SEPARATOR));
    }

    /** Joined set; when it would not fit the column, the models that fit (the set is sorted, so this is stable). */
    private static String joinModels(java.util.Collection<String> models) {
        StringBuilder sb = new StringBuilder();
        for (String m : models) {
            if (sb.length() + m.length() + 1 > MODELS_CHARS) {
                break;
            }
            if (sb.length() > 0) {
                sb.append(MODEL_SEPARATOR);
            }
            sb.append(m);
        }
        return sb.toString();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static double finite(Double v) {
        return v == null || v.isNaN() || v.isInfinite() ? 0 : v;
    }
}
