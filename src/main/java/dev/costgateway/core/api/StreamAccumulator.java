package dev.costgateway.core.api;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Rebuilds the final Message from a Messages SSE stream, as the official SDKs accumulate it: usage from
 * {@code message_start} merged with every {@code message_delta}, blocks from their start/delta/stop events.
 * Unknown events and delta types are tolerated (ignored). Not thread-safe; one per stream.
 */
public final class StreamAccumulator implements SseEventParser.Listener {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ObjectNode message;
    private final List<ObjectNode> blocks = new ArrayList<>();
    private final List<StringBuilder> partialJson = new ArrayList<>();
    private Usage usage = Usage.ZERO;
    private String stopReason;
    private boolean stopped;
    private JsonNode error;
    private boolean sawMessageStart;

    @Override
    public void onEvent(String event, String data) {
        JsonNode node;
        try {
            node = JSON.readTree(data);
        } catch (JsonProcessingException e) {
            return;
        }
        if (node == null || !node.isObject()) {
            return;
        }
        switch (event) {
            case "message_start" -> {
                JsonNode m = node.get("message");
                if (m instanceof ObjectNode mo) {
                    message = mo.deepCopy();
                    usage = Usage.fromJson(mo.get("usage"));
                    sawMessageStart = true;
                }
            }
            case "content_block_start" -> {
                int index = node.path("index").asInt(blocks.size());
                JsonNode block = node.get("content_block");
                if (block instanceof ObjectNode bo) {
                    while (blocks.size() <= index) {
                        blocks.add(null);
                        partialJson.add(null);
                    }
                    blocks.set(index, bo.deepCopy());
                    partialJson.set(index, new StringBuilder());
                }
            }
            case "content_block_delta" -> applyDelta(node.path("index").asInt(-1), node.get("delta"));
            case "content_block_stop" -> {
                int index = node.path("index").asInt(-1);
                if (index >= 0 && index < blocks.size() && blocks.get(index) != null) {
                    StringBuilder pj = partialJson.get(index);
                    if (pj != null && pj.length() > 0) {
                        try {
                            blocks.get(index).set("input", JSON.readTree(pj.toString()));
                        } catch (JsonProcessingException ignored) {
                            // keep the skeleton input; the client sees the raw deltas anyway
                        }
                    }
                }
            }
            case "message_delta" -> {
                JsonNode delta = node.get("delta");
                if (delta != null && delta.hasNonNull("stop_reason")) {
                    stopReason = delta.get("stop_reason").asText();
                }
                if (message != null && delta instanceof ObjectNode d) {
                    d.fields().forEachRemaining(e -> message.set(e.getKey(), e.getValue()));
                }
                usage = usage.merge(node.get("usage"));
            }
            case "message_stop" -> stopped = true;
            case "error" -> error = node.get("error");
            default -> {
                // ping and unknown events carry nothing to accumulate
            }
        }
    }

    private void applyDelta(int index, JsonNode delta) {
        if (index < 0 || index >= blocks.size() || blocks.get(index) == null || delta == null) {
            return;
        }
        ObjectNode block = blocks.get(index);
        switch (delta.path("type").asText()) {
            case "text_delta" -> block.put("text", block.path("text").asText() + delta.path("text").asText());
            case "thinking_delta" ->
                    block.put("thinking", block.path("thinking").asText() + delta.path("thinking").asText());
            case "signature_delta" -> block.put("signature", delta.path("signature").asText());
            case "input_json_delta" -> partialJson.get(index).append(delta.path("partial_json").asText());
            case "citations_delta" -> {
                JsonNode c = block.get("citations");
                ArrayNode arr = c instanceof ArrayNode a ? a : block.putArray("citations");
                if (delta.has("citation")) {
                    arr.add(delta.get("citation"));
                }
            }
            default -> {
                // unknown delta types are passed to the client untouched; nothing to rebuild
            }
        }
    }

    public Usage usage() {
        return usage;
    }

    public boolean sawMessageStart() {
        return sawMessageStart;
    }

    /** True when the stream reached {@code message_stop} without an {@code error} event. */
    public boolean complete() {
        return stopped && error == null && message != null;
    }

    public String stopReason() {
        return stopReason;
    }

    /** The {@code error} object of a mid-stream error event, or null. */
    public JsonNode error() {
        return error;
    }

    /** The model named in {@code message_start}, or null. */
    public String model() {
        return message == null ? null : message.path("model").asText(null);
    }

    /** The accumulated Message (as the non-streaming endpoint would return it), or null before message_start. */
    public ObjectNode message() {
        if (message == null) {
            return null;
        }
        ObjectNode m = message.deepCopy();
        ArrayNode content = m.putArray("content");
        for (ObjectNode b : blocks) {
            if (b != null) {
                content.add(b);
            }
        }
        m.set("usage", mergedUsageNode());
        return m;
    }

    private JsonNode mergedUsageNode() {
        ObjectNode u = message.get("usage") instanceof ObjectNode o ? o.deepCopy() : JSON.createObjectNode();
        u.put("input_tokens", usage.inputTokens());
        u.put("output_tokens", usage.outputTokens());
        if (u.has("cache_creation_input_tokens") || usage.cacheCreationInputTokens() > 0) {
            u.put("cache_creation_input_tokens", usage.cacheCreationInputTokens());
        }
        if (u.has("cache_read_input_tokens") || usage.cacheReadInputTokens() > 0) {
            u.put("cache_read_input_tokens", usage.cacheReadInputTokens());
        }
        return u;
    }
}
