package dev.costgateway.core.proxy;

import java.io.IOException;
import java.util.Locale;
import java.util.function.Supplier;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.config.GatewayConfig;

/**
 * Stage 1, parse request: checks what the gateway itself needs from the body (everything else is the upstream's
 * to judge) and reads the caller's credential and the {@code X-Gateway-*} opt-out headers. Stateless.
 */
final class RequestParser {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RequestParser() {
    }

    static ParsedRequest parse(byte[] bytes, HttpFields headers, GatewayConfig cfg, Supplier<String> envApiKey)
            throws InvalidRequest {
        return parse(bytes, headers, cfg, envApiKey, "");
    }

    /** @param queryId the request's {@code X-Gateway-Query-ID}, kept in the {@link ClientContext} */
    static ParsedRequest parse(byte[] bytes, HttpFields headers, GatewayConfig cfg, Supplier<String> envApiKey,
            String queryId) throws InvalidRequest {
        ObjectNode body = parseAndValidate(bytes);
        String requestedModel = body.get("model").asText();
        boolean stream = body.path("stream").asBoolean(false);
        String credential = ProxyHeaders.credential(headers);
        String injectedKey = null;
        if (credential == null) {
            injectedKey = ProxyHeaders.configuredApiKey(envApiKey, cfg);
            credential = injectedKey == null ? "" : injectedKey;
        }
        String cacheControl = headers.get(HttpHeader.CACHE_CONTROL);
        String gatewayCache = headers.get(GatewayHeaders.CACHE);
        boolean cacheOptOut = "off".equalsIgnoreCase(gatewayCache)
                || (cacheControl != null && cacheControl.toLowerCase(Locale.ROOT).contains("no-cache"));
        boolean bypass = "off".equalsIgnoreCase(headers.get("X-Gateway-Route"));
        return new ParsedRequest(bytes, body, requestedModel, stream,
                new ClientContext(credential, cacheOptOut, bypass, queryId, "refresh".equalsIgnoreCase(gatewayCache)),
                injectedKey,
                headers.get(dev.costgateway.core.session.SessionExtractor.SESSION_HEADER));
    }

    static ObjectNode parseAndValidate(byte[] body) throws InvalidRequest {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidRequest("request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidRequest("request body could not be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidRequest("request body must be a JSON object");
        }
        ObjectNode o = (ObjectNode) root;
        JsonNode model = o.get("model");
        if (model == null || model.isNull()) {
            throw new InvalidRequest("model: field required");
        }
        if (!model.isTextual() || model.asText().isBlank()) {
            throw new InvalidRequest("model: must be a non-empty string");
        }
        JsonNode messages = o.get("messages");
        if (messages == null || messages.isNull()) {
            throw new InvalidRequest("messages: field required");
        }
        if (!messages.isArray()) {
            throw new InvalidRequest("messages: must be an array");
        }
        JsonNode maxTokens = o.get("max_tokens");
        if (maxTokens == null || maxTokens.isNull()) {
            throw new InvalidRequest("max_tokens: field required");
        }
        if (!maxTokens.isIntegralNumber() || maxTokens.asLong() < 1) {
            throw new InvalidRequest("max_tokens: must be a positive integer");
        }
        JsonNode stream = o.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw new InvalidRequest("stream: must be a boolean");
        }
        return o;
    }
}
