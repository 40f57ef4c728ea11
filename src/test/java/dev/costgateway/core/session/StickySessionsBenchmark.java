package dev.costgateway.core.session;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.GatewayStatus;
import dev.costgateway.core.config.Tier;
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.testing.Await;
import dev.costgateway.testing.ClaudeCodeSessions;
import dev.costgateway.testing.GatewayHarness;
import dev.costgateway.testing.ManualClock;
import dev.costgateway.testing.PromptCacheSimulator;
import dev.costgateway.testing.PromptCacheSimulator.Entry;
import dev.costgateway.testing.SessionReplay;

/**
 * The replay benchmark of issue 14: {@value #DEFAULT_SESSIONS} synthetic Claude Code sessions (5–60 turns, 20–60 k
 * token prefixes, tool results, some idle gaps over the TTL, some with the 1-hour TTL, thinking blocks or a tool
 * failing in a loop; the first prompt of each and the person's later prompts from our own held-out router prompts,
 * simple to complex) replayed through the real gateway (local embedding loaded) against the prompt-cache simulator,
 * under four policies: pass-through ({@code routing.mode: off}), per-turn routing (every conservative rule off,
 * {@code routing.sessions: off}), sticky ({@code routing.sessions: sticky}, the defaults) and sticky with
 * {@code routing.conservative_many_turns: false}. All hold streams so a weak answer can be retried
 * ({@code escalation.streaming: buffer}); the gateway's caches are off, so only routing differs. Priced at list
 * prices from the fake's exact usage.
 *
 * <p>The fake upstream's quality model: a model below the label of the work in hand (the person's latest prompt in
 * the conversation) answers with an unsure phrase (an escalation signal); otherwise it answers plainly.
 *
 * <p>Deterministic (no timing): {@code mvn -B -o -Pbench test -Dtest=StickySessionsBenchmark}; the table is printed
 * and written to {@code target/sticky-sessions-bench.md}.
 */
@Tag("bench")
class StickySessionsBenchmark {

    static final int DEFAULT_SESSIONS = 52;
    private static final int SESSIONS = Integer.getInteger("bench.sessions", DEFAULT_SESSIONS);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HELDOUT = "/dev/costgateway/core/routing/eval/own-heldout.tsv";
    private static final String OPUS = "claude-opus-4-7";
    private static final String SONNET = "claude-sonnet-4-6";
    private static final String HAIKU = "claude-haiku-4-5-20251001";
    private static final String BUFFER = "escalation:\n  streaming: buffer\ncache:\n  enabled: false\n";
    private static final Map<String, String> POLICIES = new LinkedHashMap<>();

    static {
        POLICIES.put("pass-through", "routing:\n  mode: \"off\"\n" + BUFFER);
        POLICIES.put("per-turn routing", "routing:\n  sessions: \"off\"\n  conservative_tools: false\n"
                + "  conservative_thinking: false\n  conservative_media: false\n  conservative_long_context: false\n"
                + "  conservative_many_turns: false\n" + BUFFER);
        POLICIES.put("sticky", BUFFER);
        // the many-turns rule judges every later prompt of a long session at its ceiling: without it, a sticky
        // session may also move down (priced) when its later prompts are routine
        POLICIES.put("sticky, many-turns rule off", "routing:\n  conservative_many_turns: false\n" + BUFFER);
    }

    /**
     * One session to replay.
     *
     * @param laterPrompts the person's prompts after the first (every fourth turn), in order
     * @param loopAt       first turn of three failing tool results, -1 for none
     */
    record Plan(int index, ClaudeCodeSessions.Spec spec, Tier label, String firstPrompt, List<String> laterPrompts,
                boolean thinking, int loopAt, long prefixTokens) {
    }

    /** What one policy did to one session. */
    record Outcome(double costUsd, double writeUsd, int switches, boolean offRequested, boolean movedUp,
                   boolean movedDown, int refusals, String firstAnswerModel, List<String> models) {
    }

    /** {@code -Dbench.debug=true} prints every sticky turn's reason. */
    private static final boolean DEBUG = Boolean.getBoolean("bench.debug");

    @Test
    void replayUnderThreePolicies() throws Exception {
        List<Plan> plans = plans();
        Map<String, Map<String, Outcome>> byPolicy = new LinkedHashMap<>();
        for (Map.Entry<String, String> policy : POLICIES.entrySet()) {
            long start = System.nanoTime();
            byPolicy.put(policy.getKey(), replay(policy.getValue(), plans));
            System.out.printf(Locale.ROOT, "%s replayed in %.1f s%n", policy.getKey(),
                    (System.nanoTime() - start) / 1e9);
        }
        String table = report(plans, byPolicy);
        System.out.println(table);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "sticky-sessions-bench.md"), table);
    }

    private static Map<String, Outcome> replay(String yaml, List<Plan> plans) throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-12-02T09:00:00Z"));
        PromptCacheSimulator sim = new PromptCacheSimulator(clock);
        Map<String, Tier> labels = promptLabels();
        Map<String, Outcome> out = new LinkedHashMap<>();
        try (GatewayHarness h = GatewayHarness.startWithEmbedder(yaml, clock)) {
            // every policy routes with the embedding loaded: the first sessions must not see the features-only model
            Await.until(Duration.ofSeconds(120), "embedder loads within 120 s",
                    () -> h.gateway.status().get().embedder() == GatewayStatus.EmbedderState.READY);
            h.upstream.setFallback(sim.answer(body -> answer(body, labels)));
            for (Plan p : plans) {
                List<ClaudeCodeSessions.Turn> turns = ClaudeCodeSessions.generate(p.spec()).stream()
                        .map(t -> new ClaudeCodeSessions.Turn(t.index(), t.idleBefore(), t.sessionId(), t.model(),
                                shape(t.body(), p), t.headers()))
                        .toList();
                List<SessionReplay.Result> results = SessionReplay.replay(h, clock, turns);
                clock.advance(Duration.ofMinutes(90)); // sessions do not overlap: every cache is cold between them
                out.put(p.spec().sessionId(), outcome(h, p, results, sim.ledger(p.spec().sessionId())));
            }
        }
        return out;
    }

    private static Outcome outcome(GatewayHarness h, Plan p, List<SessionReplay.Result> results, List<Entry> ledger)
            throws InterruptedException {
        double cost = ledger.stream().mapToDouble(SessionReplayIT::cost).sum();
        double writes = ledger.stream().mapToDouble(e -> write(e)).sum();
        List<String> models = new ArrayList<>();
        boolean off = false;
        boolean up = false;
        boolean down = false;
        int refusals = 0;
        String firstAnswer = null;
        for (SessionReplay.Result r : results) {
            if (r.turn().index() < 0) {
                continue; // the title request
            }
            RequestRecord rec = h.recorded(r.queryId());
            if (firstAnswer == null) {
                firstAnswer = rec.attempts().isEmpty() ? rec.finalModel() : rec.attempts().get(0).model();
            }
            models.add(rec.finalModel());
            off |= !rec.finalModel().equals(p.spec().model());
            String reason = rec.classifierReason() == null ? "" : rec.classifierReason();
            up |= rec.escalations() > 0 || reason.contains("moved up");
            down |= reason.contains("moved down");
            refusals += reason.contains("refused") ? 1 : 0;
            if (DEBUG) {
                System.out.printf("session %d turn %d %s: %s%n", p.index(), r.turn().index(), rec.finalModel(),
                        reason);
            }
        }
        int switches = 0;
        for (int i = 1; i < models.size(); i++) {
            switches += models.get(i).equals(models.get(i - 1)) ? 0 : 1;
        }
        return new Outcome(cost, writes, switches, off, up, down, refusals, firstAnswer, models);
    }

    private static double write(Entry e) {
        Entry writesOnly = new Entry(e.at(), e.key(), e.model(), e.sessionId(), 0, e.cacheWrite5mTokens(),
                e.cacheWrite1hTokens(), 0, 0);
        return SessionReplayIT.cost(writesOnly);
    }

    // ---- the fake's answers ----

    private static final String DONE = "Done: I changed the failing assertion and the test passes now. ";
    private static final String UNSURE = "I'm not sure this is right: the test may expect something else. ";

    /**
     * A model below the label of the work in hand (the person's latest prompt in the conversation) answers unsure;
     * any other plainly; both about 300 tokens.
     */
    static String answer(JsonNode body, Map<String, Tier> labels) {
        boolean agentTurn = body.path("tools").isArray() && !body.path("tools").isEmpty();
        Tier label = labels.getOrDefault(latestPrompt(body), Tier.FAST);
        Tier answering = tierOf(body.path("model").asText());
        String lead = agentTurn && label.isAbove(answering) ? UNSURE : DONE;
        return lead + "Here is what I did, step by step. ".repeat(36);
    }

    /** The last non-reminder text of the newest user message that has one. */
    private static String latestPrompt(JsonNode body) {
        JsonNode messages = body.path("messages");
        for (int i = messages.size() - 1; i >= 0; i--) {
            String prompt = dev.costgateway.core.api.MessageText.prompt(messages.get(i).path("content"));
            if ("user".equals(messages.get(i).path("role").asText()) && !prompt.isBlank()) {
                return prompt;
            }
        }
        return "";
    }

    private static Tier tierOf(String model) {
        return model.startsWith("claude-haiku") ? Tier.FAST : model.startsWith("claude-sonnet") ? Tier.BALANCED
                : Tier.PREMIUM;
    }

    // ---- the sessions ----

    static List<Plan> plans() throws Exception {
        Map<Tier, List<String>> prompts = heldoutPrompts();
        Random r = new Random(14);
        prompts.values().forEach(l -> Collections.shuffle(l, r));
        Tier[] cycle = {Tier.FAST, Tier.BALANCED, Tier.PREMIUM};
        List<Plan> out = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            Tier label = cycle[i % 3];
            String prompt = prompts.get(label).get(i / 3);
            List<String> later = new ArrayList<>();
            // follow-ups: mostly small requests, some as hard as the first prompt (drawn after the first prompts)
            for (int k = 0; k < 15; k++) {
                int roll = r.nextInt(10);
                Tier t = roll < 6 ? Tier.FAST : roll < 8 ? Tier.BALANCED : label;
                List<String> pool = prompts.get(t);
                later.add(pool.get(SESSIONS / 3 + 1 + r.nextInt(pool.size() - SESSIONS / 3 - 1)));
            }
            int turns = 5 + r.nextInt(56);
            long prefix = 20_000 + r.nextInt(40_001);
            int toolChars = (int) (prefix * 4 * 0.6 / 12);
            int systemChars = (int) (prefix * 4 * 0.4) - 4_000;
            ClaudeCodeSessions.Spec spec = ClaudeCodeSessions.Spec.of(1_000 + i, "sk-ant-test-bench" + (i % 4))
                    .turns(turns).sizes(12, toolChars, systemChars);
            if (r.nextInt(4) == 0) {
                spec = spec.idle(1 + r.nextInt(turns - 1), Duration.ofMinutes(6 + r.nextInt(40)));
            }
            if (r.nextInt(5) == 0) {
                spec = spec.oneHourTtl();
            }
            if (r.nextInt(3) == 0) {
                spec = spec.withTitleRequest();
            }
            if (r.nextInt(6) == 0) {
                spec = spec.model(SONNET);
            }
            boolean thinking = r.nextInt(4) == 0;
            int loopAt = turns >= 12 && r.nextInt(6) == 0 ? 3 + r.nextInt(turns - 8) : -1;
            out.add(new Plan(i, spec, label, prompt, later, thinking, loopAt, prefix));
        }
        return out;
    }

    /** Every held-out prompt with its label (the fake's quality model reads it). */
    private static Map<String, Tier> promptLabels() throws Exception {
        Map<String, Tier> out = new HashMap<>();
        heldoutPrompts().forEach((t, list) -> list.forEach(text -> out.put(text, t)));
        return out;
    }

    private static Map<Tier, List<String>> heldoutPrompts() throws Exception {
        Map<Tier, List<String>> out = new LinkedHashMap<>();
        for (Tier t : Tier.values()) {
            out.put(t, new ArrayList<>());
        }
        try (InputStream in = StickySessionsBenchmark.class.getResourceAsStream(HELDOUT);
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                int tab = line.indexOf('\t');
                if (line.startsWith("#") || tab < 0) {
                    continue;
                }
                Tier t = switch (line.substring(0, tab)) {
                    case "SIMPLE" -> Tier.FAST;
                    case "MODERATE" -> Tier.BALANCED;
                    default -> Tier.PREMIUM;
                };
                out.get(t).add(line.substring(tab + 1).strip().replace("\\n", "\n"));
            }
        }
        return out;
    }

    /**
     * The generated body in this session's shape, the same way on every turn (so the prefix stays byte-identical):
     * the first prompt replaced; an assistant message the person answers (not a tool result) ends with text, as a
     * finished answer does; thinking blocks in every assistant message of a thinking session; three failing results
     * of one tool from turn {@code loopAt}.
     */
    static String shape(String body, Plan p) {
        try {
            ObjectNode b = (ObjectNode) JSON.readTree(body);
            ArrayNode messages = (ArrayNode) b.get("messages");
            JsonNode firstContent = messages.get(0).path("content");
            if (firstContent.isTextual()) { // the title request
                messages.set(0, ((ObjectNode) messages.get(0)).put("content", "Write a 5-word title for: "
                        + p.firstPrompt()));
                return b.toString();
            }
            ((ObjectNode) firstContent.get(firstContent.size() - 1)).put("text", p.firstPrompt());
            int laterPrompt = 0;
            for (int i = 0; i < messages.size(); i++) {
                ObjectNode m = (ObjectNode) messages.get(i);
                ArrayNode content = (ArrayNode) m.get("content");
                if (i > 0 && "user".equals(m.path("role").asText()) && !has(m, "tool_result")) {
                    ((ObjectNode) content.get(content.size() - 1))
                            .put("text", p.laterPrompts().get(laterPrompt++ % p.laterPrompts().size()));
                }
                if ("assistant".equals(m.path("role").asText())) {
                    boolean answeredByPerson = i + 1 < messages.size() && !has(messages.get(i + 1), "tool_result");
                    if (answeredByPerson) {
                        for (int k = content.size() - 1; k >= 0; k--) {
                            if ("tool_use".equals(content.get(k).path("type").asText())) {
                                content.remove(k);
                            }
                        }
                    }
                    if (p.thinking()) {
                        content.insert(0, JSON.createObjectNode().put("type", "thinking").put("thinking", "")
                                .put("signature", "EqQBbench" + p.index() + "x" + i));
                    }
                } else if (p.loopAt() >= 0) {
                    for (JsonNode block : content) {
                        String id = block.path("tool_use_id").asText("");
                        if (id.startsWith("toolu_01Step")) {
                            int step = Integer.parseInt(id.substring("toolu_01Step".length()));
                            if (step >= p.loopAt() && step < p.loopAt() + 3) {
                                ((ObjectNode) block).put("content", "Error: exit code 127").put("is_error", true);
                            }
                        }
                    }
                }
            }
            return b.toString();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean has(JsonNode message, String type) {
        for (JsonNode block : message.path("content")) {
            if (type.equals(block.path("type").asText())) {
                return true;
            }
        }
        return false;
    }

    // ---- the report ----

    static String report(List<Plan> plans, Map<String, Map<String, Outcome>> byPolicy) {
        Map<String, Outcome> pass = byPolicy.get("pass-through");
        Map<String, Outcome> sticky = byPolicy.get("sticky");
        double passTotal = total(pass);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d sessions, %d agent turns, first prompts: %d simple / %d moderate / "
                        + "%d complex (own held-out set); %d with thinking blocks, %d with a tool error loop, "
                        + "%d with an idle gap over the TTL, %d asking for the 1-hour TTL%n%n",
                plans.size(), plans.stream().mapToInt(p -> p.spec().turns()).sum(),
                plans.stream().filter(p -> p.label() == Tier.FAST).count(),
                plans.stream().filter(p -> p.label() == Tier.BALANCED).count(),
                plans.stream().filter(p -> p.label() == Tier.PREMIUM).count(),
                plans.stream().filter(Plan::thinking).count(), plans.stream().filter(p -> p.loopAt() >= 0).count(),
                plans.stream().filter(p -> !p.spec().idleBefore().isEmpty()).count(),
                plans.stream().filter(p -> p.spec().ttl1h()).count()));
        sb.append("| policy | cost | vs pass-through | of which cache writes | model switches in sessions "
                + "| sessions off their requested tier | sessions escalated |\n|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, Map<String, Outcome>> e : byPolicy.entrySet()) {
            Map<String, Outcome> o = e.getValue();
            double t = total(o);
            sb.append(String.format(Locale.ROOT, "| %s | $%.2f | %.1f %% | $%.2f | %d | %d of %d | %d |%n",
                    e.getKey(), t, 100 * t / passTotal, o.values().stream().mapToDouble(Outcome::writeUsd).sum(),
                    o.values().stream().mapToInt(Outcome::switches).sum(),
                    o.values().stream().filter(Outcome::offRequested).count(), o.size(),
                    o.values().stream().filter(Outcome::movedUp).count()));
        }
        double stickyTotal = total(sticky);
        sb.append(String.format(Locale.ROOT, "%nSticky saves $%.2f (%.1f %%) against pass-through; %d of %d sessions "
                        + "(%.0f %%) ran off their requested tier; %d moved down mid-session after a priced switch.%n",
                passTotal - stickyTotal, 100 * (passTotal - stickyTotal) / passTotal,
                sticky.values().stream().filter(Outcome::offRequested).count(), sticky.size(),
                100.0 * sticky.values().stream().filter(Outcome::offRequested).count() / sticky.size(),
                sticky.values().stream().filter(Outcome::movedDown).count()));
        Map<String, Outcome> perTurn = byPolicy.get("per-turn routing");
        sb.append(String.format(Locale.ROOT, "Per-turn routing's cache writes: $%.2f against pass-through's $%.2f "
                        + "(+$%.2f), with %d model switches.%n%n",
                perTurn.values().stream().mapToDouble(Outcome::writeUsd).sum(),
                pass.values().stream().mapToDouble(Outcome::writeUsd).sum(),
                perTurn.values().stream().mapToDouble(Outcome::writeUsd).sum()
                        - pass.values().stream().mapToDouble(Outcome::writeUsd).sum(),
                perTurn.values().stream().mapToInt(Outcome::switches).sum()));

        int over = 0;
        StringBuilder escalated = new StringBuilder();
        for (Plan p : plans) {
            String id = p.spec().sessionId();
            Outcome s = sticky.get(id);
            double overrun = s.costUsd() - pass.get(id).costUsd();
            if (s.movedUp()) {
                escalated.append(String.format(Locale.ROOT, "| %d | %s | %d | %s | %s | $%.4f | $%.4f | %+.1f %% |%n",
                        p.index(), p.label().id(), p.spec().turns(), s.firstAnswerModel(),
                        s.models().get(s.models().size() - 1), pass.get(id).costUsd(), s.costUsd(),
                        100 * overrun / pass.get(id).costUsd()));
            } else if (overrun > 1e-9) {
                over++;
                sb.append(String.format(Locale.ROOT, "OVER: session %d (%s, %d turns) sticky $%.4f > pass-through "
                        + "$%.4f%n", p.index(), p.label().id(), p.spec().turns(), s.costUsd(),
                        pass.get(id).costUsd()));
            }
        }
        sb.append(String.format(Locale.ROOT, "Sessions that did not escalate and cost more than pass-through under "
                + "sticky: %d.%n%n", over));
        sb.append("Sessions that escalated under sticky:\n\n| # | first prompt | turns | first answer from | last turn on "
                + "| pass-through | sticky | overrun |\n|---|---|---|---|---|---|---|---|\n").append(escalated);

        sb.append("\nBy first-prompt label (cost vs pass-through):\n\n| label | sessions | per-turn | sticky |\n"
                + "|---|---|---|---|\n");
        for (Tier t : Tier.values()) {
            List<String> ids = plans.stream().filter(p -> p.label() == t).map(p -> p.spec().sessionId()).toList();
            double base = ids.stream().mapToDouble(id -> pass.get(id).costUsd()).sum();
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.1f %% | %.1f %% |%n", t.id(), ids.size(),
                    100 * ids.stream().mapToDouble(id -> perTurn.get(id).costUsd()).sum() / base,
                    100 * ids.stream().mapToDouble(id -> sticky.get(id).costUsd()).sum() / base));
        }
        return sb.toString();
    }

    private static double total(Map<String, Outcome> o) {
        return o.values().stream().mapToDouble(Outcome::costUsd).sum();
    }
}
