package dev.costgateway.core.proxy;

import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 2b, admission: after a cache miss and before routing, asks the policy whether this request may cost
 * money now (a budget at its limit says no). Cache hits never get here: they cost nothing and are always served.
 * A failing check admits the request: a broken budget must not take the proxy down. Stateless.
 */
final class AdmissionStage {

    private static final Logger LOG = LoggerFactory.getLogger(AdmissionStage.class);

    private AdmissionStage() {
    }

    static Optional<MessagePolicy.Refusal> check(MessagePolicy policy, ParsedRequest request) {
        try {
            return policy.admit(request.body(), request.client(), request.callerKeyHash());
        } catch (RuntimeException e) {
            LOG.warn("admission check failed, admitting the request: {}", e.toString());
            return Optional.empty();
        }
    }
}
