package dev.costgateway.core.proxy;

import com.fasterxml.jackson.databind.JsonNode;

import dev.costgateway.core.api.MessageText;

/** Bounded text previews for metrics (only when {@code metrics.store_text} is on). Never includes headers. */
final class TextPreview {

    private TextPreview() {
    }

    /** The person's prompt ({@link MessageText#lastUserPrompt}), bounded; null when the body has no user turn. */
    static String lastUserText(JsonNode body, int maxChars) {
        JsonNode messages = body.path("messages");
        for (JsonNode m : messages) {
            if ("user".equals(m.path("role").asText())) {
                return bound(MessageText.lastUserPrompt(body), maxChars);
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
