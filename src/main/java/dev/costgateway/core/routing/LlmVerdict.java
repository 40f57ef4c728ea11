package dev.costgateway.core.routing;

import dev.costgateway.core.config.Tier;

/**
 * The fast model's answer about a prompt.
 *
 * @param label     {@code SIMPLE}, {@code MODERATE} or {@code COMPLEX}
 * @param tier      {@code fast}, {@code balanced} or {@code premium} respectively, before the ceiling applies
 * @param fromCache true when the verdict came from the verdict cache (no call was made, nothing was spent)
 */
public record LlmVerdict(String label, Tier tier, boolean fromCache) {
}
