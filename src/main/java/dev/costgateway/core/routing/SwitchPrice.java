package dev.costgateway.core.routing;

import java.util.Locale;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.config.GatewayConfig;

/**
 * The price of moving a session's prompt cache from one model to another (issue 14, ADR 0080), in USD.
 *
 * <p>The switch turn writes the cached prefix on the new model: {@code prefixTokens × write multiplier (the TTL the
 * client asked for) × the new model's input price} ({@link #writeUsd}). Staying would have cost that prefix too: a
 * read while the old model's cache is warm, a full write at the old model's price once it has gone cold (an idle
 * gap over the TTL) ({@link #stayUsd}). The switch costs the difference ({@link #switchCostUsd}). It is expected to
 * save, on each later turn, the difference between an average turn of this session priced on the old and on the new
 * model ({@link #perTurnSavingUsd}), over {@link #remainingTurns}. It pays when that saving exceeds its cost.
 *
 * @param remainingTurns the turns the session is expected to run after this one
 */
public record SwitchPrice(String fromModel, String toModel, long prefixTokens, boolean oneHourTtl, boolean warm,
        double writeUsd, double stayUsd, double perTurnSavingUsd, double remainingTurns) {

    /**
     * Prices a switch; {@code null} when a model's price is unknown (an unknown price never justifies a switch).
     *
     * @param averageTurn the usage of one typical turn of this session, as billed on {@code from}
     */
    public static SwitchPrice of(GatewayConfig cfg, String from, String to, long prefixTokens, boolean oneHourTtl,
                                 boolean warm, Usage averageTurn, double remainingTurns) {
        var fromPrice = cfg.priceOf(from);
        var toPrice = cfg.priceOf(to);
        if (fromPrice.isEmpty() || toPrice.isEmpty()) {
            return null;
        }
        GatewayConfig.Pricing p = cfg.pricing();
        double write = oneHourTtl ? p.cacheWrite1hMultiplier() : p.cacheWrite5mMultiplier();
        double writeUsd = prefixTokens * write * toPrice.get().inputPerMTok() / 1e6;
        double stayUsd = prefixTokens * (warm ? p.cacheReadMultiplier() : write) * fromPrice.get().inputPerMTok() / 1e6;
        double perTurn = CostCalculator.cost(from, averageTurn, cfg).orElse(0)
                - CostCalculator.cost(to, averageTurn, cfg).orElse(0);
        return new SwitchPrice(from, to, prefixTokens, oneHourTtl, warm, writeUsd, stayUsd, perTurn, remainingTurns);
    }

    /** What the switch turn costs more than staying (negative when staying would have cost more). */
    public double switchCostUsd() {
        return writeUsd - stayUsd;
    }

    /** The saving expected over the remaining turns (negative for a move to a dearer model). */
    public double expectedSavingUsd() {
        return perTurnSavingUsd * remainingTurns;
    }

    /** True when the expected saving exceeds the switch's cost. */
    public boolean pays() {
        return expectedSavingUsd() > switchCostUsd();
    }

    /** One line for the request inspector: inputs and price. */
    public String describe() {
        return String.format(Locale.ROOT, "%,d prefix tokens × %s write on %s = $%.4f vs staying $%.4f (cache %s); "
                        + "saves $%.4f/turn × %.1f turns = $%.4f",
                prefixTokens, oneHourTtl ? "1h" : "5m", toModel, writeUsd, stayUsd, warm ? "warm" : "cold",
                perTurnSavingUsd, remainingTurns, expectedSavingUsd());
    }
}
