package dev.costgateway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import dev.costgateway.testing.FakeUpstream;
import dev.costgateway.testing.GatewayHarness;

/** A client that hangs up must cancel the upstream exchange: no leaked upstream streams. */
class ClientHangUpIT {

    static void await(BooleanSupplier condition, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeoutMillis + " ms");
            }
            Thread.sleep(10);
        }
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
}
