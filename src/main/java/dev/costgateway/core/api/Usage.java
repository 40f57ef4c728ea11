package dev.costgateway.core.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Token usage of one Messages API response, as reported in its {@code usage} object.
 *
 * @param cacheCreation5mTokens  5-minute cache writes; when the response has no {@code cache_creation} breakdown
 *                               all of {@code cacheCreationInputTokens} are counted here (as the API bills them)
 * @param cacheCreation1hTokens  1-hour cache writes (only known from the breakdown)
 */
public record Usage(
        long inputTokens,
        long outputTokens,
        long cacheCreationInputTokens,
        long cacheCreation5mTokens,
        long cacheCreation1hTokens,
        long cacheReadInputTokens) {

    public static final Usage ZERO = new Usage(0, 0, 0, 0, 0, 0);

    /** Reads a {@code usage} object; absent or null fields count as zero. */
    public static Usage fromJson(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return ZERO;
        }
        return ZERO.merge(usage);
    }

    /**
     * Overlays the fields present (and non-null) in a later {@code usage} object, as the official SDKs do for
     * streams: start from {@code message_start.message.usage}, then merge every {@code message_delta.usage}
     * (whose counts are cumulative).
     */
    public Usage merge(JsonNode later) {
        if (later == null || !later.isObject()) {
            return this;
        }
        long in = field(later, "input_tokens", inputTokens);
        long out = field(later, "output_tokens", outputTokens);
        long creation = field(later, "cache_creation_input_tokens", cacheCreationInputTokens);
        long read = field(later, "cache_read_input_tokens", cacheReadInputTokens);
        long c5m;
        long c1h;
        JsonNode breakdown = later.get("cache_creation");
        if (breakdown != null && breakdown.isObject()) {
            c5m = field(breakdown, "ephemeral_5m_input_tokens", 0);
            c1h = field(breakdown, "ephemeral_1h_input_tokens", 0);
        } else if (later.hasNonNull("cache_creation_input_tokens")
                && creation != cacheCreation5mTokens + cacheCreation1hTokens) {
            // a new total without its split: bill it all as 5-minute writes (the API's default TTL)
            c5m = creation;
            c1h = 0;
        } else {
            // no breakdown and the same total (message_delta repeating message_start's counts): keep the split
            c5m = cacheCreation5mTokens;
            c1h = cacheCreation1hTokens;
        }
        return new Usage(in, out, creation, c5m, c1h, read);
    }

    /** Sum of two usages (for totals over several attempts). */
    public Usage plus(Usage o) {
        return new Usage(inputTokens + o.inputTokens, outputTokens + o.outputTokens,
                cacheCreationInputTokens + o.cacheCreationInputTokens, cacheCreation5mTokens + o.cacheCreation5mTokens,
                cacheCreation1hTokens + o.cacheCreation1hTokens, cacheReadInputTokens + o.cacheReadInputTokens);
    }

    private static long field(JsonNode node, String name, long fallback) {
        JsonNode v = node.get(name);
        return v != null && v.isNumber() ? v.asLong() : fallback;
    }
}
