package dev.costgateway.core.proxy;

import com.fasterxml.jackson.databind.JsonNode;

import dev.costgateway.core.api.MessageText;

/** Bounded text previews for metrics (only when {@code metrics.store_text} is on). Never includes headers. */
final class TextPreview {

    private TextPreview() {
    }

    static String lastUserText(JsonNode body, int maxChars) {
        JsonNode messages = body.path("messages");
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode m = messages.get(i);
            if ("user".equals(m.path("role").asText())) {
                return bound(MessageText.of(m.get("content")), maxChars);
            }
        }
        return null;
    }

    static String answerText(JsonNode message, int maxChars) {
        return bound(MessageText.of(message.get("content")), maxChars);
    }

    private static String bound(String s, int maxChars) {
        if (s == null) {
            return null;
        }
        return s.length() <= maxChars ? s : s.substring(0, maxChars) + "…";
    }
}
