/**
 * The Anthropic Messages wire format, as far as the gateway must understand it: usage accounting
 * ({@link dev.costgateway.core.api.Usage}), an incremental SSE parser that only observes bytes the proxy forwards,
 * a stream accumulator that rebuilds the final Message, the byte-level model rewriter, and the error bodies the
 * gateway itself produces. Parsers and accumulators are single-stream and not thread-safe; the rest is stateless.
 */
package dev.costgateway.core.api;
