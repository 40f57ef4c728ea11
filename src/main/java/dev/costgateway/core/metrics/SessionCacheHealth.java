package dev.costgateway.core.metrics;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import dev.costgateway.core.session.CacheHealth;

/**
 * Keeps the {@code sessions} table's prompt-cache findings ({@code cache_warnings}, {@code cache_wasted_usd}, V8)
 * as batches are written, so the session list and the dashboard count them without re-reading any session.
 * <p>
 * One {@link CacheHealth.Tracker} per recently written session follows its requests as they arrive (a batch's
 * requests of one session in start order). A session the batch creates starts a tracker with no query; one that
 * existed but has no tracker (the gateway restarted, it was evicted, a batch failed) is judged again from all its rows, and its figures are set rather than added to. A batch whose
 * requests of a session never touch the prompt cache (no breakpoint, nothing written or read) cannot produce a
 * finding, so a session that never caches costs one map lookup per batch and no query.
 * <p>
 * Used only by the store's writer thread, with the writer's connection and inside its transaction.
 */
final class SessionCacheHealth {

    /** Sessions followed in memory; older ones are judged again from their rows when they come back. */
    static final int TRACKED_SESSIONS = 4_096;

    private final Supplier<CacheHealth.Prices> prices;
    private final Map<String, CacheHealth.Tracker> trackers = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CacheHealth.Tracker> eldest) {
            return size() > TRACKED_SESSIONS;
        }
    };

    SessionCacheHealth(Supplier<CacheHealth.Prices> prices) {
        this.prices = prices;
    }

    /**
     * After the batch's request rows and session totals are written, in the same transaction.
     *
     * @param newSessions the sessions this batch created: they have no earlier rows to judge, so they start a
     *                    tracker without a query (a one-shot SDK request is a session of its own)
     */
    void afterBatch(Connection c, List<RequestRecord> batch, Set<String> newSessions) throws SQLException {
        Map<String, List<RequestRecord>> bySession = new LinkedHashMap<>();
        for (RequestRecord r : batch) {
            if (r.session().isPresent()) {
                bySession.computeIfAbsent(RequestRows.cut(r.session().id(), RequestRows.SESSION_ID_CHARS),
                        k -> new ArrayList<>()).add(r);
            }
        }
        try (PreparedStatement add = c.prepareStatement("UPDATE sessions SET cache_warnings = cache_warnings + ?, "
                + "cache_wasted_usd = cache_wasted_usd + ? WHERE session_id = ?")) {
            boolean adds = false;
            for (Map.Entry<String, List<RequestRecord>> e : bySession.entrySet()) {
                String id = e.getKey();
                List<RequestRecord> records = e.getValue();
                CacheHealth.Tracker tracker = trackers.get(id);
                if (tracker == null && newSessions.contains(id)) {
                    tracker = new CacheHealth.Tracker(prices.get());
                    trackers.put(id, tracker);
                }
                if (tracker == null) {
                    if (records.stream().anyMatch(SessionCacheHealth::touchesPromptCache)) {
                        rebuild(c, id);
                    }
                    continue;
                }
                records.sort(Comparator.comparing(RequestRecord::timestamp));
                long warnings = 0;
                double usd = 0;
                for (RequestRecord r : records) {
                    Optional<CacheHealth.Warning> w = tracker.observe(r.cacheTurn());
                    if (w.isPresent()) {
                        warnings++;
                        usd += w.get().costUsd();
                    }
                }
                if (warnings > 0) {
                    add.setLong(1, warnings);
                    add.setDouble(2, usd);
                    add.setString(3, id);
                    add.addBatch();
                    adds = true;
                }
            }
            if (adds) {
                add.executeBatch();
            }
        }
    }

    /** Judges one session again from all its rows and sets its figures. */
    void rebuild(Connection c, String sessionId) throws SQLException {
        CacheHealth.Tracker tracker = new CacheHealth.Tracker(prices.get());
        long warnings = 0;
        double usd = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT " + RequestRows.REQUEST_COLUMNS
                + " FROM requests WHERE session_id = ? ORDER BY ts_micros, id")) {
            ps.setString(1, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Optional<CacheHealth.Warning> w = tracker.observe(RequestRows.readRequest(rs, List.of()).cacheTurn());
                    if (w.isPresent()) {
                        warnings++;
                        usd += w.get().costUsd();
                    }
                }
            }
        }
        try (PreparedStatement set = c.prepareStatement(
                "UPDATE sessions SET cache_warnings = ?, cache_wasted_usd = ? WHERE session_id = ?")) {
            set.setLong(1, warnings);
            set.setDouble(2, usd);
            set.setString(3, sessionId);
            set.executeUpdate();
        }
        trackers.put(sessionId, tracker);
    }

    /** A batch was rolled back: the trackers may have seen requests that were not written. */
    void forgetAll() {
        trackers.clear();
    }

    private static boolean touchesPromptCache(RequestRecord r) {
        return r.session().cacheBreakpoints() > 0 || r.usage() != null
                && (r.usage().cacheCreationInputTokens() > 0 || r.usage().cacheReadInputTokens() > 0);
    }
}
