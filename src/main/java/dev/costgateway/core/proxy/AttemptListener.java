package dev.costgateway.core.proxy;

import org.eclipse.jetty.client.Request;

import com.fasterxml.jackson.databind.JsonNode;

import dev.costgateway.core.api.Usage;

/**
 * How an upstream attempt (buffered or live) reports back to its exchange. Called on Jetty client threads, one
 * call at a time per attempt; every method must tolerate the exchange having finished already (client gone).
 */
interface AttemptListener {

    boolean isFinished();

    /** No response arrived (connect error, timeout before headers); nothing was sent to the client. */
    void failedBeforeResponse(String trigger, long attemptStartNanos, Throwable failure);

    /** A complete response is held (buffered attempt, or a live attempt's non-200 body); nothing was sent yet. */
    void answered(String trigger, long attemptStartNanos, UpstreamAnswer answer);

    /**
     * A live stream's message is complete ({@code message_stop} parsed) and the bytes that complete it are about
     * to be written: the moment to store it, so a repeat sent the instant the stream ends is a hit.
     */
    default void streamComplete(JsonNode message, Usage usage) {
    }

    /** A live stream reached its last byte; all of it was written to the client. */
    void streamEnded(String trigger, long attemptStartNanos, int status, Usage usage, JsonNode message,
                     String errorType);

    /** A live stream broke after it started; {@code errorEvent} (an SSE {@code error} event) tells the client. */
    void streamBroke(String trigger, long attemptStartNanos, int status, Usage usage, String errorType,
                     byte[] errorEvent);

    /** The client's connection failed or closed while writing to it. */
    void clientGone(Throwable cause);

    /** The proxy-to-server request now in flight, to abort if the client hangs up. */
    void inFlight(Request proxyToServerRequest);
}
