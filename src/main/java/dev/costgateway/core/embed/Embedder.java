package dev.costgateway.core.embed;

/**
 * Turns a text into a sentence embedding. Implementations are thread-safe: one instance serves every request
 * thread at once.
 */
public interface Embedder {

    /**
     * @return a new array of {@link #dimensions()} floats with unit L2 norm (a dot product of two results is their
     *         cosine similarity); texts longer than the model's window are truncated, not rejected
     */
    float[] embed(String text);

    /** Number of components of every vector {@link #embed} returns (384 for all-MiniLM-L6-v2). */
    int dimensions();

    /**
     * Whether {@link #embed} sees all of {@code text}, i.e. the text fits the model's window. Two texts that are
     * identical within the window embed identically however they differ after it, so callers that compare
     * meanings (the semantic cache) must not use the vector of a text that does not fit. Conservative: may say
     * false for a text that exactly fills the window. The default is for models without a window.
     */
    default boolean fitsWindow(String text) {
        return true;
    }

    /** Cosine similarity of two unit vectors of the same length: their dot product. */
    static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("dimension mismatch: " + a.length + " vs " + b.length);
        }
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot;
    }
}
