package dev.costgateway.core.cache;

import dev.costgateway.core.embed.Embedder;

/**
 * A pair the user rejected ("wrong answer for this prompt"): the stored prompt whose answer was served and the
 * prompt it was served to, as vectors, with their cosine. Kept per group, it stops the pair, and paraphrases of
 * either side, from matching again:
 * <ul>
 *   <li>a query and a candidate that lie on opposite sides of the pair (each within {@value #NEAR} of one side,
 *       nearer to a different side) never match, whichever was stored first;</li>
 *   <li>for a query near neither side, a candidate near either side needs a higher cosine than the rejected
 *       pair had (plus {@value #MARGIN}): the threshold of that neighbourhood tightens, as vCache tightens a
 *       per-entry threshold, instead of the global one;</li>
 *   <li>a query and a candidate near the same side (paraphrases of one prompt of the pair) are unaffected,
 *       unless the pair's two prompts embed almost alike ({@value #INDISTINCT}), when there are no sides.</li>
 * </ul>
 * Immutable.
 */
record SemanticNegative(float[] stored, float[] asked, double similarity) {

    /** Cosine within which a prompt counts as a paraphrase of one side of the pair. */
    static final double NEAR = 0.90;
    /** How much more similar than the rejected pair a match near it must be. */
    static final double MARGIN = 0.02;
    /**
     * A rejected pair at least this similar (e.g. the same question with other capitals or punctuation) has no
     * sides: every query near it is nearest to both, so "which side" cannot keep it from matching again. Near
     * such a pair no entry answers a query that is near it too.
     */
    static final double INDISTINCT = 0.995;

    /** Whether this negative forbids answering {@code query} with {@code candidate}, whose cosine is given. */
    boolean blocks(float[] query, float[] candidate, double candidateSimilarity) {
        if (query.length != stored.length || candidate.length != stored.length) {
            return false;
        }
        double qs = Embedder.cosine(query, stored);
        double qa = Embedder.cosine(query, asked);
        double cs = Embedder.cosine(candidate, stored);
        double ca = Embedder.cosine(candidate, asked);
        boolean queryNear = Math.max(qs, qa) >= NEAR;
        boolean candidateNear = Math.max(cs, ca) >= NEAR;
        if (queryNear && candidateNear) {
            if (similarity >= INDISTINCT) {
                return true; // the two sides embed alike: no side can be told apart, so none may answer the other
            }
            return (qs >= qa) != (cs >= ca); // same side: both paraphrase one prompt of the pair
        }
        return candidateNear && candidateSimilarity < similarity + MARGIN;
    }
}
