package dev.costgateway.core.routing;

import java.util.Collection;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;

/**
 * What routing saved: the cost the requested model would have had for the final answer's usage, minus what was
 * actually spent (every attempt plus the classifier calls). Amounts in USD; null means unknown, never zero.
 * Stateless.
 */
public final class Savings {

    private Savings() {
    }

    /** {@code counterfactual - actual}; null when either is unknown. Negative when routing cost more. */
    public static Double saved(Double counterfactualUsd, Double actualUsd) {
        if (counterfactualUsd == null || actualUsd == null) {
            return null;
        }
        return counterfactualUsd - actualUsd;
    }

    /**
     * The cost the requested model would have had for {@code finalUsage}; for {@code auto} the premium tier's model
     * is the requested one. Null when that model's price is unknown.
     */
    public static Double counterfactual(String requestedModel, Usage finalUsage, GatewayConfig cfg) {
        String model = Router.AUTO_MODEL.equals(requestedModel) ? cfg.modelFor(Tier.PREMIUM) : requestedModel;
        return CostCalculator.costOrNull(model, finalUsage, cfg);
    }

    /** Sum of costs (attempts and classifier calls); null when any one is unknown, 0 for none. */
    public static Double total(Collection<Double> costsUsd) {
        double sum = 0;
        for (Double c : costsUsd) {
            if (c == null) {
                return null;
            }
            sum += c;
        }
        return sum;
    }
}
