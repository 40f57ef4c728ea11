package dev.costgateway.core.metrics;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.costgateway.core.api.Usage;

/**
 * Read side of the metrics store, used by the HTTP endpoints, the CSV export and the desktop app.
 * Every method blocks on the database: call it off the request path and off the FX thread.
 * {@code from}/{@code to} bounds may be null (unbounded); {@code from} is inclusive, {@code to} exclusive.
 */
public interface MetricsQueries {

    Summary summary(Instant from, Instant to);

    /** Buckets of fixed width over [from, to); buckets without traffic are omitted. */
    List<TimelinePoint> timeline(Instant from, Instant to, Duration bucket);

    /** Requests from the whole history, filtered, sorted and limited in the database. */
    List<RequestRecord> requests(RequestQuery query);

    /** One request with its attempts. */
    Optional<RequestRecord> request(String queryId);

    /** Cost report rows; days are UTC calendar days, {@code to} inclusive. */
    List<ReportRow> report(LocalDate from, LocalDate to, ReportGrouping grouping);

    /** Totals over a range. Money in USD; costs of unknown-priced requests are left out of the sums. */
    record Summary(
            long requests,
            double costUsd,
            double counterfactualUsd,
            double savedUsd,
            /** saved / counterfactual × 100, 0 when nothing was spent */
            double savingsPercent,
            long exactHits,
            long semanticHits,
            long escalatedRequests,
            long errors,
            long latencyP50Millis,
            long latencyP95Millis,
            Map<String, Long> requestsByModel,
            Map<String, Long> requestsByTier,
            Map<String, Long> requestsByLayer,
            Map<String, Double> costByModel) {

        public double cacheHitRate() {
            return requests == 0 ? 0 : (double) (exactHits + semanticHits) / requests;
        }

        public double escalationRate() {
            return requests == 0 ? 0 : (double) escalatedRequests / requests;
        }
    }

    record TimelinePoint(
            Instant bucketStart,
            long requests,
            double costUsd,
            double counterfactualUsd,
            long exactHits,
            long semanticHits,
            long latencyP50Millis,
            long latencyP95Millis,
            Map<String, Long> requestsByModel,
            Map<String, Long> requestsByTier) {
    }

    enum SortField { TIME, COST, SAVED, LATENCY, TOKENS }

    /**
     * @param search   matched case-insensitively against query id, models, tier, layer, cache kind, error type,
     *                 and previews when stored; null or empty = everything
     * @param limit    at most this many rows (the store caps it)
     */
    record RequestQuery(Instant from, Instant to, String search, SortField sort, boolean descending, int limit) {
        public static RequestQuery latest(int limit) {
            return new RequestQuery(null, null, null, SortField.TIME, true, limit);
        }
    }

    /**
     * Totals by final model, tier and cache kind over a range, for counters such as the Prometheus export.
     * Added after the first contract; the default (no rows) suits implementations that cannot break totals down.
     */
    default List<CounterRow> counters(Instant from, Instant to) {
        return List.of();
    }

    /**
     * Requests per gateway instance over a range, most requests first (the team setup: several gateways, one
     * database). Reads the request rows of the range, so it costs what the range holds; not for polling every
     * second over all history. Default: none.
     */
    default List<InstanceRow> instances(Instant from, Instant to) {
        return List.of();
    }

    /**
     * The same queries over the rows one gateway instance wrote ({@code requests.instance}, as listed by
     * {@link #instances}; "" = rows written before instances were recorded); null = every instance.
     * Filtered aggregates read the request rows of their range instead of the rollups, so they cost what the
     * range holds. Semantic-cache rejections carry no instance and stay the whole database's
     * (docs/adr/0090-team-view.md). Default: unsupported, for stores that cannot filter.
     *
     * @throws UnsupportedOperationException when this store cannot filter by instance
     */
    default MetricsQueries forInstance(String instance) {
        if (instance == null) {
            return this;
        }
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not filter by instance");
    }

    /**
     * One gateway's share of a range. {@code instance} is host / data-folder id (see {@code GatewayInstance}),
     * empty for rows written before instances were recorded; money in USD, unknown costs left out.
     */
    record InstanceRow(String instance, long requests, double costUsd, double savedUsd, Instant firstSeen,
            Instant lastSeen) {
    }

    /**
     * The answered requests of a range that carry router scores (V3), newest first, at most {@code limit}
     * (the store caps it at {@value #MAX_SCORED}): what the routing what-if re-thresholds. Numbers only, no text.
     * Default: none.
     */
    default List<ScoredRequest> scoredRequests(Instant from, Instant to, int limit) {
        return List.of();
    }

    /** Largest number of rows {@link #scoredRequests} returns. */
    int MAX_SCORED = 200_000;

    /**
     * One answered, scored request as the what-if needs it.
     *
     * @param tier            the tier that answered in the end ({@code fast|balanced|premium})
     * @param classifierLayer who decided ({@code score}, {@code haiku}, {@code rule}, {@code n/a})
     * @param usage           the final answer's usage
     * @param costUsd         what it cost (every attempt and classifier call); null when unknown
     * @param escalations     upstream retries on a stronger tier
     */
    record ScoredRequest(String queryId, Instant timestamp, String requestedModel, String tier,
            String classifierLayer, Usage usage, Double costUsd, int escalations, RouterScores scores) {
    }

    /** Latency histogram of client requests over a range. Default: an empty histogram. */
    default LatencyHistogram latencyHistogram(Instant from, Instant to) {
        return LatencyHistogram.EMPTY;
    }

    /**
     * One label combination of {@link #counters}. Empty strings stand for "none" (no final model, unrouted).
     * Tokens are those of the final answers; money in USD, unknown costs left out.
     */
    record CounterRow(
            String model,
            String tier,
            String cacheKind,
            long requests,
            long errors,
            long inputTokens,
            long outputTokens,
            long cacheCreationTokens,
            long cacheReadTokens,
            double costUsd,
            double counterfactualUsd,
            double savedUsd) {
    }

    /**
     * Request latency (total, milliseconds) in fixed buckets.
     *
     * @param upperBoundsMillis inclusive upper bound of each finite bucket, ascending
     * @param counts            requests per bucket (not cumulative); one more entry than bounds: the last is +Inf
     * @param sumMillis         sum of all latencies
     */
    record LatencyHistogram(List<Long> upperBoundsMillis, List<Long> counts, long sumMillis) {
        public static final LatencyHistogram EMPTY = new LatencyHistogram(List.of(), List.of(0L), 0);

        public LatencyHistogram {
            upperBoundsMillis = List.copyOf(upperBoundsMillis);
            counts = List.copyOf(counts);
            if (counts.size() != upperBoundsMillis.size() + 1) {
                throw new IllegalArgumentException("counts must have one entry per bound plus +Inf");
            }
        }

        public long count() {
            return counts.stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * Sessions with requests in [from, to), most recently active first, with their figures over that range
     * (a session cut by the range's edges counts only its requests inside). Default: none.
     */
    default List<SessionRow> sessions(SessionQuery query) {
        return List.of();
    }

    /**
     * Prompt-cache findings of the sessions active in [from, to) (each session's whole findings, as in
     * {@link SessionRow#cacheWarnings}). Default: summed from {@link #sessions}.
     */
    default CacheHealthTotals cacheHealthTotals(Instant from, Instant to) {
        long sessions = 0;
        long warnings = 0;
        double usd = 0;
        for (SessionRow s : sessions(new SessionQuery(from, to, null, Integer.MAX_VALUE))) {
            sessions += s.cacheWarnings() > 0 ? 1 : 0;
            warnings += s.cacheWarnings();
            usd += s.cacheWastedUsd();
        }
        return new CacheHealthTotals(sessions, warnings, usd);
    }

    /**
     * Semantic-cache hits reported as wrong ("Wrong answer for this prompt", {@code POST
     * /v1/cache/semantic/{query_id}/reject}) in [from, to): the local negatives kept in that range. Default: none.
     */
    default long semanticRejections(Instant from, Instant to) {
        return 0;
    }

    /** @param sessions sessions with at least one finding */
    record CacheHealthTotals(long sessions, long warnings, double wastedUsd) {
        public static final CacheHealthTotals NONE = new CacheHealthTotals(0, 0, 0);
    }

    /**
     * Routed requests answered upstream in [from, to), by the model their first answer attempt went to (the tier
     * the router started at), with how many of them were escalated: a rising rate on the cheap tier says the
     * routing knob is too aggressive. Default: none.
     */
    default List<StartEscalations> escalationsByStartModel(Instant from, Instant to) {
        return List.of();
    }

    /** @param escalated requests of {@code requests} that were retried on a stronger model at least once */
    record StartEscalations(String startModel, long requests, long escalated) {
        public double rate() {
            return requests == 0 ? 0 : (double) escalated / requests;
        }
    }

    /** One session's requests in time order (with attempts), at most {@code limit}. Default: none. */
    default List<RequestRecord> sessionRequests(String sessionId, int limit) {
        return List.of();
    }

    /**
     * @param project only sessions of this project (the path as stored); null = every project, "" = none stated
     * @param limit   at most this many sessions (the store caps it)
     */
    record SessionQuery(Instant from, Instant to, String project, int limit) {
        public static SessionQuery latest(int limit) {
            return new SessionQuery(null, null, null, limit);
        }
    }

    /**
     * One session's figures. Tokens are those of the final answers, as in every other total; money in USD with
     * unknown costs left out.
     *
     * @param source        {@code header}, {@code metadata} or {@code derived}
     * @param project       working directory as the client gave it; "" when none
     * @param started       start of its first request (in the range)
     * @param lastActivity  end of its latest request (in the range)
     * @param models        final models used, sorted
     * @param cacheHits     requests the gateway answered from its own caches
     * @param cacheWarnings prompt-cache findings ({@code CacheHealth}) of the whole session, even when the range
     *                      cuts it; 0 for a store that does not count them
     * @param cacheWastedUsd what those findings cost
     */
    record SessionRow(
            String sessionId,
            String source,
            String project,
            Instant started,
            Instant lastActivity,
            long requests,
            List<String> models,
            double costUsd,
            double counterfactualUsd,
            double savedUsd,
            long inputTokens,
            long outputTokens,
            long cacheCreationTokens,
            long cacheReadTokens,
            long cacheHits,
            long escalations,
            long errors,
            long cacheWarnings,
            double cacheWastedUsd) {

        public SessionRow {
            models = List.copyOf(models);
        }

        public Duration duration() {
            return Duration.between(started, lastActivity);
        }

        /** Share of prompt tokens read from the prompt cache: read / (uncached input + writes + reads); 0 if none. */
        public double promptCacheHitRatio() {
            long prompt = inputTokens + cacheCreationTokens + cacheReadTokens;
            return prompt == 0 ? 0 : (double) cacheReadTokens / prompt;
        }
    }

    /** Report groupings; {@code SESSION} and {@code PROJECT} read the sessions' figures, the others the rollups. */
    enum ReportGrouping { DAY, MODEL, TIER, REQUEST, SESSION, PROJECT }

    /**
     * One row of the cost report; {@code key} is the day (YYYY-MM-DD), final model, tier, query id, session id or
     * project ("" for requests that stated none).
     * The CSV columns are exactly these fields, in this order.
     */
    record ReportRow(
            String key,
            long requests,
            long inputTokens,
            long outputTokens,
            long cacheCreationTokens,
            long cacheReadTokens,
            double costUsd,
            double counterfactualUsd,
            double savedUsd,
            long cacheHits,
            long escalations) {
    }
}
