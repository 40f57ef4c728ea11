package dev.costgateway.core.metrics;

/** Why the gateway called upstream. {@link #id()} is the spelling stored in {@code attempts.purpose}. */
public enum AttemptPurpose {
    /** An answer to the client's request: the first one or an escalation. */
    ANSWER("answer"),
    /** A layer-3 classifier call made to choose the tier. */
    CLASSIFIER("classifier");

    private final String id;

    AttemptPurpose(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return id;
    }
}
