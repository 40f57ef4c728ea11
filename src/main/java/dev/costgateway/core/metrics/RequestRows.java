package dev.costgateway.core.metrics;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.session.SessionTag;

/** The mapping between {@link RequestRecord}/{@link AttemptRecord} and their table rows, both directions. */
final class RequestRows {

    static final long HOUR_MICROS = 3_600_000_000L;

    static final String REQUEST_COLUMNS = "id, query_id, ts_micros, caller_key_hash, requested_model, final_model, "
            + "tier, classifier_layer, classifier_reason, cache_kind, escalations, streamed, status, error_type, "
            + "input_tokens, output_tokens, cache_creation_tokens, cache_creation_5m_tokens, "
            + "cache_creation_1h_tokens, cache_read_tokens, cost_usd, counterfactual_usd, saved_usd, latency_ms, "
            + "latency_bucket, ttfb_ms, upstream_ms, prompt_preview, answer_preview, session_id, session_source, project, "
            + "cache_breakpoints, "
            + "score_premium, score_balanced, score_model, threshold_premium, threshold_fast, threshold_source, "
            + "route_ceiling";

    static final String INSERT_REQUEST = "INSERT INTO requests (" + REQUEST_COLUMNS + ", instance) VALUES ("
            + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            + "?, ?, ?, ?, ?, ?, ?)";

    static final String ATTEMPT_COLUMNS = "request_id, attempt_index, purpose, model, attempt_trigger, status, "
            + "input_tokens, output_tokens, cache_creation_tokens, cache_creation_5m_tokens, "
            + "cache_creation_1h_tokens, cache_read_tokens, cost_usd, latency_ms";

    static final String INSERT_ATTEMPT = "INSERT INTO request_attempts (" + ATTEMPT_COLUMNS + ") VALUES ("
            + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    /** Column widths from V1__init.sql: longer values are cut so one odd record cannot fail a whole batch. */
    static final int ID_CHARS = 64;
    static final int KEY_HASH_CHARS = 128;
    static final int MODEL_CHARS = 200;
    static final int SHORT_CHARS = 32;
    static final int REASON_CHARS = 1000;
    static final int ERROR_CHARS = 64;
    static final int TRIGGER_CHARS = 300;
    static final int PREVIEW_CHARS = 20000;
    static final int INSTANCE_CHARS = 200;
    /** From V2__sessions.sql. */
    static final int SESSION_ID_CHARS = 128;
    static final int SESSION_SOURCE_CHARS = 16;
    static final int PROJECT_CHARS = 1000;
    /** From V3__router_scores.sql. */
    static final int SCORE_TEXT_CHARS = 32;

    private RequestRows() {
    }

    static long toMicros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }

    static Instant fromMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    static long hourOf(long micros) {
        return Math.floorDiv(micros, HOUR_MICROS);
    }

    /** Binds one request row; previews are passed in already filtered by the store's text policy. */
    static void bindRequest(PreparedStatement ps, long id, RequestRecord r, String instance, String prompt,
            String answer) throws SQLException {
        int i = 1;
        ps.setLong(i++, id);
        ps.setString(i++, cut(r.queryId() == null ? "" : r.queryId(), ID_CHARS));
        ps.setLong(i++, toMicros(r.timestamp()));
        ps.setString(i++, cut(r.callerKeyHash(), KEY_HASH_CHARS));
        ps.setString(i++, cut(r.requestedModel(), MODEL_CHARS));
        ps.setString(i++, cut(r.finalModel(), MODEL_CHARS));
        ps.setString(i++, cut(r.tier(), SHORT_CHARS));
        ps.setString(i++, cut(r.classifierLayer(), SHORT_CHARS));
        ps.setString(i++, cut(r.classifierReason(), REASON_CHARS));
        ps.setString(i++, cut(r.cacheKind(), SHORT_CHARS));
        ps.setInt(i++, r.escalations());
        ps.setBoolean(i++, r.stream());
        ps.setInt(i++, r.status());
        ps.setString(i++, cut(r.errorType(), ERROR_CHARS));
        i = bindUsage(ps, i, r.usage());
        setDouble(ps, i++, r.costUsd());
        setDouble(ps, i++, r.counterfactualUsd());
        setDouble(ps, i++, r.savedUsd());
        ps.setLong(i++, r.latencyMillis());
        ps.setInt(i++, LatencyBuckets.bucketOf(r.latencyMillis()));
        ps.setLong(i++, r.ttfbMillis());
        ps.setLong(i++, r.upstreamMillis());
        ps.setString(i++, prompt);
        ps.setString(i++, answer);
        SessionTag s = r.session();
        if (s.isPresent()) {
            ps.setString(i++, cut(s.id(), SESSION_ID_CHARS));
            ps.setString(i++, cut(s.source().wire(), SESSION_SOURCE_CHARS));
            ps.setString(i++, cut(s.project(), PROJECT_CHARS));
        } else {
            ps.setNull(i++, Types.VARCHAR);
            ps.setNull(i++, Types.VARCHAR);
            ps.setNull(i++, Types.VARCHAR);
        }
        ps.setInt(i++, s.cacheBreakpoints());
        i = bindScores(ps, i, r.routerScores());
        ps.setString(i, cut(instance, INSTANCE_CHARS));
    }

    static void bindAttempt(PreparedStatement ps, long requestId, AttemptRecord a) throws SQLException {
        int i = 1;
        ps.setLong(i++, requestId);
        ps.setInt(i++, a.index());
        ps.setString(i++, cut(a.purpose(), SHORT_CHARS));
        ps.setString(i++, cut(a.model(), MODEL_CHARS));
        ps.setString(i++, cut(a.trigger(), TRIGGER_CHARS));
        ps.setInt(i++, a.status());
        i = bindUsage(ps, i, a.usage());
        setDouble(ps, i++, a.costUsd());
        ps.setLong(i, a.latencyMillis());
    }

    /** Reads a row selected with {@link #REQUEST_COLUMNS} (attempts are added by the caller). */
    static RequestRecord readRequest(ResultSet rs, List<AttemptRecord> attempts) throws SQLException {
        return new RequestRecord(
                rs.getString("query_id"),
                fromMicros(rs.getLong("ts_micros")),
                rs.getString("caller_key_hash"),
                rs.getString("requested_model"),
                rs.getString("final_model"),
                rs.getString("tier"),
                rs.getString("classifier_layer"),
                rs.getString("classifier_reason"),
                rs.getString("cache_kind"),
                rs.getInt("escalations"),
                rs.getBoolean("streamed"),
                rs.getInt("status"),
                rs.getString("error_type"),
                readUsage(rs),
                getDouble(rs, "cost_usd"),
                getDouble(rs, "counterfactual_usd"),
                getDouble(rs, "saved_usd"),
                rs.getLong("latency_ms"),
                rs.getLong("ttfb_ms"),
                rs.getLong("upstream_ms"),
                rs.getString("prompt_preview"),
                rs.getString("answer_preview"),
                attempts,
                readSession(rs),
                readScores(rs));
    }

    /** The V3 columns; infinite thresholds are stored as they are (both databases keep them). */
    private static int bindScores(PreparedStatement ps, int i, RouterScores s) throws SQLException {
        if (s == null || Double.isNaN(s.premium()) || Double.isNaN(s.balanced())) {
            for (int k = 0; k < 7; k++) {
                ps.setNull(i++, k == 2 || k >= 5 ? Types.VARCHAR : Types.DOUBLE);
            }
            return i;
        }
        ps.setDouble(i++, s.premium());
        ps.setDouble(i++, s.balanced());
        ps.setString(i++, cut(s.model(), SCORE_TEXT_CHARS));
        setThreshold(ps, i++, s.premiumThreshold());
        setThreshold(ps, i++, s.fastThreshold());
        ps.setString(i++, cut(s.thresholdSource(), SCORE_TEXT_CHARS));
        ps.setString(i++, cut(s.ceiling(), SCORE_TEXT_CHARS));
        return i;
    }

    private static void setThreshold(PreparedStatement ps, int i, double v) throws SQLException {
        if (Double.isNaN(v)) {
            ps.setNull(i, Types.DOUBLE);
        } else {
            ps.setDouble(i, v);
        }
    }

    private static RouterScores readScores(ResultSet rs) throws SQLException {
        double premium = rs.getDouble("score_premium");
        if (rs.wasNull()) {
            return null;
        }
        Double premiumThreshold = getDouble(rs, "threshold_premium");
        Double fastThreshold = getDouble(rs, "threshold_fast");
        return new RouterScores(premium, rs.getDouble("score_balanced"), rs.getString("score_model"),
                premiumThreshold == null ? Double.NaN : premiumThreshold,
                fastThreshold == null ? Double.NaN : fastThreshold, rs.getString("threshold_source"),
                rs.getString("route_ceiling"));
    }

    private static SessionTag readSession(ResultSet rs) throws SQLException {
        String id = rs.getString("session_id");
        if (id == null) {
            return SessionTag.NONE;
        }
        String project = rs.getString("project");
        return new SessionTag(id, SessionTag.Source.ofWire(rs.getString("session_source")),
                project == null ? "" : project, rs.getInt("cache_breakpoints"));
    }

    /** The columns {@link #readScored} reads: no text, for the routing what-if over many rows. */
    static final String SCORED_COLUMNS = "query_id, ts_micros, requested_model, tier, classifier_layer, escalations, "
            + "input_tokens, output_tokens, cache_creation_tokens, cache_creation_5m_tokens, "
            + "cache_creation_1h_tokens, cache_read_tokens, cost_usd, score_premium, score_balanced, score_model, "
            + "threshold_premium, threshold_fast, threshold_source, route_ceiling";

    /** Reads a row selected with {@link #SCORED_COLUMNS}. */
    static MetricsQueries.ScoredRequest readScored(ResultSet rs) throws SQLException {
        return new MetricsQueries.ScoredRequest(rs.getString("query_id"), fromMicros(rs.getLong("ts_micros")),
                rs.getString("requested_model"), rs.getString("tier"), rs.getString("classifier_layer"),
                readUsage(rs), getDouble(rs, "cost_usd"), rs.getInt("escalations"), readScores(rs));
    }

    /** Reads a row selected with {@link #ATTEMPT_COLUMNS}. */
    static AttemptRecord readAttempt(ResultSet rs) throws SQLException {
        return new AttemptRecord(
                rs.getInt("attempt_index"),
                rs.getString("purpose"),
                rs.getString("model"),
                rs.getString("attempt_trigger"),
                rs.getInt("status"),
                readUsage(rs),
                getDouble(rs, "cost_usd"),
                rs.getLong("latency_ms"));
    }

    /**
     * Cuts a string to at most {@code max} chars without splitting a surrogate pair; null stays null. NUL
     * becomes U+FFFD: PostgreSQL text cannot hold it (a client can send one), and both databases store the same.
     */
    static String cut(String s, int max) {
        if (s != null && s.indexOf('\u0000') >= 0) {
            s = s.replace('\u0000', '\uFFFD');
        }
        if (s == null || s.length() <= max) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
        return s.substring(0, end);
    }

    private static int bindUsage(PreparedStatement ps, int i, Usage u) throws SQLException {
        if (u == null) {
            for (int k = 0; k < 6; k++) {
                ps.setNull(i++, Types.BIGINT);
            }
            return i;
        }
        ps.setLong(i++, u.inputTokens());
        ps.setLong(i++, u.outputTokens());
        ps.setLong(i++, u.cacheCreationInputTokens());
        ps.setLong(i++, u.cacheCreation5mTokens());
        ps.setLong(i++, u.cacheCreation1hTokens());
        ps.setLong(i++, u.cacheReadInputTokens());
        return i;
    }

    private static Usage readUsage(ResultSet rs) throws SQLException {
        long in = rs.getLong("input_tokens");
        if (rs.wasNull()) {
            return null;
        }
        return new Usage(in, rs.getLong("output_tokens"), rs.getLong("cache_creation_tokens"),
                rs.getLong("cache_creation_5m_tokens"), rs.getLong("cache_creation_1h_tokens"),
                rs.getLong("cache_read_tokens"));
    }

    private static void setDouble(PreparedStatement ps, int i, Double v) throws SQLException {
        if (v == null || v.isNaN() || v.isInfinite()) {
            ps.setNull(i, Types.DOUBLE);
        } else {
            ps.setDouble(i, v);
        }
    }

    private static Double getDouble(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }
}
