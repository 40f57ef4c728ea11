package dev.costgateway.core.proxy;

import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.decision.RouteDecision;

/**
 * Stage 3, route: asks the policy which model answers. Routing may be asynchronous (a layer-3 classifier call);
 * when it fails the requested model is forwarded unchanged, so a broken router never fails a request. Stateless.
 */
final class RouteStage {

    private static final Logger LOG = LoggerFactory.getLogger(RouteStage.class);

    private RouteStage() {
    }

    /** Never completes exceptionally. */
    static CompletableFuture<RouteDecision> route(MessagePolicy policy, ParsedRequest request) {
        CompletableFuture<RouteDecision> decided;
        try {
            decided = policy.route(request.body(), request.requestedModel(), request.client());
        } catch (RuntimeException e) {
            decided = CompletableFuture.failedFuture(e);
        }
        return decided.handle((d, failure) -> {
            if (failure != null || d == null) {
                LOG.warn("routing failed, forwarding the requested model: {}", String.valueOf(failure));
                return RouteDecision.unrouted(request.requestedModel(), "routing failed");
            }
            return d;
        });
    }

    /** Tells the policy the routed model's complete answer; a failure there never fails the request. */
    static void answered(MessagePolicy policy, ParsedRequest request, String model, Usage usage, JsonNode message) {
        try {
            policy.answered(request.body(), request.client(), model, usage, message);
        } catch (RuntimeException e) {
            LOG.warn("session bookkeeping failed: {}", e.toString());
        }
    }
}
