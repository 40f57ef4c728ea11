package dev.costgateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.core.metrics.MetricsQueries;
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.testing.Await;
import dev.costgateway.testing.FakeUpstream;
import dev.costgateway.testing.GatewayHarness;

/** Every request is on the books, through the real gateway and the real H2 file. */
class MetricsRecordingIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "sk-ant-very-secret-9";
    static final String[] HEADERS = {"content-type", "application/json", "x-api-key", KEY,
        "anthropic-version", "2023-06-01"};

    static String body(String model, String prompt, boolean stream) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":256," + (stream ? "\"stream\":true," : "")
                + "\"messages\":[{\"role\":\"user\",\"content\":" + JSON.valueToTree(prompt) + "}]}";
    }

    /** The record is queued right after the response's last byte is written, so allow it a moment to arrive. */
    static RequestRecord byId(GatewayHarness h, HttpResponse<?> r) throws InterruptedException {
        String id = r.headers().firstValue("X-Gateway-Query-ID").orElseThrow();
        return Await.value(Duration.ofSeconds(5), "request " + id + " was not recorded within 5 s", () -> {
            h.gateway.flushMetrics();
            return h.gateway.metrics().request(id);
        });
    }

    @Test
    void recordsRoutedEscalatedCachedAndFailedRequests() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("metrics:\n  store_text: true\n  text_preview_chars: 20\n")) {
            HttpResponse<byte[]> plain = h.post("/v1/messages", body("claude-opus-4-7", "Hi! Thanks so much.",
                    false), HEADERS);
            RequestRecord p = byId(h, plain);
            assertThat(p.requestedModel()).isEqualTo("claude-opus-4-7");
            assertThat(p.finalModel()).isEqualTo("claude-haiku-4-5-20251001");
            assertThat(p.tier()).isEqualTo("fast");
            assertThat(p.classifierLayer()).isEqualTo("score");
            assertThat(p.cacheKind()).isEqualTo("none");
            assertThat(p.status()).isEqualTo(200);
            assertThat(p.usage().inputTokens()).isEqualTo(14);
            assertThat(p.costUsd()).isCloseTo((14 * 1 + 9 * 5) / 1e6, org.assertj.core.data.Offset.offset(1e-12));
            assertThat(p.counterfactualUsd()).isCloseTo((14 * 5 + 9 * 25) / 1e6,
                    org.assertj.core.data.Offset.offset(1e-12));
            assertThat(p.callerKeyHash()).isNotBlank().doesNotContain("secret");
            assertThat(p.promptPreview()).startsWith("Hi! Thanks so much.").hasSizeLessThanOrEqualTo(21);
            assertThat(p.attempts()).hasSize(1);

            HttpResponse<byte[]> hit = h.post("/v1/messages", body("claude-opus-4-7", "Hi! Thanks so much.",
                    false), HEADERS);
            RequestRecord c = byId(h, hit);
            assertThat(c.cacheKind()).isEqualTo("exact");
            assertThat(c.costUsd()).isZero();
            assertThat(c.savedUsd()).isPositive();

            h.upstream.enqueue(FakeUpstream.text("I'm not sure.", "end_turn"), FakeUpstream.text("Sure: 4.", "end_turn"));
            RequestRecord e = byId(h, h.post("/v1/messages", body("claude-sonnet-4-6", "hi, what is 2+2?", false),
                    HEADERS));
            assertThat(e.escalations()).isEqualTo(1);
            assertThat(e.attempts()).extracting(a -> a.trigger()).containsExactly("initial", "phrase:I'm not sure");

            h.upstream.enqueue(FakeUpstream.error(529, "overloaded_error", "Overloaded", java.util.Map.of()));
            RequestRecord u = byId(h, h.post("/v1/messages", body("claude-sonnet-4-6", "ping?", false),
                    "content-type", "application/json", "x-api-key", KEY, "X-Gateway-Cache", "off"));
            assertThat(u.status()).isEqualTo(529);
            assertThat(u.errorType()).isEqualTo("overloaded_error");

            RequestRecord g = byId(h, h.post("/v1/messages", "{\"model\":\"x\"}", HEADERS));
            assertThat(g.status()).isEqualTo(400);
            assertThat(g.errorType()).isEqualTo("invalid_request_error");

            h.upstream.enqueue(h.upstream.sse(FakeUpstream.textEvents("claude-sonnet-4-6", "streamed", "end_turn"),
                    0, -1));
            RequestRecord s = byId(h, h.post("/v1/messages", body("claude-sonnet-4-6", "stream it", true),
                    "content-type", "application/json", "x-api-key", KEY, "X-Gateway-Route", "off"));
            assertThat(s.stream()).isTrue();
            assertThat(s.usage().outputTokens()).isEqualTo(9);
            assertThat(s.ttfbMillis()).isGreaterThanOrEqualTo(0);

            MetricsQueries.Summary sum = h.gateway.metrics().summary(null, null);
            assertThat(sum.requests()).isEqualTo(6);
            assertThat(sum.exactHits()).isEqualTo(1);
            assertThat(sum.escalatedRequests()).isEqualTo(1);
        }
    }

    @Test
    void historySurvivesARestartAndTheKeyNeverReachesTheDatabase() throws Exception {
        Path dataDir;
        String id;
        try (GatewayHarness h = GatewayHarness.start("")) {
            HttpResponse<byte[]> r = h.post("/v1/messages", body("claude-sonnet-4-6", "remember me", false), HEADERS);
            id = byId(h, r).queryId();
            dataDir = h.dir.resolve("data");
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString())
                        .doesNotContain(KEY).doesNotContain("very-secret");
            }
        }
        Path config = Files.createTempDirectory("gw2").resolve("config.yaml");
        Files.writeString(config, "server:\n  port: 0\n");
        try (Gateway again = Gateway.open(new Gateway.Options(config, dataDir, null, null, "http://127.0.0.1:9",
                () -> null, null).withoutEmbedder())) {
            assertThat(again.metrics().request(id)).isPresent();
            assertThat(again.metrics().requests(MetricsQueries.RequestQuery.latest(10)))
                    .extracting(RequestRecord::queryId).contains(id);
        }
    }

    @Test
    void metricsEndpointsAreServedByTheGateway() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("")) {
            byId(h, h.post("/v1/messages", body("claude-sonnet-4-6", "hello there", false), HEADERS));
            JsonNode m = JSON.readTree(h.get("/v1/metrics").body());
            assertThat(m.toString()).contains("claude-haiku-4-5-20251001");
            assertThat(h.get("/v1/metrics/recent?n=0").statusCode()).isEqualTo(400);
            assertThat(new String(h.get("/metrics").body(), StandardCharsets.UTF_8)).contains("# TYPE");
            assertThat(h.get("/dashboard").statusCode()).isEqualTo(200);
            HttpResponse<byte[]> csv = h.get("/v1/reports/costs.csv?group=model");
            assertThat(csv.statusCode()).isEqualTo(200);
            assertThat(new String(csv.body(), StandardCharsets.UTF_8)).contains("claude-haiku-4-5-20251001");
            JsonNode health = JSON.readTree(h.get("/health").body());
            assertThat(health.path("metrics_dropped").asLong()).isZero();
        }
    }

    @Test
    void recordsClassifierCallsAndClientHangUps() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("use_haiku_classifier: true\nclassifier:\n"
                + "  llm_tie_margin: 1.0\n")) {
            h.upstream.enqueue(FakeUpstream.json(200, FakeUpstream.messageJson("msg_c", "claude-haiku-4-5-20251001",
                    "MODERATE", "end_turn", 50, 1), java.util.Map.of()));
            RequestRecord c = byId(h, h.post("/v1/messages", body("claude-opus-4-7",
                    "Summarise the plot of a novel you like in a few sentences.", false), HEADERS));
            assertThat(c.classifierLayer()).isEqualTo("haiku");
            assertThat(c.finalModel()).isEqualTo("claude-sonnet-4-6");
            assertThat(c.attempts()).extracting(a -> a.purpose()).containsExactly("classifier", "answer");
            assertThat(c.attempts().get(0).costUsd()).isCloseTo((50 * 1 + 1 * 5) / 1e6,
                    org.assertj.core.data.Offset.offset(1e-12));
            assertThat(c.costUsd()).isCloseTo((50 * 1 + 5 + 14 * 3 + 9 * 15) / 1e6,
                    org.assertj.core.data.Offset.offset(1e-12));

            java.util.List<String> events = new java.util.ArrayList<>(
                    FakeUpstream.textEvents("claude-sonnet-4-6", "x", "end_turn"));
            for (int i = 0; i < 100; i++) {
                events.add(2, "event: ping\ndata: {\"type\": \"ping\"}\n\n");
            }
            h.upstream.enqueue(h.upstream.sse(events, 50, -1));
            String stream = body("claude-sonnet-4-6", "hang up on me", true);
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", h.gateway.port())) {
                s.getOutputStream().write(("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: " + KEY
                        + "\r\nX-Gateway-Route: off\r\nContent-Type: application/json\r\nContent-Length: "
                        + stream.length() + "\r\n\r\n" + stream).getBytes(StandardCharsets.UTF_8));
                byte[] buf = new byte[4096];
                String seen = "";
                while (!seen.contains("message_start")) {
                    int n = s.getInputStream().read(buf);
                    seen += new String(buf, 0, n, StandardCharsets.US_ASCII);
                }
            }
            RequestRecord gone = Await.poll(Duration.ofSeconds(5), () -> {
                h.gateway.flushMetrics();
                return h.gateway.metrics().requests(MetricsQueries.RequestQuery.latest(10)).stream()
                        .filter(r -> "client_closed".equals(r.errorType())).findFirst();
            }).orElse(null);
            assertThat(gone).as("hang-up recorded").isNotNull();
            assertThat(gone.status()).isZero();
            assertThat(gone.stream()).isTrue();
        }
    }

    static List<String> lines(byte[] b) {
        return List.of(new String(b, StandardCharsets.UTF_8).split("\r\n"));
    }
}
