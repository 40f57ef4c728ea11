package dev.costgateway.core.proxy;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.decision.CacheKind;
import dev.costgateway.core.decision.InFlight;
import dev.costgateway.core.decision.RouteDecision;

/**
 * Every decision the gateway makes about a {@code /v1/messages} request, behind one interface so the proxy
 * stays a byte-faithful pipe: routing, caching, escalation and pricing. Implementations must be thread-safe and
 * must not block the calling (request) thread on I/O other than fast cache lookups; {@link #route} may be
 * asynchronous. {@link #PASS_THROUGH} decides nothing.
 */
public interface MessagePolicy extends Pricing {

    /** A cached answer to serve instead of calling upstream. */
    record CacheHit(CacheKind kind, byte[] messageJson, String model, Usage usage, String detail) {
    }

    /** A retry with a stronger model. @param trigger why: {@code max_tokens}, {@code phrase:...}, {@code hedging} */
    record Escalation(RouteDecision route, String trigger) {
    }

    /**
     * A request the gateway answers with an error instead of forwarding it (a budget at its limit).
     *
     * @param retry whether clients should retry ({@code x-should-retry}); false for a limit that lasts until a reset
     */
    record Refusal(int status, String type, String message, boolean retry) {
    }

    /**
     * Whether a request that no cache answered may go upstream now. Called on the request thread; must be cheap.
     *
     * @param callerKeyHash the metrics hash of the caller's credential, empty when there is none
     */
    default Optional<Refusal> admit(ObjectNode body, ClientContext client, String callerKeyHash) {
        return Optional.empty();
    }

    CompletableFuture<RouteDecision> route(ObjectNode body, String requestedModel, ClientContext client);

    Optional<CacheHit> lookup(ObjectNode body, ClientContext client);

    /**
     * A second cache look after routing, for a request whose first {@link #lookup} went on without waiting for
     * something the router has since computed (the prompt's embedding). Never waits; empty for most requests.
     */
    default Optional<CacheHit> lookupAfterRouting(ObjectNode body, ClientContext client) {
        return Optional.empty();
    }

    /**
     * Joins the flight of an identical request in progress (single-flight, same key and scope as the exact
     * cache), after a cache miss. A follower waits for {@link InFlight#landed()} and looks up again;
     * the leader lands once its answer is stored or it ends without one.
     */
    default InFlight joinInFlight(ObjectNode body, ClientContext client) {
        return InFlight.NONE;
    }

    /**
     * Told every complete answer from upstream, caches on or off, streamed live or not (a sticky session prices its
     * switches by the usage, and moves up after a weak answer it could not retry). Called on the request thread;
     * must be cheap.
     */
    default void answered(ObjectNode body, ClientContext client, String model, Usage usage, JsonNode message) {
    }

    /**
     * Told when request {@code queryId} was answered from the semantic cache, with the request as it arrived, so
     * the hit can be re-asked after a rejection ({@link SemanticReplays}). Called on the request thread; must be
     * cheap.
     *
     * @param clientCredential the credential the client sent, or null when the gateway supplied its own key
     */
    default void semanticHitServed(String queryId, byte[] originalBody, org.eclipse.jetty.http.HttpFields headers,
                                   String clientCredential) {
    }

    /** Offered every complete answer; the policy decides whether to keep it. */
    void store(ObjectNode body, ClientContext client, JsonNode message, String model, Usage usage);

    /** Whether the answer is weak and a stronger tier should answer instead. */
    Optional<Escalation> escalate(JsonNode message, String requestedModel, RouteDecision current, int escalationsSoFar);

    /** Whether streams are held, validated and replayed so they can escalate ({@code escalation.streaming: buffer}). */
    boolean bufferStreams();

    /** Renders a complete Message JSON as the SSE stream the API would have sent (cache hits to streaming requests). */
    byte[] replayAsSse(byte[] messageJson);

    MessagePolicy PASS_THROUGH = new MessagePolicy() {
        @Override
        public CompletableFuture<RouteDecision> route(ObjectNode body, String requestedModel, ClientContext client) {
            return CompletableFuture.completedFuture(RouteDecision.unrouted(requestedModel, "routing off"));
        }

        @Override
        public Optional<CacheHit> lookup(ObjectNode body, ClientContext client) {
            return Optional.empty();
        }

        @Override
        public void store(ObjectNode body, ClientContext client, JsonNode message, String model, Usage usage) {
        }

        @Override
        public Optional<Escalation> escalate(JsonNode message, String requestedModel, RouteDecision current,
                                               int escalationsSoFar) {
            return Optional.empty();
        }

        @Override
        public boolean bufferStreams() {
            return false;
        }

        @Override
        public byte[] replayAsSse(byte[] messageJson) {
            throw new UnsupportedOperationException("the pass-through policy has no cache");
        }

        @Override
        public Double cost(String model, Usage usage) {
            return null;
        }

        @Override
        public Double counterfactual(String requestedModel, Usage usage) {
            return null;
        }
    };
}
