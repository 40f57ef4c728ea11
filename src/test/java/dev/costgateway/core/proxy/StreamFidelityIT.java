package dev.costgateway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.testing.FakeUpstream;
import dev.costgateway.testing.GatewayHarness;
import dev.costgateway.testing.RawHttp;
import dev.costgateway.testing.RawUpstream;

/** SSE through the gateway: bytes untouched however upstream frames and splits them, usage still read. */
class StreamFidelityIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TEXT = "Café ☕ — 東京 😀 done";
    static final String STREAM_BODY = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Say it\"}]}";

    /** The fake's events with CRLF line ends, trailing spaces after each data line's JSON, and a comment. */
    static String crlfEvents() {
        StringBuilder sb = new StringBuilder(": keep-alive comment\r\n\r\n");
        for (String e : FakeUpstream.textEvents("claude-sonnet-4-6", TEXT, "end_turn")) {
            sb.append(e.replace("}\n\n", "}   \n\n").replace("\n", "\r\n"));
        }
        return sb.toString();
    }

    static byte[] chunked(byte[] body, int chunkSize) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < body.length; i += chunkSize) {
            int n = Math.min(chunkSize, body.length - i);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, i, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** Sends a chunked SSE answer in TCP writes of {@code step} bytes, cutting frames and UTF-8 characters. */
    static RawUpstream.Script splitSse(byte[] events, int step) {
        return ex -> {
            byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
                    + "request-id: req_011Split\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            ex.writePiece(head, 5);
            byte[] framed = chunked(events, 97);
            for (int i = 0; i < framed.length; i += step) {
                ex.writePiece(Arrays.copyOfRange(framed, i, Math.min(framed.length, i + step)), 1);
            }
        };
    }

    @Test
    void crlfSseSplitAtArbitraryBytesPassesIntactAndIsStillParsed() throws Exception {
        byte[] events = crlfEvents().getBytes(StandardCharsets.UTF_8);
        try (RawUpstream raw = new RawUpstream();
             GatewayHarness h = GatewayHarness.start("upstream:\n  base_url: " + raw.baseUrl() + "\n"
                     + "routing:\n  mode: off\nmetrics:\n  store_text: true\n")) {
            raw.enqueue(splitSse(events, 7));
            String request = "POST /v1/messages HTTP/1.1\r\nHost: gw\r\nx-api-key: k\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + STREAM_BODY.length()
                    + "\r\nConnection: close\r\n\r\n" + STREAM_BODY;

            RawHttp.Response r = RawHttp.exchange(h.gateway.port(), request, 10_000);

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(events);
            assertThat(r.header("request-id")).isEqualTo("req_011Split");
            assertThat(r.header("X-Gateway-Model")).isEqualTo("claude-sonnet-4-6");
            RequestRecord rec = h.recorded(r.header("X-Gateway-Query-ID"));
            assertThat(rec.usage().inputTokens()).isEqualTo(14);
            assertThat(rec.usage().outputTokens()).isEqualTo(9);
            assertThat(rec.answerPreview()).isEqualTo(TEXT);

            // the parsed stream was complete, so it was cached: a non-streaming repeat gets the same text as JSON
            HttpResponse<byte[]> again = h.post("/v1/messages", STREAM_BODY.replace("\"stream\":true,", ""),
                    "x-api-key", "k", "content-type", "application/json");
            assertThat(again.headers().firstValue("X-Gateway-Cache")).hasValue("exact");
            assertThat(again.headers().firstValue("content-type")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("application/json"));
            JsonNode message = JSON.readTree(again.body());
            assertThat(message.path("content").path(0).path("text").asText()).isEqualTo(TEXT);
            assertThat(raw.received()).hasSize(1);
        }
    }

    @Test
    void upstreamGoingSilentMidStreamEndsTheStreamWithATimeoutErrorEvent() throws Exception {
        String first = FakeUpstream.textEvents("claude-sonnet-4-6", "abc", "end_turn").get(0);
        try (RawUpstream raw = new RawUpstream();
             GatewayHarness h = GatewayHarness.start("upstream:\n  base_url: " + raw.baseUrl()
                     + "\n  timeout_seconds: 1\nrouting:\n  mode: off\n")) {
            raw.enqueue(ex -> {
                ex.writePiece(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII), 0);
                byte[] e = first.getBytes(StandardCharsets.UTF_8);
                ex.writePiece((Integer.toHexString(e.length) + "\r\n").getBytes(StandardCharsets.US_ASCII), 0);
                ex.writePiece(e, 0);
                ex.writePiece("\r\n".getBytes(StandardCharsets.US_ASCII), 0);
                // then silence, until the gateway gives up and closes the connection
                ex.socket().setSoTimeout(8000);
                ex.in().read();
            });
            long start = System.nanoTime();
            HttpResponse<byte[]> r = h.post("/v1/messages", STREAM_BODY, "x-api-key", "k",
                    "content-type", "application/json");
            long millis = (System.nanoTime() - start) / 1_000_000;

            String text = new String(r.body(), StandardCharsets.UTF_8);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(text).startsWith(first).contains("event: error\n").contains("\"type\":\"timeout_error\"")
                    .endsWith("\n\n");
            assertThat(millis).isLessThan(4000);
        }
    }

    @Test
    void rateLimitAndOverloadOnStreamsKeepTheirRetryHeaders() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("routing:\n  mode: off\n")) {
            h.upstream.enqueue(FakeUpstream.error(429, "rate_limit_error", "slow down",
                    Map.of("retry-after", "17", "x-should-retry", "true", "retry-after-ms", "17000")));
            HttpResponse<byte[]> limited = h.post("/v1/messages", STREAM_BODY, "x-api-key", "k",
                    "content-type", "application/json");
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("retry-after")).hasValue("17");
            assertThat(limited.headers().firstValue("retry-after-ms")).hasValue("17000");
            assertThat(limited.headers().firstValue("x-should-retry")).hasValue("true");
            assertThat(limited.headers().firstValue("request-id")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("req_"));
            assertThat(JSON.readTree(limited.body()).path("error").path("type").asText())
                    .isEqualTo("rate_limit_error");

            h.upstream.enqueue(FakeUpstream.error(529, "overloaded_error", "Overloaded",
                    Map.of("x-should-retry", "false")));
            HttpResponse<byte[]> overloaded = h.post("/v1/messages/count_tokens", STREAM_BODY, "x-api-key", "k",
                    "content-type", "application/json");
            assertThat(overloaded.statusCode()).isEqualTo(529);
            assertThat(overloaded.headers().firstValue("x-should-retry")).hasValue("false");
            assertThat(overloaded.headers().firstValue("request-id")).isPresent();
        }
    }

    @Test
    void streamHeadersIncludingTheGatewaysArriveWithTheFirstEvent() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("routing:\n  mode: off\ncache:\n  enabled: false\n")) {
            List<String> events = FakeUpstream.textEvents("claude-sonnet-4-6", "one two three", "end_turn");
            h.upstream.enqueue(h.upstream.sse(events, 0, -1), h.upstream.sse(events, 1000, -1));
            h.post("/v1/messages", STREAM_BODY, "x-api-key", "k", "content-type", "application/json"); // warm-up
            HttpRequest req = HttpRequest.newBuilder(URI.create(h.url() + "/v1/messages"))
                    .header("x-api-key", "k").header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(STREAM_BODY)).build();
            long start = System.nanoTime();
            HttpResponse<java.io.InputStream> r = h.http().send(req, HttpResponse.BodyHandlers.ofInputStream());
            long headersMillis = (System.nanoTime() - start) / 1_000_000;
            try (var in = r.body()) {
                // the next event comes 1 s later: headers must not wait for it
                assertThat(headersMillis).isLessThan(500);
                assertThat(r.headers().firstValue("X-Gateway-Model")).hasValue("claude-sonnet-4-6");
                assertThat(r.headers().firstValue("X-Gateway-Query-ID")).isPresent();
                assertThat(r.headers().firstValue("X-Gateway-Cache")).hasValue("none");
                assertThat(r.headers().firstValue("request-id")).isPresent();
                byte[] first = in.readNBytes(events.get(0).getBytes(StandardCharsets.UTF_8).length);
                assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo(events.get(0));
            }
        }
    }

    /** An upstream that compresses a stream despite Accept-Encoding: identity still reaches the client intact. */
    @Test
    void gzippedStreamDespiteIdentityReachesTheClientByteForByteWithItsEncoding() throws Exception {
        byte[] events = String.join("", FakeUpstream.textEvents("claude-sonnet-4-6", TEXT, "end_turn"))
                .getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (var z = new java.util.zip.GZIPOutputStream(gz)) {
            z.write(events);
        }
        byte[] compressed = gz.toByteArray();
        try (RawUpstream raw = new RawUpstream();
             GatewayHarness h = GatewayHarness.start("upstream:\n  base_url: " + raw.baseUrl() + "\n"
                     + "routing:\n  mode: off\n")) {
            raw.enqueue(ex -> {
                ex.writePiece(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
                        + "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII), 0);
                ex.writePiece(chunked(compressed, 50), 0);
            });
            String request = "POST /v1/messages HTTP/1.1\r\nHost: gw\r\nx-api-key: k\r\nAccept-Encoding: gzip\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + STREAM_BODY.length()
                    + "\r\nConnection: close\r\n\r\n" + STREAM_BODY;

            RawHttp.Response r = RawHttp.exchange(h.gateway.port(), request, 10_000);

            assertThat(raw.received().get(0).header("Accept-Encoding")).isEqualTo("identity");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(r.body()).isEqualTo(compressed);
        }
    }
}
