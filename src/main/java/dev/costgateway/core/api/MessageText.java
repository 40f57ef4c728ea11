package dev.costgateway.core.api;

import com.fasterxml.jackson.databind.JsonNode;

/** The plain text of Messages content: a string, or the {@code text} blocks of a block array. Stateless. */
public final class MessageText {

    private MessageText() {
    }

    /** A string content as is; the text blocks of an array joined by newlines; "" for anything else. */
    public static String of(JsonNode content) {
        if (content == null) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            return "";
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
}
