package dev.costgateway.core.cache;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Replays a cached non-streaming Message as the Messages API event stream a streaming request expects:
 * {@code message_start} (the message with empty content, null stop reason and the original usage), then per
 * content block {@code content_block_start} / {@code content_block_delta} / {@code content_block_stop}, then
 * {@code message_delta} (stop reason, stop sequence, the original usage) and {@code message_stop}. An official SDK
 * accumulates it into the original message.
 *
 * <p>Deltas: {@code text_delta} (plus one {@code citations_delta} per citation) for text, {@code input_json_delta}
 * for {@code tool_use}, {@code server_tool_use} and {@code mcp_tool_use}, {@code thinking_delta} then
 * {@code signature_delta} for thinking; any other block (e.g. {@code redacted_thinking}, server tool results)
 * arrives complete in its {@code content_block_start}, as the API sends them. Stateless and thread-safe.
 */
public final class SseReplay {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SseReplay() {
    }

    /**
     * @param messageJson a complete Message JSON (as stored in {@link CachedAnswer#messageJson()})
     * @return the UTF-8 bytes of the whole SSE body, {@code event:} and {@code data:} lines, blank-line separated
     * @throws IllegalArgumentException when {@code messageJson} is not a Message object
     */
    public static byte[] render(byte[] messageJson) {
        JsonNode parsed;
        try {
            parsed = JSON.readTree(messageJson);
        } catch (IOException e) {
            throw new IllegalArgumentException("cached answer is not JSON", e);
        }
        if (parsed == null || !parsed.isObject() || !parsed.path("content").isArray()) {
            throw new IllegalArgumentException("cached answer is not a Message object");
        }
        ObjectNode message = (ObjectNode) parsed;
        ByteArrayOutputStream out = new ByteArrayOutputStream(messageJson.length * 2 + 512);

        ObjectNode start = message.deepCopy();
        start.putArray("content");
        start.putNull("stop_reason");
        start.putNull("stop_sequence");
        start.remove("stop_details");
        ObjectNode messageStart = JSON.createObjectNode().put("type", "message_start");
        messageStart.set("message", start);
        event(out, messageStart);

        int index = 0;
        for (JsonNode block : message.get("content")) {
            writeBlock(out, index++, block);
        }

        ObjectNode messageDelta = JSON.createObjectNode().put("type", "message_delta");
        ObjectNode delta = messageDelta.putObject("delta");
        // set(name, null) writes an explicit null, as the API does
        delta.set("stop_reason", message.get("stop_reason"));
        delta.set("stop_sequence", message.get("stop_sequence"));
        if (message.has("stop_details")) {
            delta.set("stop_details", message.get("stop_details"));
        }
        messageDelta.set("usage", message.has("usage") ? message.get("usage")
                : JSON.createObjectNode().put("output_tokens", 0));
        event(out, messageDelta);
        event(out, JSON.createObjectNode().put("type", "message_stop"));
        return out.toByteArray();
    }

    private static void writeBlock(ByteArrayOutputStream out, int index, JsonNode block) {
        String type = block.path("type").asText();
        ObjectNode skeleton = block.deepCopy();
        switch (type) {
            case "text" -> {
                skeleton.put("text", "");
                skeleton.remove("citations");
                start(out, index, skeleton);
                String text = block.path("text").asText("");
                if (!text.isEmpty()) {
                    delta(out, index, JSON.createObjectNode().put("type", "text_delta").put("text", text));
                }
                for (JsonNode citation : block.path("citations")) {
                    ObjectNode d = JSON.createObjectNode().put("type", "citations_delta");
                    d.set("citation", citation);
                    delta(out, index, d);
                }
            }
            case "tool_use", "server_tool_use", "mcp_tool_use" -> {
                skeleton.putObject("input");
                start(out, index, skeleton);
                JsonNode input = block.get("input");
                String partial = input == null || input.isNull() ? "{}" : input.toString();
                delta(out, index, JSON.createObjectNode().put("type", "input_json_delta")
                        .put("partial_json", partial));
            }
            case "thinking" -> {
                skeleton.put("thinking", "");
                skeleton.put("signature", "");
                start(out, index, skeleton);
                String thinking = block.path("thinking").asText("");
                if (!thinking.isEmpty()) {
                    delta(out, index, JSON.createObjectNode().put("type", "thinking_delta").put("thinking", thinking));
                }
                delta(out, index, JSON.createObjectNode().put("type", "signature_delta")
                        .put("signature", block.path("signature").asText("")));
            }
            default -> start(out, index, skeleton);
        }
        ObjectNode stop = JSON.createObjectNode().put("type", "content_block_stop").put("index", index);
        event(out, stop);
    }

    private static void start(ByteArrayOutputStream out, int index, ObjectNode skeleton) {
        ObjectNode e = JSON.createObjectNode().put("type", "content_block_start").put("index", index);
        e.set("content_block", skeleton);
        event(out, e);
    }

    private static void delta(ByteArrayOutputStream out, int index, ObjectNode delta) {
        ObjectNode e = JSON.createObjectNode().put("type", "content_block_delta").put("index", index);
        e.set("delta", delta);
        event(out, e);
    }

    private static void event(ByteArrayOutputStream out, ObjectNode data) {
        try {
            out.write(("event: " + data.get("type").asText() + "\ndata: ").getBytes(StandardCharsets.UTF_8));
            out.write(JSON.writeValueAsBytes(data));
            out.write("\n\n".getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
