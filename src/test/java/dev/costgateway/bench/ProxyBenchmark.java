package dev.costgateway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.costgateway.testing.FakeUpstream;
import dev.costgateway.testing.GatewayHarness;

/**
 * The proxy's overhead, measured against the in-process fake upstream in the same run (ratios, because these
 * 2-core machines are noisy): sequential latency, throughput at 32 connections, streaming time to first byte,
 * and 500 concurrent slow streams. Run: {@code mvn -B -Pbench test -Dtest=ProxyBenchmark}.
 */
@Tag("bench")
class ProxyBenchmark {

    static final String BODY = "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"What is the capital of France?\"}]}";
    static final String STREAM_BODY = BODY.replace("\"max_tokens\":64,", "\"max_tokens\":64,\"stream\":true,");

    static HttpClient client(int maxConnections) throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(64);
        pool.setName("bench-client");
        HttpClient c = new HttpClient();
        c.setExecutor(pool);
        c.setMaxConnectionsPerDestination(maxConnections);
        c.setMaxRequestsQueuedPerDestination(100_000);
        c.start();
        return c;
    }

    static Request post(HttpClient c, String url, String body) {
        return c.newRequest(url + "/v1/messages").method("POST")
                .headers(h -> h.put("x-api-key", "sk-ant-bench").put("anthropic-version", "2023-06-01"))
                .body(new BytesRequestContent("application/json", body.getBytes(StandardCharsets.UTF_8)));
    }

    static long[] sequential(HttpClient c, String url, int warmup, int n) throws Exception {
        for (int i = 0; i < warmup; i++) {
            post(c, url, BODY).send();
        }
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            ContentResponse r = post(c, url, BODY).send();
            t[i] = System.nanoTime() - s;
            if (r.getStatus() != 200) {
                throw new AssertionError("status " + r.getStatus());
            }
        }
        Arrays.sort(t);
        return t;
    }

    static double pct(long[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))] / 1e6;
    }

    /** Requests per second with {@code concurrency} requests always in flight, for {@code millis}. */
    static double throughput(HttpClient c, String url, int concurrency, long millis) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicInteger errors = new AtomicInteger();
        long end = System.nanoTime() + millis * 1_000_000;
        CountDownLatch finished = new CountDownLatch(concurrency);
        long start = System.nanoTime();
        for (int w = 0; w < concurrency; w++) {
            new Object() {
                void next() {
                    if (System.nanoTime() > end) {
                        finished.countDown();
                        return;
                    }
                    post(c, url, BODY).send(result -> {
                        if (result.isFailed() || result.getResponse().getStatus() != 200) {
                            errors.incrementAndGet();
                        } else {
                            done.incrementAndGet();
                        }
                        next();
                    });
                }
            }.next();
        }
        finished.await(millis + 30_000, TimeUnit.MILLISECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(errors.get()).as("errors").isZero();
        return done.get() / seconds;
    }

    /** Milliseconds from send to the first body byte of a stream. */
    static long[] ttfb(HttpClient c, String url, int n) throws Exception {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            CountDownLatch first = new CountDownLatch(1);
            CountDownLatch complete = new CountDownLatch(1);
            long[] at = new long[1];
            long s = System.nanoTime();
            post(c, url, STREAM_BODY).onResponseContent((r, buf) -> {
                if (first.getCount() == 1) {
                    at[0] = System.nanoTime();
                    first.countDown();
                }
            }).send(result -> complete.countDown());
            first.await(10, TimeUnit.SECONDS);
            complete.await(10, TimeUnit.SECONDS);
            t[i] = at[0] - s;
        }
        Arrays.sort(t);
        return t;
    }

    @Test
    void proxyOverhead() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("routing:\n  mode: off\ncache:\n  enabled: false\n"
                + "  use_semantic_cache: false\n")) {
            String direct = h.upstream.baseUrl();
            String gateway = h.url();
            HttpClient c = client(64);
            try {
                StringBuilder report = new StringBuilder("\n== ProxyBenchmark (same run, same machine) ==\n");
                // sequential latency, alternating to spread noise evenly
                long[] d1 = sequential(c, direct, 2000, 3000);
                long[] g1 = sequential(c, gateway, 2000, 3000);
                long[] d2 = sequential(c, direct, 500, 3000);
                long[] g2 = sequential(c, gateway, 500, 3000);
                long[] d = merge(d1, d2);
                long[] g = merge(g1, g2);
                report.append(String.format(Locale.ROOT,
                        "sequential small JSON: direct p50 %.3f ms p99 %.3f ms | gateway p50 %.3f ms p99 %.3f ms"
                                + " | added p50 %.3f ms p99 %.3f ms%n",
                        pct(d, .5), pct(d, .99), pct(g, .5), pct(g, .99), pct(g, .5) - pct(d, .5),
                        pct(g, .99) - pct(d, .99)));

                throughput(c, direct, 32, 2000);
                throughput(c, gateway, 32, 2000);
                double td = throughput(c, direct, 32, 5000);
                double tg = throughput(c, gateway, 32, 5000);
                report.append(String.format(Locale.ROOT,
                        "throughput at 32 connections: direct %.0f req/s | gateway %.0f req/s | ratio %.1f %%%n",
                        td, tg, 100 * tg / td));

                h.upstream.setFallback(h.upstream.sse(
                        FakeUpstream.textEvents("claude-sonnet-4-6", "Paris is the capital.", "end_turn"), 20, -1));
                ttfb(c, direct, 30);
                ttfb(c, gateway, 30);
                long[] sd = ttfb(c, direct, 100);
                long[] sg = ttfb(c, gateway, 100);
                report.append(String.format(Locale.ROOT,
                        "streaming TTFB: direct p50 %.3f ms | gateway p50 %.3f ms | added %.3f ms%n",
                        pct(sd, .5), pct(sg, .5), pct(sg, .5) - pct(sd, .5)));
                System.out.println(report);
            } finally {
                c.stop();
            }
        }
    }

    @Test
    void fiveHundredSlowStreams() throws Exception {
        try (GatewayHarness h = GatewayHarness.start("routing:\n  mode: off\ncache:\n  enabled: false\n"
                + "  use_semantic_cache: false\n")) {
            List<String> events = new ArrayList<>(FakeUpstream.textEvents("claude-sonnet-4-6", "x", "end_turn"));
            List<String> slow = new ArrayList<>(events.subList(0, 2));
            for (int i = 0; i < 30; i++) {
                slow.add("event: ping\ndata: {\"type\": \"ping\"}\n\n");
            }
            slow.addAll(events.subList(2, events.size()));
            h.upstream.setFallback(h.upstream.sse(slow, 100, -1));
            HttpClient c = client(600);
            try {
                int n = 500;
                CountDownLatch done = new CountDownLatch(n);
                AtomicInteger ok = new AtomicInteger();
                AtomicInteger failed = new AtomicInteger();
                System.gc();
                long heapBefore = usedHeap();
                int threadsBefore = Thread.activeCount();
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    post(c, h.url(), STREAM_BODY).timeout(60, TimeUnit.SECONDS).send(new org.eclipse.jetty.client
                            .BufferingResponseListener(1 << 20) {
                        @Override
                        public void onComplete(org.eclipse.jetty.client.Result result) {
                            if (!result.isFailed() && getContentAsString().contains("message_stop")) {
                                ok.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                            }
                            done.countDown();
                        }
                    });
                }
                // sample while all streams are open
                Thread.sleep(2000);
                long heapDuring = usedHeap();
                int threadsDuring = Thread.activeCount();
                long proxyThreads = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().startsWith("gateway-")).count();
                done.await(90, TimeUnit.SECONDS);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf(Locale.ROOT, "%n== 500 concurrent slow streams (one event per 100 ms, ~3.5 s each) =="
                                + "%nok %d, failed %d, wall %.1f s; JVM heap used during: %d MiB (before %d MiB);"
                                + " threads during %d (before %d), gateway-* threads %d%n",
                        ok.get(), failed.get(), seconds, heapDuring >> 20, heapBefore >> 20, threadsDuring,
                        threadsBefore, proxyThreads);
                assertThat(failed.get()).isZero();
                assertThat(ok.get()).isEqualTo(n);
            } finally {
                c.stop();
            }
        }
    }

    static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    static long[] merge(long[] a, long[] b) {
        long[] m = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, m, a.length, b.length);
        Arrays.sort(m);
        return m;
    }
}
