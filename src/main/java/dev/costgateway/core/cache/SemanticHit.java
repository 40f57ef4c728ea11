package dev.costgateway.core.cache;

/**
 * A semantic-cache hit.
 *
 * @param similarity    cosine similarity of the two last user turns, in [-1, 1]
 * @param matchedPrompt the earlier prompt whose answer is reused (for the request log; it is the same caller's,
 *                      or a global-scope prompt)
 */
public record SemanticHit(CachedAnswer answer, double similarity, String matchedPrompt) {
}
