package dev.costgateway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.testing.FakeUpstream;
import dev.costgateway.testing.GatewayHarness;

class MessagesProxyIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String[] CLIENT_HEADERS = {
        "content-type", "application/json",
        "x-api-key", "sk-ant-api03-test-key",
        "anthropic-version", "2023-06-01",
        "anthropic-beta", "prompt-caching-2024-07-31,interleaved-thinking-2025-05-14",
        "x-stainless-retry-count", "0",
        "X-Claude-Code-Session-Id", "session-42",
    };

    /** Every block type, cache_control, metadata, odd whitespace and fields the API may add tomorrow. */
    static final String EVERY_BLOCK_BODY = """
            {"model": "claude-sonnet-4-6",  "max_tokens":1024,
              "system":[{"type":"text","text":"x-anthropic-billing-header: cc_version=1.0; cch=ab12;"},
                        {"type":"text","text":"You are terse.","cache_control":{"type":"ephemeral","ttl":"1h"}}],
              "metadata":{"user_id":"u-1"},
              "future_top_level_field":{"nested":[1,2.50,"x"]},
              "messages":[
                {"role":"user","content":[
                  {"type":"text","text":"Look at this \\u00e9 \\ud83d\\ude00"},
                  {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
                  {"type":"document","source":{"type":"text","media_type":"text/plain","data":"doc"},"citations":{"enabled":true}},
                  {"type":"brand_new_block","payload":{"k":"v"}}]},
                {"role":"assistant","content":[
                  {"type":"thinking","thinking":"Let me think","signature":"EqQBCkYIARgCIkBsig=="},
                  {"type":"redacted_thinking","data":"EmwKAhgBEgy3redacted"},
                  {"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris"}}]},
                {"role":"user","content":[
                  {"type":"tool_result","tool_use_id":"toolu_01A","content":[{"type":"text","text":"12C"}],"is_error":false}]}
              ],
              "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
              "thinking":{"type":"enabled","budget_tokens":2048}
            }""";

    GatewayHarness h;

    @BeforeEach
    void start() throws Exception {
        h = GatewayHarness.start("routing:\n  mode: off\n");
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    @Test
    void forwardsRequestBodyAndHeadersByteForByte() throws Exception {
        HttpResponse<byte[]> r = h.post("/v1/messages?beta=true", EVERY_BLOCK_BODY, CLIENT_HEADERS);

        assertThat(r.statusCode()).isEqualTo(200);
        FakeUpstream.Received got = h.upstream.last();
        assertThat(got.body()).isEqualTo(EVERY_BLOCK_BODY.getBytes(StandardCharsets.UTF_8));
        assertThat(got.pathQuery()).isEqualTo("/v1/messages?beta=true");
        assertThat(got.method()).isEqualTo("POST");
        assertThat(got.headers().get("x-api-key")).isEqualTo("sk-ant-api03-test-key");
        assertThat(got.headers().get("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(got.headers().get("anthropic-beta"))
                .isEqualTo("prompt-caching-2024-07-31,interleaved-thinking-2025-05-14");
        assertThat(got.headers().get("x-stainless-retry-count")).isEqualTo("0");
        assertThat(got.headers().get("X-Claude-Code-Session-Id")).isEqualTo("session-42");
        assertThat(got.headers().get("content-type")).isEqualTo("application/json");
    }

    @Test
    void keepsRepeatedHeaderLinesAndDropsGatewayHeaders() throws Exception {
        h.post("/v1/messages", EVERY_BLOCK_BODY, "content-type", "application/json", "x-api-key", "k",
                "anthropic-version", "2023-06-01", "anthropic-beta", "a-1", "anthropic-beta", "b-2",
                "X-Gateway-Route", "off", "X-Gateway-Cache", "off");
        FakeUpstream.Received got = h.upstream.last();
        assertThat(got.headers().getValuesList("anthropic-beta")).containsExactly("a-1", "b-2");
        assertThat(got.headers().stream().map(f -> f.getLowerCaseName()))
                .noneMatch(n -> n.startsWith("x-gateway-"));
    }

    @Test
    void returnsUpstreamResponseIntactWithGatewayHeaders() throws Exception {
        String upstreamBody = FakeUpstream.messageJson("msg_01X", "claude-sonnet-4-6", "Hi", "end_turn", 3, 1);
        h.upstream.enqueue(FakeUpstream.json(200, upstreamBody, Map.of("x-future-header", "kept")));

        HttpResponse<byte[]> r = h.post("/v1/messages", EVERY_BLOCK_BODY, CLIENT_HEADERS);

        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(upstreamBody);
        assertThat(r.headers().firstValue("request-id")).hasValueSatisfying(v -> assertThat(v).startsWith("req_"));
        assertThat(r.headers().firstValue("anthropic-ratelimit-requests-remaining")).hasValue("3999");
        assertThat(r.headers().firstValue("anthropic-ratelimit-tokens-reset")).hasValue("2026-12-01T20:00:00Z");
        assertThat(r.headers().firstValue("x-future-header")).hasValue("kept");
        assertThat(r.headers().firstValue("X-Gateway-Model")).hasValue("claude-sonnet-4-6");
        assertThat(r.headers().firstValue("X-Gateway-Cache")).hasValue("none");
        assertThat(r.headers().firstValue("X-Gateway-Escalations")).hasValue("0");
        assertThat(r.headers().firstValue("X-Gateway-Query-ID")).hasValueSatisfying(v -> assertThat(v).hasSize(12));
        assertThat(r.headers().firstValue("X-Gateway-Classifier")).hasValue("n/a");
        assertThat(h.gateway.status().get().upstream())
                .isEqualTo(dev.costgateway.core.GatewayStatus.UpstreamState.REACHABLE);
    }

    @Test
    void streamsSseBytesUnchanged() throws Exception {
        List<String> events = FakeUpstream.textEvents("claude-sonnet-4-6", "Paris is the capital.", "end_turn");
        h.upstream.enqueue(h.upstream.sse(events, 5, -1));
        String body = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Capital of France?\"}]}";

        HttpResponse<byte[]> r = h.post("/v1/messages", body, CLIENT_HEADERS);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream; charset=utf-8");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(String.join("", events));
        assertThat(r.headers().firstValue("X-Gateway-Model")).hasValue("claude-sonnet-4-6");
        assertThat(h.upstream.last().body()).isEqualTo(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void deliversEachEventBeforeTheNextIsSent() throws Exception {
        List<String> events = FakeUpstream.textEvents("claude-sonnet-4-6", "one two three", "end_turn");
        h.upstream.enqueue(h.upstream.sse(events, 800, -1));
        String body = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}";
        HttpRequest req = HttpRequest.newBuilder(URI.create(h.url() + "/v1/messages"))
                .headers(CLIENT_HEADERS).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long start = System.nanoTime();
        HttpResponse<java.io.InputStream> r = h.http().send(req, HttpResponse.BodyHandlers.ofInputStream());
        try (var in = r.body()) {
            byte[] first = new byte[events.get(0).length()];
            int n = in.readNBytes(first, 0, first.length);
            long firstEventMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertThat(new String(first, 0, n, StandardCharsets.UTF_8)).isEqualTo(events.get(0));
            // the next event is sent 800 ms later (the whole stream takes seconds): the first must not wait for it
            assertThat(firstEventMillis).isLessThan(700);
            in.readAllBytes();
        }
    }

    @Test
    void passesUpstreamErrorsThroughUnchanged() throws Exception {
        String err = "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"},"
                + "\"request_id\":\"req_011FakeErr\"}";
        h.upstream.enqueue(FakeUpstream.json(429, err, Map.of("retry-after", "17", "x-should-retry", "true")));

        HttpResponse<byte[]> r = h.post("/v1/messages", EVERY_BLOCK_BODY, CLIENT_HEADERS);

        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(err);
        assertThat(r.headers().firstValue("retry-after")).hasValue("17");
        assertThat(r.headers().firstValue("x-should-retry")).hasValue("true");
    }

    @Test
    void passesOverloadedThroughOnStreams() throws Exception {
        h.upstream.enqueue(FakeUpstream.error(529, "overloaded_error", "Overloaded", Map.of()));
        String body = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpResponse<byte[]> r = h.post("/v1/messages", body, CLIENT_HEADERS);
        assertThat(r.statusCode()).isEqualTo(529);
        JsonNode n = JSON.readTree(r.body());
        assertThat(n.path("error").path("type").asText()).isEqualTo("overloaded_error");
    }

    @Test
    void forwardsMidStreamErrorEvents() throws Exception {
        List<String> events = List.of(
                FakeUpstream.textEvents("claude-sonnet-4-6", "abc", "end_turn").get(0),
                "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n");
        h.upstream.enqueue(h.upstream.sse(events, 0, -1));
        String body = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpResponse<byte[]> r = h.post("/v1/messages", body, CLIENT_HEADERS);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(String.join("", events));
    }

    @Test
    void droppedUpstreamStreamEndsWithAnErrorEvent() throws Exception {
        List<String> events = FakeUpstream.textEvents("claude-sonnet-4-6", "abcdef", "end_turn");
        h.upstream.enqueue(h.upstream.sse(events, 0, 3));
        String body = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpResponse<byte[]> r = h.post("/v1/messages", body, CLIENT_HEADERS);
        String text = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(text).startsWith(events.get(0) + events.get(1) + events.get(2));
        assertThat(text).endsWith("\n\n").contains("event: error\n").contains("\"type\":\"api_error\"")
                .contains(h.upstream.baseUrl());
    }

    @Test
    void injectsConfiguredKeyOnlyWhenClientSendsNone() throws Exception {
        try (GatewayHarness withKey = GatewayHarness.start("routing:\n  mode: off\n", () -> "sk-ant-from-env")) {
            withKey.post("/v1/messages", EVERY_BLOCK_BODY, "content-type", "application/json",
                    "anthropic-version", "2023-06-01");
            assertThat(withKey.upstream.last().headers().get("x-api-key")).isEqualTo("sk-ant-from-env");

            withKey.post("/v1/messages", EVERY_BLOCK_BODY, "content-type", "application/json",
                    "authorization", "Bearer sk-ant-oat01-user", "anthropic-version", "2023-06-01");
            FakeUpstream.Received got = withKey.upstream.last();
            assertThat(got.headers().get("authorization")).isEqualTo("Bearer sk-ant-oat01-user");
            assertThat(got.headers().get("x-api-key")).isNull();
        }
    }

    @Test
    void passesOtherEndpointsThroughWithMethodQueryAndStatus() throws Exception {
        h.upstream.enqueue(FakeUpstream.json(200, "{\"input_tokens\":42}", Map.of()));
        HttpResponse<byte[]> count = h.post("/v1/messages/count_tokens?beta=true", EVERY_BLOCK_BODY, CLIENT_HEADERS);
        assertThat(new String(count.body(), StandardCharsets.UTF_8)).isEqualTo("{\"input_tokens\":42}");
        assertThat(h.upstream.last().body()).isEqualTo(EVERY_BLOCK_BODY.getBytes(StandardCharsets.UTF_8));
        assertThat(h.upstream.last().pathQuery()).isEqualTo("/v1/messages/count_tokens?beta=true");

        String models = "{\"data\":[{\"type\":\"model\",\"id\":\"claude-opus-4-7\"}],\"has_more\":false,"
                + "\"first_id\":\"claude-opus-4-7\",\"last_id\":\"claude-opus-4-7\"}";
        h.upstream.enqueue(FakeUpstream.json(200, models, Map.of()));
        HttpResponse<byte[]> list = h.get("/v1/models?limit=1&after_id=x", "x-api-key", "k");
        assertThat(new String(list.body(), StandardCharsets.UTF_8)).isEqualTo(models);
        assertThat(h.upstream.last().method()).isEqualTo("GET");
        assertThat(h.upstream.last().pathQuery()).isEqualTo("/v1/models?limit=1&after_id=x");

        h.upstream.enqueue(FakeUpstream.error(404, "not_found_error", "no batch", Map.of()));
        HttpRequest del = HttpRequest.newBuilder(URI.create(h.url() + "/v1/messages/batches/msgbatch_1"))
                .header("x-api-key", "k").DELETE().build();
        HttpResponse<String> deleted = h.http().send(del, HttpResponse.BodyHandlers.ofString());
        assertThat(deleted.statusCode()).isEqualTo(404);
        assertThat(h.upstream.last().method()).isEqualTo("DELETE");
        assertThat(h.upstream.last().pathQuery()).isEqualTo("/v1/messages/batches/msgbatch_1");

        h.upstream.enqueue(FakeUpstream.json(201, "{\"ok\":true}", Map.of()));
        HttpResponse<byte[]> unknown = h.post("/v1/some/future/path?x=1", "{\"a\":1}", "x-api-key", "k");
        assertThat(unknown.statusCode()).isEqualTo(201);
        assertThat(h.upstream.last().pathQuery()).isEqualTo("/v1/some/future/path?x=1");
    }

    @Test
    void healthAnswersWithStatusVersionAndUptime() throws Exception {
        HttpResponse<byte[]> r = h.get("/health");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode n = JSON.readTree(r.body());
        assertThat(n.path("status").asText()).isEqualTo("ok");
        assertThat(n.has("version")).isTrue();
        assertThat(n.path("uptime_seconds").isNumber()).isTrue();
    }

    static Map<String, String> lower(Map<String, List<String>> m) {
        return m.entrySet().stream().collect(Collectors.toMap(e -> e.getKey().toLowerCase(), e -> e.getValue().get(0)));
    }
}
