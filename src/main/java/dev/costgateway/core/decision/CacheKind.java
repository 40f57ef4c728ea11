package dev.costgateway.core.decision;

/**
 * Where an answer came from. {@link #id()} is the spelling in the {@code X-Gateway-Cache} header and the metrics
 * database ({@code none|exact|semantic}).
 */
public enum CacheKind {
    /** Answered upstream (also: the request opted out of the cache or the cache is off). */
    NONE("none"),
    /** Byte-identical request (after canonicalisation) from the same scope. */
    EXACT("exact"),
    /** A paraphrase close enough by embedding similarity, from the same scope. */
    SEMANTIC("semantic");

    private final String id;

    CacheKind(String id) {
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
