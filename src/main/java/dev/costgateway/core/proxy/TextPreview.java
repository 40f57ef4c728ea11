package dev.costgateway.core.proxy;

import com.fasterxml.jackson.databind.JsonNode;

/** Bounded text previews for metrics (only when {@code metrics.store_text} is on). Never includes headers. */
final class TextPreview {

    private TextPreview() {
    }

    static String lastUserText(JsonNode body, int maxChars) {
        JsonNode messages = body.path("messages");
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode m = messages.get(i);
            if ("user".equals(m.path("role").asText())) {
                return bound(text(m.get("content")), maxChars);
            }
        }
        return null;
    }

    static String answerText(JsonNode message, int maxChars) {
        return bound(text(message.get("content")), maxChars);
    }

    private static String text(JsonNode content) {
        if (content == null) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode block : content) {
            if ("text".equals(block.path("type").asText())) {
                if (sb.length() > 0) {
                    sb.append('\n');
                }
                sb.append(block.path("text").asText());
            }
        }
        return sb.toString();
    }

    private static String bound(String s, int maxChars) {
        if (s == null) {
            return null;
        }
        return s.length() <= maxChars ? s : s.substring(0, maxChars) + "…";
    }
}
