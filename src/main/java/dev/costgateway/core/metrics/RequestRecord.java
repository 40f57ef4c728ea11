package dev.costgateway.core.metrics;

import java.time.Instant;
import java.util.List;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.session.CacheHealth;
import dev.costgateway.core.session.SessionTag;

/**
 * Everything recorded about one client request to {@code /v1/messages}, written once, after the response ended.
 *
 * @param queryId          short id, also sent to the client as {@code X-Gateway-Query-ID}
 * @param callerKeyHash    a hash of the caller's API key (never the key); empty when the caller sent none
 * @param tier             {@code fast|balanced|premium}, or null when the model was not routed
 * @param classifierLayer  {@code heuristic|embedding|haiku|rule|n/a}
 * @param cacheKind        {@code none|exact|semantic}
 * @param status           HTTP status returned to the client (0 when the client hung up before one was sent)
 * @param errorType        Anthropic error type when the request failed, else null; {@code client_closed} for hang-ups
 * @param usage            usage of the final answer (for a cache hit: the original answer's usage)
 * @param costUsd          what this request actually cost, all attempts and classifier calls; null if unknown
 * @param counterfactualUsd what the requested model would have cost for the same usage; null if unknown
 * @param savedUsd         counterfactual minus cost (may be negative); null if either is unknown
 * @param ttfbMillis       time to first byte sent to the client, -1 when nothing was sent
 * @param upstreamMillis   time spent waiting on upstream across all attempts
 * @param promptPreview    bounded preview of the last user turn, only when metrics.store_text is on, else null
 * @param answerPreview    bounded preview of the answer text, only when metrics.store_text is on, else null
 * @param session          the session and project the request belongs to; {@link SessionTag#NONE} when unknown
 */
public record RequestRecord(
        String queryId,
        Instant timestamp,
        String callerKeyHash,
        String requestedModel,
        String finalModel,
        String tier,
        String classifierLayer,
        String classifierReason,
        String cacheKind,
        int escalations,
        boolean stream,
        int status,
        String errorType,
        Usage usage,
        Double costUsd,
        Double counterfactualUsd,
        Double savedUsd,
        long latencyMillis,
        long ttfbMillis,
        long upstreamMillis,
        String promptPreview,
        String answerPreview,
        List<AttemptRecord> attempts,
        SessionTag session) {

    public RequestRecord {
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
        session = session == null ? SessionTag.NONE : session;
    }

    /** A record without a session (as before sessions were recorded). */
    public RequestRecord(String queryId, Instant timestamp, String callerKeyHash, String requestedModel,
            String finalModel, String tier, String classifierLayer, String classifierReason, String cacheKind,
            int escalations, boolean stream, int status, String errorType, Usage usage, Double costUsd,
            Double counterfactualUsd, Double savedUsd, long latencyMillis, long ttfbMillis, long upstreamMillis,
            String promptPreview, String answerPreview, List<AttemptRecord> attempts) {
        this(queryId, timestamp, callerKeyHash, requestedModel, finalModel, tier, classifierLayer, classifierReason,
                cacheKind, escalations, stream, status, errorType, usage, costUsd, counterfactualUsd, savedUsd,
                latencyMillis, ttfbMillis, upstreamMillis, promptPreview, answerPreview, attempts, SessionTag.NONE);
    }

    /** This record with another session. */
    public RequestRecord withSession(SessionTag s) {
        return new RequestRecord(queryId, timestamp, callerKeyHash, requestedModel, finalModel, tier,
                classifierLayer, classifierReason, cacheKind, escalations, stream, status, errorType, usage, costUsd,
                counterfactualUsd, savedUsd, latencyMillis, ttfbMillis, upstreamMillis, promptPreview, answerPreview,
                attempts, s);
    }

    /** This request as the session's prompt-cache checks see it. */
    public CacheHealth.Turn cacheTurn() {
        boolean upstream = (cacheKind == null || "none".equals(cacheKind)) && status == 200;
        return new CacheHealth.Turn(queryId, timestamp, timestamp.plusMillis(Math.max(0, latencyMillis)), finalModel,
                usage, session.cacheBreakpoints(), upstream);
    }

    /** This record with other attempts. */
    public RequestRecord withAttempts(List<AttemptRecord> a) {
        return new RequestRecord(queryId, timestamp, callerKeyHash, requestedModel, finalModel, tier,
                classifierLayer, classifierReason, cacheKind, escalations, stream, status, errorType, usage, costUsd,
                counterfactualUsd, savedUsd, latencyMillis, ttfbMillis, upstreamMillis, promptPreview, answerPreview,
                a, session);
    }
}
