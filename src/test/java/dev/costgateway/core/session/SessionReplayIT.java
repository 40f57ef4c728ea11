package dev.costgateway.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.testing.ManualClock;
import dev.costgateway.testing.ClaudeCodeSessions;
import dev.costgateway.testing.CsvRows;
import dev.costgateway.testing.GatewayHarness;
import dev.costgateway.testing.PromptCacheSimulator;
import dev.costgateway.testing.PromptCacheSimulator.Entry;
import dev.costgateway.testing.SessionReplay;

/**
 * Synthetic Claude Code sessions replayed through the real gateway against the prompt-cache simulator: the
 * session list, one session's requests and the CSV agree with the simulator's own ledger.
 */
class SessionReplayIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Routing off: the sessions keep their models, so the ledger is what a client would have paid. */
    private static final String CONFIG = "routing:\n  mode: off\n";
    /** List prices per million tokens (default config) and the cache multipliers. */
    private static final Map<String, double[]> PRICES = Map.of(
            "claude-opus-4-7", new double[] {5, 25}, "claude-sonnet-4-6", new double[] {3, 15},
            "claude-haiku-4-5-20251001", new double[] {1, 5});

    static double cost(Entry e) {
        double[] p = PRICES.get(e.model());
        return (e.inputTokens() * p[0] + e.cacheWrite5mTokens() * p[0] * 1.25 + e.cacheWrite1hTokens() * p[0] * 2
                + e.cacheReadTokens() * p[0] * 0.1 + e.outputTokens() * p[1]) / 1e6;
    }

    private static JsonNode getJson(GatewayHarness h, String path) throws Exception {
        var r = h.get(path);
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void replayedSessionsShowTheLedgersCountsAndSums() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-12-02T09:00:00Z"));
        PromptCacheSimulator sim = new PromptCacheSimulator(clock);
        try (GatewayHarness h = GatewayHarness.start(CONFIG, clock)) {
            h.upstream.setFallback(sim.answer("Done: the test passes now."));
            List<ClaudeCodeSessions.Spec> specs = List.of(
                    ClaudeCodeSessions.Spec.of(21, "sk-ant-test-a1").turns(7).withTitleRequest(),
                    ClaudeCodeSessions.Spec.of(22, "sk-ant-test-b2").turns(5).project("/srv/work/billing")
                            .idle(3, Duration.ofMinutes(7)),
                    ClaudeCodeSessions.Spec.of(23, "sk-ant-test-a1").turns(4).oneHourTtl()
                            .idle(2, Duration.ofMinutes(20)).model("claude-sonnet-4-6"));
            List<SessionReplay.Result> results = new ArrayList<>();
            for (ClaudeCodeSessions.Spec spec : specs) {
                results.addAll(SessionReplay.replay(h, clock, ClaudeCodeSessions.generate(spec)));
            }
            h.gateway.flushMetrics();
            assertThat(sim.ledger()).hasSize(results.size());

            JsonNode list = getJson(h, "/v1/sessions");
            assertThat(list.get("count").asInt()).isEqualTo(3);
            // most recent first: the last replayed session
            assertThat(list.at("/data/0/session_id").asText()).isEqualTo(specs.get(2).sessionId());
            for (ClaudeCodeSessions.Spec spec : specs) {
                List<Entry> ledger = sim.ledger(spec.sessionId());
                Map<String, Long> t = PromptCacheSimulator.totals(ledger);
                JsonNode s = null;
                for (JsonNode n : list.get("data")) {
                    if (n.get("session_id").asText().equals(spec.sessionId())) {
                        s = n;
                    }
                }
                assertThat(s).as(spec.sessionId()).isNotNull();
                assertThat(s.get("source").asText()).isEqualTo("header");
                assertThat(s.get("project").asText()).isEqualTo(spec.project());
                assertThat(s.get("requests").asLong()).isEqualTo(t.get("requests"));
                assertThat(s.get("input_tokens").asLong()).isEqualTo(t.get("input_tokens"));
                assertThat(s.get("output_tokens").asLong()).isEqualTo(t.get("output_tokens"));
                assertThat(s.get("cache_creation_tokens").asLong()).isEqualTo(t.get("cache_creation_tokens"));
                assertThat(s.get("cache_read_tokens").asLong()).isEqualTo(t.get("cache_read_tokens"));
                double expectedCost = ledger.stream().mapToDouble(SessionReplayIT::cost).sum();
                assertThat(s.get("cost_usd").asDouble()).as("cost of " + spec.sessionId())
                        .isCloseTo(expectedCost, within(1e-9));
                long prompt = t.get("input_tokens") + t.get("cache_creation_tokens") + t.get("cache_read_tokens");
                assertThat(s.get("prompt_cache_hit_ratio").asDouble())
                        .isCloseTo((double) t.get("cache_read_tokens") / prompt, within(1e-12));
                assertThat(s.get("started").asText()).isEqualTo(ledger.get(0).at().toString());

                JsonNode one = getJson(h, "/v1/sessions/" + spec.sessionId());
                assertThat(one.get("requests")).hasSize(ledger.size());
                for (int i = 0; i < ledger.size(); i++) {
                    JsonNode r = one.get("requests").get(i);
                    assertThat(r.at("/usage/cache_read_input_tokens").asLong())
                            .isEqualTo(ledger.get(i).cacheReadTokens());
                    assertThat(r.at("/usage/cache_creation/ephemeral_1h_input_tokens").asLong())
                            .as("1h writes of turn %d", i).isEqualTo(ledger.get(i).cacheWrite1hTokens());
                    assertThat(r.get("final_model").asText()).isEqualTo(ledger.get(i).model());
                }
            }
            // the models used: the title request went to Haiku
            assertThat(getJson(h, "/v1/sessions?n=1000").at("/data/2/models")).extracting(JsonNode::asText)
                    .containsExactly("claude-haiku-4-5-20251001", "claude-opus-4-7");

            // the CSV by session and by project carries the same sums
            String csv = new String(h.get("/v1/reports/costs.csv?group=session").body(), StandardCharsets.UTF_8);
            List<Map<String, String>> rows = CsvRows.parse(csv);
            assertThat(rows).hasSize(3);
            for (ClaudeCodeSessions.Spec spec : specs) {
                Map<String, String> row = rows.stream().filter(r -> r.get("session_id").equals(spec.sessionId()))
                        .findFirst().orElseThrow();
                Map<String, Long> t = PromptCacheSimulator.totals(sim.ledger(spec.sessionId()));
                assertThat(Long.parseLong(row.get("requests"))).isEqualTo(t.get("requests"));
                assertThat(Long.parseLong(row.get("cache_read_tokens"))).isEqualTo(t.get("cache_read_tokens"));
                assertThat(Double.parseDouble(row.get("cost_usd"))).isCloseTo(
                        sim.ledger(spec.sessionId()).stream().mapToDouble(SessionReplayIT::cost).sum(), within(1e-9));
            }
            List<Map<String, String>> byProject = CsvRows.parse(new String(
                    h.get("/v1/reports/costs.csv?group=project").body(), StandardCharsets.UTF_8));
            assertThat(byProject).extracting(r -> r.get("project") + "=" + r.get("requests")).containsExactly(
                    "/home/dev/src/project-21=8", "/home/dev/src/project-23=4", "/srv/work/billing=5");

            // and the totals equal /v1/metrics
            JsonNode metrics = getJson(h, "/v1/metrics");
            assertThat(metrics.get("requests").asLong()).isEqualTo(sim.ledger().size());
            assertThat(metrics.get("cost_usd").asDouble())
                    .isCloseTo(sim.ledger().stream().mapToDouble(SessionReplayIT::cost).sum(), within(1e-9));
        }
    }
}
