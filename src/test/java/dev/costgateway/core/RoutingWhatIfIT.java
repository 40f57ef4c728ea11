package dev.costgateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.testing.GatewayHarness;

/**
 * End to end: requests routed by the real gateway record their scores (V3), and {@code GET /v1/routing/whatif}
 * re-thresholds exactly those requests. Without the embedder the features-only model scores, as at start-up.
 */
class RoutingWhatIfIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] KEY = {"content-type", "application/json", "x-api-key", "sk-test-whatif",
        "anthropic-version", "2023-06-01"};

    private static String ask(String model, String text) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\""
                + text + "\"}]}";
    }

    @Test
    void routedRequestsRecordTheirScoresAndTheWhatIfReadsThem() throws Exception {
        // sticky sessions off: a tool-bearing request is then kept by a rule, the case this test needs beside a
        // scored one (with them on, its first turn is scored and pinned: StickySessionsIT)
        try (GatewayHarness h = GatewayHarness.start("cache:\n  enabled: false\nrouting:\n  sessions: \"off\"\n")) {
            HttpResponse<byte[]> plain = h.post("/v1/messages", ask("claude-opus-4-7", "hi"), KEY);
            HttpResponse<byte[]> tools = h.post("/v1/messages", "{\"model\":\"claude-opus-4-7\",\"max_tokens\":64,"
                    + "\"tools\":[{\"name\":\"t\",\"input_schema\":{\"type\":\"object\"}}],"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", KEY);
            HttpResponse<byte[]> bypass = h.post("/v1/messages", ask("claude-opus-4-7", "hi"),
                    "content-type", "application/json", "x-api-key", "sk-test-whatif", "anthropic-version",
                    "2023-06-01", "X-Gateway-Route", "off");
            RequestRecord scored = h.recorded(plain.headers().firstValue("X-Gateway-Query-ID").orElseThrow());
            RequestRecord ruled = h.recorded(tools.headers().firstValue("X-Gateway-Query-ID").orElseThrow());
            RequestRecord unrouted = h.recorded(bypass.headers().firstValue("X-Gateway-Query-ID").orElseThrow());

            assertThat(scored.classifierLayer()).isEqualTo("score");
            assertThat(scored.routerScores()).isNotNull();
            assertThat(scored.routerScores().model()).isEqualTo("features");
            assertThat(scored.routerScores().ceiling()).isEqualTo("premium");
            assertThat(scored.routerScores().thresholdSource()).isEqualTo("share");
            assertThat(ruled.classifierLayer()).isEqualTo("rule");
            assertThat(ruled.routerScores()).isNotNull();
            assertThat(unrouted.routerScores()).isNull();

            JsonNode all = whatIf(h, "/v1/routing/whatif?premium_share=1");
            assertThat(all.get("requests").asInt()).isEqualTo(2);
            assertThat(all.at("/proposed/share/premium").asDouble()).isEqualTo(1.0);
            JsonNode none = whatIf(h, "/v1/routing/whatif?premium_share=0&fast_share=1");
            // the rule's request stays at its ceiling; the scored one goes to fast
            assertThat(none.at("/proposed/share/fast").asDouble()).isEqualTo(0.5);
            assertThat(none.at("/proposed/share/premium").asDouble()).isEqualTo(0.5);
            JsonNode now = whatIf(h, "/v1/routing/whatif");
            assertThat(now.get("proposed")).isEqualTo(now.get("now"));
            assertThat(now.at("/actual/cost_usd").asDouble())
                    .isCloseTo(scored.costUsd() + ruled.costUsd(), within(1e-12));
        }
    }

    private static JsonNode whatIf(GatewayHarness h, String path) throws Exception {
        HttpResponse<byte[]> r = h.get(path);
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).as(body).isEqualTo(200);
        return JSON.readTree(body);
    }
}
