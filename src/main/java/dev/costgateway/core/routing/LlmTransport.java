package dev.costgateway.core.routing;

import java.util.concurrent.CompletableFuture;

/**
 * Sends one Messages API request for the layer-3 classifier through the gateway's upstream client (with the
 * caller's credentials). Implemented by the proxy; tests use fakes. Implementations must be thread-safe and must
 * not block the caller.
 */
public interface LlmTransport {

    /**
     * @param messagesRequestJson a complete {@code POST /v1/messages} body (UTF-8 JSON, non-streaming)
     * @return the reply; completes exceptionally on a transport failure
     */
    CompletableFuture<LlmReply> send(byte[] messagesRequestJson);

    /**
     * @param status        HTTP status of the upstream reply
     * @param body          its body (JSON)
     * @param latencyMillis time from sending to the whole body
     */
    record LlmReply(int status, byte[] body, long latencyMillis) {
    }
}
