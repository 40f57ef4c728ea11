package dev.costgateway.core.metrics;

import java.time.Instant;
import java.util.List;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.config.GatewayConfig;

/** Request records of every kind the proxy produces, for tests. */
public final class Records {

    public static final Instant T0 = Instant.parse("2025-03-10T12:00:00.123456Z");

    private Records() {
    }

    public static GatewayConfig.Metrics config(boolean storeText, int queueCapacity) {
        return new GatewayConfig.Metrics("", storeText, 500, 90, queueCapacity);
    }

    public static Usage usage(long in, long out) {
        return new Usage(in, out, 30, 20, 10, 40);
    }

    public static AttemptRecord answer(int index, String model, String trigger, Usage usage, Double cost) {
        return new AttemptRecord(index, "answer", model, trigger, 200, usage, cost, 400 + index);
    }

    public static RequestRecord plain(String id, Instant at) {
        return new RequestRecord(id, at, "hash-abc", "claude-sonnet-4-6", "claude-haiku-4-5-20251001", "fast",
                "heuristic", "short greeting", "none", 0, false, 200, null, usage(120, 40), 0.0003, 0.0012,
                0.0009, 850, 840, 830, "hello there", "Hi! How can I help?",
                List.of(answer(0, "claude-haiku-4-5-20251001", "initial", usage(120, 40), 0.0003)));
    }

    public static RequestRecord streamed(String id, Instant at) {
        return new RequestRecord(id, at, "hash-abc", "claude-opus-4-7", "claude-sonnet-4-6", "balanced",
                "embedding", "nearest: code review (0.83)", "none", 0, true, 200, null, usage(900, 700), 0.0132,
                0.066, 0.0528, 5200, 310, 5150, "review this diff", "Looks good overall",
                List.of(answer(0, "claude-sonnet-4-6", "initial", usage(900, 700), 0.0132)));
    }

    public static RequestRecord exactHit(String id, Instant at) {
        return new RequestRecord(id, at, "hash-abc", "claude-sonnet-4-6", "claude-haiku-4-5-20251001", "fast",
                "heuristic", "short greeting", "exact", 0, false, 200, null, usage(120, 40), 0.0, 0.0012, 0.0012,
                3, 2, 0, "hello there", "Hi! How can I help?", List.of());
    }

    public static RequestRecord semanticHit(String id, Instant at) {
        return new RequestRecord(id, at, "hash-def", "claude-sonnet-4-6", "claude-sonnet-4-6", "balanced",
                "embedding", "similar question", "semantic", 0, true, 200, null, usage(300, 200), 0.0, 0.0039,
                0.0039, 25, 20, 0, "what is a monad?", "A monad is...", List.of());
    }

    public static RequestRecord escalated(String id, Instant at) {
        return new RequestRecord(id, at, "hash-abc", "claude-opus-4-7", "claude-opus-4-7", "premium",
                "heuristic", "code", "none", 2, false, 200, null, usage(2000, 1500), 0.09, 0.1375, 0.0475,
                14000, 13900, 13800, "prove the theorem", "Proof: ...",
                List.of(answer(0, "claude-haiku-4-5-20251001", "initial", usage(2000, 4096), 0.0225),
                        answer(1, "claude-sonnet-4-6", "max_tokens", usage(2000, 900), 0.0195),
                        answer(2, "claude-opus-4-7", "phrase:I cannot", usage(2000, 1500), 0.0475)));
    }

    public static RequestRecord classified(String id, Instant at) {
        return new RequestRecord(id, at, "hash-abc", "claude-opus-4-7", "claude-sonnet-4-6", "balanced", "haiku",
                "classifier said balanced", "none", 0, false, 200, null, usage(400, 300), 0.0071, 0.0275, 0.0204,
                3100, 3000, 2950, "summarise this article", "The article argues...",
                List.of(new AttemptRecord(0, "classifier", "claude-haiku-4-5-20251001", "classifier", 200,
                                new Usage(150, 5, 0, 0, 0, 0), 0.000175, 350),
                        answer(1, "claude-sonnet-4-6", "initial", usage(400, 300), 0.0069)));
    }

    public static RequestRecord upstreamError(String id, Instant at) {
        return new RequestRecord(id, at, "hash-abc", "claude-sonnet-4-6", "claude-sonnet-4-6", "balanced", "rule",
                "routing off", "none", 0, false, 529, "overloaded_error", null, null, null, null, 120, 118, 110,
                "hi", null, List.of(new AttemptRecord(0, "answer", "claude-sonnet-4-6", "initial", 529, null,
                        null, 110)));
    }

    public static RequestRecord gatewayError(String id, Instant at) {
        return new RequestRecord(id, at, "", "not-a-model", null, null, "n/a", null, "none", 0, false, 400,
                "invalid_request_error", null, null, null, null, 1, 1, 0, null, null, List.of());
    }

    public static RequestRecord clientHangUp(String id, Instant at) {
        return new RequestRecord(id, at, "hash-abc", "claude-sonnet-4-6", "claude-haiku-4-5-20251001", "fast",
                "heuristic", "short", "none", 0, true, 0, "client_closed", usage(50, 3), 0.00006, 0.0002, 0.00014,
                700, -1, 650, "tell me a story", null,
                List.of(answer(0, "claude-haiku-4-5-20251001", "initial", usage(50, 3), 0.00006)));
    }

    /** A request routed by its scores (V3 columns), one threshold infinite (a share of 0). */
    public static RequestRecord scored(String id, Instant at) {
        return plain(id, at).toBuilder().classifierLayer("score")
                .classifierReason("score embedding+features: premium 0.080 (≥ 0.550), balanced 0.210 (fast < 0.300)")
                .routerScores(new RouterScores(0.08, 0.21, "embedding+features", Double.POSITIVE_INFINITY, 0.3,
                        "raw/share", "balanced"))
                .build();
    }

    /** A copy with another id and time. */
    public static RequestRecord at(RequestRecord r, String id, Instant t) {
        return new RequestRecord(id, t, r.callerKeyHash(), r.requestedModel(), r.finalModel(), r.tier(),
                r.classifierLayer(), r.classifierReason(), r.cacheKind(), r.escalations(), r.stream(), r.status(),
                r.errorType(), r.usage(), r.costUsd(), r.counterfactualUsd(), r.savedUsd(), r.latencyMillis(),
                r.ttfbMillis(), r.upstreamMillis(), r.promptPreview(), r.answerPreview(), r.attempts(), r.session(),
                r.routerScores());
    }

    public static RequestRecord withLatency(RequestRecord r, long latencyMillis) {
        return new RequestRecord(r.queryId(), r.timestamp(), r.callerKeyHash(), r.requestedModel(), r.finalModel(),
                r.tier(), r.classifierLayer(), r.classifierReason(), r.cacheKind(), r.escalations(), r.stream(),
                r.status(), r.errorType(), r.usage(), r.costUsd(), r.counterfactualUsd(), r.savedUsd(),
                latencyMillis, r.ttfbMillis(), r.upstreamMillis(), r.promptPreview(), r.answerPreview(),
                r.attempts(), r.session());
    }

    public static RequestRecord withText(RequestRecord r, String model, String prompt, String answer) {
        return new RequestRecord(r.queryId(), r.timestamp(), r.callerKeyHash(), r.requestedModel(), model,
                r.tier(), r.classifierLayer(), r.classifierReason(), r.cacheKind(), r.escalations(), r.stream(),
                r.status(), r.errorType(), r.usage(), r.costUsd(), r.counterfactualUsd(), r.savedUsd(),
                r.latencyMillis(), r.ttfbMillis(), r.upstreamMillis(), prompt, answer, r.attempts(), r.session());
    }
}
