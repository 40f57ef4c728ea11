package dev.costgateway.core.routing;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;
import dev.costgateway.core.decision.DifficultyScore;
import dev.costgateway.core.decision.RoutingThresholds;

/**
 * What a routing setting would have done to requests already seen: re-thresholds their recorded scores and
 * prices their recorded usage at the tier each would have got. The computation behind the issue-11 what-if
 * (share per tier, estimated spend and savings); recording the scores per request (migration V3) and the
 * {@code GET /v1/routing/whatif} endpoint that feeds it are not built yet.
 *
 * <p>An estimate: the answer's usage is taken as it was, whatever model would have written it.
 */
public final class WhatIf {

    /**
     * One recorded request.
     *
     * @param score          its scores (the embedding is not needed)
     * @param ceiling        the requested model's tier (the router never goes above it)
     * @param requestedModel what the client asked for (the counterfactual's price)
     * @param usage          the final answer's usage
     */
    public record Scored(DifficultyScore score, Tier ceiling, String requestedModel, Usage usage) {
    }

    /**
     * @param requests          requests evaluated
     * @param share             fraction of them per tier (all three tiers present)
     * @param spendUsd          estimated spend at the tiers chosen
     * @param counterfactualUsd what the requested models would have cost
     * @param savedUsd          counterfactual minus spend
     */
    public record Result(int requests, Map<Tier, Double> share, double spendUsd, double counterfactualUsd,
                         double savedUsd) {
    }

    private WhatIf() {
    }

    /** Evaluates {@code routing}'s shares or raw thresholds over {@code requests}; prices from {@code cfg}. */
    public static Result evaluate(List<Scored> requests, GatewayConfig.Routing routing, RouterModel model,
                                  GatewayConfig cfg) {
        Map<Tier, Integer> counts = new EnumMap<>(Tier.class);
        double spend = 0;
        double counterfactual = 0;
        for (Scored r : requests) {
            RoutingThresholds t = Calibration.of(routing, model, r.score().model());
            Tier tier = t.tierFor(r.score());
            if (tier.isAbove(r.ceiling()) && !routing.allowUpgrade()) {
                tier = r.ceiling();
            }
            counts.merge(tier, 1, Integer::sum);
            String answering = tier == r.ceiling() && cfg.tierOf(r.requestedModel()).orElse(null) == tier
                    ? r.requestedModel() : cfg.modelFor(tier);
            spend += CostCalculator.cost(answering, r.usage(), cfg).orElse(0);
            Double cf = Savings.counterfactual(r.requestedModel(), r.usage(), cfg);
            counterfactual += cf == null ? 0 : cf;
        }
        Map<Tier, Double> share = new EnumMap<>(Tier.class);
        for (Tier t : Tier.values()) {
            share.put(t, requests.isEmpty() ? 0 : counts.getOrDefault(t, 0) / (double) requests.size());
        }
        return new Result(requests.size(), share, spend, counterfactual, counterfactual - spend);
    }
}
