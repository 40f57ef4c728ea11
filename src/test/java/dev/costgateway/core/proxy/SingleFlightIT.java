package dev.costgateway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.costgateway.testing.FakeUpstream;
import dev.costgateway.testing.GatewayHarness;

/**
 * Issue 18.3: an answer is in the exact cache before the client can ask again, and identical requests in flight
 * at the same time cost one upstream call (single-flight), streaming or not, but never across callers.
 */
class SingleFlightIT {

    private static final String YAML = "routing:\n  mode: off\n";
    private static final String KEY_A = "sk-ant-caller-a";
    private static final String KEY_B = "sk-ant-caller-b";

    private static String body(String prompt, boolean stream) {
        return "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64," + (stream ? "\"stream\":true," : "")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
    }

    /** A JSON answer sent after {@code delayMillis}, so that a burst overlaps it. */
    private static FakeUpstream.Answer slowText(String text, long delayMillis) {
        return (req, body, resp, cb, timer) -> timer.schedule(
                () -> FakeUpstream.text(text, "end_turn").respond(req, body, resp, cb, timer),
                delayMillis, TimeUnit.MILLISECONDS);
    }

    private static CompletableFuture<HttpResponse<String>> send(GatewayHarness h, String body, String key) {
        HttpRequest r = HttpRequest.newBuilder(URI.create(h.url() + "/v1/messages"))
                .timeout(Duration.ofSeconds(60))
                .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
                .header("x-api-key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        return h.http().sendAsync(r, HttpResponse.BodyHandlers.ofString());
    }

    private static long upstreamMessages(GatewayHarness h) {
        return h.upstream.received().stream().filter(r -> r.pathQuery().startsWith("/v1/messages")).count();
    }

    @Test
    void aBurstOfTwentyIdenticalRequestsMakesOneUpstreamCall() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(YAML)) {
            h.upstream.setFallback(slowText("Paris is the capital of France.", 400));
            List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                burst.add(send(h, body("capital of France?", false), KEY_A));
            }
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (var f : burst) {
                answers.add(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(answers).allMatch(r -> r.statusCode() == 200);
            assertThat(answers).extracting(HttpResponse::body).containsOnly(answers.get(0).body());
            assertThat(answers.get(0).body()).contains("Paris is the capital of France.");
            assertThat(upstreamMessages(h)).as("upstream calls paid").isEqualTo(1);
            assertThat(answers).filteredOn(r -> "exact".equals(r.headers().firstValue("X-Gateway-Cache").orElse("")))
                    .as("answered from the first one's result").hasSize(19);
        }
    }

    @Test
    void streamingAndNonStreamingFollowersShareOneStreamedAnswer() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(YAML)) {
            h.upstream.setFallback(h.upstream.sse(
                    FakeUpstream.textEvents("claude-sonnet-4-6", "Streamed once.", "end_turn"), 100, -1));
            List<CompletableFuture<HttpResponse<String>>> streamed = new ArrayList<>();
            List<CompletableFuture<HttpResponse<String>>> plain = new ArrayList<>();
            streamed.add(send(h, body("stream it", true), KEY_A));
            // the streamed request leads (this fake answers every request with SSE); the others join its flight
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (upstreamMessages(h) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            for (int i = 0; i < 9; i++) {
                streamed.add(send(h, body("stream it", true), KEY_A));
                plain.add(send(h, body("stream it", false), KEY_A));
            }
            for (var f : streamed) {
                HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
                assertThat(r.body()).contains("event: message_stop");
            }
            for (var f : plain) {
                HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).startsWith("{").contains("Streamed once.");
            }
            assertThat(upstreamMessages(h)).isEqualTo(1);
        }
    }

    @Test
    void identicalRequestsOfDifferentCallersNeverWaitForEachOther() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(YAML)) {
            h.upstream.setFallback(slowText("Each caller pays for its own.", 300));
            var a = send(h, body("same words", false), KEY_A);
            var b = send(h, body("same words", false), KEY_B);
            assertThat(a.get(60, TimeUnit.SECONDS).headers().firstValue("X-Gateway-Cache")).hasValue("none");
            assertThat(b.get(60, TimeUnit.SECONDS).headers().firstValue("X-Gateway-Cache")).hasValue("none");
            assertThat(upstreamMessages(h)).isEqualTo(2);
        }
    }

    @Test
    void anUncacheableAnswerReleasesTheFollowersWhoThenAskUpstreamThemselves() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(YAML)) {
            h.upstream.setFallback((req, body, resp, cb, timer) -> timer.schedule(
                    () -> FakeUpstream.text("cut o", "max_tokens").respond(req, body, resp, cb, timer),
                    300, TimeUnit.MILLISECONDS));
            List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                burst.add(send(h, body("too long", false), KEY_A));
            }
            for (var f : burst) {
                HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains("cut o");
            }
            assertThat(upstreamMessages(h)).as("nothing was stored, so each follower asked upstream").isEqualTo(5);
        }
    }

    @Test
    void aRepeatSentTheInstantTheAnswerEndsIsAHit() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(YAML)) {
            List<String> misses = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                boolean stream = i % 2 == 1;
                if (stream) {
                    h.upstream.enqueue(h.upstream.sse(
                            FakeUpstream.textEvents("claude-sonnet-4-6", "answer " + i, "end_turn"), 0, -1));
                }
                String b = body("question " + i, stream);
                HttpResponse<String> first = send(h, b, KEY_A).get(60, TimeUnit.SECONDS);
                assertThat(first.statusCode()).isEqualTo(200);
                HttpResponse<String> again = send(h, b, KEY_A).get(60, TimeUnit.SECONDS);
                if (!"exact".equals(again.headers().firstValue("X-Gateway-Cache").orElse(""))) {
                    misses.add("question " + i + (stream ? " (streamed)" : ""));
                }
            }
            assertThat(misses).isEmpty();
            assertThat(upstreamMessages(h)).isEqualTo(20);
        }
    }
}
