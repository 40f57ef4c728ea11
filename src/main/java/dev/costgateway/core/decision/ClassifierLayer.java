package dev.costgateway.core.decision;

/**
 * Who decided the tier of a request. {@link #id()} is the spelling in the {@code X-Gateway-Classifier} header, the
 * metrics database and the CSV reports; it never changes when a constant is renamed.
 */
public enum ClassifierLayer {
    /** The difficulty score against calibrated thresholds (issue 11: every routed request is scored). */
    SCORE("score"),
    /** Layer 1: signals in the prompt text (length, keywords, code). */
    HEURISTIC("heuristic"),
    /** Layer 2: nearest labelled examples by embedding similarity. */
    EMBEDDING("embedding"),
    /** Layer 3: the fast model asked to classify. */
    HAIKU("haiku"),
    /** A conservative rule (tools, thinking, media, long context, many turns) kept the ceiling. */
    RULE("rule"),
    /** An agent session's pinned tier, decided on its first turn ({@code routing.sessions: sticky}). */
    SESSION("session"),
    /** No classifier decided: routing off, bypassed, unknown model, a cache hit or a fallback to the ceiling. */
    NONE("n/a");

    private final String id;

    ClassifierLayer(String id) {
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
