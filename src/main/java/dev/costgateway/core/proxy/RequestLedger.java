package dev.costgateway.core.proxy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.decision.CacheKind;
import dev.costgateway.core.decision.ClassifierLayer;
import dev.costgateway.core.decision.RouteDecision;
import dev.costgateway.core.metrics.AttemptPurpose;
import dev.costgateway.core.metrics.AttemptRecord;
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.core.metrics.RouterScores;
import dev.costgateway.core.session.SessionExtractor;
import dev.costgateway.core.session.SessionTag;
import dev.costgateway.core.time.GatewayClock;

/**
 * The account of one request, shared by buffered and live attempts: the route and each escalation, every upstream
 * call (classifier calls and answers) with its latency and price, the first byte to the client, and finally the
 * {@link RequestRecord}. It owns the money rules:
 * <ul>
 *   <li>the cost of an answered request is every priced attempt plus the classifier calls; it is <em>unknown</em>
 *       (null) when an answer that was billed has no price or a classifier call's cost is unknown (it timed out and
 *       may have been billed): a lower bound passed off as the cost would overstate the savings;</li>
 *   <li>savings are counterfactual minus cost, unknown when either is;</li>
 *   <li>a request that ended without an answer (gateway error, hang-up) costs what its priced attempts cost, null
 *       when it made none.</li>
 * </ul>
 * Closed exactly once ({@link #close}); later calls return empty. Methods may be called from the Jetty threads that
 * carry the exchange, one at a time or racing a client hang-up, so state changes are synchronized.
 */
final class RequestLedger {

    private final String queryId;
    private final GatewayClock clock;
    private final Pricing pricing;
    private final Instant startedAt;
    private final long startNanos;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<AttemptRecord> attempts = new ArrayList<>();

    private ParsedRequest request;
    private String requestedModel = "";
    private int previewChars = -1;
    private RouteDecision route;
    private CacheKind cacheKind = CacheKind.NONE;
    private int escalations;
    private long upstreamNanos;
    private long ttfbNanos = -1;

    RequestLedger(String queryId, GatewayClock clock, Pricing pricing) {
        this.queryId = queryId;
        this.clock = clock;
        this.pricing = pricing;
        this.startedAt = clock.instant();
        this.startNanos = clock.nanoTime();
    }

    String queryId() {
        return queryId;
    }

    /** Monotonic nanos from the injected clock, for timing an attempt. */
    long now() {
        return clock.nanoTime();
    }

    /** @param previewChars characters of prompt and answer to keep, negative for none ({@code metrics.store_text}) */
    synchronized void request(ParsedRequest parsed, int previewChars) {
        this.request = parsed;
        this.requestedModel = parsed.requestedModel();
        this.previewChars = previewChars;
    }

    synchronized void routed(RouteDecision decision) {
        route = decision;
        for (RouteDecision.ClassifierCall c : decision.classifierCalls()) {
            attempts.add(AttemptRecord.of(attempts.size(), AttemptPurpose.CLASSIFIER, c.model(),
                    "classifier:" + c.outcome(), c.status(), c.usage(), c.costUsd(), c.latencyMillis()));
        }
    }

    synchronized void escalated(RouteDecision next) {
        escalations++;
        route = next;
    }

    synchronized RouteDecision route() {
        return route;
    }

    synchronized int escalations() {
        return escalations;
    }

    /** The model that answers (or would have): the route's, or the requested one before routing. */
    synchronized String currentModel() {
        return route == null ? requestedModel : route.chosenModel();
    }

    synchronized ClassifierLayer layer() {
        return route == null ? ClassifierLayer.NONE : route.layer();
    }

    /**
     * One answer attempt by the current route's model ended. A 200 is priced from its usage; anything else was not
     * billed. Its time counts towards the upstream time.
     *
     * @param status 0 when no response arrived
     */
    synchronized void answerAttempt(String trigger, int status, Usage usage, long attemptStartNanos) {
        long elapsed = clock.nanoTime() - attemptStartNanos;
        upstreamNanos += elapsed;
        String model = currentModel();
        Double cost = status == 200 ? pricing.cost(model, usage) : null;
        attempts.add(AttemptRecord.of(attempts.size(), AttemptPurpose.ANSWER, model, trigger, status, usage, cost,
                TimeUnit.NANOSECONDS.toMillis(elapsed)));
    }

    /** The first byte went to the client (later calls keep the first time). */
    synchronized void firstByte() {
        if (ttfbNanos < 0) {
            ttfbNanos = clock.nanoTime() - startNanos;
        }
    }

    // ---- money ----

    /** Cost of an answered request (see the class comment): null when unknown. */
    synchronized Double answeredCost() {
        double sum = 0;
        for (AttemptRecord a : attempts) {
            if (a.costUsd() != null) {
                sum += a.costUsd();
            } else if (!a.isAnswer() || a.status() == 200) {
                return null; // a classifier call of unknown cost, or a billed answer without a price
            }
        }
        return sum;
    }

    /** What the priced attempts cost; null when none was made. */
    synchronized Double spentSoFar() {
        if (attempts.isEmpty()) {
            return null;
        }
        double sum = 0;
        for (AttemptRecord a : attempts) {
            if (a.costUsd() != null) {
                sum += a.costUsd();
            }
        }
        return sum;
    }

    /** Savings of the answer with this usage, after all attempts so far; null when unknown. */
    Double savings(Usage usage) {
        return saved(pricing.counterfactual(requestedModel, usage), answeredCost());
    }

    /**
     * The savings estimate for a live stream's headers, from the usage known before its first byte (the input side):
     * the stream's own attempt is not recorded yet, so its early cost is added here. The exact figure is recorded.
     */
    Double liveSavings(Usage early) {
        Double spent = answeredCost();
        Double stream = pricing.cost(currentModel(), early);
        return saved(pricing.counterfactual(requestedModel, early),
                spent == null || stream == null ? null : spent + stream);
    }

    /** Savings of a cached answer: it cost nothing, so all of what the requested model would have cost. */
    Double cacheSavings(Usage usage) {
        return saved(pricing.counterfactual(requestedModel, usage), 0.0);
    }

    static Double saved(Double counterfactual, Double cost) {
        return counterfactual == null || cost == null ? null : counterfactual - cost;
    }

    // ---- the record ----

    boolean isClosed() {
        return closed.get();
    }

    /** An answer from upstream reached the client (fully, or a stream until it broke). */
    Optional<RequestRecord> closeAnswered(int status, String errorType, Usage usage, JsonNode message) {
        boolean ok = status == 200;
        return close(status, errorType, null, usage, ok ? answeredCost() : spentSoFar(),
                ok ? pricing.counterfactual(requestedModel, usage) : null, message);
    }

    /** The route of a request answered from the cache: no tier, no classifier, the cached answer's model. */
    synchronized RouteDecision cacheRoute(MessagePolicy.CacheHit hit) {
        return new RouteDecision(requestedModel, hit.model(), null, null, ClassifierLayer.NONE,
                hit.kind().id() + " cache: " + hit.detail(), false, List.of());
    }

    /** A cached answer reached the client. */
    Optional<RequestRecord> closeFromCache(MessagePolicy.CacheHit hit, JsonNode message) {
        synchronized (this) {
            if (closed.get()) {
                return Optional.empty();
            }
            cacheKind = hit.kind();
        }
        return close(200, null, hit.model(), hit.usage(), 0.0, pricing.counterfactual(requestedModel, hit.usage()),
                message);
    }

    /** The request ended without an answer: a gateway error, or the client hung up ({@code status} 0). */
    Optional<RequestRecord> closeFailed(int status, String errorType) {
        return close(status, errorType, null, Usage.ZERO, spentSoFar(), null, null);
    }

    private synchronized Optional<RequestRecord> close(int status, String errorType, String finalModel, Usage usage,
                                                       Double cost, Double counterfactual, JsonNode message) {
        if (!closed.compareAndSet(false, true)) {
            return Optional.empty();
        }
        long latency = TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - startNanos);
        boolean previews = previewChars >= 0 && request != null;
        return Optional.of(RequestRecord.builder()
                .queryId(queryId)
                .timestamp(startedAt)
                .callerKeyHash(request == null ? "" : request.callerKeyHash())
                .requestedModel(requestedModel)
                .finalModel(finalModel != null ? finalModel : currentModel())
                .tier(route == null || route.tier() == null ? null : route.tier().id())
                .classifierLayer(layer().id())
                .classifierReason(route == null ? null : route.reason())
                .cacheKind(cacheKind.id())
                .escalations(escalations)
                .stream(request != null && request.stream())
                .status(status)
                .errorType(errorType)
                .usage(usage)
                .costUsd(cost)
                .counterfactualUsd(counterfactual)
                .savedUsd(saved(counterfactual, cost))
                .latencyMillis(latency)
                .ttfbMillis(ttfbNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(ttfbNanos))
                .upstreamMillis(TimeUnit.NANOSECONDS.toMillis(upstreamNanos))
                .promptPreview(previews ? TextPreview.lastUserText(request.body(), previewChars) : null)
                .answerPreview(previews && message != null ? TextPreview.answerText(message, previewChars) : null)
                .attempts(attempts)
                .session(session())
                .routerScores(routerScores())
                .build());
    }

    /** The route's scores and thresholds as numbers for the record; null when the route carried no score. */
    private RouterScores routerScores() {
        if (route == null || route.score() == null || route.thresholds() == null || route.ceiling() == null) {
            return null;
        }
        return new RouterScores(route.score().premium(), route.score().balanced(), route.score().model(),
                route.thresholds().premium(), route.thresholds().fast(), route.thresholds().source(),
                route.ceiling().id());
    }

    /** The request's session, worked out as the record is made, after the response (off the path to upstream). */
    private SessionTag session() {
        if (request == null) {
            return SessionTag.NONE;
        }
        try {
            return SessionExtractor.extract(request.sessionHeader(), request.body(), request.callerKeyHash());
        } catch (RuntimeException e) {
            return SessionTag.NONE; // a session is a grouping aid: never lose the record over it
        }
    }
}
