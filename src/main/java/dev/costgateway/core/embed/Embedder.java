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
