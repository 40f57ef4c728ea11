package dev.costgateway.core.proxy;

import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.decision.InFlight;

/**
 * Stages 2 and 7, cache lookup and store: asks the policy for a cached answer before routing and offers it every
 * complete answer afterwards, unless the cache is off or the request opted out ({@code X-Gateway-Cache: off});
 * {@code X-Gateway-Cache: refresh} skips the lookup and keeps the store. A failing cache degrades to "no
 * hit" / "not stored": it never fails the request. Stateless.
 */
final class CacheStage {

    private static final Logger LOG = LoggerFactory.getLogger(CacheStage.class);

    private CacheStage() {
    }

    static Optional<MessagePolicy.CacheHit> lookup(MessagePolicy policy, GatewayConfig cfg, ParsedRequest request) {
        if (!cfg.cache().enabled() || request.client().cacheOptOut() || request.client().cacheRefresh()) {
            return Optional.empty();
        }
        try {
            return policy.lookup(request.body(), request.client());
        } catch (RuntimeException e) {
            LOG.warn("cache lookup failed, answering from upstream: {}", e.toString());
            return Optional.empty();
        }
    }

    /** The second look after routing ({@link MessagePolicy#lookupAfterRouting}), under the same conditions. */
    static Optional<MessagePolicy.CacheHit> lookupAfterRouting(MessagePolicy policy, GatewayConfig cfg,
            ParsedRequest request) {
        if (!cfg.cache().enabled() || request.client().cacheOptOut() || request.client().cacheRefresh()) {
            return Optional.empty();
        }
        try {
            return policy.lookupAfterRouting(request.body(), request.client());
        } catch (RuntimeException e) {
            LOG.warn("cache lookup after routing failed, answering from upstream: {}", e.toString());
            return Optional.empty();
        }
    }

    /**
     * Single-flight after a miss: the ticket of this request in the flight of identical ones (same key and scope
     * as the exact cache). {@link dev.costgateway.core.cache.SingleFlight#NONE} when the cache is off for it.
     */
    static InFlight joinInFlight(MessagePolicy policy, GatewayConfig cfg,
                                                                       ParsedRequest request) {
        // a refresh asks upstream even when an identical request is on its way (whose answer it doubts)
        if (!cfg.cache().enabled() || request.client().cacheOptOut() || request.client().cacheRefresh()) {
            return InFlight.NONE;
        }
        try {
            return policy.joinInFlight(request.body(), request.client());
        } catch (RuntimeException e) {
            LOG.warn("single-flight failed, answering from upstream: {}", e.toString());
            return InFlight.NONE;
        }
    }

    static void store(MessagePolicy policy, GatewayConfig cfg, ParsedRequest request, JsonNode message,
                      String model, Usage usage) {
        if (!cfg.cache().enabled() || request.client().cacheOptOut()) {
            return;
        }
        try {
            policy.store(request.body(), request.client(), message, model, usage);
        } catch (RuntimeException e) {
            LOG.warn("cache store failed: {}", e.toString());
        }
    }
}
