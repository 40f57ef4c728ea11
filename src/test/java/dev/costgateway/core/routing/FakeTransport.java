package dev.costgateway.core.routing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;

/** A hand-written {@link LlmTransport}: records each request and answers with what the test says. */
final class FakeTransport implements LlmTransport {

    final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final Supplier<CompletableFuture<LlmReply>> replies;

    private FakeTransport(Supplier<CompletableFuture<LlmReply>> replies) {
        this.replies = replies;
    }

    /** Answers 200 with {@code text} as the model's reply and the given usage. */
    static FakeTransport answering(String text, int inputTokens, int outputTokens) {
        String body = "{\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-haiku-4-5-20251001\","
                + "\"content\":[{\"type\":\"text\",\"text\":" + TestConfigs.JSON.valueToTree(text) + "}],"
                + "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":" + inputTokens
                + ",\"output_tokens\":" + outputTokens + "}}";
        return new FakeTransport(() -> CompletableFuture.completedFuture(
                new LlmReply(200, body.getBytes(StandardCharsets.UTF_8), 42)));
    }

    static FakeTransport status(int status, String body) {
        return new FakeTransport(() -> CompletableFuture.completedFuture(
                new LlmReply(status, body.getBytes(StandardCharsets.UTF_8), 7)));
    }

    /** Never answers; the returned futures can be completed by the test later through {@link #pending}. */
    static FakeTransport silent() {
        return new FakeTransport(CompletableFuture::new);
    }

    final List<CompletableFuture<LlmReply>> pending = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<LlmReply> send(byte[] messagesRequestJson) {
        requests.add(TestConfigs.tree(new String(messagesRequestJson, StandardCharsets.UTF_8)));
        CompletableFuture<LlmReply> reply = replies.get();
        pending.add(reply);
        return reply;
    }
}
