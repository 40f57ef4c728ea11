package dev.costgateway.core.routing;

import java.util.Optional;
import java.util.OptionalDouble;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.GatewayConfig.ModelPrice;
import dev.costgateway.core.config.GatewayConfig.Pricing;

/**
 * What a response cost, computed exactly from its {@link Usage} at the answering model's list prices.
 * Stateless and thread-safe.
 */
public final class CostCalculator {

    private static final double TOKENS_PER_PRICE_UNIT = 1_000_000.0;

    private CostCalculator() {
    }

    /**
     * Cost in USD of {@code usage} at {@code model}'s prices: input, 5-minute and 1-hour cache writes and cache reads
     * at the input price times their {@code pricing:} multipliers, output at the output price.
     *
     * @return empty when the model's price is unknown (never a made-up zero)
     */
    public static OptionalDouble cost(String model, Usage usage, GatewayConfig cfg) {
        Optional<ModelPrice> price = cfg.priceOf(model);
        if (price.isEmpty() || usage == null) {
            return OptionalDouble.empty();
        }
        double in = price.get().inputPerMTok();
        double out = price.get().outputPerMTok();
        Pricing p = cfg.pricing();
        double micro = usage.inputTokens() * in
                + usage.cacheCreation5mTokens() * in * p.cacheWrite5mMultiplier()
                + usage.cacheCreation1hTokens() * in * p.cacheWrite1hMultiplier()
                + usage.cacheReadInputTokens() * in * p.cacheReadMultiplier()
                + usage.outputTokens() * out;
        return OptionalDouble.of(micro / TOKENS_PER_PRICE_UNIT);
    }

    /** {@link #cost} as a nullable {@code Double}, the form metrics records use. */
    public static Double costOrNull(String model, Usage usage, GatewayConfig cfg) {
        OptionalDouble c = cost(model, usage, cfg);
        return c.isPresent() ? c.getAsDouble() : null;
    }
}
