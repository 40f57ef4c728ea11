package dev.costgateway.core.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The plain text of Messages content: a string, or the {@code text} blocks of a block array; and the person's
 * prompt in a request, without the {@code <system-reminder>} blocks agents such as Claude Code put before it.
 * Stateless.
 */
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

    /**
     * The person's prompt in one message's content. Content without reminder blocks reads as {@link #of}. Content
     * with {@code <system-reminder>} blocks (Claude Code's first message holds about ten, the prompt last) gives
     * its last text block that is not a reminder, with any reminder embedded in it removed; "" when every text
     * block is a reminder.
     */
    public static String prompt(JsonNode content) {
        if (content == null || !content.isArray()) {
            return stripReminders(of(content));
        }
        String lastPlain = null;
        boolean reminders = false;
        for (JsonNode block : content) {
            if (!"text".equals(block.path("type").asText())) {
                continue;
            }
            String text = block.path("text").asText();
            if (isReminder(text)) {
                reminders = true;
            } else {
                lastPlain = text;
            }
        }
        if (!reminders) {
            return stripReminders(of(content));
        }
        return lastPlain == null ? "" : stripReminders(lastPlain);
    }

    /**
     * The prompt of the latest user turn that has one: a turn of tool results only (an agent's later turns) has
     * no prompt, so the person's prompt that started the work is shown instead. "" when no user turn has text.
     */
    public static String lastUserPrompt(JsonNode body) {
        JsonNode messages = body == null ? null : body.path("messages");
        if (messages == null || !messages.isArray()) {
            return "";
        }
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode m = messages.get(i);
            if ("user".equals(m.path("role").asText())) {
                String p = prompt(m.get("content"));
                if (!p.isBlank()) {
                    return p;
                }
            }
        }
        return "";
    }

    /** A text block that is one whole {@code <system-reminder>…</system-reminder>} (surrounding blanks allowed). */
    public static boolean isReminder(String text) {
        String t = text.strip();
        return t.startsWith(REMINDER_OPEN) && t.endsWith(REMINDER_CLOSE);
    }

    private static final String REMINDER_OPEN = "<system-reminder>";
    private static final String REMINDER_CLOSE = "</system-reminder>";

    private static String stripReminders(String text) {
        if (text.indexOf(REMINDER_OPEN) < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        while (true) {
            int open = text.indexOf(REMINDER_OPEN, at);
            if (open < 0) {
                out.append(text, at, text.length());
                break;
            }
            int close = text.indexOf(REMINDER_CLOSE, open);
            if (close < 0) {
                out.append(text, at, text.length());
                break;
            }
            out.append(text, at, open);
            at = close + REMINDER_CLOSE.length();
        }
        return out.toString().strip();
    }
}
