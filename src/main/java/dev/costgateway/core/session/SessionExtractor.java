package dev.costgateway.core.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Tells which session a Messages request belongs to. In order: Claude Code's {@code x-claude-code-session-id}
 * header; else the {@code session_id} inside {@code metadata.user_id} when that is a JSON string (Claude Code sends
 * both); else a conversation id derived from what stays fixed across the turns of one conversation (the caller's
 * scope, {@code system}, {@code tools} and the first user message), so SDK conversations group too. Two
 * conversations that open identically for the same caller share a derived id; that is the price of needing no
 * client cooperation. Stateless and thread-safe.
 */
public final class SessionExtractor {

    public static final String SESSION_HEADER = "x-claude-code-session-id";

    /** Longest id kept; longer header or metadata values are ignored (not cut, so two never merge by accident). */
    public static final int MAX_ID_CHARS = 128;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern WORKING_DIR =
            Pattern.compile("Primary working directory:[ \\t]*([^\\r\\n]+)");
    private static final Pattern PRINTABLE_ID = Pattern.compile("[\\x21-\\x7e]{1," + MAX_ID_CHARS + "}");

    private SessionExtractor() {
    }

    /**
     * @param headerValue  the {@value #SESSION_HEADER} header, or null
     * @param body         the parsed request body, or null when it could not be read
     * @param callerScope  the caller's key hash (empty when the caller sent no key): derived ids never join two
     *                     callers' conversations
     */
    public static SessionTag extract(String headerValue, JsonNode body, String callerScope) {
        if (body == null || !body.isObject()) {
            return SessionTag.NONE;
        }
        String project = project(body);
        int breakpoints = cacheBreakpoints(body);
        String fromHeader = cleanId(headerValue);
        if (fromHeader != null) {
            return new SessionTag(fromHeader, SessionTag.Source.HEADER, project, breakpoints);
        }
        String fromMetadata = metadataSessionId(body.path("metadata").path("user_id"));
        if (fromMetadata != null) {
            return new SessionTag(fromMetadata, SessionTag.Source.METADATA, project, breakpoints);
        }
        return new SessionTag(derivedId(body, callerScope), SessionTag.Source.DERIVED, project, breakpoints);
    }

    /** {@code metadata.user_id} as Claude Code sends it: a JSON string with {@code session_id}; else null. */
    static String metadataSessionId(JsonNode userId) {
        if (userId == null || !userId.isTextual()) {
            return null;
        }
        String s = userId.textValue().strip();
        if (!s.startsWith("{")) {
            return null;
        }
        try {
            JsonNode parsed = JSON.readTree(s);
            JsonNode id = parsed.path("session_id");
            return id.isTextual() ? cleanId(id.textValue()) : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /**
     * {@code conv-} and 24 hex characters of SHA-256 over the caller scope, {@code system}, {@code tools} and the
     * first user message, each as compact JSON (the client resends them byte-identical every turn; Jackson writes a
     * parsed node the same way every time).
     */
    static String derivedId(JsonNode body, String callerScope) {
        MessageDigest d = sha256();
        update(d, callerScope == null ? "" : callerScope);
        update(d, body.path("system").toString());
        update(d, body.path("tools").toString());
        JsonNode first = firstUserMessage(body);
        update(d, first == null ? "" : first.path("content").toString());
        return "conv-" + HexFormat.of().formatHex(d.digest(), 0, 12);
    }

    /**
     * The working directory Claude Code states in its environment reminder ({@code Primary working directory: /p}),
     * looked for in the first user message's text blocks and then the system prompt; empty when absent.
     */
    /** Claude Code's "Primary working directory" as given, or empty (also what project budgets are keyed by). */
    public static String project(JsonNode body) {
        JsonNode first = firstUserMessage(body);
        String found = first == null ? null : workingDir(first.path("content"));
        if (found == null) {
            found = workingDir(body.path("system"));
        }
        return found == null ? "" : found;
    }

    /** {@code cache_control} markers on tools, system blocks and message blocks. */
    static int cacheBreakpoints(JsonNode body) {
        int n = 0;
        for (JsonNode tool : body.path("tools")) {
            n += tool.has("cache_control") ? 1 : 0;
        }
        for (JsonNode block : body.path("system")) {
            n += block.has("cache_control") ? 1 : 0;
        }
        for (JsonNode m : body.path("messages")) {
            for (JsonNode block : m.path("content")) {
                n += block.has("cache_control") ? 1 : 0;
            }
        }
        return n;
    }

    private static String workingDir(JsonNode content) {
        if (content.isTextual()) {
            return match(content.textValue());
        }
        for (JsonNode block : content) {
            if ("text".equals(block.path("type").asText())) {
                String found = match(block.path("text").asText());
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static String match(String text) {
        if (text.indexOf("Primary working directory:") < 0) {
            return null;
        }
        Matcher m = WORKING_DIR.matcher(text);
        if (!m.find()) {
            return null;
        }
        String dir = m.group(1).strip();
        return dir.isEmpty() ? null : dir;
    }

    private static JsonNode firstUserMessage(JsonNode body) {
        for (JsonNode m : body.path("messages")) {
            if ("user".equals(m.path("role").asText())) {
                return m;
            }
        }
        return null;
    }

    private static String cleanId(String value) {
        if (value == null) {
            return null;
        }
        String s = value.strip();
        return PRINTABLE_ID.matcher(s).matches() ? s : null;
    }

    private static void update(MessageDigest d, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        // length-prefixed, so moving text from one part to the next cannot give the same digest
        d.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        d.update((byte) ':');
        d.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
