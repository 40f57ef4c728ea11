package dev.costgateway.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.anthropic.core.ObjectMappers;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** Replayed streams are parsed with the official Java SDK's event types and accumulator. */
class SseReplayTest {

    private static final JsonMapper SDK_JSON = ObjectMappers.jsonMapper();

    private static final String TEXT_MESSAGE = """
            {"id":"msg_01A","type":"message","role":"assistant","model":"claude-haiku-4-5",
             "content":[{"type":"text","text":"The capital of France is Paris.\\nÇa va? \\"quoted\\" 🚀"}],
             "stop_reason":"end_turn","stop_sequence":null,
             "usage":{"input_tokens":14,"output_tokens":10,"cache_creation_input_tokens":0,
                      "cache_read_input_tokens":3,"service_tier":"standard"}}""";

    private static final String MIXED_MESSAGE = """
            {"id":"msg_01B","type":"message","role":"assistant","model":"claude-sonnet-4-5",
             "content":[
               {"type":"thinking","thinking":"Let me check the weather tool.","signature":"EqQBCkYIARgCKkD"},
               {"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix"},
               {"type":"text","text":"I'll look it up."},
               {"type":"tool_use","id":"toolu_01X","name":"get_weather",
                "input":{"city":"Paris","units":["c","f"],"days":3}},
               {"type":"tool_use","id":"toolu_01Y","name":"ping","input":{}}
             ],
             "stop_reason":"tool_use","stop_sequence":null,
             "usage":{"input_tokens":120,"output_tokens":64}}""";

    private static final String STOP_SEQUENCE_MESSAGE = """
            {"id":"msg_01C","type":"message","role":"assistant","model":"claude-haiku-4-5",
             "content":[{"type":"text","text":"1, 2, 3"}],
             "stop_reason":"stop_sequence","stop_sequence":"END",
             "usage":{"input_tokens":5,"output_tokens":4}}""";

    @Test
    void sdkAccumulatesTheReplayIntoTheOriginalTextMessage() throws Exception {
        assertReplayRoundTrips(TEXT_MESSAGE);
    }

    @Test
    void sdkAccumulatesThinkingRedactedThinkingAndToolUse() throws Exception {
        assertReplayRoundTrips(MIXED_MESSAGE);
    }

    @Test
    void sdkSeesTheStopSequence() throws Exception {
        Message replayed = assertReplayRoundTrips(STOP_SEQUENCE_MESSAGE);
        assertThat(replayed.stopSequence()).contains("END");
    }

    @Test
    void eventsComeInTheOrderTheApiSendsThem() {
        List<String[]> events = parse(SseReplay.render(bytes(MIXED_MESSAGE)));
        List<String> names = events.stream().map(e -> e[0]).toList();
        assertThat(names.get(0)).isEqualTo("message_start");
        assertThat(names.subList(names.size() - 2, names.size())).containsExactly("message_delta", "message_stop");
        assertThat(names.stream().filter("content_block_start"::equals)).hasSize(5);
        assertThat(names.stream().filter("content_block_stop"::equals)).hasSize(5);
        for (String[] e : events) {
            assertThat(e[1]).doesNotContain("\n");
            assertThat(CacheFixtures.json(e[1]).get("type").asText()).isEqualTo(e[0]);
        }
    }

    @Test
    void messageStartHasEmptyContentAndTheOriginalUsage() {
        JsonNode start = CacheFixtures.json(parse(SseReplay.render(bytes(TEXT_MESSAGE))).get(0)[1]).get("message");
        assertThat(start.get("content")).isEmpty();
        assertThat(start.get("stop_reason").isNull()).isTrue();
        assertThat(start.get("usage")).isEqualTo(CacheFixtures.json(TEXT_MESSAGE).get("usage"));
    }

    @Test
    void rejectsSomethingThatIsNotAMessage() {
        assertThatThrownBy(() -> SseReplay.render(bytes("{\"type\":\"error\"}")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SseReplay.render(bytes("not json")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Message assertReplayRoundTrips(String messageJson) throws Exception {
        MessageAccumulator accumulator = MessageAccumulator.create();
        for (String[] event : parse(SseReplay.render(bytes(messageJson)))) {
            accumulator.accumulate(SDK_JSON.readValue(event[1], RawMessageStreamEvent.class));
        }
        Message replayed = accumulator.message();
        Message original = SDK_JSON.readValue(messageJson, Message.class);
        assertThat(SDK_JSON.valueToTree((Object) replayed).toString())
                .isEqualTo(SDK_JSON.valueToTree((Object) original).toString());
        assertThat(replayed).isEqualTo(original);
        return replayed;
    }

    /** A strict SSE reader: every event has exactly one {@code event:} and one {@code data:} line. */
    private static List<String[]> parse(byte[] sse) {
        String text = new String(sse, StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n\n");
        List<String[]> events = new ArrayList<>();
        for (String block : text.split("\n\n")) {
            String[] lines = block.split("\n");
            assertThat(lines).hasSize(2);
            assertThat(lines[0]).startsWith("event: ");
            assertThat(lines[1]).startsWith("data: ");
            events.add(new String[] {lines[0].substring(7), lines[1].substring(6)});
        }
        return events;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
