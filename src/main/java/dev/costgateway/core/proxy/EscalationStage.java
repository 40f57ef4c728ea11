package dev.costgateway.core.proxy;

import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

import dev.costgateway.core.decision.RouteDecision;

/**
 * Stage 5, validate / escalate: asks the policy whether a complete answer is weak (cut off, unsure) and which
 * stronger route should answer instead. A failing check keeps the answer. Stateless.
 */
final class EscalationStage {

    private static final Logger LOG = LoggerFactory.getLogger(EscalationStage.class);

    private EscalationStage() {
    }

    static Optional<MessagePolicy.Escalation> check(MessagePolicy policy, JsonNode message, String requestedModel,
                                                    RouteDecision current, int escalationsSoFar) {
        if (message == null) {
            return Optional.empty();
        }
        try {
            return policy.escalate(message, requestedModel, current, escalationsSoFar);
        } catch (RuntimeException e) {
            LOG.warn("escalation check failed: {}", e.toString());
            return Optional.empty();
        }
    }
}
