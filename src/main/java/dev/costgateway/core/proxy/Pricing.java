package dev.costgateway.core.proxy;

import dev.costgateway.core.api.Usage;

/** Turns usage into money: all the {@link RequestLedger} needs from the policy. Thread-safe. */
public interface Pricing {

    /** Cost in USD of a usage at a model's prices; null when the price is unknown. */
    Double cost(String model, Usage usage);

    /** What the requested model would have cost for this usage; null when unknown. */
    Double counterfactual(String requestedModel, Usage usage);
}
