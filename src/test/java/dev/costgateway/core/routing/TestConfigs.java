package dev.costgateway.core.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.config.ConfigException;
import dev.costgateway.core.config.ConfigLoader;
import dev.costgateway.core.config.GatewayConfig;

/** Configurations and JSON bodies for routing tests. */
final class TestConfigs {

    static final ObjectMapper JSON = new ObjectMapper();

    private TestConfigs() {
    }

    static GatewayConfig defaults() {
        return ConfigLoader.defaults();
    }

    /** The defaults overlaid with a YAML fragment. */
    static GatewayConfig with(String yaml) {
        try {
            return ConfigLoader.parse(yaml, "test.yaml").config();
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    static ObjectNode body(String json) {
        return (ObjectNode) tree(json);
    }

    static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A request with one user turn of plain text. */
    static ObjectNode ask(String model, String text) {
        ObjectNode b = JSON.createObjectNode();
        b.put("model", model);
        b.put("max_tokens", 1024);
        ObjectNode m = b.putArray("messages").addObject();
        m.put("role", "user");
        m.put("content", text);
        return b;
    }
}
