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
 * (share per tier, estimated spend and savings). Recorded traffic comes from the V3 score columns through
 * {@link RecordedTraffic}, which feeds {@code GET /v1/routing/whatif} and the routing knob's preview.
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
     * @param pinned         the tier a conservative rule chose (no setting moves it); null when the score decided
     */
    public record Scored(DifficultyScore score, Tier ceiling, String requestedModel, Usage usage, Tier pinned) {

        /** A request whose tier the score decides. */
        public Scored(DifficultyScore score, Tier ceiling, String requestedModel, Usage usage) {
            this(score, ceiling, requestedModel, usage, null);
        }
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
            Tier tier = tierOf(r, routing, model);
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

    /**
     * The tier one recorded request would get under {@code routing}: its pinned tier, the ceiling when routing is
     * off, else its scores against the thresholds, capped at the ceiling.
     */
    public static Tier tierOf(Scored r, GatewayConfig.Routing routing, RouterModel model) {
        if (r.pinned() != null) {
            return r.pinned();
        }
        if (routing.mode() == GatewayConfig.RoutingMode.OFF) {
            return r.ceiling();
        }
        RoutingThresholds t = Calibration.of(routing, model, r.score().model());
        Tier tier = t.tierFor(r.score());
        return tier.isAbove(r.ceiling()) && !routing.allowUpgrade() ? r.ceiling() : tier;
    }
}
