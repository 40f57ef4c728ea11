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
 * @param routerScores     the router's scores and thresholds; null when the request was not scored (not routed,
 *                         a cache hit, or rows written before migration V3)
 *
 * <p>The string fields hold the stored spellings ({@code Tier#id()}, {@code ClassifierLayer#id()},
 * {@code CacheKind#id()}): this record is the row, read back from H2 as it was written. Code that assembles one
 * uses {@link #builder()}; a later field (session id, router scores) then needs no change at the other call sites.
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
        SessionTag session,
        RouterScores routerScores) {

    public RequestRecord {
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
        session = session == null ? SessionTag.NONE : session;
    }

    /** A record without router scores (as before they were recorded). */
    public RequestRecord(String queryId, Instant timestamp, String callerKeyHash, String requestedModel,
            String finalModel, String tier, String classifierLayer, String classifierReason, String cacheKind,
            int escalations, boolean stream, int status, String errorType, Usage usage, Double costUsd,
            Double counterfactualUsd, Double savedUsd, long latencyMillis, long ttfbMillis, long upstreamMillis,
            String promptPreview, String answerPreview, List<AttemptRecord> attempts, SessionTag session) {
        this(queryId, timestamp, callerKeyHash, requestedModel, finalModel, tier, classifierLayer, classifierReason,
                cacheKind, escalations, stream, status, errorType, usage, costUsd, counterfactualUsd, savedUsd,
                latencyMillis, ttfbMillis, upstreamMillis, promptPreview, answerPreview, attempts, session, null);
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
                attempts, s, routerScores);
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
                a, session, routerScores);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts from this record, for a copy with some fields changed. */
    public Builder toBuilder() {
        return new Builder().queryId(queryId).timestamp(timestamp).callerKeyHash(callerKeyHash)
                .requestedModel(requestedModel).finalModel(finalModel).tier(tier).classifierLayer(classifierLayer)
                .classifierReason(classifierReason).cacheKind(cacheKind).escalations(escalations).stream(stream)
                .status(status).errorType(errorType).usage(usage).costUsd(costUsd)
                .counterfactualUsd(counterfactualUsd).savedUsd(savedUsd).latencyMillis(latencyMillis)
                .ttfbMillis(ttfbMillis).upstreamMillis(upstreamMillis).promptPreview(promptPreview)
                .answerPreview(answerPreview).attempts(attempts).session(session).routerScores(routerScores);
    }

    /** Named setters for the record's fields; unset fields are null, 0 or false ({@code ttfbMillis} -1). */
    public static final class Builder {
        private String queryId;
        private Instant timestamp;
        private String callerKeyHash = "";
        private String requestedModel;
        private String finalModel;
        private String tier;
        private String classifierLayer = "n/a";
        private String classifierReason;
        private String cacheKind = "none";
        private int escalations;
        private boolean stream;
        private int status;
        private String errorType;
        private Usage usage = Usage.ZERO;
        private Double costUsd;
        private Double counterfactualUsd;
        private Double savedUsd;
        private long latencyMillis;
        private long ttfbMillis = -1;
        private long upstreamMillis;
        private String promptPreview;
        private String answerPreview;
        private List<AttemptRecord> attempts = List.of();
        private SessionTag session = SessionTag.NONE;
        private RouterScores routerScores;

        private Builder() {
        }

        public Builder queryId(String v) { queryId = v; return this; }
        public Builder timestamp(Instant v) { timestamp = v; return this; }
        public Builder callerKeyHash(String v) { callerKeyHash = v; return this; }
        public Builder requestedModel(String v) { requestedModel = v; return this; }
        public Builder finalModel(String v) { finalModel = v; return this; }
        public Builder tier(String v) { tier = v; return this; }
        public Builder classifierLayer(String v) { classifierLayer = v; return this; }
        public Builder classifierReason(String v) { classifierReason = v; return this; }
        public Builder cacheKind(String v) { cacheKind = v; return this; }
        public Builder escalations(int v) { escalations = v; return this; }
        public Builder stream(boolean v) { stream = v; return this; }
        public Builder status(int v) { status = v; return this; }
        public Builder errorType(String v) { errorType = v; return this; }
        public Builder usage(Usage v) { usage = v; return this; }
        public Builder costUsd(Double v) { costUsd = v; return this; }
        public Builder counterfactualUsd(Double v) { counterfactualUsd = v; return this; }
        public Builder savedUsd(Double v) { savedUsd = v; return this; }
        public Builder latencyMillis(long v) { latencyMillis = v; return this; }
        public Builder ttfbMillis(long v) { ttfbMillis = v; return this; }
        public Builder upstreamMillis(long v) { upstreamMillis = v; return this; }
        public Builder promptPreview(String v) { promptPreview = v; return this; }
        public Builder answerPreview(String v) { answerPreview = v; return this; }
        public Builder attempts(List<AttemptRecord> v) { attempts = v; return this; }
        public Builder session(SessionTag v) { session = v; return this; }
        public Builder routerScores(RouterScores v) { routerScores = v; return this; }

        public RequestRecord build() {
            return new RequestRecord(queryId, timestamp, callerKeyHash, requestedModel, finalModel, tier,
                    classifierLayer, classifierReason, cacheKind, escalations, stream, status, errorType, usage,
                    costUsd, counterfactualUsd, savedUsd, latencyMillis, ttfbMillis, upstreamMillis, promptPreview,
                    answerPreview, attempts, session, routerScores);
        }
    }
}
