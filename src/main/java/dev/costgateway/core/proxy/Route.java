package dev.costgateway.core.proxy;

import java.util.List;

import dev.costgateway.core.config.Tier;
import dev.costgateway.core.metrics.AttemptRecord;

/**
 * Where one request goes: the model to send, and why.
 *
 * @param model           model id forwarded upstream (the client's own id when routing left it alone)
 * @param tier            tier of {@code model}, null when the model is not routed (unknown id, routing off)
 * @param ceiling         tier of the requested model: escalation never goes above it; null when unknown
 * @param layer           {@code heuristic|embedding|haiku|rule|n/a}
 * @param reason          rule name, heuristic signal or nearest example, for the request table
 * @param classifierCalls upstream calls made to decide (layer 3), with their cost
 */
public record Route(String model, Tier tier, Tier ceiling, String layer, String reason,
                    List<AttemptRecord> classifierCalls) {
    public Route {
        classifierCalls = List.copyOf(classifierCalls);
    }

    public static Route unrouted(String model, String reason) {
        return new Route(model, null, null, "n/a", reason, List.of());
    }

    /** Sum of the known classifier costs, USD. */
    public double classifierCostUsd() {
        return classifierCalls.stream().mapToDouble(a -> a.costUsd() == null ? 0 : a.costUsd()).sum();
    }
}
