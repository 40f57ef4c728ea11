package dev.costgateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.testing.FakeUpstream;
import dev.costgateway.testing.GatewayHarness;
import dev.costgateway.testing.ManualClock;

/**
 * The gateway reads time from the one injected clock only: the exact cache's TTL (Caffeine's ticker), the record's
 * timestamp and its latencies all follow a manual clock, so none of this needs a sleep.
 */
class InjectedClockIT {

    private static final String[] KEY = {"content-type", "application/json", "x-api-key", "sk-ant-key-clock",
        "anthropic-version", "2023-06-01"};
    private static final String BODY = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"What is the capital of France?\"}]}";

    @Test
    void theExactCacheExpiresWhenTheInjectedClockPassesItsTtl() throws Exception {
        ManualClock clock = new ManualClock();
        try (GatewayHarness h = GatewayHarness.start("routing:\n  mode: off\ncache:\n  exact_ttl: 60\n"
                + "  use_semantic_cache: false\n", clock)) {
            HttpResponse<byte[]> first = h.post("/v1/messages", BODY, KEY);
            // the answer is stored after its last byte went out, then recorded: wait for the record, so the entry
            // is written at the clock's start and not after the advance below
            h.recorded(first.headers().firstValue("X-Gateway-Query-ID").orElseThrow());
            clock.advance(Duration.ofSeconds(59));
            HttpResponse<byte[]> fresh = h.post("/v1/messages", BODY, KEY);
            assertThat(fresh.headers().firstValue("X-Gateway-Cache")).hasValue("exact");
            h.recorded(fresh.headers().firstValue("X-Gateway-Query-ID").orElseThrow());
            assertThat(h.upstream.received()).hasSize(1);

            clock.advance(Duration.ofSeconds(2));
            HttpResponse<byte[]> expired = h.post("/v1/messages", BODY, KEY);
            assertThat(expired.headers().firstValue("X-Gateway-Cache")).hasValue("none");
            assertThat(h.upstream.received()).hasSize(2);
        }
    }

    @Test
    void theRecordsTimestampAndLatenciesComeFromTheInjectedClock() throws Exception {
        ManualClock clock = new ManualClock();
        try (GatewayHarness h = GatewayHarness.start("routing:\n  mode: off\n", clock)) {
            FakeUpstream.Answer paris = FakeUpstream.text("Paris.", "end_turn");
            // the upstream "takes" 250 ms of gateway time to answer
            h.upstream.enqueue((request, body, response, callback, timer) -> {
                clock.advanceMillis(250);
                paris.respond(request, body, response, callback, timer);
            });
            var startedAt = clock.instant();
            HttpResponse<byte[]> r = h.post("/v1/messages", BODY, KEY);
            RequestRecord rec = h.recorded(r.headers().firstValue("X-Gateway-Query-ID").orElseThrow());

            assertThat(rec.timestamp()).isEqualTo(startedAt);
            assertThat(rec.upstreamMillis()).isEqualTo(250);
            assertThat(rec.ttfbMillis()).isEqualTo(250);
            assertThat(rec.latencyMillis()).isEqualTo(250);
            assertThat(rec.attempts()).singleElement().extracting(a -> a.latencyMillis()).isEqualTo(250L);
        }
    }
}
