package dev.costgateway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.core.Gateway;
import dev.costgateway.core.GatewayStatus;
import dev.costgateway.testing.FakeUpstream;
import dev.costgateway.testing.GatewayHarness;

/** Every error the gateway itself produces: the Anthropic shape, the right status, the field or upstream named. */
class GatewayErrorsIT {

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode error(HttpResponse<byte[]> r) throws Exception {
        JsonNode n = JSON.readTree(r.body());
        assertThat(n.path("type").asText()).isEqualTo("error");
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        return n.path("error");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not json          | {\"model\": |request body is not valid JSON",
        "array body        | [1,2]       |must be a JSON object",
        "missing model     | {\"max_tokens\":5,\"messages\":[]} |model: field required",
        "model not string  | {\"model\":5,\"max_tokens\":5,\"messages\":[]} |model: must be a non-empty string",
        "missing messages  | {\"model\":\"m\",\"max_tokens\":5} |messages: field required",
        "messages object   | {\"model\":\"m\",\"max_tokens\":5,\"messages\":{}} |messages: must be an array",
        "missing max_tokens| {\"model\":\"m\",\"messages\":[]} |max_tokens: field required",
        "max_tokens string | {\"model\":\"m\",\"max_tokens\":\"5\",\"messages\":[]} |max_tokens: must be a positive integer",
        "stream not bool   | {\"model\":\"m\",\"max_tokens\":5,\"messages\":[],\"stream\":\"yes\"} |stream: must be a boolean",
    })
    void refusesMalformedRequestsWithTheFieldNamed(String name, String body, String message) throws Exception {
        try (GatewayHarness h = GatewayHarness.start("")) {
            HttpResponse<byte[]> r = h.post("/v1/messages", body, "content-type", "application/json", "x-api-key", "k");
            assertThat(r.statusCode()).isEqualTo(400);
            JsonNode e = error(r);
            assertThat(e.path("type").asText()).isEqualTo("invalid_request_error");
            assertThat(e.path("message").asText()).contains(message);
            assertThat(h.upstream.received()).isEmpty();
        }
    }

    @Test
    void refusesOversizedBodiesWith413() throws Exception {
        try (GatewayHarness h = startWithServerKeys("  max_body_bytes: 1000\n")) {
            String big = "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\""
                    + "x".repeat(2000) + "\"}]}";
            HttpResponse<byte[]> r = h.post("/v1/messages", big, "content-type", "application/json", "x-api-key", "k");
            assertThat(r.statusCode()).isEqualTo(413);
            JsonNode e = error(r);
            assertThat(e.path("type").asText()).isEqualTo("request_too_large");
            assertThat(e.path("message").asText()).contains("1000");
            assertThat(h.upstream.received()).isEmpty();
        }
    }

    @Test
    void deadUpstreamGives502NamingIt() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        try (GatewayHarness h = GatewayHarness.start("upstream:\n  base_url: http://127.0.0.1:" + deadPort + "\n")) {
            HttpResponse<byte[]> r = h.post("/v1/messages", MessagesProxyIT.EVERY_BLOCK_BODY,
                    MessagesProxyIT.CLIENT_HEADERS);
            assertThat(r.statusCode()).isEqualTo(502);
            JsonNode e = error(r);
            assertThat(e.path("type").asText()).isEqualTo("api_error");
            assertThat(e.path("message").asText()).contains("127.0.0.1:" + deadPort).contains("unreachable");

            HttpResponse<byte[]> models = h.get("/v1/models", "x-api-key", "k");
            assertThat(models.statusCode()).isEqualTo(502);
            assertThat(error(models).path("message").asText()).contains("127.0.0.1:" + deadPort);
            assertThat(h.gateway.status().get().upstream())
                    .isEqualTo(dev.costgateway.core.GatewayStatus.UpstreamState.UNREACHABLE);
        }
    }

    @Test
    void silentUpstreamGives504() throws Exception {
        try (FakeUpstream up = new FakeUpstream()) {
            up.setFallback(FakeUpstream.hang());
            try (GatewayHarness h = GatewayHarness.start("upstream:\n  base_url: " + up.baseUrl()
                    + "\n  timeout_seconds: 1\n")) {
                HttpResponse<byte[]> r = h.post("/v1/messages", MessagesProxyIT.EVERY_BLOCK_BODY,
                        MessagesProxyIT.CLIENT_HEADERS);
                assertThat(r.statusCode()).isEqualTo(504);
                JsonNode e = error(r);
                assertThat(e.path("type").asText()).isEqualTo("timeout_error");
                assertThat(e.path("message").asText()).contains("1 s");
            }
        }
    }

    @Test
    void unknownNonApiPathIs404InAnthropicShape() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("")) {
            HttpResponse<byte[]> r = h.get("/nope");
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(error(r).path("type").asText()).isEqualTo("not_found_error");
        }
    }

    @Test
    void refusesToListenBeyondLoopbackWithoutToken() throws Exception {
        Path dir = Files.createTempDirectory("gw");
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, "server:\n  host: 0.0.0.0\n  port: 0\n");
        try (Gateway g = Gateway.open(new Gateway.Options(config, dir, null, null, null, () -> null, null))) {
            g.start();
            GatewayStatus st = g.status().get();
            assertThat(st.proxy()).isEqualTo(GatewayStatus.ProxyState.FAILED);
            assertThat(st.error()).contains("server.auth_token");
        }
    }

    @Test
    void tokenIsRequiredThenStrippedBeforeForwarding() throws Exception {
        try (GatewayHarness h = startWithServerKeys("  host: 0.0.0.0\n  auth_token: s3cret\n")) {
            String url = "http://127.0.0.1:" + h.gateway.port();
            var client = h.http();
            var noToken = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/v1/messages"))
                    .header("x-api-key", "k").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                            MessagesProxyIT.EVERY_BLOCK_BODY)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(noToken.statusCode()).isEqualTo(401);
            assertThat(error(noToken).path("type").asText()).isEqualTo("authentication_error");
            assertThat(h.upstream.received()).isEmpty();

            var withToken = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/v1/messages"))
                    .header("x-api-key", "k").header("X-Gateway-Token", "s3cret")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(MessagesProxyIT.EVERY_BLOCK_BODY)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(withToken.statusCode()).isEqualTo(200);
            assertThat(h.upstream.last().headers().get("X-Gateway-Token")).isNull();

            // java.net.http drops Proxy-Authorization when no proxy is configured, so speak HTTP/1.1 by hand
            try (var socket = new java.net.Socket("127.0.0.1", h.gateway.port())) {
                socket.getOutputStream().write(("GET /v1/models HTTP/1.1\r\nHost: x\r\nx-api-key: k\r\n"
                        + "Proxy-Authorization: Bearer s3cret\r\nConnection: close\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String head = new String(socket.getInputStream().readAllBytes(),
                        java.nio.charset.StandardCharsets.US_ASCII);
                assertThat(head).startsWith("HTTP/1.1 200");
            }
            assertThat(h.upstream.last().headers().get("Proxy-Authorization")).isNull();
        }
    }

    /** A harness whose server section has extra keys (the harness puts port 0 first). */
    static GatewayHarness startWithServerKeys(String serverKeys) throws Exception {
        return GatewayHarness.startRaw("server:\n  port: 0\n" + serverKeys);
    }
}
