/**
 * Answer caches: exact and semantic.
 *
 * <ul>
 *   <li>{@link dev.costgateway.core.cache.ExactCache}: identical requests (canonical JSON, SHA-256 key) in Caffeine
 *       or Redis, with transparent fallback to memory when Redis is down.</li>
 *   <li>{@link dev.costgateway.core.cache.SemanticCache}: a paraphrased last user turn, when everything else in
 *       the request is identical; cosine similarity plus near-miss guards
 *       ({@link dev.costgateway.core.cache.NearMissGuard}); persisted in the data folder, and shared with the other
 *       gateways of a team through a {@link dev.costgateway.core.cache.SemanticShare} (ADR 0061).</li>
 *   <li>{@link dev.costgateway.core.cache.SseReplay}: turns a cached Message into a Messages API event stream.</li>
 * </ul>
 *
 * <p>Scope: unless {@code cache.scope: global}, every key includes {@link
 * dev.costgateway.core.cache.ExactCache#scopeHash a salted hash of the caller's credential}, so one caller never
 * receives another's answer; the credential itself is never stored. All public types are thread-safe; nothing
 * here blocks on model loading; times are {@link java.time.Duration}s and clocks are injected.
 */
package dev.costgateway.core.cache;
