package dev.costgateway.testing;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Synthetic Claude Code sessions in the shape of shared/claude-code-traffic.md: per turn a full request body
 * (keys in Claude Code's order; {@code tools}; three {@code system} blocks, the last two with {@code cache_control};
 * a first user message of {@code <system-reminder>} blocks, one with the working directory, then the person's
 * prompt; later turns append an assistant message with a {@code tool_use} and a user message with its
 * {@code tool_result}, the breakpoint moving to the newest user block) and the headers Claude Code sends, with the
 * idle time before each turn. Deterministic for a seed. Sizes default to a fraction of the real ones so suites stay
 * fast; {@link Spec#realSize()} gives the observed ~88 KB first turn.
 */
public final class ClaudeCodeSessions {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] TOOL_NAMES = {"Agent", "Bash", "Edit", "Glob", "Grep", "Read", "Write", "Skill",
        "ToolSearch", "TodoWrite", "WebFetch", "NotebookEdit"};

    private ClaudeCodeSessions() {
    }

    /** One request to send: wait {@code idleBefore} (on the test's clock), then POST {@code body} with headers. */
    public record Turn(int index, Duration idleBefore, String sessionId, String model, String body,
            List<String> headers) {

        public String[] headerArray() {
            return headers.toArray(String[]::new);
        }
    }

    /**
     * What to generate.
     *
     * @param idleBefore        idle time before a turn, by turn index (others: {@code thinkTime})
     * @param modelAt           the model from a turn index on (a model switch inside the session)
     * @param timestampInSystem the system prompt carries the time of each request: the prefix changes every turn
     * @param ttl1h             breakpoints ask for the 1-hour TTL
     * @param titleRequest      the first turn is preceded by Claude Code's small title request to a fast model
     */
    public record Spec(long seed, String sessionId, String apiKey, String project, String model, int turns,
            int tools, int toolChars, int systemChars, Duration thinkTime, Map<Integer, Duration> idleBefore,
            Map<Integer, String> modelAt, boolean timestampInSystem, boolean ttl1h, boolean titleRequest) {

        public static Spec of(long seed, String apiKey) {
            return new Spec(seed, new UUID(seed, ~seed).toString(), apiKey, "/home/dev/src/project-" + seed,
                    "claude-opus-4-7", 6, 12, 800, 8000, Duration.ofSeconds(20), Map.of(), Map.of(), false, false,
                    false);
        }

        public Spec turns(int n) {
            return new Spec(seed, sessionId, apiKey, project, model, n, tools, toolChars, systemChars, thinkTime,
                    idleBefore, modelAt, timestampInSystem, ttl1h, titleRequest);
        }

        public Spec model(String m) {
            return new Spec(seed, sessionId, apiKey, project, m, turns, tools, toolChars, systemChars, thinkTime,
                    idleBefore, modelAt, timestampInSystem, ttl1h, titleRequest);
        }

        public Spec project(String p) {
            return new Spec(seed, sessionId, apiKey, p, model, turns, tools, toolChars, systemChars, thinkTime,
                    idleBefore, modelAt, timestampInSystem, ttl1h, titleRequest);
        }

        public Spec sizes(int toolCount, int charsPerTool, int mainSystemChars) {
            return new Spec(seed, sessionId, apiKey, project, model, turns, toolCount, charsPerTool, mainSystemChars,
                    thinkTime, idleBefore, modelAt, timestampInSystem, ttl1h, titleRequest);
        }

        /** The observed size: 12 tools of about 4 KB (48 KB together) and a 28 KB main system prompt. */
        public Spec realSize() {
            return sizes(12, 4000, 28_000);
        }

        /** No tools and a short system prompt: every prefix is below any model's minimum. */
        public Spec tiny() {
            return sizes(0, 0, 200);
        }

        public Spec idle(int beforeTurn, Duration gap) {
            Map<Integer, Duration> m = new java.util.HashMap<>(idleBefore);
            m.put(beforeTurn, gap);
            return new Spec(seed, sessionId, apiKey, project, model, turns, tools, toolChars, systemChars,
                    thinkTime, Map.copyOf(m), modelAt, timestampInSystem, ttl1h, titleRequest);
        }

        public Spec switchModel(int fromTurn, String newModel) {
            Map<Integer, String> m = new java.util.HashMap<>(modelAt);
            m.put(fromTurn, newModel);
            return new Spec(seed, sessionId, apiKey, project, model, turns, tools, toolChars, systemChars,
                    thinkTime, idleBefore, Map.copyOf(m), timestampInSystem, ttl1h, titleRequest);
        }

        public Spec changingPrefix() {
            return new Spec(seed, sessionId, apiKey, project, model, turns, tools, toolChars, systemChars,
                    thinkTime, idleBefore, modelAt, true, ttl1h, titleRequest);
        }

        public Spec oneHourTtl() {
            return new Spec(seed, sessionId, apiKey, project, model, turns, tools, toolChars, systemChars,
                    thinkTime, idleBefore, modelAt, timestampInSystem, true, titleRequest);
        }

        public Spec withTitleRequest() {
            return new Spec(seed, sessionId, apiKey, project, model, turns, tools, toolChars, systemChars,
                    thinkTime, idleBefore, modelAt, timestampInSystem, ttl1h, true);
        }
    }

    /** The turns of one session, in order. */
    public static List<Turn> generate(Spec spec) {
        Random random = new Random(spec.seed());
        ArrayNode tools = tools(spec, random);
        String mainPrompt = filler(random, "You are an interactive CLI tool that helps users with software "
                + "engineering tasks. ", spec.systemChars());
        ArrayNode history = JSON.createArrayNode();
        history.add(firstUserMessage(spec, random));
        List<Turn> out = new ArrayList<>();
        String model = spec.model();
        if (spec.titleRequest()) {
            out.add(new Turn(-1, Duration.ZERO, spec.sessionId(), "claude-haiku-4-5-20251001",
                    titleBody(spec, history.get(0)), headers(spec)));
        }
        for (int turn = 0; turn < spec.turns(); turn++) {
            if (turn > 0) {
                history.add(assistantMessage(turn, random));
                history.add(turn % 4 == 0 ? promptMessage(random) : toolResultMessage(turn, random));
            }
            model = spec.modelAt().getOrDefault(turn, model);
            moveBreakpoint(history, spec);
            Duration idle = turn == 0 ? Duration.ZERO : spec.idleBefore().getOrDefault(turn, spec.thinkTime());
            out.add(new Turn(turn, idle, spec.sessionId(), model,
                    body(spec, model, history, tools, mainPrompt, turn), headers(spec)));
        }
        return out;
    }

    private static String body(Spec spec, String model, ArrayNode history, ArrayNode tools, String mainPrompt,
            int turn) {
        ObjectNode b = JSON.createObjectNode();
        b.put("model", model);
        b.set("messages", history.deepCopy());
        ArrayNode system = b.putArray("system");
        system.addObject().put("type", "text")
                .put("text", "x-anthropic-billing-header: cc_version=2.1.332; cc_entrypoint=cli;");
        ObjectNode identity = system.addObject().put("type", "text")
                .put("text", "You are Claude Code, Anthropic's official CLI for Claude.");
        marker(identity, spec);
        String main = spec.timestampInSystem() ? "Current time: turn " + turn + " at 10:" + (10 + turn) + ":00\n"
                + mainPrompt : mainPrompt;
        marker(system.addObject().put("type", "text").put("text", main), spec);
        if (tools.size() > 0) {
            b.set("tools", tools);
        }
        ObjectNode userId = JSON.createObjectNode().put("device_id", "dev-" + spec.seed())
                .put("account_uuid", "acct-" + spec.seed()).put("session_id", spec.sessionId());
        b.putObject("metadata").put("user_id", userId.toString());
        b.put("max_tokens", 32000);
        b.putObject("thinking").put("type", "adaptive").put("display", "omitted");
        b.putObject("context_management").putArray("edits").addObject().put("type", "clear_thinking_20251015")
                .put("keep", "all");
        b.putObject("output_config").put("effort", "high");
        b.put("stream", true);
        return b.toString();
    }

    private static String titleBody(Spec spec, com.fasterxml.jackson.databind.JsonNode firstMessage) {
        ObjectNode b = JSON.createObjectNode();
        b.put("model", "claude-haiku-4-5-20251001");
        ArrayNode messages = b.putArray("messages");
        messages.addObject().put("role", "user").put("content", "Write a 5-word title for: "
                + firstMessage.path("content").get(firstMessage.path("content").size() - 1).path("text").asText());
        b.putArray("system").addObject().put("type", "text").put("text", "You write short titles.");
        b.put("max_tokens", 64);
        b.put("stream", true);
        return b.toString();
    }

    private static List<String> headers(Spec spec) {
        return List.of("content-type", "application/json", "x-api-key", spec.apiKey(),
                "anthropic-version", "2023-06-01",
                "anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27",
                "user-agent", "claude-cli/2.1.332 (external, sdk-cli)", "x-app", "cli",
                "x-claude-code-session-id", spec.sessionId(),
                "x-stainless-retry-count", "0", "x-stainless-timeout", "600");
    }

    private static ArrayNode tools(Spec spec, Random random) {
        ArrayNode tools = JSON.createArrayNode();
        for (int i = 0; i < spec.tools(); i++) {
            ObjectNode t = tools.addObject();
            t.put("name", TOOL_NAMES[i % TOOL_NAMES.length] + (i < TOOL_NAMES.length ? "" : "_" + i));
            t.put("description", filler(random, "Use this tool to work on the user's files. ", spec.toolChars()));
            ObjectNode schema = t.putObject("input_schema");
            schema.put("type", "object");
            schema.putObject("properties").putObject("command").put("type", "string");
            schema.putArray("required").add("command");
        }
        return tools;
    }

    private static ObjectNode firstUserMessage(Spec spec, Random random) {
        ObjectNode m = JSON.createObjectNode().put("role", "user");
        ArrayNode content = m.putArray("content");
        reminder(content, "As you answer the user's questions, you can use the following context:\n# claudeMd\n"
                + filler(random, "Codebase conventions. ", 600));
        reminder(content, "Here is useful information about the environment you are running in:\n<env>\n"
                + "Working directory: " + spec.project() + "\nPrimary working directory: " + spec.project()
                + "\nIs directory a git repo: Yes\nPlatform: linux\n</env>");
        reminder(content, "gitStatus: This is the git status at the start of the conversation.\nCurrent branch: "
                + "main\n\nStatus:\nM src/App.java\n?? notes.txt");
        reminder(content, "Today's date is " + LocalDate.of(2026, 12, 2) + ".");
        reminder(content, "Available agents: general-purpose, statusline-setup, output-style-setup.");
        reminder(content, "Available skills: none.");
        content.addObject().put("type", "text").put("text", "Please fix the failing test in " + spec.project()
                + " (#" + random.nextInt(1000) + ")");
        return m;
    }

    private static void reminder(ArrayNode content, String text) {
        content.addObject().put("type", "text").put("text", "<system-reminder>\n" + text + "\n</system-reminder>");
    }

    private static ObjectNode assistantMessage(int turn, Random random) {
        ObjectNode m = JSON.createObjectNode().put("role", "assistant");
        ArrayNode content = m.putArray("content");
        content.addObject().put("type", "text").put("text", "Let me look at that (step " + turn + ").");
        ObjectNode use = content.addObject().put("type", "tool_use").put("id", "toolu_01Step" + turn)
                .put("name", "Bash");
        use.putObject("input").put("command", "grep -rn failing src/ | head -" + (5 + random.nextInt(20)));
        return m;
    }

    private static ObjectNode toolResultMessage(int turn, Random random) {
        ObjectNode m = JSON.createObjectNode().put("role", "user");
        ArrayNode content = m.putArray("content");
        content.addObject().put("type", "tool_result").put("tool_use_id", "toolu_01Step" + turn)
                .put("content", filler(random, "src/Test" + turn + ".java:12: assertion failed ", 1500));
        return m;
    }

    private static ObjectNode promptMessage(Random random) {
        ObjectNode m = JSON.createObjectNode().put("role", "user");
        ArrayNode content = m.putArray("content");
        reminder(content, "The user sent a new message while you were working.");
        content.addObject().put("type", "text").put("text", "Now also update the docs (" + random.nextInt(100) + ")");
        return m;
    }

    /** Claude Code keeps one message breakpoint, on the newest user message's last block. */
    private static void moveBreakpoint(ArrayNode history, Spec spec) {
        for (com.fasterxml.jackson.databind.JsonNode m : history) {
            for (com.fasterxml.jackson.databind.JsonNode block : m.path("content")) {
                ((ObjectNode) block).remove("cache_control");
            }
        }
        ArrayNode last = (ArrayNode) history.get(history.size() - 1).path("content");
        marker((ObjectNode) last.get(last.size() - 1), spec);
    }

    private static void marker(ObjectNode block, Spec spec) {
        ObjectNode cc = block.putObject("cache_control").put("type", "ephemeral");
        if (spec.ttl1h()) {
            cc.put("ttl", "1h");
        }
    }

    private static String filler(Random random, String seedText, int chars) {
        StringBuilder sb = new StringBuilder(chars + 64);
        String[] words = {"file", "test", "build", "module", "function", "error", "change", "review", "commit",
            "branch", "config", "cache", "request", "session", "project"};
        sb.append(seedText);
        while (sb.length() < chars) {
            sb.append(words[random.nextInt(words.length)]).append(random.nextInt(10) == 0 ? ". " : " ");
        }
        return sb.substring(0, Math.max(0, chars));
    }
}
