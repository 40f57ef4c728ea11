package dev.costgateway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.costgateway.testing.FakeUpstream;
import dev.costgateway.testing.GatewayHarness;
import dev.costgateway.testing.RawHttp;
import dev.costgateway.testing.RawUpstream;

/** HTTP-level fidelity: encodings, framing, methods, odd targets and big headers cross the proxy unchanged. */
class WireFidelityIT {

    static final String MODELS = "{\"data\":[{\"type\":\"model\",\"id\":\"claude-opus-4-7\"}],\"has_more\":false,"
            + "\"first_id\":\"claude-opus-4-7\",\"last_id\":\"claude-opus-4-7\"}";
    static final String SMALL_BODY = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    GatewayHarness h;

    @BeforeEach
    void start() throws Exception {
        h = GatewayHarness.start("routing:\n  mode: off\ncache:\n  enabled: false\n");
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    static byte[] gzip(String text) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    static String gunzip(byte[] bytes) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static FakeUpstream.Answer gzipped(int status, byte[] body, String contentType) {
        return (req, reqBody, resp, cb, timer) -> {
            resp.setStatus(status);
            FakeUpstream.standardHeaders(resp.getHeaders(), "req_011Gzip");
            resp.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
            resp.getHeaders().put(HttpHeader.CONTENT_ENCODING, "gzip");
            resp.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            resp.write(true, ByteBuffer.wrap(body), cb);
        };
    }

    String request(String method, String target, String extraHeaders, String body) {
        return method + " " + target + " HTTP/1.1\r\nHost: gw\r\nx-api-key: k\r\nanthropic-version: 2023-06-01\r\n"
                + extraHeaders + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n")
                + "Connection: close\r\n\r\n" + (body == null ? "" : body);
    }

    @Test
    void gzippedPassThroughAnswerReachesTheClientByteForByteWithItsEncoding() throws Exception {
        byte[] compressed = gzip(MODELS);
        h.upstream.enqueue(gzipped(200, compressed, "application/json"));

        RawHttp.Response r = RawHttp.exchange(h.gateway.port(),
                request("GET", "/v1/models", "Accept-Encoding: gzip, br\r\n", null), 5000);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(r.body()).isEqualTo(compressed);
        assertThat(h.upstream.last().headers().get("Accept-Encoding")).isEqualTo("gzip, br");
    }

    @Test
    void messagesAnswerGzippedDespiteIdentityStillReachesTheClientIntact() throws Exception {
        String message = FakeUpstream.messageJson("msg_01Gz", "claude-sonnet-4-6", "Bonjour é", "end_turn", 14, 9);
        byte[] compressed = gzip(message);
        h.upstream.enqueue(gzipped(200, compressed, "application/json"));

        RawHttp.Response r = RawHttp.exchange(h.gateway.port(),
                request("POST", "/v1/messages", "Accept-Encoding: gzip\r\n", SMALL_BODY), 5000);

        assertThat(h.upstream.last().headers().get("Accept-Encoding")).isEqualTo("identity");
        assertThat(r.status()).isEqualTo(200);
        // either passed through encoded with its header, or decoded without it: never encoded bytes unlabelled
        String text = "gzip".equals(r.header("Content-Encoding")) ? gunzip(r.body()) : r.bodyText();
        assertThat(text).isEqualTo(message);
        // and the gateway still read the usage for the books
        var rec = h.recorded(r.header("X-Gateway-Query-ID"));
        assertThat(rec.usage().inputTokens()).isEqualTo(14);
        assertThat(rec.usage().outputTokens()).isEqualTo(9);
        assertThat(rec.costUsd()).isPositive();
    }

    @Test
    void chunkedUpstreamAnswerWithoutLengthPassesThroughWhole() throws Exception {
        h.upstream.enqueue((req, body, resp, cb, timer) -> {
            resp.setStatus(200);
            resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/x-ndjson");
            resp.write(false, ByteBuffer.wrap("{\"a\":1}\n".getBytes(StandardCharsets.UTF_8)), Callback.from(() ->
                    resp.write(false, ByteBuffer.wrap("{\"b\":2}\n".getBytes(StandardCharsets.UTF_8)),
                            Callback.from(() -> resp.write(true,
                                    ByteBuffer.wrap("{\"c\":3}\n".getBytes(StandardCharsets.UTF_8)), cb), cb::failed)),
                    cb::failed));
        });

        RawHttp.Response r = RawHttp.exchange(h.gateway.port(),
                request("GET", "/v1/messages/batches/msgbatch_1/results", "", null), 5000);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Length")).isNull();
        assertThat(r.bodyText()).isEqualTo("{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
    }

    @Test
    void headRequestGetsHeadersWithoutBodyAndTheConnectionStaysUsable() throws Exception {
        h.upstream.enqueue(FakeUpstream.json(200, MODELS, Map.of()));
        h.upstream.enqueue(FakeUpstream.json(200, MODELS, Map.of()));
        try (Socket s = new Socket("127.0.0.1", h.gateway.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write("HEAD /v1/models HTTP/1.1\r\nHost: gw\r\nx-api-key: k\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            RawHttp.Response head = RawHttp.readOne(in, true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(MODELS.length()));
            assertThat(h.upstream.last().method()).isEqualTo("HEAD");

            out.write("GET /v1/models HTTP/1.1\r\nHost: gw\r\nx-api-key: k\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            RawHttp.Response get = RawHttp.readOne(in, false);
            assertThat(get.status()).isEqualTo(200);
            assertThat(get.bodyText()).isEqualTo(MODELS);
        }
    }

    @Test
    void optionsRequestIsPassedThrough() throws Exception {
        h.upstream.enqueue((req, body, resp, cb, timer) -> {
            resp.setStatus(204);
            resp.getHeaders().put("Allow", "POST, OPTIONS");
            resp.getHeaders().put("Access-Control-Allow-Headers", "x-api-key, anthropic-version");
            cb.succeeded();
        });

        RawHttp.Response r = RawHttp.exchange(h.gateway.port(), request("OPTIONS", "/v1/messages",
                "Origin: http://localhost:3000\r\nAccess-Control-Request-Method: POST\r\n", null), 5000);

        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("Allow")).isEqualTo("POST, OPTIONS");
        assertThat(h.upstream.last().method()).isEqualTo("OPTIONS");
        assertThat(h.upstream.last().headers().get("Origin")).isEqualTo("http://localhost:3000");
    }

    /** curl sends {@code Expect: 100-continue} for bodies over 1 MiB and waits (1 s) for the interim answer. */
    void expectContinueIsAnsweredAndTheBodyArrives(String path) throws Exception {
        String big = "x".repeat(1_200_000);
        String body = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + big + "\"}]}";
        try (Socket s = new Socket("127.0.0.1", h.gateway.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: gw\r\nx-api-key: k\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\nExpect: 100-continue\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.setSoTimeout(900);
            RawHttp.Response interim = RawHttp.readOne(in, true);
            assertThat(interim.status()).isEqualTo(100);
            s.setSoTimeout(5000);
            out.write(body.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            RawHttp.Response r = RawHttp.readOne(in, false);
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(h.upstream.last().body()).hasSize(body.length());
    }

    @Test
    void expectContinueOnMessagesIsAnsweredAndTheBodyArrives() throws Exception {
        expectContinueIsAnsweredAndTheBodyArrives("/v1/messages");
    }

    @Test
    void expectContinueOnPassThroughIsAnsweredAndTheBodyArrives() throws Exception {
        h.upstream.enqueue(FakeUpstream.json(200, "{\"input_tokens\":300001}", Map.of()));
        expectContinueIsAnsweredAndTheBodyArrives("/v1/messages/count_tokens");
    }

    @Test
    void encodedQueryAndPathCharactersReachUpstreamUnchanged() throws Exception {
        String[] targets = {
            "/v1/models?after_id=a%2Fb+c%20d&name=%E2%9C%93&empty=&flag&q=%3D%26",
            "/v1/files/file%2F01?beta=true",
            "/v1/models//claude-opus-4-7",
            "/v1/models/a;b=c/%2e%2e/d%25e",
            "/v1/messages?beta=true&x=%2B",
        };
        for (String target : targets) {
            h.upstream.enqueue(FakeUpstream.json(200, "{}", Map.of()));
            String body = target.startsWith("/v1/messages?") ? SMALL_BODY : null;
            RawHttp.Response r = RawHttp.exchange(h.gateway.port(),
                    request(body == null ? "GET" : "POST", target, "", body), 5000);
            assertThat(r.status()).as(target + " -> " + r.headerLines() + r.bodyText()).isEqualTo(200);
            assertThat(h.upstream.last().pathQuery()).as(target).isEqualTo(target);
        }
    }

    /**
     * Characters a lenient client (curl) sends unencoded although RFC 3986 forbids them raw: the upstream must
     * see the same target, raw or percent-encoded (the same target either way), never a mangled one or a 500.
     */
    @Test
    void unencodedUnicodeAndUnsafeCharactersInTheTargetReachUpstreamAsTheSameTarget() throws Exception {
        String[] targets = {
            "/v1/models?name=é✓",
            "/v1/models?ids=a|b&j={\"x\":1}&c=^&t=`",
            "/v1/models?x=[0]",
        };
        for (String target : targets) {
            h.upstream.enqueue(FakeUpstream.json(200, "{}", Map.of()));
            byte[] req = request("GET", target, "", null).getBytes(StandardCharsets.UTF_8);
            RawHttp.Response r = RawHttp.exchange(h.gateway.port(), req, 5000);
            assertThat(r.status()).as(target + " -> " + r.bodyText()).isEqualTo(200);
            String got = h.upstream.last().pathQuery();
            assertThat(java.net.URLDecoder.decode(got.replace("+", "%2B"), StandardCharsets.UTF_8)).isEqualTo(target);
        }
    }

    /** The Jetty fake refuses headers over 8 KiB itself, so these two use a hand-written upstream. */
    @Test
    void largeHeadersAndManyBetaLinesReachUpstream() throws Exception {
        try (RawUpstream raw = new RawUpstream();
             GatewayHarness g = GatewayHarness.start("upstream:\n  base_url: " + raw.baseUrl() + "\n")) {
            String message = FakeUpstream.messageJson("msg_01Big", "claude-sonnet-4-6", "ok", "end_turn", 3, 1);
            raw.enqueue(ex -> ex.writePiece(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + message.length() + "\r\nConnection: close\r\n\r\n" + message)
                    .getBytes(StandardCharsets.UTF_8), 0));
            String big = "v".repeat(40_000);
            StringBuilder betas = new StringBuilder();
            for (int i = 0; i < 60; i++) {
                betas.append("anthropic-beta: flag-").append(i).append("-2025-01-01\r\n");
            }
            RawHttp.Response r = RawHttp.exchange(g.gateway.port(), request("POST", "/v1/messages",
                    "x-big: " + big + "\r\n" + betas + "x-inner: a  b\t c\r\n", SMALL_BODY), 5000);

            assertThat(r.status()).isEqualTo(200);
            RawUpstream.Exchange got = raw.received().get(0);
            assertThat(got.header("x-big")).isEqualTo(big);
            assertThat(got.head().split("\r\n")).filteredOn(l -> l.toLowerCase().startsWith("anthropic-beta:"))
                    .hasSize(60).startsWith("anthropic-beta: flag-0-2025-01-01")
                    .endsWith("anthropic-beta: flag-59-2025-01-01");
            assertThat(got.header("x-inner")).isEqualTo("a  b\t c");
        }
    }

    @Test
    void largeUpstreamResponseHeadersReachTheClient() throws Exception {
        try (RawUpstream raw = new RawUpstream();
             GatewayHarness g = GatewayHarness.start("upstream:\n  base_url: " + raw.baseUrl() + "\n")) {
            String big = "u".repeat(20_000);
            raw.enqueue(ex -> ex.writePiece(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-big-answer: " + big
                    + "\r\nContent-Length: " + MODELS.length() + "\r\nConnection: close\r\n\r\n" + MODELS)
                    .getBytes(StandardCharsets.UTF_8), 0));
            RawHttp.Response r = RawHttp.exchange(g.gateway.port(), request("GET", "/v1/models", "", null), 5000);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-big-answer")).isEqualTo(big);
            assertThat(r.bodyText()).isEqualTo(MODELS);
        }
    }

    /** Errors Jetty produces before any handler runs must look like the API's too, for SDKs to type them. */
    @Test
    void protocolLevelErrorsUseTheAnthropicShape() throws Exception {
        String[][] cases = {
            {request("GET", "/v1/models", "x-huge: " + "h".repeat(70_000) + "\r\n", null), "431"},
            {request("GET", "/v1/models/claude[1]", "", null), "400"},
            {"POST /v1/messages HTTP/1.1\r\nHost: gw\r\nContent-Length: 12x\r\nConnection: close\r\n\r\n", "400"},
        };
        for (String[] c : cases) {
            RawHttp.Response r = RawHttp.exchange(h.gateway.port(), c[0], 5000);
            assertThat(r.status()).isEqualTo(Integer.parseInt(c[1]));
            assertThat(r.header("Content-Type")).as(c[1]).startsWith("application/json");
            var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
            assertThat(n.path("type").asText()).as(r.bodyText()).isEqualTo("error");
            assertThat(n.path("error").path("type").asText()).isEqualTo("invalid_request_error");
            assertThat(n.path("error").path("message").asText()).isNotBlank();
        }
        assertThat(h.upstream.received()).isEmpty();
    }
}
