package dev.costgateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.testing.Await;
import dev.costgateway.testing.FakeUpstream;
import dev.costgateway.testing.GatewayHarness;

/** Routing, escalation and caching seen from the wire: what upstream receives and what the client gets. */
class RoutingAndCacheIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String[] KEY_A = {"content-type", "application/json", "x-api-key", "sk-ant-key-a",
        "anthropic-version", "2023-06-01"};
    static final String[] KEY_B = {"content-type", "application/json", "x-api-key", "sk-ant-key-b",
        "anthropic-version", "2023-06-01"};

    static String body(String model, String prompt, boolean stream) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":256," + (stream ? "\"stream\":true," : "")
                + "\"messages\":[{\"role\":\"user\",\"content\":" + JSON.valueToTree(prompt) + "}]}";
    }

    static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    void routesAGreetingToTheFastTierAndSaysSo() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("")) {
            String sent = body("claude-opus-4-7", "Hi! Thanks so much.", false);
            HttpResponse<byte[]> r = h.post("/v1/messages", sent, KEY_A);

            assertThat(r.statusCode()).isEqualTo(200);
            String forwarded = h.upstream.last().bodyText();
            assertThat(FakeUpstream.modelOf(h.upstream.last().body())).isEqualTo("claude-haiku-4-5-20251001");
            // only the model value changed, byte for byte
            assertThat(forwarded).isEqualTo(sent.replace("claude-opus-4-7", "claude-haiku-4-5-20251001"));
            assertThat(header(r, "X-Gateway-Model")).isEqualTo("claude-haiku-4-5-20251001");
            assertThat(header(r, "X-Gateway-Classifier")).isEqualTo("score");
            // 14 in / 9 out: opus $5/$25 vs haiku $1/$5 per MTok
            double expected = (14 * 5 + 9 * 25 - 14 * 1 - 9 * 5) / 1e6;
            assertThat(Double.parseDouble(header(r, "X-Gateway-Saved-USD"))).isCloseTo(expected,
                    org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    @Test
    void bypassHeaderAndRoutingOffKeepTheClientsModel() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("")) {
            String[] bypass = {"content-type", "application/json", "x-api-key", "k", "X-Gateway-Route", "off"};
            h.post("/v1/messages", body("claude-opus-4-7", "Hi!", false), bypass);
            assertThat(FakeUpstream.modelOf(h.upstream.last().body())).isEqualTo("claude-opus-4-7");
        }
        try (GatewayHarness h = GatewayHarness.start("routing:\n  mode: off\n")) {
            h.post("/v1/messages", body("claude-opus-4-7", "Hi!", false), KEY_A);
            assertThat(FakeUpstream.modelOf(h.upstream.last().body())).isEqualTo("claude-opus-4-7");
        }
    }

    @Test
    void autoAliasIsNeverForwardedAsIs() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("")) {
            HttpResponse<byte[]> r = h.post("/v1/messages", body("auto",
                    "Prove that there are infinitely many primes, step by step, and discuss the trade-offs of "
                            + "three different proof strategies in depth.", false), KEY_A);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(FakeUpstream.modelOf(h.upstream.last().body())).isNotEqualTo("auto").startsWith("claude-");
        }
    }

    @Test
    void unsureAnswerEscalatesAndTheClientSeesOnlyTheFinalOne() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("")) {
            h.upstream.enqueue(FakeUpstream.text("I'm not sure what the capital is.", "end_turn"),
                    FakeUpstream.text("The capital of Australia is Canberra.", "end_turn"));
            HttpResponse<byte[]> r = h.post("/v1/messages", body("claude-sonnet-4-6", "hi, capital of australia?",
                    false), KEY_A);

            assertThat(h.upstream.received()).hasSize(2);
            assertThat(FakeUpstream.modelOf(h.upstream.received().get(0).body())).isEqualTo("claude-haiku-4-5-20251001");
            assertThat(FakeUpstream.modelOf(h.upstream.received().get(1).body())).isEqualTo("claude-sonnet-4-6");
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("Canberra").doesNotContain("not sure");
            assertThat(header(r, "X-Gateway-Escalations")).isEqualTo("1");
            assertThat(header(r, "X-Gateway-Model")).isEqualTo("claude-sonnet-4-6");
            // the bill includes the failed fast attempt: sonnet for 14/9 minus (haiku 14/9 + sonnet 14/9)
            double saved = Double.parseDouble(header(r, "X-Gateway-Saved-USD"));
            assertThat(saved).isCloseTo(-(14 * 1 + 9 * 5) / 1e6, org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    @Test
    void truncatedAnswerEscalatesUntilMaxEscalations() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("max_escalations: 1\n")) {
            h.upstream.enqueue(FakeUpstream.text("cut", "max_tokens"), FakeUpstream.text("cut again", "max_tokens"),
                    FakeUpstream.text("never asked", "end_turn"));
            HttpResponse<byte[]> r = h.post("/v1/messages", body("claude-opus-4-7", "Hi!", false), KEY_A);
            assertThat(h.upstream.received()).hasSize(2);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("cut again");
            assertThat(header(r, "X-Gateway-Escalations")).isEqualTo("1");
        }
    }

    @Test
    void bufferedStreamsEscalateAndReplayTheFinalStream() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("escalation:\n  streaming: buffer\n")) {
            List<String> weak = FakeUpstream.textEvents("claude-haiku-4-5-20251001", "I cannot say.", "end_turn");
            List<String> strong = FakeUpstream.textEvents("claude-opus-4-7", "It is Canberra.", "end_turn");
            h.upstream.enqueue(h.upstream.sse(weak, 0, -1), h.upstream.sse(strong, 0, -1));
            HttpResponse<byte[]> r = h.post("/v1/messages", body("claude-opus-4-7", "hi! capital of Australia?",
                    true), KEY_A);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(String.join("", strong));
            assertThat(header(r, "X-Gateway-Escalations")).isNotEqualTo("0");
            assertThat(header(r, "content-type")).startsWith("text/event-stream");
        }
    }

    @Test
    void repeatIsAnsweredFromTheExactCacheForTheSameKeyOnly() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("")) {
            String b = body("claude-sonnet-4-6", "What is 2+2?", false);
            HttpResponse<byte[]> first = h.post("/v1/messages", b, KEY_A);
            HttpResponse<byte[]> second = h.post("/v1/messages", b, KEY_A);
            assertThat(h.upstream.received()).hasSize(1);
            assertThat(header(second, "X-Gateway-Cache")).isEqualTo("exact");
            assertThat(second.body()).isEqualTo(first.body());
            assertThat(Double.parseDouble(header(second, "X-Gateway-Saved-USD"))).isPositive();

            h.post("/v1/messages", b, KEY_B);
            assertThat(h.upstream.received()).as("another key never gets key A's answer").hasSize(2);

            String[] optOut = {"content-type", "application/json", "x-api-key", "sk-ant-key-a",
                "X-Gateway-Cache", "off"};
            h.post("/v1/messages", b, optOut);
            assertThat(h.upstream.received()).hasSize(3);
        }
    }

    @Test
    void cachedAnswerIsReplayedAsAStreamTheSdkAccumulates() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("")) {
            h.post("/v1/messages", body("claude-sonnet-4-6", "Who wrote Hamlet?", false),
                    "content-type", "application/json", "authorization", "Bearer sk-ant-sdk");
            AnthropicClient client = AnthropicOkHttpClient.builder().baseUrl(h.url()).apiKey("sk-ant-sdk")
                    .maxRetries(0).timeout(Duration.ofSeconds(20)).build();
            try {
                MessageAccumulator acc = MessageAccumulator.create();
                try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(
                        MessageCreateParams.builder().model("claude-sonnet-4-6").maxTokens(256)
                                .addUserMessage("Who wrote Hamlet?").build())) {
                    s.stream().forEach(acc::accumulate);
                }
                assertThat(acc.message().content().get(0).text().orElseThrow().text())
                        .isEqualTo("Paris is the capital of France.");
                assertThat(acc.message().usage().outputTokens()).isEqualTo(9);
            } finally {
                client.close();
            }
            assertThat(h.upstream.received()).hasSize(1);
        }
    }

    /**
     * Routing off, and lookups that wait for the real model as long as it takes: these tests check what is served,
     * not how fast; on a loaded machine the embedding can take longer than the default budget.
     */
    private static final String PATIENT_SEMANTIC = "routing:\n  mode: off\ncache:\n  semantic_lookup_wait_ms: 10000\n";

    @Test
    void paraphraseIsASemanticHitAndANearMissIsNot() throws Exception {
        try (GatewayHarness h = GatewayHarness.startWithEmbedder(PATIENT_SEMANTIC)) {
            Await.until(Duration.ofSeconds(60), "embedder loads within 60 s",
                    () -> h.gateway.status().get().embedder() == GatewayStatus.EmbedderState.READY);
            h.post("/v1/messages", body("claude-sonnet-4-6", "Who wrote Hamlet?", false), KEY_A);
            awaitSemanticEntries(h, 1);
            HttpResponse<byte[]> para = h.post("/v1/messages",
                    body("claude-sonnet-4-6", "Who is the author of Hamlet?", false), KEY_A);
            assertThat(header(para, "X-Gateway-Cache")).isEqualTo("semantic");
            assertThat(h.upstream.received()).hasSize(1);

            h.post("/v1/messages", body("claude-sonnet-4-6", "What is the capital of Austria?", false), KEY_A);
            awaitSemanticEntries(h, 2);
            HttpResponse<byte[]> nearMiss = h.post("/v1/messages",
                    body("claude-sonnet-4-6", "What is the capital of Australia?", false), KEY_A);
            assertThat(header(nearMiss, "X-Gateway-Cache")).isEqualTo("none");
            HttpResponse<byte[]> otherKey = h.post("/v1/messages",
                    body("claude-sonnet-4-6", "Who is the author of Hamlet?", false), KEY_B);
            assertThat(header(otherKey, "X-Gateway-Cache")).isEqualTo("none");
            assertThat(h.upstream.received()).hasSize(4);
        }
    }

    @Test
    void routingScoresWithItsOwnVectorsAndNeverWaitsForTheSentenceModel() throws Exception {
        // ADR 0026: the router's word-piece vectors load on their own; a routed request is scored with them whether
        // or not the semantic cache's model is there, and with the semantic cache off nothing embeds a prompt
        try (GatewayHarness h = GatewayHarness.startWithEmbedder("cache:\n  use_semantic_cache: false\n")) {
            Await.until(Duration.ofSeconds(60), "router vectors load within 60 s", () -> "ready".equals(
                    JSON.readTree(h.get("/health").body()).path("router_vectors").asText()));
            HttpResponse<byte[]> r = h.post("/v1/messages",
                    body("claude-opus-4-7", "Convert 30 degrees Celsius to Fahrenheit", false), KEY_A);
            assertThat(header(r, "X-Gateway-Classifier")).isEqualTo("score");
            dev.costgateway.core.metrics.RouterScores scores =
                    h.recorded(header(r, "X-Gateway-Query-ID")).routerScores();
            assertThat(scores.model()).isEqualTo(dev.costgateway.core.decision.DifficultyScore.WITH_EMBEDDING);
            assertThat(FakeUpstream.modelOf(h.upstream.last().body())).isNotEqualTo("claude-opus-4-7");
            com.fasterxml.jackson.databind.JsonNode cache = JSON.readTree(h.get("/health").body()).path("cache");
            assertThat(cache.path("semantic").asText()).isEqualTo("off");
            assertThat(cache.path("semantic_late_embeddings").asInt()).isZero();
        }
    }

    @Test
    void aRejectedSemanticHitIsEvictedAndCountedOverHttp() throws Exception {
        try (GatewayHarness h = GatewayHarness.startWithEmbedder(PATIENT_SEMANTIC)) {
            Await.until(Duration.ofSeconds(60), "embedder loads within 60 s",
                    () -> h.gateway.status().get().embedder() == GatewayStatus.EmbedderState.READY);
            h.post("/v1/messages", body("claude-sonnet-4-6", "Who wrote Hamlet?", false), KEY_A);
            awaitSemanticEntries(h, 1);
            HttpResponse<byte[]> hit = h.post("/v1/messages",
                    body("claude-sonnet-4-6", "Who is the author of Hamlet?", false), KEY_A);
            assertThat(header(hit, "X-Gateway-Cache")).isEqualTo("semantic");
            String queryId = header(hit, "X-Gateway-Query-ID");

            HttpResponse<byte[]> rejected = h.post("/v1/cache/semantic/" + queryId + "/reject", "");
            assertThat(rejected.statusCode()).isEqualTo(200);
            com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(rejected.body());
            assertThat(json.path("type").asText()).isEqualTo("semantic_rejection");
            assertThat(json.path("query_id").asText()).isEqualTo(queryId);
            HttpResponse<byte[]> again = h.post("/v1/cache/semantic/" + queryId + "/reject", "");
            assertThat(again.statusCode()).isEqualTo(404);
            assertThat(new String(again.body(), java.nio.charset.StandardCharsets.UTF_8))
                    .contains("\"type\":\"not_found_error\"");
            assertThat(h.get("/v1/cache/semantic/" + queryId + "/reject").statusCode()).isEqualTo(405);

            com.fasterxml.jackson.databind.JsonNode health = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(h.get("/health").body());
            assertThat(health.path("cache").path("semantic_rejections").asInt()).isEqualTo(1);
            assertThat(health.path("cache").path("semantic_entries").asInt()).isZero();
            HttpResponse<byte[]> reasked = h.post("/v1/messages",
                    body("claude-sonnet-4-6", "Who is the author of Hamlet?", false), KEY_A);
            assertThat(header(reasked, "X-Gateway-Cache")).isEqualTo("none");
            assertThat(h.upstream.received()).hasSize(2);
        }
    }

    @Test
    void aRejectedSemanticHitIsAskedAgainUpstreamOnlyForItsOwnCallerAndOnce() throws Exception {
        try (GatewayHarness h = GatewayHarness.startWithEmbedder(PATIENT_SEMANTIC)) {
            Await.until(Duration.ofSeconds(60), "embedder loads within 60 s",
                    () -> h.gateway.status().get().embedder() == GatewayStatus.EmbedderState.READY);
            h.upstream.enqueue(FakeUpstream.text("Hamlet is by Christopher Marlowe.", "end_turn"),
                    FakeUpstream.text("William Shakespeare wrote Hamlet.", "end_turn"));
            h.post("/v1/messages", body("claude-sonnet-4-6", "Who wrote Hamlet?", false), KEY_A);
            awaitSemanticEntries(h, 1);
            String paraphrase = body("claude-sonnet-4-6", "Who is the author of Hamlet?", false);
            HttpResponse<byte[]> hit = h.post("/v1/messages", paraphrase, KEY_A);
            assertThat(header(hit, "X-Gateway-Cache")).isEqualTo("semantic");
            String queryId = header(hit, "X-Gateway-Query-ID");

            HttpResponse<byte[]> notRejected = h.post("/v1/cache/semantic/" + queryId + "/reask", "", KEY_A);
            assertThat(notRejected.statusCode()).isEqualTo(404);
            assertThat(new String(notRejected.body(), StandardCharsets.UTF_8)).contains("reject it first");

            // another caller may report the hit wrong, but not spend the first caller's key on a new answer
            HttpResponse<byte[]> otherCaller = h.post("/v1/cache/semantic/" + queryId + "/reject?reask=true", "",
                    KEY_B);
            assertThat(otherCaller.statusCode()).isEqualTo(403);
            assertThat(new String(otherCaller.body(), StandardCharsets.UTF_8))
                    .contains("\"type\":\"permission_error\"");
            assertThat(h.upstream.received()).hasSize(1);

            HttpResponse<byte[]> reasked = h.post("/v1/cache/semantic/" + queryId + "/reask", "", KEY_A);
            assertThat(reasked.statusCode()).isEqualTo(200);
            assertThat(header(reasked, "X-Gateway-Reask-Of")).isEqualTo(queryId);
            assertThat(header(reasked, "X-Gateway-Cache")).isEqualTo("none");
            assertThat(new String(reasked.body(), StandardCharsets.UTF_8)).contains("William Shakespeare");
            assertThat(h.upstream.received()).hasSize(2);
            FakeUpstream.Received sent = h.upstream.last();
            assertThat(sent.bodyText()).isEqualTo(paraphrase); // the request that got the wrong hit, byte for byte
            assertThat(sent.headers().get("x-api-key")).isEqualTo("sk-ant-key-a");
            assertThat(sent.headers().stream().map(f -> f.getLowerCaseName()))
                    .noneMatch(n -> n.startsWith("x-gateway-"));
            String replayId = header(reasked, "X-Gateway-Query-ID");
            assertThat(replayId).isNotEqualTo(queryId);
            assertThat(h.recorded(replayId).status()).isEqualTo(200);

            assertThat(h.post("/v1/cache/semantic/" + queryId + "/reask", "", KEY_A).statusCode())
                    .isEqualTo(404); // once
            HttpResponse<byte[]> askedAgain = h.post("/v1/messages", paraphrase, KEY_A);
            assertThat(header(askedAgain, "X-Gateway-Cache")).isEqualTo("exact");
            assertThat(new String(askedAgain.body(), StandardCharsets.UTF_8)).contains("William Shakespeare");
            assertThat(h.upstream.received()).hasSize(2);
        }
    }

    /** Semantic stores run on their own thread after the answer was sent: wait until /health counts them. */
    private static void awaitSemanticEntries(GatewayHarness h, int entries) throws Exception {
        Await.until(Duration.ofSeconds(10), "semantic store within 10 s", () -> {
            try {
                return JSON.readTree(h.get("/health").body()).path("cache").path("semantic_entries").asInt()
                        >= entries;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void toolBearingRequestsAreExactCachedButNotSemanticallyCached() throws Exception {
        try (GatewayHarness h = GatewayHarness.startWithEmbedder(PATIENT_SEMANTIC)) {
            Await.until(Duration.ofSeconds(60), "embedder loads within 60 s",
                    () -> h.gateway.status().get().embedder() == GatewayStatus.EmbedderState.READY);
            String tools = ",\"tools\":[{\"name\":\"get_weather\",\"description\":\"Weather for a city\","
                    + "\"input_schema\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}]}";
            String first = body("claude-sonnet-4-6", "Who wrote Hamlet?", false);
            String withTools = first.substring(0, first.length() - 1) + tools;
            String paraphrase = body("claude-sonnet-4-6", "Who is the author of Hamlet?", false);
            String paraphraseWithTools = paraphrase.substring(0, paraphrase.length() - 1) + tools;
            h.post("/v1/messages", withTools, KEY_A);
            assertThat(header(h.post("/v1/messages", withTools, KEY_A), "X-Gateway-Cache")).isEqualTo("exact");
            assertThat(header(h.post("/v1/messages", paraphraseWithTools, KEY_A), "X-Gateway-Cache"))
                    .isEqualTo("none");
            assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(h.get("/health").body())
                    .path("cache").path("semantic_entries").asInt()).isZero();
            assertThat(h.upstream.received()).hasSize(2);
        }
    }

    @Test
    void layerThreeTimeoutLeavesTheScoresTierWithoutFailing() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("use_haiku_classifier: true\nclassifier:\n"
                + "  llm_tie_margin: 1.0\n  llm_timeout_ms: 300\n")) {
            h.upstream.enqueue(FakeUpstream.hang());
            HttpResponse<byte[]> r = h.post("/v1/messages", body("claude-sonnet-4-6",
                    "Summarise the plot of a novel you like in a few sentences.", false), KEY_A);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(h.upstream.received()).hasSize(2);
            assertThat(FakeUpstream.modelOf(h.upstream.received().get(0).body())).isEqualTo("claude-haiku-4-5-20251001");
            assertThat(h.upstream.received().get(0).headers().get("x-api-key")).isEqualTo("sk-ant-key-a");
            assertThat(FakeUpstream.modelOf(h.upstream.received().get(1).body())).isEqualTo("claude-sonnet-4-6");
        }
    }

    @Test
    void layerThreeVerdictRoutesAndItsCostCountsAgainstSavings() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("use_haiku_classifier: true\nclassifier:\n"
                + "  llm_tie_margin: 1.0\n")) {
            h.upstream.enqueue(FakeUpstream.json(200, FakeUpstream.messageJson("msg_c", "claude-haiku-4-5-20251001",
                    "SIMPLE", "end_turn", 50, 1), Map.of()));
            HttpResponse<byte[]> r = h.post("/v1/messages", body("claude-sonnet-4-6",
                    "Summarise the plot of a novel you like in a few sentences.", false), KEY_A);
            assertThat(header(r, "X-Gateway-Classifier")).isEqualTo("haiku");
            assertThat(FakeUpstream.modelOf(h.upstream.received().get(1).body())).isEqualTo("claude-haiku-4-5-20251001");
            double classifier = (50 * 1 + 1 * 5) / 1e6;
            double expected = (14 * 3 + 9 * 15 - 14 * 1 - 9 * 5) / 1e6 - classifier;
            assertThat(Double.parseDouble(header(r, "X-Gateway-Saved-USD"))).isCloseTo(expected,
                    org.assertj.core.data.Offset.offset(1e-9));
        }
    }
}
