package dev.costgateway.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.testing.ManualClock;
import dev.costgateway.testing.ClaudeCodeSessions;
import dev.costgateway.testing.ClaudeCodeSessions.Spec;
import dev.costgateway.testing.GatewayHarness;
import dev.costgateway.testing.PromptCacheSimulator;
import dev.costgateway.testing.PromptCacheSimulator.Entry;
import dev.costgateway.testing.SessionReplay;

/**
 * Each prompt-cache warning fires on a replayed session made to trigger it, at the turn that caused it, with the
 * money the simulator's ledger says it cost, and never on a clean session.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CacheHealthIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double OPUS_IN = 5.0;

    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-02T09:00:00Z"));
    private final PromptCacheSimulator sim = new PromptCacheSimulator(clock);
    private GatewayHarness h;

    @BeforeAll
    void start() throws Exception {
        h = GatewayHarness.start("routing:\n  mode: off\n", clock);
        h.upstream.setFallback(sim.answer("Done."));
    }

    @AfterAll
    void stop() throws Exception {
        h.close();
    }

    private JsonNode replay(Spec spec) throws Exception {
        SessionReplay.replay(h, clock, ClaudeCodeSessions.generate(spec));
        h.gateway.flushMetrics();
        clock.advance(Duration.ofHours(2)); // sessions never share a warm cache
        var r = h.get("/v1/sessions/" + spec.sessionId());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode health = JSON.readTree(r.body()).get("cache_health");
        // the session list counts the same findings, kept by the writer as the requests were recorded
        JsonNode listed = null;
        for (JsonNode s : JSON.readTree(h.get("/v1/sessions?n=1000").body()).get("data")) {
            if (s.get("session_id").asText().equals(spec.sessionId())) {
                listed = s;
            }
        }
        assertThat(listed).as("listed session").isNotNull();
        assertThat(listed.get("cache_warnings").asLong()).isEqualTo(health.get("warnings").size());
        assertThat(listed.get("cache_wasted_usd").asDouble())
                .isCloseTo(health.get("wasted_usd").asDouble(), within(1e-12));
        return health;
    }

    private static List<String> kinds(JsonNode health) {
        List<String> out = new ArrayList<>();
        health.get("warnings").forEach(w -> out.add(w.get("request_index").asInt() + ":" + w.get("kind").asText()));
        return out;
    }

    private static long prompt(Entry e) {
        return e.inputTokens() + e.cacheCreationTokens() + e.cacheReadTokens();
    }

    @Test
    void cleanSessionsHaveNoWarnings() throws Exception {
        assertThat(kinds(replay(Spec.of(41, "sk-ant-test-h1").turns(8).withTitleRequest()))).isEmpty();
        // a 20-minute pause is within the 1-hour TTL
        assertThat(kinds(replay(Spec.of(42, "sk-ant-test-h1").turns(4).oneHourTtl()
                .idle(2, Duration.ofMinutes(20))))).isEmpty();
        // 4-minute pauses: every read refreshes the 5-minute TTL
        assertThat(kinds(replay(Spec.of(43, "sk-ant-test-h1").turns(4).idle(1, Duration.ofMinutes(4))
                .idle(2, Duration.ofMinutes(4)).idle(3, Duration.ofMinutes(4))))).isEmpty();
    }

    @Test
    void aPrefixBelowTheMinimumIsReportedOnEveryTurn() throws Exception {
        Spec spec = Spec.of(44, "sk-ant-test-h2").tiny().turns(3);
        JsonNode health = replay(spec);
        assertThat(kinds(health)).containsExactly("0:below_minimum", "1:below_minimum", "2:below_minimum");
        List<Entry> ledger = sim.ledger(spec.sessionId());
        // turn 1 could have read what turn 0 sent, at 0.1x instead of 1x
        assertThat(health.at("/warnings/1/cost_usd").asDouble())
                .isCloseTo(prompt(ledger.get(0)) * OPUS_IN * 0.9 / 1e6, within(1e-12));
        assertThat(health.at("/warnings/0/cost_usd").asDouble()).isZero();
    }

    @Test
    void aPrefixChangingEveryTurnIsReportedAsRewritesWithinTheTtl() throws Exception {
        Spec spec = Spec.of(45, "sk-ant-test-h3").turns(4).changingPrefix();
        JsonNode health = replay(spec);
        assertThat(kinds(health)).containsExactly("1:rewrite_within_ttl", "2:rewrite_within_ttl",
                "3:rewrite_within_ttl");
        List<Entry> ledger = sim.ledger(spec.sessionId());
        double expected = prompt(ledger.get(1 - 1)) * OPUS_IN * (1.25 - 0.1) / 1e6;
        assertThat(health.at("/warnings/0/cost_usd").asDouble()).isCloseTo(expected, within(1e-12));
        assertThat(health.get("wasted_usd").asDouble()).isGreaterThan(expected * 2.9);
    }

    @Test
    void anIdleGapLongerThanTheTtlIsReportedOnTheTurnAfterIt() throws Exception {
        Spec spec = Spec.of(46, "sk-ant-test-h4").turns(5).idle(3, Duration.ofMinutes(8));
        JsonNode health = replay(spec);
        assertThat(kinds(health)).containsExactly("3:idle_rewrite");
        List<Entry> ledger = sim.ledger(spec.sessionId());
        assertThat(ledger.get(3).cacheReadTokens()).isZero();
        assertThat(health.at("/warnings/0/tokens").asLong()).isEqualTo(prompt(ledger.get(2)));
        assertThat(health.at("/warnings/0/cost_usd").asDouble())
                .isCloseTo(prompt(ledger.get(2)) * OPUS_IN * 1.15 / 1e6, within(1e-12));
        assertThat(health.at("/warnings/0/detail").asText()).contains("8m", "5-minute");
    }

    @Test
    void aModelSwitchInsideTheSessionIsReportedWithItsRewriteCost() throws Exception {
        Spec spec = Spec.of(47, "sk-ant-test-h5").turns(5).switchModel(3, "claude-sonnet-4-6");
        JsonNode health = replay(spec);
        assertThat(kinds(health)).containsExactly("3:model_switch");
        List<Entry> ledger = sim.ledger(spec.sessionId());
        long tokens = prompt(ledger.get(2));
        assertThat(health.at("/warnings/0/tokens").asLong()).isEqualTo(tokens);
        // written on Sonnet at 3 x 1.25, instead of read on Opus at 5 x 0.1
        assertThat(health.at("/warnings/0/cost_usd").asDouble())
                .isCloseTo(tokens * (3 * 1.25 - 5 * 0.1) / 1e6, within(1e-12));
        assertThat(health.at("/warnings/0/detail").asText()).contains("claude-opus-4-7", "claude-sonnet-4-6");
    }
}
