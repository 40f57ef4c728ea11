package dev.costgateway.core.routing;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.costgateway.core.api.MessageText;

/** Read-only views of a Messages request body that the classifiers and rules need. Stateless. */
final class PromptText {

    /** Characters per token for the input-size estimate (English prose and code average about 3.5 to 4). */
    static final int CHARS_PER_TOKEN = 4;

    private static final Set<String> STRUCTURAL_KEYS =
            Set.of("type", "role", "id", "tool_use_id", "media_type");

    private PromptText() {
    }

    /**
     * Text of the last user turn: the person's prompt in it ({@link MessageText#prompt}: its string content, or its
     * {@code text} blocks joined by newlines, without the {@code <system-reminder>} blocks Claude Code puts before
     * the prompt, which would otherwise make every agent turn look long and hard); when it has none (a turn of tool
     * results, perhaps with reminders), the text inside its tool results. Empty when there is no user turn.
     */
    static String lastUserText(JsonNode body) {
        JsonNode messages = body.path("messages");
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode m = messages.get(i);
            if ("user".equals(m.path("role").asText())) {
                String direct = MessageText.prompt(m.path("content"));
                return direct.isEmpty() ? textOf(m.path("content"), true) : direct;
            }
        }
        return "";
    }

    /** The system prompt as text (string or text blocks); empty when absent. */
    static String systemText(JsonNode body) {
        return textOf(body.path("system"), false);
    }

    /** Number of user turns in {@code messages}. */
    static int userTurns(JsonNode body) {
        int n = 0;
        for (JsonNode m : body.path("messages")) {
            if ("user".equals(m.path("role").asText())) {
                n++;
            }
        }
        return n;
    }

    /**
     * Estimated input tokens: characters of every string value in {@code system}, {@code messages} and
     * {@code tools} divided by {@link #CHARS_PER_TOKEN}. Structural values (block types, roles, ids, media types)
     * are skipped, and so are base64 payloads ({@code source.data}): images and documents are billed by content,
     * not by their encoding.
     */
    static long estimateInputTokens(JsonNode body) {
        long chars = stringChars(body.get("system")) + stringChars(body.get("messages")) + stringChars(body.get("tools"));
        return chars / CHARS_PER_TOKEN;
    }

    /** True when any message block (also inside tool results) is an {@code image} or {@code document}. */
    static boolean hasMedia(JsonNode body) {
        for (JsonNode m : body.path("messages")) {
            if (hasMediaBlock(m.path("content"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasMediaBlock(JsonNode content) {
        if (!content.isArray()) {
            return false;
        }
        for (JsonNode block : content) {
            String type = block.path("type").asText();
            if ("image".equals(type) || "document".equals(type)) {
                return true;
            }
            if ("tool_result".equals(type) && hasMediaBlock(block.path("content"))) {
                return true;
            }
        }
        return false;
    }

    private static String textOf(JsonNode content, boolean insideToolResults) {
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode block : content) {
            String type = block.path("type").asText();
            String piece = "";
            if ("text".equals(type)) {
                piece = block.path("text").asText();
                if (insideToolResults && MessageText.isReminder(piece)) {
                    piece = ""; // a turn of tool results: the results are the content, the reminders are not
                }
            } else if (insideToolResults && "tool_result".equals(type)) {
                piece = textOf(block.path("content"), false);
            }
            if (!piece.isEmpty()) {
                if (sb.length() > 0) {
                    sb.append('\n');
                }
                sb.append(piece);
            }
        }
        return sb.toString();
    }

    private static long stringChars(JsonNode node) {
        if (node == null) {
            return 0;
        }
        if (node.isTextual()) {
            return node.textValue().length();
        }
        long n = 0;
        if (node.isObject()) {
            var fields = node.fields();
            while (fields.hasNext()) {
                var e = fields.next();
                boolean base64 = "data".equals(e.getKey()) && "base64".equals(node.path("type").asText());
                if (!base64 && !STRUCTURAL_KEYS.contains(e.getKey())) {
                    n += stringChars(e.getValue());
                }
            }
        } else if (node.isArray()) {
            for (JsonNode child : node) {
                n += stringChars(child);
            }
        } else if (!node.isNull()) {
            n += node.asText().length();
        }
        return n;
    }
}
