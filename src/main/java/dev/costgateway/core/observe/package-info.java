/**
 * Values that change over time, observable without JavaFX. A leaf: imports nothing from the rest of the gateway,
 * so every layer (embedder, gateway, UI view models) may depend on it without a cycle.
 */
package dev.costgateway.core.observe;
