/**
 * Routing decisions, pure and free of HTTP: which model answers a request ({@link
 * dev.costgateway.core.routing.Router}), the three classifier layers (heuristic, {@link
 * dev.costgateway.core.routing.EmbeddingLayer embedding}, LLM self-classification), when a weak answer is retried
 * on a stronger tier ({@link dev.costgateway.core.routing.EscalationPolicy}) and what everything cost
 * ({@link dev.costgateway.core.routing.CostCalculator}, {@link dev.costgateway.core.routing.Savings}).
 *
 * <p>Money is in US dollars as {@code double}; token counts are {@code long}; times are milliseconds.
 * Every class here is immutable or thread-safe; configuration is read through a {@code Supplier<GatewayConfig>} on
 * each call so a reload applies to the next request. Nothing here performs I/O except through the injected
 * {@link dev.costgateway.core.routing.LlmTransport}.
 */
package dev.costgateway.core.routing;
