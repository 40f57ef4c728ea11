package dev.costgateway.core.metrics;

import dev.costgateway.core.api.Usage;

/**
 * One call the gateway made upstream on behalf of a client request: the first answer, each escalation,
 * or a layer-3 classifier call.
 *
 * @param index         0-based order within the request
 * @param purpose       {@link AttemptPurpose#id()}: {@code answer} or {@code classifier}
 * @param trigger       why this attempt happened: {@code initial}, {@code max_tokens}, {@code phrase:<p>},
 *                      {@code hedging}, {@code classifier}
 * @param costUsd       null when the model's price is unknown
 */
public record AttemptRecord(
        int index,
        String purpose,
        String model,
        String trigger,
        int status,
        Usage usage,
        Double costUsd,
        long latencyMillis) {

    public static AttemptRecord of(int index, AttemptPurpose purpose, String model, String trigger, int status,
                                   Usage usage, Double costUsd, long latencyMillis) {
        return new AttemptRecord(index, purpose.id(), model, trigger, status, usage, costUsd, latencyMillis);
    }

    public boolean isAnswer() {
        return AttemptPurpose.ANSWER.id().equals(purpose);
    }
}
