package dev.costgateway.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.testing.ClaudeCodeSessions;
import dev.costgateway.testing.GatewayHarness;
import dev.costgateway.testing.ManualClock;
import dev.costgateway.testing.PromptCacheSimulator;
import dev.costgateway.testing.PromptCacheSimulator.Entry;
import dev.costgateway.testing.SessionReplay;

/**
 * Synthetic Claude Code sessions replayed through the real gateway against the prompt-cache simulator with
 * {@code routing.sessions} sticky (the default) and off: the session's tier is decided on its first turn and kept,
 * so the upstream's cache stays on one model; a title request to the fast model keeps its model; the bypass header
 * keeps working; a weak first answer moves the session up once.
 */
class StickySessionsIT {

    private static final String OPUS = "claude-opus-4-7";
    private static final String SONNET = "claude-sonnet-4-6";
    private static final String HAIKU = "claude-haiku-4-5-20251001";
    /** Thresholds that send every routed prompt to balanced, so the test does not depend on the score model. */
    private static final String ALL_BALANCED = "routing:\n  thresholds:\n    premium: 1.0\n    fast: 0.0\n";

    @Test
    void aStickySessionKeepsItsFirstTurnsTierAndItsCacheWarm() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-12-02T09:00:00Z"));
        PromptCacheSimulator sim = new PromptCacheSimulator(clock);
        ClaudeCodeSessions.Spec spec = ClaudeCodeSessions.Spec.of(41, "sk-ant-test-sticky1").turns(9)
                .withTitleRequest();
        try (GatewayHarness h = GatewayHarness.start(ALL_BALANCED, clock)) {
            h.upstream.setFallback(sim.answer("Done: the test passes now."));
            List<SessionReplay.Result> results = SessionReplay.replay(h, clock, ClaudeCodeSessions.generate(spec));

            List<Entry> ledger = sim.ledger(spec.sessionId());
            assertThat(ledger).hasSize(10);
            assertThat(ledger.get(0).model()).as("the title request keeps its fast model").isEqualTo(HAIKU);
            assertThat(ledger.subList(1, 10)).extracting(Entry::model).containsOnly(SONNET);
            // one model for the whole conversation: after the first write every turn reads the cache
            for (int i = 2; i < 10; i++) {
                assertThat(ledger.get(i).cacheReadTokens()).as("turn %d reads", i).isGreaterThan(0);
            }

            RequestRecord first = h.recorded(results.get(1).queryId());
            assertThat(first.finalModel()).isEqualTo(SONNET);
            assertThat(first.classifierLayer()).isEqualTo("score");
            assertThat(first.classifierReason()).startsWith("session's first turn, pinned: score");
            for (int i = 2; i < results.size(); i++) {
                RequestRecord later = h.recorded(results.get(i).queryId());
                assertThat(later.classifierLayer()).isEqualTo("session");
                assertThat(later.classifierReason()).contains("pinned to balanced since turn 1");
                assertThat(later.session().id()).isEqualTo(spec.sessionId());
            }
        }
    }

    @Test
    void offKeepsTheConservativeRulesAndTheBypassHeaderKeepsTheModel() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-12-02T09:00:00Z"));
        PromptCacheSimulator sim = new PromptCacheSimulator(clock);
        ClaudeCodeSessions.Spec off = ClaudeCodeSessions.Spec.of(42, "sk-ant-test-sticky2").turns(4);
        try (GatewayHarness h = GatewayHarness.start(ALL_BALANCED + "  sessions: \"off\"\n", clock)) {
            h.upstream.setFallback(sim.answer("Done."));
            List<SessionReplay.Result> results = SessionReplay.replay(h, clock, ClaudeCodeSessions.generate(off));
            assertThat(sim.ledger(off.sessionId())).extracting(Entry::model).containsOnly(OPUS);
            assertThat(h.recorded(results.get(0).queryId()).classifierReason()).isEqualTo("tools");
        }

        ClaudeCodeSessions.Spec bypassed = ClaudeCodeSessions.Spec.of(43, "sk-ant-test-sticky3").turns(3);
        try (GatewayHarness h = GatewayHarness.start(ALL_BALANCED, clock)) {
            h.upstream.setFallback(sim.answer("Done."));
            for (ClaudeCodeSessions.Turn t : ClaudeCodeSessions.generate(bypassed)) {
                clock.advance(t.idleBefore());
                String[] headers = java.util.stream.Stream.concat(t.headers().stream(),
                        java.util.stream.Stream.of("X-Gateway-Route", "off")).toArray(String[]::new);
                assertThat(h.post("/v1/messages?beta=true", t.body(), headers).statusCode()).isEqualTo(200);
            }
            assertThat(sim.ledger(bypassed.sessionId())).extracting(Entry::model).containsOnly(OPUS);
        }
    }

    @Test
    void aWeakFirstAnswerMovesTheSessionUpOnceForGood() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-12-02T09:00:00Z"));
        PromptCacheSimulator sim = new PromptCacheSimulator(clock);
        ClaudeCodeSessions.Spec spec = ClaudeCodeSessions.Spec.of(44, "sk-ant-test-sticky4").turns(5)
                .idle(3, Duration.ofMinutes(2));
        // the balanced model is unsure of everything; streams are held so a weak answer can be retried
        String yaml = ALL_BALANCED + "escalation:\n  streaming: buffer\n";
        try (GatewayHarness h = GatewayHarness.start(yaml, clock)) {
            h.upstream.setFallback(sim.answer(body -> SONNET.equals(body.path("model").asText())
                    ? "I'm not sure what the test expects." : "Done: fixed."));
            List<SessionReplay.Result> results = SessionReplay.replay(h, clock, ClaudeCodeSessions.generate(spec));

            // turn 1: Sonnet answered weakly, retried on Opus; every later turn stays on Opus and reads its cache
            assertThat(sim.ledger(spec.sessionId())).extracting(Entry::model)
                    .containsExactly(SONNET, OPUS, OPUS, OPUS, OPUS, OPUS);
            RequestRecord first = h.recorded(results.get(0).queryId());
            assertThat(first.escalations()).isEqualTo(1);
            assertThat(first.classifierReason()).contains("session moved up from balanced to premium at turn 1");
            RequestRecord last = h.recorded(results.get(4).queryId());
            assertThat(last.finalModel()).isEqualTo(OPUS);
            assertThat(last.escalations()).isZero();
            assertThat(last.classifierReason()).contains("pinned to premium since turn 1 (escalated: phrase:");
            assertThat(sim.ledger(spec.sessionId()).get(5).cacheReadTokens()).isGreaterThan(0);
        }
    }
}
