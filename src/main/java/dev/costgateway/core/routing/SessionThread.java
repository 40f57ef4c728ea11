package dev.costgateway.core.routing;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.costgateway.core.api.MessageText;

/**
 * What the history of one agent request says about moving it to another model (issue 14). Stateless.
 *
 * <p>A request is <em>held</em> on the model that began its thread when its history holds a {@code thinking} or
 * {@code redacted_thinking} block (signed by the model that wrote it: another model must not be sent it), or when a
 * {@code tool_use} / {@code tool_result} pair is in flight (the newest user message returns tool results, or the
 * last assistant message asked for a tool whose result is still due). Signatures are opaque, so any thinking block
 * counts as signed by the thread's model.
 */
public final class SessionThread {

    /** Consecutive failing results of one tool that count as an error loop. */
    public static final int TOOL_ERROR_LOOP = 3;

    private SessionThread() {
    }

    /** True when {@code messages} holds no assistant message yet: the session's first turn. */
    public static boolean isFirstTurn(JsonNode body) {
        for (JsonNode m : body.path("messages")) {
            if ("assistant".equals(m.path("role").asText())) {
                return false;
            }
        }
        return true;
    }

    /** Why this request must stay on its thread's model; empty when it may move. */
    public static Optional<String> held(JsonNode body) {
        JsonNode messages = body.path("messages");
        for (JsonNode m : messages) {
            if (!"assistant".equals(m.path("role").asText())) {
                continue;
            }
            for (JsonNode block : m.path("content")) {
                String type = block.path("type").asText();
                if ("thinking".equals(type) || "redacted_thinking".equals(type)) {
                    return Optional.of("history holds thinking blocks");
                }
            }
        }
        JsonNode newest = messages.size() == 0 ? null : messages.get(messages.size() - 1);
        if (newest != null && "user".equals(newest.path("role").asText()) && hasBlock(newest, "tool_result")) {
            return Optional.of("tool results in flight");
        }
        JsonNode lastAssistant = lastOfRole(messages, "assistant");
        if (lastAssistant != null && hasBlock(lastAssistant, "tool_use")) {
            return Optional.of("tool use in flight");
        }
        return Optional.empty();
    }

    /** True when the newest message is the person's own prompt (text that is not a reminder, no tool results). */
    public static boolean isHumanPrompt(JsonNode body) {
        JsonNode messages = body.path("messages");
        JsonNode newest = messages.size() == 0 ? null : messages.get(messages.size() - 1);
        return newest != null && "user".equals(newest.path("role").asText()) && !hasBlock(newest, "tool_result")
                && !MessageText.prompt(newest.path("content")).isBlank();
    }

    /**
     * The tool whose last {@value #TOOL_ERROR_LOOP} results, the newest in the conversation, all failed
     * ({@code is_error: true}); empty when there is no such loop.
     */
    public static Optional<String> failingToolLoop(JsonNode body) {
        Map<String, String> toolOfUse = new HashMap<>();
        JsonNode messages = body.path("messages");
        for (JsonNode m : messages) {
            if ("assistant".equals(m.path("role").asText())) {
                for (JsonNode block : m.path("content")) {
                    if ("tool_use".equals(block.path("type").asText())) {
                        toolOfUse.put(block.path("id").asText(), block.path("name").asText());
                    }
                }
            }
        }
        String tool = null;
        int failures = 0;
        for (int i = messages.size() - 1; i >= 0 && failures < TOOL_ERROR_LOOP; i--) {
            JsonNode m = messages.get(i);
            if (!"user".equals(m.path("role").asText())) {
                continue;
            }
            JsonNode content = m.path("content");
            for (int b = content.size() - 1; b >= 0 && failures < TOOL_ERROR_LOOP; b--) {
                JsonNode block = content.get(b);
                if (!"tool_result".equals(block.path("type").asText())) {
                    continue;
                }
                String name = toolOfUse.getOrDefault(block.path("tool_use_id").asText(), "");
                if (!block.path("is_error").asBoolean(false) || name.isEmpty() || (tool != null && !tool.equals(name))) {
                    return Optional.empty();
                }
                tool = name;
                failures++;
            }
        }
        return failures >= TOOL_ERROR_LOOP ? Optional.of(tool) : Optional.empty();
    }

    private static boolean hasBlock(JsonNode message, String type) {
        for (JsonNode block : message.path("content")) {
            if (type.equals(block.path("type").asText())) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode lastOfRole(JsonNode messages, String role) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (role.equals(messages.get(i).path("role").asText())) {
                return messages.get(i);
            }
        }
        return null;
    }
}
