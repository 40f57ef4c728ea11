package dev.costgateway.core.proxy;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.api.ModelRewriter;

/**
 * A validated {@code /v1/messages} request: the client's bytes, their JSON view and what the gateway read from the
 * headers. Immutable after parsing (nothing may modify {@code body}).
 *
 * @param originalBody   the client-to-proxy request body, byte for byte
 * @param body           its JSON (read-only by convention: policies read it, nobody writes it)
 * @param requestedModel the {@code model} the client sent
 * @param stream         {@code "stream": true}
 * @param client         credential and opt-out headers
 * @param injectedKey    the configured API key the gateway adds upstream when the client sent none, else null
 */
record ParsedRequest(byte[] originalBody, ObjectNode body, String requestedModel, boolean stream,
                     ClientContext client, String injectedKey) {

    /** The body to forward when {@code model} answers: the original bytes unless the model changed. */
    byte[] bodyFor(String model) {
        return model.equals(requestedModel) ? originalBody : ModelRewriter.replaceModel(originalBody, model);
    }

    /** A hash of the caller's credential for metrics (never the credential); empty when there is none. */
    String callerKeyHash() {
        return client.credential().isEmpty() ? "" : KeyHashes.of(client.credential());
    }
}
