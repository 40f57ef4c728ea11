package dev.costgateway.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A first-turn request shaped like Claude Code's (shared/claude-code-traffic.md): top-level keys in Claude Code's
 * order, 12 tools of 0.2-12.7 KB (about 48 KB), three system blocks (billing line, identity, a 28 KB prompt), a
 * {@code metadata.user_id} JSON string, and a first user message of ten text blocks (nine
 * {@code <system-reminder>} blocks with the working directory, then the person's prompt). About 88 KB. The text is
 * deterministic filler from a seed, so two builds with the same arguments are byte-identical.
 */
public final class ClaudeCodeRequest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] WORDS = ("the a file path tool call result when read edit write command output "
            + "returns must should never always use prefer instead directory project repository test build run "
            + "search pattern line number content before after user request answer code change commit branch "
            + "review error message parameter optional required string boolean integer array object schema")
            .split(" ");
    private static final String[] TOOL_NAMES = {"Agent", "Bash", "Edit", "Glob", "Grep", "Read", "Write",
        "Skill", "ToolSearch", "TodoWrite", "WebFetch", "NotebookEdit"};
    private static final int[] TOOL_BYTES = {12_700, 9_800, 4_200, 1_900, 5_400, 3_300, 2_600, 2_100, 1_600,
        3_000, 1_200, 200};

    private ClaudeCodeRequest() {
    }

    /**
     * @param model     the model the client asks for
     * @param sessionId the uuid Claude Code puts in {@code x-claude-code-session-id} and {@code metadata.user_id}
     * @param cwd       the "Primary working directory" of the environment reminder
     * @param prompt    the person's prompt (last block of the first user message)
     * @param stream    Claude Code always streams; false gives the same body as a JSON request
     */
    public static String firstTurn(String model, String sessionId, String cwd, String prompt, boolean stream) {
        Random rnd = new Random(42);
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        ArrayNode messages = body.putArray("messages");
        ObjectNode user = messages.addObject();
        user.put("role", "user");
        ArrayNode content = user.putArray("content");
        for (String reminder : reminders(rnd, cwd)) {
            content.addObject().put("type", "text").put("text", reminder);
        }
        ObjectNode last = content.addObject().put("type", "text").put("text", prompt);
        last.putObject("cache_control").put("type", "ephemeral");

        ArrayNode system = body.putArray("system");
        system.addObject().put("type", "text")
                .put("text", "x-anthropic-billing-header: cc_version=2.1.332.a1b; cc_entrypoint=sdk-cli;");
        system.addObject().put("type", "text")
                .put("text", "You are Claude Code, Anthropic's official CLI for Claude.")
                .putObject("cache_control").put("type", "ephemeral");
        system.addObject().put("type", "text").put("text", filler(rnd, 28_000))
                .putObject("cache_control").put("type", "ephemeral");

        ArrayNode tools = body.putArray("tools");
        for (int i = 0; i < TOOL_NAMES.length; i++) {
            ObjectNode tool = tools.addObject();
            tool.put("name", TOOL_NAMES[i]);
            tool.put("description", filler(rnd, Math.max(100, TOOL_BYTES[i] - 150)));
            ObjectNode schema = tool.putObject("input_schema");
            schema.put("type", "object");
            ObjectNode props = schema.putObject("properties");
            props.putObject("input").put("type", "string").put("description", "The input");
            schema.putArray("required").add("input");
            schema.put("additionalProperties", false);
            schema.put("$schema", "http://json-schema.org/draft-07/schema#");
        }
        body.putObject("metadata").put("user_id", "{\"device_id\":\"" + "d".repeat(64)
                + "\",\"account_uuid\":\"\",\"session_id\":\"" + sessionId + "\"}");
        body.put("max_tokens", 32000);
        body.putObject("thinking").put("type", "adaptive").put("display", "omitted");
        body.putObject("context_management").putArray("edits").addObject()
                .put("type", "clear_thinking_20251015").put("keep", "all");
        body.putObject("output_config").put("effort", "high");
        if (stream) {
            body.put("stream", true);
        }
        return body.toString();
    }

    private static List<String> reminders(Random rnd, String cwd) {
        List<String> r = new ArrayList<>();
        r.add("<system-reminder>\nAs you answer the user's questions, you can use the following context:\n"
                + "# Environment\nPrimary working directory: " + cwd + "\nIs a git repository: true\n"
                + "Platform: linux\nToday's date: 2026-12-02\n</system-reminder>");
        r.add("<system-reminder>\ngitStatus: This is the git status at the start of the conversation.\n"
                + "Current branch: main\n\nStatus:\n M src/Main.java\n\nRecent commits:\n"
                + filler(rnd, 600) + "\n</system-reminder>");
        for (int i = 0; i < 7; i++) {
            r.add("<system-reminder>\n" + filler(rnd, 1_400) + "\n</system-reminder>");
        }
        return r;
    }

    private static String filler(Random rnd, int chars) {
        StringBuilder sb = new StringBuilder(chars + 16);
        int sentence = 0;
        while (sb.length() < chars) {
            String w = WORDS[rnd.nextInt(WORDS.length)];
            sb.append(sentence == 0 ? Character.toUpperCase(w.charAt(0)) + w.substring(1) : w);
            sentence++;
            if (sentence > 6 + rnd.nextInt(10)) {
                sb.append(rnd.nextInt(8) == 0 ? ".\n" : ". ");
                sentence = 0;
            } else {
                sb.append(' ');
            }
        }
        return sb.substring(0, chars);
    }
}
