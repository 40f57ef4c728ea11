package dev.costgateway.core.decision;

import java.util.List;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.config.Tier;

/**
 * Which model answers a request, and why. Immutable.
 *
 * @param requestedModel  the {@code model} the client sent (may be {@code auto} or an id the gateway does not know)
 * @param chosenModel     the model id to put into the forwarded body; equal to {@code requestedModel} when the
 *                        request keeps its tier (the client's exact id is never swapped for a sibling)
 * @param ceiling         the requested model's tier ({@code premium} for {@code auto}); null for an unknown model
 * @param tier            the tier that answers; null when the request was not routed
 * @param layer           who decided
 * @param reason          a short, human-readable why: rule name, heuristic signals, nearest example, fallback cause
 * @param routed          false when routing did not apply (mode off, bypass header, unknown model)
 * @param classifierCalls upstream calls made to decide (layer 3); empty for a cache hit or when no call was made
 * @param score           the request's difficulty score (and its embedding, for the semantic cache); null when the
 *                        request was not routed or the router has no scorer
 * @param thresholds      the thresholds the score was judged by; null when {@code score} is null
 *
 * <p>One type for the router's answer, the proxy's current route and each escalation (it replaced the proxy's own
 * {@code Route}, which summed an unknown classifier cost as 0: here unknown stays null).
 */
public record RouteDecision(
        String requestedModel,
        String chosenModel,
        Tier ceiling,
        Tier tier,
        ClassifierLayer layer,
        String reason,
        boolean routed,
        List<ClassifierCall> classifierCalls,
        DifficultyScore score,
        RoutingThresholds thresholds) {

    public RouteDecision {
        classifierCalls = classifierCalls == null ? List.of() : List.copyOf(classifierCalls);
    }

    /** A decision without a score. */
    public RouteDecision(String requestedModel, String chosenModel, Tier ceiling, Tier tier, ClassifierLayer layer,
                         String reason, boolean routed, List<ClassifierCall> classifierCalls) {
        this(requestedModel, chosenModel, ceiling, tier, layer, reason, routed, classifierCalls, null, null);
    }

    /** This decision carrying a score and its thresholds. */
    public RouteDecision withScore(DifficultyScore s, RoutingThresholds t) {
        return new RouteDecision(requestedModel, chosenModel, ceiling, tier, layer, reason, routed, classifierCalls,
                s, t);
    }

    /** The requested model forwarded as it is, with no classifier involved (routing failed, pass-through policy). */
    public static RouteDecision unrouted(String requestedModel, String reason) {
        return new RouteDecision(requestedModel, requestedModel, null, null, ClassifierLayer.NONE, reason, false,
                List.of());
    }

    /** The same decision moved up to a stronger tier after a weak answer; the classifier calls were already paid. */
    public RouteDecision escalatedTo(String model, Tier stronger, String trigger) {
        return new RouteDecision(requestedModel, model, ceiling, stronger, layer,
                reason + "; escalated (" + trigger + ")", true, List.of(), score, thresholds);
    }

    /** True when the forwarded body needs its {@code model} replaced. */
    public boolean modelChanged() {
        return chosenModel != null && !chosenModel.equals(requestedModel);
    }

    /**
     * Sum of the classifier calls' costs in USD: 0 when none was made, null when one of them has an unknown cost.
     */
    public Double classifierCostUsd() {
        double sum = 0;
        for (ClassifierCall c : classifierCalls) {
            if (c.costUsd() == null) {
                return null;
            }
            sum += c.costUsd();
        }
        return sum;
    }

    /**
     * One layer-3 classifier call made upstream.
     *
     * @param model         model asked (the fast tier's model)
     * @param usage         its usage; {@link Usage#ZERO} when no response arrived
     * @param costUsd       its cost; 0 for an error response (not billed), null when unknown (timed out, the call
     *                      may have been billed) or the model's price is unknown
     * @param latencyMillis from sending to the reply or the timeout
     * @param status        HTTP status, 0 when no response arrived
     * @param outcome       {@code SIMPLE|MODERATE|COMPLEX}, or {@code timeout}, {@code error}, {@code unparseable}
     */
    public record ClassifierCall(String model, Usage usage, Double costUsd, long latencyMillis, int status,
                                 String outcome) {
    }
}
