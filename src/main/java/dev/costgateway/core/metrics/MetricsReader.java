package dev.costgateway.core.metrics;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.costgateway.core.metrics.MetricsQueries.CounterRow;
import dev.costgateway.core.metrics.MetricsQueries.LatencyHistogram;
import dev.costgateway.core.metrics.MetricsQueries.ReportGrouping;
import dev.costgateway.core.metrics.MetricsQueries.ReportRow;
import dev.costgateway.core.metrics.MetricsQueries.RequestQuery;
import dev.costgateway.core.metrics.MetricsQueries.Summary;
import dev.costgateway.core.metrics.MetricsQueries.TimelinePoint;

/**
 * The SQL behind {@link MetricsQueries}. Aggregates over a time range read whole days and hours from the rollup
 * tables and only the partial hours at the range's edges from the request rows, so their cost depends on the
 * length of the range, not the number of requests. Thread-safe: every call uses its own connection.
 */
final class MetricsReader {

    /** Largest page {@link #requests} returns. */
    static final int MAX_LIMIT = 1000;

    private static final String ROLLUP_DIMS = "final_model, tier, classifier_layer, cache_kind";
    private static final String ROLLUP_MEASURES = "SUM(requests), SUM(errors), SUM(escalated_requests), "
            + "SUM(escalations), SUM(input_tokens), SUM(output_tokens), SUM(cache_creation_tokens), "
            + "SUM(cache_read_tokens), SUM(cost_usd), SUM(counterfactual_usd), SUM(saved_usd), SUM(latency_sum_ms)";
    private static final String RAW_DIMS =
            "COALESCE(final_model, ''), COALESCE(tier, ''), COALESCE(classifier_layer, ''), COALESCE(cache_kind, '')";
    private static final String RAW_MEASURES = "COUNT(*), "
            + "SUM(CASE WHEN error_type IS NOT NULL THEN 1 ELSE 0 END), "
            + "SUM(CASE WHEN escalations > 0 THEN 1 ELSE 0 END), SUM(escalations), "
            + "COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), "
            + "COALESCE(SUM(cache_creation_tokens), 0), COALESCE(SUM(cache_read_tokens), 0), "
            + "COALESCE(SUM(cost_usd), 0), COALESCE(SUM(counterfactual_usd), 0), COALESCE(SUM(saved_usd), 0), "
            + "SUM(latency_ms)";

    private static final RollupTables HOURLY = new RollupTables("rollup_hourly", "latency_hourly", "hour_epoch");
    private static final RollupTables DAILY = new RollupTables("rollup_daily", "latency_daily", "day_epoch");

    private final ConnectionFactory connections;
    /** Only the rows of this gateway instance ({@code requests.instance}, "" = rows without one); null = all. */
    private final String instance;

    MetricsReader(ConnectionFactory connections) {
        this(connections, null);
    }

    private MetricsReader(ConnectionFactory connections, String instance) {
        this.connections = connections;
        this.instance = instance;
    }

    /**
     * The same queries over the rows one gateway instance wrote (null: every instance). The rollup tables have no
     * instance, so a filtered aggregate reads the request rows of its range (through {@code requests_ts}), and a
     * filtered session is summed from its own request rows of that instance (docs/adr/0090-team-view.md).
     */
    MetricsReader forInstance(String instance) {
        return new MetricsReader(connections, instance);
    }

    String instance() {
        return instance;
    }

    Summary summary(Instant from, Instant to) {
        Aggregation agg = aggregate(from, to, 0);
        Map<Dims, Totals> dims = agg.totals.getOrDefault(0L, Map.of());
        long[] latency = agg.latency.getOrDefault(0L, new long[LatencyBuckets.COUNT]);
        Totals all = new Totals();
        long exact = 0;
        long semantic = 0;
        Map<String, Long> byModel = new TreeMap<>();
        Map<String, Long> byTier = new TreeMap<>();
        Map<String, Long> byLayer = new TreeMap<>();
        Map<String, Double> costByModel = new TreeMap<>();
        for (Map.Entry<Dims, Totals> e : dims.entrySet()) {
            Dims d = e.getKey();
            Totals t = e.getValue();
            all.add(t);
            if ("exact".equals(d.cacheKind)) {
                exact += t.requests;
            } else if ("semantic".equals(d.cacheKind)) {
                semantic += t.requests;
            }
            byModel.merge(d.model, t.requests, Long::sum);
            byTier.merge(d.tier, t.requests, Long::sum);
            byLayer.merge(d.layer, t.requests, Long::sum);
            costByModel.merge(d.model, t.costUsd, Double::sum);
        }
        double savingsPercent = all.counterfactualUsd == 0 ? 0 : all.savedUsd / all.counterfactualUsd * 100;
        return new Summary(all.requests, all.costUsd, all.counterfactualUsd, all.savedUsd, savingsPercent, exact,
                semantic, all.escalatedRequests, all.errors, LatencyBuckets.percentile(latency, 0.50),
                LatencyBuckets.percentile(latency, 0.95), byModel, byTier, byLayer, costByModel);
    }

    List<TimelinePoint> timeline(Instant from, Instant to, Duration bucket) {
        long bucketMicros = bucket.toNanos() / 1_000;
        if (bucketMicros <= 0) {
            throw new IllegalArgumentException("bucket must be at least one microsecond: " + bucket);
        }
        Aggregation agg = aggregate(from, to, bucketMicros);
        List<TimelinePoint> points = new ArrayList<>();
        for (Map.Entry<Long, Map<Dims, Totals>> b : agg.totals.entrySet()) {
            Totals all = new Totals();
            long exact = 0;
            long semantic = 0;
            Map<String, Long> byModel = new TreeMap<>();
            Map<String, Long> byTier = new TreeMap<>();
            for (Map.Entry<Dims, Totals> e : b.getValue().entrySet()) {
                all.add(e.getValue());
                exact += "exact".equals(e.getKey().cacheKind) ? e.getValue().requests : 0;
                semantic += "semantic".equals(e.getKey().cacheKind) ? e.getValue().requests : 0;
                byModel.merge(e.getKey().model, e.getValue().requests, Long::sum);
                byTier.merge(e.getKey().tier, e.getValue().requests, Long::sum);
            }
            long[] latency = agg.latency.getOrDefault(b.getKey(), new long[LatencyBuckets.COUNT]);
            points.add(new TimelinePoint(RequestRows.fromMicros(b.getKey() * bucketMicros), all.requests,
                    all.costUsd, all.counterfactualUsd, exact, semantic, LatencyBuckets.percentile(latency, 0.50),
                    LatencyBuckets.percentile(latency, 0.95), byModel, byTier));
        }
        return points;
    }

    List<CounterRow> counters(Instant from, Instant to) {
        Map<List<String>, Totals> byLabels = new TreeMap<>((a, b) -> String.join("\u0000", a)
                .compareTo(String.join("\u0000", b)));
        for (Map.Entry<Dims, Totals> e : aggregate(from, to, 0).totals.getOrDefault(0L, Map.of()).entrySet()) {
            Dims d = e.getKey();
            byLabels.computeIfAbsent(List.of(d.model, d.tier, d.cacheKind), k -> new Totals()).add(e.getValue());
        }
        List<CounterRow> rows = new ArrayList<>();
        byLabels.forEach((k, t) -> rows.add(new CounterRow(k.get(0), k.get(1), k.get(2), t.requests, t.errors,
                t.inputTokens, t.outputTokens, t.cacheCreationTokens, t.cacheReadTokens, t.costUsd,
                t.counterfactualUsd, t.savedUsd)));
        return rows;
    }

    LatencyHistogram latencyHistogram(Instant from, Instant to) {
        Aggregation agg = aggregate(from, to, 0);
        long[] counts = agg.latency.getOrDefault(0L, new long[LatencyBuckets.COUNT]);
        long sum = agg.totals.getOrDefault(0L, Map.of()).values().stream()
                .mapToLong(t -> t.latencySumMillis).sum();
        List<Long> list = new ArrayList<>();
        for (long c : counts) {
            list.add(c);
        }
        return new LatencyHistogram(LatencyBuckets.BOUNDS, list, sum);
    }

    List<MetricsQueries.InstanceRow> instances(Instant from, Instant to) {
        Where where = new Where().instance("instance", instance);
        where.range("ts_micros", micros(from), micros(to));
        String sql = "SELECT COALESCE(instance, ''), COUNT(*), COALESCE(SUM(cost_usd), 0), "
                + "COALESCE(SUM(saved_usd), 0), MIN(ts_micros), MAX(ts_micros) FROM requests" + where.sql()
                + " GROUP BY COALESCE(instance, '') ORDER BY COUNT(*) DESC, COALESCE(instance, '')";
        List<MetricsQueries.InstanceRow> rows = new ArrayList<>();
        try (Connection c = connections.open(); PreparedStatement ps = where.prepare(c, sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(new MetricsQueries.InstanceRow(rs.getString(1), rs.getLong(2), rs.getDouble(3),
                        rs.getDouble(4), RequestRows.fromMicros(rs.getLong(5)), RequestRows.fromMicros(rs.getLong(6))));
            }
        } catch (SQLException e) {
            throw new MetricsStoreException("instance query failed", e);
        }
        return rows;
    }

    /** Answered requests with scores, newest first; see {@link MetricsQueries#scoredRequests}. */
    List<MetricsQueries.ScoredRequest> scoredRequests(Instant from, Instant to, int limit) {
        Where where = new Where().instance("instance", instance);
        where.range("ts_micros", micros(from), micros(to));
        where.conditions.add("score_premium IS NOT NULL");
        where.conditions.add("status = 200");
        where.conditions.add("input_tokens IS NOT NULL");
        int n = Math.max(1, Math.min(MetricsQueries.MAX_SCORED, limit));
        String sql = "SELECT " + RequestRows.SCORED_COLUMNS + " FROM requests" + where.sql()
                + " ORDER BY ts_micros DESC, id DESC FETCH FIRST " + n + " ROWS ONLY";
        List<MetricsQueries.ScoredRequest> rows = new ArrayList<>();
        try (Connection c = connections.open(); PreparedStatement ps = where.prepare(c, sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(RequestRows.readScored(rs));
            }
        } catch (SQLException e) {
            throw new MetricsStoreException("scored requests query failed", e);
        }
        return rows;
    }

    List<RequestRecord> requests(RequestQuery q) {
        Where where = new Where().instance("instance", instance);
        where.range("ts_micros", micros(q.from()), micros(q.to()));
        if (q.search() != null && !q.search().isBlank()) {
            String pattern = "%" + likeEscape(q.search().strip().toLowerCase(Locale.ROOT)) + "%";
            List<String> ors = new ArrayList<>();
            for (String col : List.of("query_id", "requested_model", "final_model", "tier", "classifier_layer",
                    "cache_kind", "error_type", "prompt_preview", "answer_preview")) {
                ors.add("LOWER(" + col + ") LIKE ? ESCAPE '\\'");
                where.params.add(pattern);
            }
            where.conditions.add("(" + String.join(" OR ", ors) + ")");
        }
        String dir = q.descending() ? " DESC" : " ASC";
        String order = switch (q.sort() == null ? MetricsQueries.SortField.TIME : q.sort()) {
            case TIME -> "ts_micros" + dir;
            case COST -> "cost_usd" + dir + " NULLS LAST, ts_micros" + dir;
            case SAVED -> "saved_usd" + dir + " NULLS LAST, ts_micros" + dir;
            case LATENCY -> "latency_ms" + dir + ", ts_micros" + dir;
            case TOKENS -> "COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0) "
                    + "+ COALESCE(cache_creation_tokens, 0) + COALESCE(cache_read_tokens, 0)" + dir
                    + ", ts_micros" + dir;
        };
        int limit = Math.max(1, Math.min(MAX_LIMIT, q.limit()));
        String sql = "SELECT " + RequestRows.REQUEST_COLUMNS + " FROM requests" + where.sql() + " ORDER BY " + order
                + ", id" + dir + " FETCH FIRST " + limit + " ROWS ONLY";
        try (Connection c = connections.open()) {
            return readWithAttempts(c, sql, where.params);
        } catch (SQLException e) {
            throw new MetricsStoreException("request query failed", e);
        }
    }

    Optional<RequestRecord> request(String queryId) {
        Where where = new Where();
        where.conditions.add("query_id = ?");
        where.params.add(queryId);
        where.instance("instance", instance);
        String sql = "SELECT " + RequestRows.REQUEST_COLUMNS
                + " FROM requests" + where.sql() + " ORDER BY id DESC FETCH FIRST 1 ROWS ONLY";
        try (Connection c = connections.open()) {
            return readWithAttempts(c, sql, where.params).stream().findFirst();
        } catch (SQLException e) {
            throw new MetricsStoreException("request lookup failed", e);
        }
    }

    /** Largest page {@link #sessions} returns. */
    static final int MAX_SESSIONS = 10_000;

    /**
     * Sessions whose first request is before {@code to} and latest at or after {@code from}, from the
     * {@code sessions} table (one row per session, newest first via its index); a session the range cuts is summed
     * from its own request rows inside the range instead (an index range per session).
     */
    List<MetricsQueries.SessionRow> sessions(MetricsQueries.SessionQuery q) {
        return sessions(q, Math.max(1, Math.min(MAX_SESSIONS, q.limit())));
    }

    /** @param limit not capped: the reports need every session of their range */
    private List<MetricsQueries.SessionRow> sessions(MetricsQueries.SessionQuery q, int limit) {
        Long fromMicros = micros(q.from());
        Long toMicros = micros(q.to());
        Where where = new Where();
        if (fromMicros != null) {
            where.conditions.add("last_micros >= ?");
            where.params.add(fromMicros);
        }
        if (toMicros != null) {
            where.conditions.add("first_micros < ?");
            where.params.add(toMicros);
        }
        if (q.project() != null) {
            where.conditions.add("project = ?");
            where.params.add(q.project());
        }
        if (instance != null) {
            return instanceSessions(where, fromMicros, toMicros, limit);
        }
        String sql = "SELECT " + SessionTable.COLUMNS + ", last_micros FROM sessions" + where.sql()
                + " ORDER BY last_micros DESC, session_id" + (limit == Integer.MAX_VALUE ? ""
                : " FETCH FIRST " + limit + " ROWS ONLY");
        try (Connection c = connections.open()) {
            List<MetricsQueries.SessionRow> rows = new ArrayList<>();
            List<Integer> cut = new ArrayList<>();
            try (PreparedStatement ps = where.prepare(c, sql); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    MetricsQueries.SessionRow row = SessionTable.readRow(rs);
                    long first = RequestRows.toMicros(row.started());
                    long last = rs.getLong("last_micros");
                    boolean inside = (fromMicros == null || first >= fromMicros)
                            && (toMicros == null || last < toMicros);
                    if (inside) {
                        rows.add(row);
                    } else {
                        cut.add(rows.size()); // recomputed below, once this result set is closed
                        rows.add(row);
                    }
                }
            }
            for (int index : cut) {
                SessionTable.Delta d = SessionTable.fromRequests(c, rows.get(index).sessionId(), fromMicros, toMicros);
                rows.set(index, d == null ? null : d.toRow(rows.get(index)));
            }
            rows.removeIf(java.util.Objects::isNull);
            return rows;
        } catch (SQLException e) {
            throw new MetricsStoreException("session query failed", e);
        }
    }

    /**
     * The sessions of one instance: those with a request of it in the range (a scan of the range's request rows),
     * each summed from its own request rows of that instance in the range, most recently active first. The prompt-
     * cache findings stay the whole session's, as for a session the range cuts.
     */
    private List<MetricsQueries.SessionRow> instanceSessions(Where where, Long fromMicros, Long toMicros, int limit) {
        Where inRange = new Where().instance("instance", instance);
        inRange.range("ts_micros", fromMicros, toMicros);
        where.conditions.add("session_id IN (SELECT session_id FROM requests" + inRange.sql() + ")");
        where.params.addAll(inRange.params);
        String sql = "SELECT " + SessionTable.COLUMNS + " FROM sessions" + where.sql();
        try (Connection c = connections.open()) {
            List<MetricsQueries.SessionRow> whole = new ArrayList<>();
            try (PreparedStatement ps = where.prepare(c, sql); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    whole.add(SessionTable.readRow(rs));
                }
            }
            List<MetricsQueries.SessionRow> rows = new ArrayList<>();
            for (MetricsQueries.SessionRow row : whole) {
                SessionTable.Delta d = SessionTable.fromRequests(c, row.sessionId(), fromMicros, toMicros, instance);
                if (d != null) {
                    rows.add(d.toRow(row));
                }
            }
            rows.sort(java.util.Comparator.comparing(MetricsQueries.SessionRow::lastActivity).reversed()
                    .thenComparing(MetricsQueries.SessionRow::sessionId));
            return rows.size() > limit ? new ArrayList<>(rows.subList(0, limit)) : rows;
        } catch (SQLException e) {
            throw new MetricsStoreException("session query failed", e);
        }
    }

    /**
     * A request that was never escalated started on the model that answered it (a scan of its own rows); only
     * the escalated few are joined to their first answer attempt (trigger {@code initial}). Reads request rows:
     * meant for a recent range (the dashboard reads at most a day, ~25 ms in a million-row history).
     */
    List<MetricsQueries.StartEscalations> escalationsByStartModel(Instant from, Instant to) {
        java.util.Map<String, long[]> byModel = new java.util.TreeMap<>();
        try (Connection c = connections.open()) {
            // a cache hit was routed nowhere: it answered from the cache, not from a tier
            addStartCounts(c, "SELECT r.final_model, COUNT(*), 0 FROM requests r",
                    "r.escalations = 0 AND r.cache_kind = 'none' AND r.final_model IS NOT NULL", "r.final_model",
                    from, to, instance, byModel);
            addStartCounts(c, "SELECT a.model, COUNT(*), COUNT(*) FROM requests r JOIN request_attempts a "
                    + "ON a.request_id = r.id AND a.purpose = 'answer' AND a.attempt_trigger = 'initial'",
                    "r.escalations > 0", "a.model", from, to, instance, byModel);
        } catch (SQLException e) {
            throw new MetricsStoreException("escalation query failed", e);
        }
        List<MetricsQueries.StartEscalations> out = new ArrayList<>();
        byModel.forEach((model, n) -> out.add(new MetricsQueries.StartEscalations(model, n[0], n[1])));
        return out;
    }

    /** Adds (start model, requests, escalated) rows of one routed-request query in [from, to) to {@code into}. */
    private static void addStartCounts(Connection c, String select, String condition, String groupBy, Instant from,
                                       Instant to, String instance, java.util.Map<String, long[]> into)
            throws SQLException {
        Where where = new Where().instance("r.instance", instance);
        where.conditions.add("r.tier IS NOT NULL AND r.tier <> ''");
        where.conditions.add(condition);
        where.range("r.ts_micros", micros(from), micros(to));
        try (PreparedStatement ps = where.prepare(c, select + where.sql() + " GROUP BY " + groupBy);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long[] n = into.computeIfAbsent(rs.getString(1), k -> new long[2]);
                n[0] += rs.getLong(2);
                n[1] += rs.getLong(3);
            }
        }
    }

    /** One row over the sessions table: the sessions active in the range (via its last-activity index). */
    MetricsQueries.CacheHealthTotals cacheHealthTotals(Instant from, Instant to) {
        Where where = new Where();
        if (from != null) {
            where.conditions.add("last_micros >= ?");
            where.params.add(micros(from));
        }
        if (to != null) {
            where.conditions.add("first_micros < ?");
            where.params.add(micros(to));
        }
        if (instance != null) {
            Where inRange = new Where().instance("instance", instance);
            inRange.range("ts_micros", micros(from), micros(to));
            where.conditions.add("session_id IN (SELECT session_id FROM requests" + inRange.sql() + ")");
            where.params.addAll(inRange.params);
        }
        String sql = "SELECT COALESCE(SUM(CASE WHEN cache_warnings > 0 THEN 1 ELSE 0 END), 0), "
                + "COALESCE(SUM(cache_warnings), 0), COALESCE(SUM(cache_wasted_usd), 0) FROM sessions" + where.sql();
        try (Connection c = connections.open(); PreparedStatement ps = where.prepare(c, sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new MetricsQueries.CacheHealthTotals(rs.getLong(1), rs.getLong(2), rs.getDouble(3));
        } catch (SQLException e) {
            throw new MetricsStoreException("cache health query failed", e);
        }
    }

    /** Rows of {@code semantic_negatives} (V4) rejected in the range; a small table, one per reported hit. */
    long semanticRejections(Instant from, Instant to) {
        Where where = new Where();
        where.range("rejected_at_millis", from == null ? null : from.toEpochMilli(),
                to == null ? null : to.toEpochMilli());
        String sql = "SELECT COUNT(*) FROM semantic_negatives" + where.sql();
        try (Connection c = connections.open(); PreparedStatement ps = where.prepare(c, sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new MetricsStoreException("semantic rejections query failed", e);
        }
    }

    List<RequestRecord> sessionRequests(String sessionId, int limit) {
        int n = Math.max(1, Math.min(MAX_SESSION_REQUESTS, limit));
        Where where = new Where();
        where.conditions.add("session_id = ?");
        where.params.add(sessionId);
        where.instance("instance", instance);
        String sql = "SELECT " + RequestRows.REQUEST_COLUMNS
                + " FROM requests" + where.sql() + " ORDER BY ts_micros, id FETCH FIRST " + n + " ROWS ONLY";
        try (Connection c = connections.open()) {
            return readWithAttempts(c, sql, where.params);
        } catch (SQLException e) {
            throw new MetricsStoreException("session requests query failed", e);
        }
    }

    /** Largest number of requests {@link #sessionRequests} returns. */
    static final int MAX_SESSION_REQUESTS = 10_000;

    private List<ReportRow> sessionReport(LocalDate from, LocalDate to, boolean byProject) {
        Instant start = from == null ? null : from.atStartOfDay().toInstant(java.time.ZoneOffset.UTC);
        Instant end = to == null ? null : to.plusDays(1).atStartOfDay().toInstant(java.time.ZoneOffset.UTC);
        List<MetricsQueries.SessionRow> sessions =
                sessions(new MetricsQueries.SessionQuery(start, end, null, Integer.MAX_VALUE), Integer.MAX_VALUE);
        Map<String, ReportRow> out = new TreeMap<>();
        for (MetricsQueries.SessionRow s : sessions) {
            String key = byProject ? s.project() : s.sessionId();
            ReportRow r = new ReportRow(key, s.requests(), s.inputTokens(), s.outputTokens(),
                    s.cacheCreationTokens(), s.cacheReadTokens(), s.costUsd(), s.counterfactualUsd(), s.savedUsd(),
                    s.cacheHits(), s.escalations());
            out.merge(key, r, (a, b) -> new ReportRow(key, a.requests() + b.requests(),
                    a.inputTokens() + b.inputTokens(), a.outputTokens() + b.outputTokens(),
                    a.cacheCreationTokens() + b.cacheCreationTokens(), a.cacheReadTokens() + b.cacheReadTokens(),
                    a.costUsd() + b.costUsd(), a.counterfactualUsd() + b.counterfactualUsd(),
                    a.savedUsd() + b.savedUsd(), a.cacheHits() + b.cacheHits(), a.escalations() + b.escalations()));
        }
        return new ArrayList<>(out.values());
    }

    List<ReportRow> report(LocalDate from, LocalDate to, ReportGrouping grouping) {
        if (grouping == ReportGrouping.SESSION || grouping == ReportGrouping.PROJECT) {
            return sessionReport(from, to, grouping == ReportGrouping.PROJECT);
        }
        Long fromDay = from == null ? null : from.toEpochDay();
        Long endDay = to == null ? null : to.toEpochDay() + 1;
        try (Connection c = connections.open()) {
            if (grouping == ReportGrouping.REQUEST) {
                return requestReport(c, fromDay, endDay, instance);
            }
            if (instance != null) {
                return rawReport(c, fromDay, endDay, grouping);
            }
            String key = switch (grouping) {
                case DAY -> "day_epoch";
                case MODEL -> "final_model";
                case TIER -> "tier";
                case REQUEST, SESSION, PROJECT -> throw new AssertionError();
            };
            Where where = new Where();
            where.range("day_epoch", fromDay, endDay);
            String sql = "SELECT " + key + ", SUM(requests), SUM(input_tokens), SUM(output_tokens), "
                    + "SUM(cache_creation_tokens), SUM(cache_read_tokens), SUM(cost_usd), SUM(counterfactual_usd), "
                    + "SUM(saved_usd), SUM(CASE WHEN cache_kind IN ('exact', 'semantic') THEN requests ELSE 0 END), "
                    + "SUM(escalations) FROM rollup_daily" + where.sql() + " GROUP BY " + key + " ORDER BY " + key;
            return groupedReport(c, where, sql, grouping);
        } catch (SQLException e) {
            throw new MetricsStoreException("report query failed", e);
        }
    }

    /** The DAY, MODEL or TIER report of one instance, from its request rows (the rollups have no instance). */
    private List<ReportRow> rawReport(Connection c, Long fromDay, Long endDay, ReportGrouping grouping)
            throws SQLException {
        long dayMicros = 24 * RequestRows.HOUR_MICROS;
        String key = switch (grouping) {
            case DAY -> "ts_micros / " + dayMicros;
            case MODEL -> "COALESCE(final_model, '')";
            case TIER -> "COALESCE(tier, '')";
            case REQUEST, SESSION, PROJECT -> throw new AssertionError();
        };
        Where where = new Where().instance("instance", instance);
        where.range("ts_micros", fromDay == null ? null : fromDay * dayMicros,
                endDay == null ? null : endDay * dayMicros);
        String sql = "SELECT " + key + ", COUNT(*), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), "
                + "COALESCE(SUM(cache_creation_tokens), 0), COALESCE(SUM(cache_read_tokens), 0), "
                + "COALESCE(SUM(cost_usd), 0), COALESCE(SUM(counterfactual_usd), 0), COALESCE(SUM(saved_usd), 0), "
                + "SUM(CASE WHEN cache_kind IN ('exact', 'semantic') THEN 1 ELSE 0 END), SUM(escalations) "
                + "FROM requests" + where.sql() + " GROUP BY " + key + " ORDER BY " + key;
        return groupedReport(c, where, sql, grouping);
    }

    /** The rows of a DAY, MODEL or TIER report query: the group key (a day number for DAY), then the sums. */
    private static List<ReportRow> groupedReport(Connection c, Where where, String sql, ReportGrouping grouping)
            throws SQLException {
        List<ReportRow> rows = new ArrayList<>();
        try (PreparedStatement ps = where.prepare(c, sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String k = grouping == ReportGrouping.DAY
                        ? LocalDate.ofEpochDay(rs.getLong(1)).toString() : rs.getString(1);
                rows.add(reportRow(k, rs));
            }
        }
        return rows;
    }

    private static List<ReportRow> requestReport(Connection c, Long fromDay, Long endDay, String instance)
            throws SQLException {
        long dayMicros = 24 * RequestRows.HOUR_MICROS;
        Where where = new Where().instance("instance", instance);
        where.range("ts_micros", fromDay == null ? null : fromDay * dayMicros,
                endDay == null ? null : endDay * dayMicros);
        String sql = "SELECT query_id, 1, COALESCE(input_tokens, 0), COALESCE(output_tokens, 0), "
                + "COALESCE(cache_creation_tokens, 0), COALESCE(cache_read_tokens, 0), COALESCE(cost_usd, 0), "
                + "COALESCE(counterfactual_usd, 0), COALESCE(saved_usd, 0), "
                + "CASE WHEN cache_kind IN ('exact', 'semantic') THEN 1 ELSE 0 END, escalations "
                + "FROM requests" + where.sql() + " ORDER BY ts_micros, id";
        List<ReportRow> rows = new ArrayList<>();
        try (PreparedStatement ps = where.prepare(c, sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(reportRow(rs.getString(1), rs));
            }
        }
        return rows;
    }

    private static ReportRow reportRow(String key, ResultSet rs) throws SQLException {
        return new ReportRow(key == null ? "" : key, rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                rs.getLong(6), rs.getDouble(7), rs.getDouble(8), rs.getDouble(9), rs.getLong(10), rs.getLong(11));
    }

    private static List<RequestRecord> readWithAttempts(Connection c, String sql, List<Object> params)
            throws SQLException {
        List<Long> ids = new ArrayList<>();
        List<RequestRecord> withoutAttempts = new ArrayList<>();
        try (PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getLong("id"));
                withoutAttempts.add(RequestRows.readRequest(rs, List.of()));
            }
        }
        if (ids.isEmpty()) {
            return withoutAttempts;
        }
        Map<Long, List<AttemptRecord>> attempts = new HashMap<>();
        for (int start = 0; start < ids.size(); start += 100) {
            List<Long> chunk = ids.subList(start, Math.min(ids.size(), start + 100));
            String in = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
            try (PreparedStatement ps = prepare(c, "SELECT " + RequestRows.ATTEMPT_COLUMNS
                    + " FROM request_attempts WHERE request_id IN (" + in + ") ORDER BY request_id, attempt_index",
                    new ArrayList<>(chunk)); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    attempts.computeIfAbsent(rs.getLong("request_id"), k -> new ArrayList<>())
                            .add(RequestRows.readAttempt(rs));
                }
            }
        }
        List<RequestRecord> out = new ArrayList<>(withoutAttempts.size());
        for (int i = 0; i < ids.size(); i++) {
            RequestRecord r = withoutAttempts.get(i);
            List<AttemptRecord> a = attempts.get(ids.get(i));
            out.add(a == null ? r : r.withAttempts(a));
        }
        return out;
    }

    /**
     * Sums over [from, to) keyed by time bucket (bucket start / bucketMicros; always 0 when bucketMicros is 0)
     * and dimensions. When the bucket is a whole number of days (or hours), whole days come from the daily
     * rollup, the remaining whole hours from the hourly rollup and only the partial hours at the edges from the
     * request rows; all levels use epoch-aligned periods, so their bucket keys agree.
     */
    private Aggregation aggregate(Instant from, Instant to, long bucketMicros) {
        Long fromMicros = micros(from);
        Long toMicros = micros(to);
        Aggregation agg = new Aggregation();
        try (Connection c = connections.open()) {
            Long firstHour = fromMicros == null ? null : ceilDiv(fromMicros, RequestRows.HOUR_MICROS);
            Long endHour = toMicros == null ? null : Math.floorDiv(toMicros, RequestRows.HOUR_MICROS);
            if (instance != null || bucketMicros % RequestRows.HOUR_MICROS != 0 || !before(firstHour, endHour)) {
                readRaw(c, agg, fromMicros, toMicros, bucketMicros);
                return agg;
            }
            if (fromMicros != null && fromMicros < firstHour * RequestRows.HOUR_MICROS) {
                readRaw(c, agg, fromMicros, firstHour * RequestRows.HOUR_MICROS, bucketMicros);
            }
            if (toMicros != null && endHour * RequestRows.HOUR_MICROS < toMicros) {
                readRaw(c, agg, endHour * RequestRows.HOUR_MICROS, toMicros, bucketMicros);
            }
            long hoursPerBucket = bucketMicros / RequestRows.HOUR_MICROS;
            Long firstDay = firstHour == null ? null : ceilDiv(firstHour, 24);
            Long endDay = endHour == null ? null : Math.floorDiv(endHour, 24);
            if (hoursPerBucket % 24 == 0 && before(firstDay, endDay)) {
                readRollup(c, agg, DAILY, firstDay, endDay, hoursPerBucket / 24);
                if (firstHour != null && firstHour < firstDay * 24) {
                    readRollup(c, agg, HOURLY, firstHour, firstDay * 24, hoursPerBucket);
                }
                if (endHour != null && endDay * 24 < endHour) {
                    readRollup(c, agg, HOURLY, endDay * 24, endHour, hoursPerBucket);
                }
            } else {
                readRollup(c, agg, HOURLY, firstHour, endHour, hoursPerBucket);
            }
        } catch (SQLException e) {
            throw new MetricsStoreException("metrics aggregate query failed", e);
        }
        return agg;
    }

    /** True when the range [from, to) of periods is not empty; null bounds are open. */
    private static boolean before(Long from, Long to) {
        return from == null || to == null || from < to;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    private static void readRollup(Connection c, Aggregation agg, RollupTables level, Long first, Long end,
            long periodsPerBucket) throws SQLException {
        String time = periodsPerBucket == 0 ? "0" : level.timeColumn + " / " + periodsPerBucket;
        String groupTime = groupByTime(time);
        Where where = new Where();
        where.range(level.timeColumn, first, end);
        readTotals(c, agg, "SELECT " + time + ", " + ROLLUP_DIMS + ", " + ROLLUP_MEASURES + " FROM " + level.totals
                + where.sql() + " GROUP BY " + groupTime + ROLLUP_DIMS, where);
        readLatency(c, agg, "SELECT " + time + ", latency_bucket, SUM(requests) FROM " + level.latency
                + where.sql() + " GROUP BY " + groupTime + "latency_bucket", where);
    }

    private void readRaw(Connection c, Aggregation agg, Long fromMicros, Long toMicros, long bucketMicros)
            throws SQLException {
        String time = bucketMicros == 0 ? "0" : "ts_micros / " + bucketMicros;
        String groupTime = groupByTime(time);
        Where where = new Where().instance("instance", instance);
        where.range("ts_micros", fromMicros, toMicros);
        readTotals(c, agg, "SELECT " + time + ", " + RAW_DIMS + ", " + RAW_MEASURES + " FROM requests" + where.sql()
                + " GROUP BY " + groupTime + RAW_DIMS, where);
        readLatency(c, agg, "SELECT " + time + ", latency_bucket, COUNT(*) FROM requests" + where.sql()
                + " GROUP BY " + groupTime + "latency_bucket", where);
    }

    /**
     * The time term of a GROUP BY: nothing for the constant 0 (one bucket), because PostgreSQL reads
     * {@code GROUP BY 0} as "the 0th column" and refuses it.
     */
    private static String groupByTime(String time) {
        return "0".equals(time) ? "" : time + ", ";
    }

    private static void readTotals(Connection c, Aggregation agg, String sql, Where where) throws SQLException {
        try (PreparedStatement ps = where.prepare(c, sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int i = 1;
                long bucket = rs.getLong(i++);
                Dims d = new Dims(rs.getString(i++), rs.getString(i++), rs.getString(i++), rs.getString(i++));
                Totals t = new Totals();
                t.requests = rs.getLong(i++);
                t.errors = rs.getLong(i++);
                t.escalatedRequests = rs.getLong(i++);
                t.escalations = rs.getLong(i++);
                t.inputTokens = rs.getLong(i++);
                t.outputTokens = rs.getLong(i++);
                t.cacheCreationTokens = rs.getLong(i++);
                t.cacheReadTokens = rs.getLong(i++);
                t.costUsd = rs.getDouble(i++);
                t.counterfactualUsd = rs.getDouble(i++);
                t.savedUsd = rs.getDouble(i++);
                t.latencySumMillis = rs.getLong(i);
                agg.totals.computeIfAbsent(bucket, k -> new LinkedHashMap<>())
                        .computeIfAbsent(d, k -> new Totals()).add(t);
            }
        }
    }

    private static void readLatency(Connection c, Aggregation agg, String sql, Where where) throws SQLException {
        try (PreparedStatement ps = where.prepare(c, sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int bucket = Math.min(LatencyBuckets.COUNT - 1, Math.max(0, rs.getInt(2)));
                agg.latency.computeIfAbsent(rs.getLong(1), k -> new long[LatencyBuckets.COUNT])[bucket]
                        += rs.getLong(3);
            }
        }
    }

    private static Long micros(Instant t) {
        return t == null ? null : RequestRows.toMicros(t);
    }

    private static String likeEscape(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static PreparedStatement prepare(Connection c, String sql, List<Object> params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < params.size(); i++) {
            ps.setObject(i + 1, params.get(i));
        }
        return ps;
    }

    private record RollupTables(String totals, String latency, String timeColumn) {
    }

    private record Dims(String model, String tier, String layer, String cacheKind) {
    }

    /** Sums keyed by time bucket, sorted by time. */
    private static final class Aggregation {
        final Map<Long, Map<Dims, Totals>> totals = new TreeMap<>();
        final Map<Long, long[]> latency = new HashMap<>();
    }

    /** A WHERE clause built from optional bounds, with its parameters in order. */
    private static final class Where {
        final List<String> conditions = new ArrayList<>();
        final List<Object> params = new ArrayList<>();

        void range(String column, Long fromInclusive, Long toExclusive) {
            if (fromInclusive != null) {
                conditions.add(column + " >= ?");
                params.add(fromInclusive);
            }
            if (toExclusive != null) {
                conditions.add(column + " < ?");
                params.add(toExclusive);
            }
        }

        /** {@code COALESCE(<column>, '') = ?} when filtering by an instance; nothing otherwise. */
        Where instance(String column, String instance) {
            if (instance != null) {
                conditions.add("COALESCE(" + column + ", '') = ?");
                params.add(instance);
            }
            return this;
        }

        String sql() {
            return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
        }

        PreparedStatement prepare(Connection c, String sql) throws SQLException {
            return MetricsReader.prepare(c, sql, params);
        }
    }
}
