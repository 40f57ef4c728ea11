package dev.costgateway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.testing.FakeUpstream;
import dev.costgateway.testing.GatewayHarness;
import dev.costgateway.testing.RawHttp;

/** Parallel traffic keeps every answer with its own request; body limits hold without a Content-Length. */
class ConcurrencyAndLimitsIT {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void twoHundredParallelMixedRequestsEachGetTheirOwnAnswerAndHeaders() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("routing:\n  mode: off\ncache:\n  enabled: false\n")) {
            // the fake echoes the requested model, so each answer says which request it belongs to
            h.upstream.setFallback((req, body, resp, cb, timer) -> {
                String model = FakeUpstream.modelOf(body);
                if (new String(body, StandardCharsets.UTF_8).contains("\"stream\":true")) {
                    h.upstream.sse(FakeUpstream.textEvents(model, "stream for " + model, "end_turn"), 2, -1)
                            .respond(req, body, resp, cb, timer);
                } else {
                    FakeUpstream.text("json for " + model, "end_turn").respond(req, body, resp, cb, timer);
                }
            });
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                boolean stream = i % 2 == 0;
                String model = "claude-test-" + i;
                String body = "{\"model\":\"" + model + "\",\"max_tokens\":64," + (stream ? "\"stream\":true," : "")
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"q" + i + "\"}]}";
                futures.add(client.sendAsync(HttpRequest.newBuilder(URI.create(h.url() + "/v1/messages"))
                        .timeout(Duration.ofSeconds(30)).header("x-api-key", "k-" + i)
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            Set<String> queryIds = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                HttpResponse<String> r = futures.get(i).join();
                String model = "claude-test-" + i;
                assertThat(r.statusCode()).as("request %d", i).isEqualTo(200);
                assertThat(r.headers().firstValue("X-Gateway-Model")).as("request %d", i).hasValue(model);
                queryIds.add(r.headers().firstValue("X-Gateway-Query-ID").orElseThrow());
                if (i % 2 == 0) {
                    assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream; charset=utf-8");
                    assertThat(r.body()).isEqualTo(String.join("",
                            FakeUpstream.textEvents(model, "stream for " + model, "end_turn")));
                } else {
                    JsonNode n = JSON.readTree(r.body());
                    assertThat(n.path("model").asText()).isEqualTo(model);
                    assertThat(n.path("content").path(0).path("text").asText()).isEqualTo("json for " + model);
                }
            }
            assertThat(queryIds).hasSize(200);
            // and upstream saw each request with its own key
            assertThat(h.upstream.received()).hasSize(200).allSatisfy(rec -> assertThat(rec.headers().get("x-api-key"))
                    .isEqualTo("k-" + FakeUpstream.modelOf(rec.body()).substring("claude-test-".length())));
        }
    }

    @Test
    void chunkedUploadOverTheLimitIsRefusedWith413() throws Exception {
        try (GatewayHarness h = GatewayHarness.startRaw("server:\n  port: 0\n  max_body_bytes: 2000\n")) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", h.gateway.port())) {
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                out.write(("POST /v1/messages HTTP/1.1\r\nHost: gw\r\nx-api-key: k\r\n"
                        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                String piece = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,\"messages\":[" + "x".repeat(900);
                for (int i = 0; i < 4; i++) {
                    out.write((Integer.toHexString(piece.length()) + "\r\n" + piece + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                RawHttp.Response r = RawHttp.readOne(in, false);
                assertThat(r.status()).isEqualTo(413);
                JsonNode n = JSON.readTree(r.body());
                assertThat(n.path("type").asText()).isEqualTo("error");
                assertThat(n.path("error").path("type").asText()).isEqualTo("request_too_large");
                assertThat(n.path("error").path("message").asText()).contains("2000");
            }
            assertThat(h.upstream.received()).isEmpty();
        }
    }
}
