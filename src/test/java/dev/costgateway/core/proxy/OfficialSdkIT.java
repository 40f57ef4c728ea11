package dev.costgateway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.RateLimitException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.Tool;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.testing.FakeUpstream;
import dev.costgateway.testing.GatewayHarness;

/** The official Java SDK as a real client, pointed at the gateway as ANTHROPIC_BASE_URL would point it. */
class OfficialSdkIT {

    static final ObjectMapper JSON = new ObjectMapper();
    GatewayHarness h;
    AnthropicClient client;

    @BeforeEach
    void start() throws Exception {
        h = GatewayHarness.start("routing:\n  mode: off\n");
        client = AnthropicOkHttpClient.builder().baseUrl(h.url()).apiKey("sk-ant-api03-sdk-test")
                .maxRetries(0).timeout(Duration.ofSeconds(20)).build();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        h.close();
    }

    static MessageCreateParams params() {
        return MessageCreateParams.builder().model("claude-sonnet-4-6").maxTokens(256)
                .addUserMessage("What is the capital of France?").build();
    }

    @Test
    void plainRequestReturnsTheUpstreamMessage() {
        Message m = client.messages().create(params());

        assertThat(m.content()).hasSize(1);
        assertThat(m.content().get(0).text().orElseThrow().text()).isEqualTo("Paris is the capital of France.");
        assertThat(m.usage().inputTokens()).isEqualTo(14);
        assertThat(m.usage().outputTokens()).isEqualTo(9);
        // this SDK version sends its key as a bearer token; the gateway forwards whatever it sent
        assertThat(h.upstream.last().headers().get("authorization")).isEqualTo("Bearer sk-ant-api03-sdk-test");
        assertThat(h.upstream.last().headers().get("anthropic-version")).isNotBlank();
        assertThat(h.upstream.last().headers().get("x-stainless-lang")).isEqualTo("java");
    }

    @Test
    void streamingAccumulatesToWhatTheFakeSent() throws Exception {
        String text = "Paris, on the Seine, is the capital.";
        h.upstream.enqueue(h.upstream.sse(FakeUpstream.textEvents("claude-sonnet-4-6", text, "end_turn"), 2, -1));
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params())) {
            stream.stream().forEach(acc::accumulate);
        }
        Message m = acc.message();
        assertThat(m.content().get(0).text().orElseThrow().text()).isEqualTo(text);
        assertThat(m.stopReason()).hasValueSatisfying(r -> assertThat(r.asString()).isEqualTo("end_turn"));
        assertThat(m.usage().outputTokens()).isEqualTo(9);
        assertThat(m.id()).isEqualTo("msg_01FakeStream");
    }

    @Test
    void toolUseRoundTripsThroughTheGateway() {
        String toolMessage = "{\"id\":\"msg_01Tool\",\"type\":\"message\",\"role\":\"assistant\","
                + "\"model\":\"claude-sonnet-4-6\",\"content\":[{\"type\":\"text\",\"text\":\"Checking.\"},"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_01Q\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}],"
                + "\"stop_reason\":\"tool_use\",\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":120,\"output_tokens\":40}}";
        h.upstream.enqueue(FakeUpstream.json(200, toolMessage, Map.of()));
        MessageCreateParams p = MessageCreateParams.builder().model("claude-sonnet-4-6").maxTokens(256)
                .addUserMessage("Weather in Paris?")
                .addTool(Tool.builder().name("get_weather").description("Current weather")
                        .inputSchema(Tool.InputSchema.builder()
                                .properties(JsonValue.from(Map.of("city", Map.of("type", "string")))).build())
                        .build())
                .build();

        Message m = client.messages().create(p);

        var toolUse = m.content().get(1).toolUse().orElseThrow();
        assertThat(toolUse.name()).isEqualTo("get_weather");
        assertThat(toolUse.id()).isEqualTo("toolu_01Q");
        assertThat(h.upstream.last().bodyText()).contains("\"tools\"").contains("get_weather");
    }

    @Test
    void streamedToolUseAccumulatesItsInputJson() {
        List<String> events = List.of(
                FakeUpstream.textEvents("claude-sonnet-4-6", "x", "tool_use").get(0),
                "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                        + "{\"type\":\"tool_use\",\"id\":\"toolu_01S\",\"name\":\"get_weather\",\"input\":{}}}\n\n",
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}\n\n",
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"ci\"}}\n\n",
                "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"input_json_delta\",\"partial_json\":\"ty\\\": \\\"Paris\\\"}\"}}\n\n",
                "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
                "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
                        + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":33}}\n\n",
                "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        h.upstream.enqueue(h.upstream.sse(events, 0, -1));
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params())) {
            stream.stream().forEach(acc::accumulate);
        }
        var toolUse = acc.message().content().get(0).toolUse().orElseThrow();
        assertThat(toolUse._input().convert(Map.class)).isEqualTo(Map.of("city", "Paris"));
    }

    @Test
    void upstreamErrorSurfacesAsTheSdksTypedException() {
        h.upstream.enqueue(FakeUpstream.error(429, "rate_limit_error", "Number of requests exceeded",
                Map.of("retry-after", "30")));

        assertThatThrownBy(() -> client.messages().create(params()))
                .isInstanceOf(RateLimitException.class)
                .satisfies(e -> assertThat(((RateLimitException) e).statusCode()).isEqualTo(429))
                .hasMessageContaining("Number of requests exceeded");
    }

    @Test
    void gatewayErrorsAreTypedForTheSdkToo() {
        try {
            client.messages().create(MessageCreateParams.builder().model("claude-sonnet-4-6").maxTokens(0)
                    .addUserMessage("x").build());
        } catch (com.anthropic.errors.BadRequestException e) {
            assertThat(e.statusCode()).isEqualTo(400);
            assertThat(e.getMessage()).contains("max_tokens");
            return;
        }
        throw new AssertionError("expected a BadRequestException");
    }
}
