package dev.costgateway.core.metrics;

/**
 * Mutable sums over a set of requests, the unit both the writer's hourly rollup and the queries add up.
 * Not thread-safe: each instance lives inside one batch or one query.
 */
final class Totals {

    long requests;
    long errors;
    long escalatedRequests;
    long escalations;
    long inputTokens;
    long outputTokens;
    long cacheCreationTokens;
    long cacheReadTokens;
    double costUsd;
    double counterfactualUsd;
    double savedUsd;
    long latencySumMillis;

    void add(RequestRecord r) {
        requests++;
        if (r.errorType() != null) {
            errors++;
        }
        if (r.escalations() > 0) {
            escalatedRequests++;
        }
        escalations += r.escalations();
        if (r.usage() != null) {
            inputTokens += r.usage().inputTokens();
            outputTokens += r.usage().outputTokens();
            cacheCreationTokens += r.usage().cacheCreationInputTokens();
            cacheReadTokens += r.usage().cacheReadInputTokens();
        }
        costUsd += finite(r.costUsd());
        counterfactualUsd += finite(r.counterfactualUsd());
        savedUsd += finite(r.savedUsd());
        latencySumMillis += r.latencyMillis();
    }

    void add(Totals o) {
        requests += o.requests;
        errors += o.errors;
        escalatedRequests += o.escalatedRequests;
        escalations += o.escalations;
        inputTokens += o.inputTokens;
        outputTokens += o.outputTokens;
        cacheCreationTokens += o.cacheCreationTokens;
        cacheReadTokens += o.cacheReadTokens;
        costUsd += o.costUsd;
        counterfactualUsd += o.counterfactualUsd;
        savedUsd += o.savedUsd;
        latencySumMillis += o.latencySumMillis;
    }

    /** Unknown (null) and non-finite amounts are left out of sums, as the store leaves them out of its rows. */
    private static double finite(Double v) {
        return v == null || v.isNaN() || v.isInfinite() ? 0 : v;
    }
}
