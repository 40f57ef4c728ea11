package dev.costgateway.core.cache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.config.GatewayConfig;

/** Shared builders for cache tests. */
final class CacheFixtures {

    static final ObjectMapper JSON = new ObjectMapper();

    private CacheFixtures() {
    }

    static GatewayConfig.Cache config(String redisUrl, boolean cacheToolUse) {
        return new GatewayConfig.Cache(true, GatewayConfig.CacheScope.KEY, 100, Duration.ofSeconds(60), cacheToolUse,
                redisUrl, true, 0.9, Duration.ofDays(7), 1000, "all-minilm-l6-v2-q", false, Duration.ofMillis(5));
    }

    static GatewayConfig.Cache config() {
        return config("", false);
    }

    static ObjectNode json(String text) {
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static ObjectNode request(String userText) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", "claude-sonnet-4-5");
        body.put("max_tokens", 256);
        body.putArray("messages").addObject().put("role", "user").put("content", userText);
        return body;
    }

    static String message(String text, String stopReason) {
        return """
                {"id":"msg_01","type":"message","role":"assistant","model":"claude-haiku-4-5",
                 "content":[{"type":"text","text":%s}],"stop_reason":"%s","stop_sequence":null,
                 "usage":{"input_tokens":12,"output_tokens":7}}""".formatted(quote(text), stopReason);
    }

    static CachedAnswer answer(String text) {
        String message = message(text, "end_turn");
        JsonNode usage = json(message).get("usage");
        return new CachedAnswer(message.getBytes(StandardCharsets.UTF_8), "claude-haiku-4-5", Usage.fromJson(usage),
                Instant.parse("2026-01-02T03:04:05Z"));
    }

    private static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
