package dev.costgateway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;

import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.costgateway.testing.GatewayHarness;
import dev.costgateway.testing.PostgresServer;

/**
 * Whether recording to a shared PostgreSQL costs the request path anything beyond the embedded H2: two gateways
 * side by side (default H2, and {@code metrics.jdbc_url} on a real durable PostgreSQL), measured in alternating
 * rounds against the same kind of fake upstream. Run: {@code mvn -B -Pbench test
 * -Dtest=PostgresMetricsOverheadBenchmark}. Prints added p50/p99 over direct calls for each.
 */
@Tag("bench")
class PostgresMetricsOverheadBenchmark {

    private static final String BASE = "routing:\n  mode: off\ncache:\n  enabled: false\n  use_semantic_cache: false\n";

    @Test
    void requestPathCostsTheSameWithPostgresMetrics() throws Exception {
        try (PostgresServer pg = PostgresServer.startDurable();
                GatewayHarness h2 = GatewayHarness.start(BASE);
                GatewayHarness postgres = GatewayHarness.start(BASE + "metrics:\n  jdbc_url: \""
                        + pg.freshDatabase() + "\"\n")) {
            HttpClient c = ProxyBenchmark.client(64);
            try {
                long[][] direct = new long[2][];
                long[][] viaH2 = new long[2][];
                long[][] viaPg = new long[2][];
                ProxyBenchmark.sequential(c, h2.upstream.baseUrl(), 2000, 100);
                ProxyBenchmark.sequential(c, h2.url(), 2000, 100);
                ProxyBenchmark.sequential(c, postgres.url(), 2000, 100);
                for (int round = 0; round < 2; round++) {
                    direct[round] = ProxyBenchmark.sequential(c, h2.upstream.baseUrl(), 200, 3000);
                    viaH2[round] = ProxyBenchmark.sequential(c, h2.url(), 200, 3000);
                    viaPg[round] = ProxyBenchmark.sequential(c, postgres.url(), 200, 3000);
                }
                long[] d = ProxyBenchmark.merge(direct[0], direct[1]);
                long[] a = ProxyBenchmark.merge(viaH2[0], viaH2[1]);
                long[] p = ProxyBenchmark.merge(viaPg[0], viaPg[1]);
                System.out.printf(Locale.ROOT, "%n== PostgresMetricsOverheadBenchmark (same run, alternating) ==%n"
                        + "direct p50 %.3f ms p99 %.3f ms%n"
                        + "gateway, H2 metrics:         added p50 %.3f ms p99 %.3f ms%n"
                        + "gateway, PostgreSQL metrics: added p50 %.3f ms p99 %.3f ms%n",
                        ProxyBenchmark.pct(d, .5), ProxyBenchmark.pct(d, .99),
                        ProxyBenchmark.pct(a, .5) - ProxyBenchmark.pct(d, .5),
                        ProxyBenchmark.pct(a, .99) - ProxyBenchmark.pct(d, .99),
                        ProxyBenchmark.pct(p, .5) - ProxyBenchmark.pct(d, .5),
                        ProxyBenchmark.pct(p, .99) - ProxyBenchmark.pct(d, .99));
                postgres.gateway.flushMetrics();
                assertThat(postgres.gateway.metrics().summary(null, null).requests())
                        .as("every request went to PostgreSQL").isEqualTo(2100 + 2 * 3200);
                assertThat(postgres.gateway.recorder().droppedRecords()).isZero();
            } finally {
                c.stop();
            }
        }
    }
}
