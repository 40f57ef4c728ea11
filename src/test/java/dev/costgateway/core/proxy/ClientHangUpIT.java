package dev.costgateway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import dev.costgateway.testing.Await;
import dev.costgateway.testing.FakeUpstream;
import dev.costgateway.testing.GatewayHarness;

/** A client that hangs up must cancel the upstream exchange: no leaked upstream streams. */
class ClientHangUpIT {

    static void await(BooleanSupplier condition, long timeoutMillis) throws InterruptedException {
        Await.until(Duration.ofMillis(timeoutMillis), "condition not met within " + timeoutMillis + " ms", condition::getAsBoolean);
    }

    static List<String> longStream() {
        List<String> events = new ArrayList<>(FakeUpstream.textEvents("claude-sonnet-4-6", "x", "end_turn"));
        List<String> out = new ArrayList<>(events.subList(0, 2));
        for (int i = 0; i < 200; i++) {
            out.add("event: ping\ndata: {\"type\": \"ping\"}\n\n");
        }
        out.addAll(events.subList(2, events.size()));
        return out;
    }

    @Test
    void hangingUpMidStreamCancelsTheUpstreamStream() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("routing:\n  mode: off\n")) {
            h.upstream.enqueue(h.upstream.sse(longStream(), 50, -1));
            String body = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            try (Socket s = new Socket("127.0.0.1", h.gateway.port())) {
                s.getOutputStream().write(("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: k\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                        .getBytes(StandardCharsets.UTF_8));
                InputStream in = s.getInputStream();
                byte[] buf = new byte[8192];
                StringBuilder seen = new StringBuilder();
                while (!seen.toString().contains("message_start")) {
                    int n = in.read(buf);
                    assertThat(n).isPositive();
                    seen.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
                }
                assertThat(h.upstream.openStreams()).isEqualTo(1);
            }
            // the stream would run 10 s; the gateway must abort it as soon as it notices the client is gone
            await(() -> h.upstream.cancelledStreams() == 1, 3000);
            assertThat(h.upstream.openStreams()).isZero();
        }
    }

    @Test
    void hangingUpMidRequestBodyNeverReachesUpstream() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("routing:\n  mode: off\n")) {
            try (Socket s = new Socket("127.0.0.1", h.gateway.port())) {
                s.getOutputStream().write(("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: k\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"model\":\"claude")
                        .getBytes(StandardCharsets.UTF_8));
                s.getOutputStream().flush();
            }
            // a follow-up request proves the gateway is healthy and the partial one was dropped
            var r = h.get("/health");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(h.upstream.received()).isEmpty();
        }
    }

    /**
     * A non-streaming request gives the gateway nothing to write until upstream answers, so it must notice the
     * closed client connection some other way and abort the upstream request (a slow answer can take minutes).
     */
    @Test
    void hangingUpWhileANonStreamingAnswerIsPendingAbortsTheUpstreamRequest() throws Exception {
        hangUpWhileUpstreamIsSlow("/v1/messages");
    }

    @Test
    void hangingUpWhileAPassThroughAnswerIsPendingAbortsTheUpstreamRequest() throws Exception {
        hangUpWhileUpstreamIsSlow("/v1/messages/count_tokens");
    }

    void hangUpWhileUpstreamIsSlow(String path) throws Exception {
        try (dev.costgateway.testing.RawUpstream raw = new dev.costgateway.testing.RawUpstream();
             GatewayHarness h = GatewayHarness.start("upstream:\n  base_url: " + raw.baseUrl()
                     + "\nrouting:\n  mode: off\n")) {
            java.util.concurrent.CountDownLatch upstreamClosed = new java.util.concurrent.CountDownLatch(1);
            raw.enqueue(ex -> {
                // the answer is slow: wait (up to 10 s) for the gateway to either give up or keep waiting
                ex.socket().setSoTimeout(10_000);
                if (ex.in().read() < 0) {
                    upstreamClosed.countDown();
                }
            });
            String body = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            try (Socket s = new Socket("127.0.0.1", h.gateway.port())) {
                s.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nx-api-key: k\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                        .getBytes(StandardCharsets.UTF_8));
                s.getOutputStream().flush();
                await(() -> !raw.received().isEmpty(), 3000);
            }
            assertThat(upstreamClosed.await(3, java.util.concurrent.TimeUnit.SECONDS))
                    .as("upstream request aborted after the client hung up").isTrue();
            if (path.equals("/v1/messages")) {
                // and the books say the client left, not that upstream failed
                await(() -> {
                    h.gateway.flushMetrics();
                    return !h.gateway.metrics().requests(
                            dev.costgateway.core.metrics.MetricsQueries.RequestQuery.latest(1)).isEmpty();
                }, 3000);
                var rec = h.gateway.metrics().requests(
                        dev.costgateway.core.metrics.MetricsQueries.RequestQuery.latest(1)).get(0);
                assertThat(rec.errorType()).isEqualTo("client_closed");
                assertThat(rec.status()).isZero();
            }
        }
    }

    /** The close watch reads the connection while upstream works: it must not eat a pipelined next request. */
    @Test
    void pipelinedRequestsOnOneConnectionAreAllAnsweredInOrder() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("routing:\n  mode: off\ncache:\n  enabled: false\n")) {
            h.upstream.enqueue(slowText("first", 300), slowText("second", 0), slowText("third", 0));
            List<String> requests = new ArrayList<>();
            for (String prompt : List.of("a", "b", "c")) {
                String body = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
                requests.add("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: k\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            }
            try (Socket s = new Socket("127.0.0.1", h.gateway.port())) {
                s.setSoTimeout(5000);
                s.getOutputStream().write(requests.get(0).getBytes(StandardCharsets.UTF_8));
                s.getOutputStream().flush();
                // the next two arrive while the first waits on upstream, i.e. while the close watch reads
                await(() -> h.upstream.received().size() == 1, 3000);
                Thread.sleep(50);
                s.getOutputStream().write((requests.get(1) + requests.get(2)).getBytes(StandardCharsets.UTF_8));
                s.getOutputStream().flush();
                for (String expected : List.of("first", "second", "third")) {
                    var r = dev.costgateway.testing.RawHttp.readOne(s.getInputStream(), false);
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.bodyText()).contains("\"text\":\"" + expected + "\"");
                }
            }
        }
    }

    /** Many non-streaming requests reuse one kept-alive connection; the watch leaves each one usable. */
    @Test
    void keptAliveConnectionServesManyNonStreamingRequests() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("routing:\n  mode: off\ncache:\n  enabled: false\n")) {
            try (Socket s = new Socket("127.0.0.1", h.gateway.port())) {
                s.setSoTimeout(5000);
                for (int i = 0; i < 30; i++) {
                    h.upstream.enqueue(slowText("answer " + i, i % 3 == 0 ? 20 : 0));
                    String body = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"q" + i + "\"}]}";
                    s.getOutputStream().write(("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: k\r\n"
                            + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                            .getBytes(StandardCharsets.UTF_8));
                    var r = dev.costgateway.testing.RawHttp.readOne(s.getInputStream(), false);
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.bodyText()).contains("answer " + i);
                }
            }
        }
    }

    static FakeUpstream.Answer slowText(String text, long delayMillis) {
        return (req, body, resp, cb, timer) -> timer.schedule(
                () -> FakeUpstream.text(text, "end_turn").respond(req, body, resp, cb, timer),
                delayMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
}
