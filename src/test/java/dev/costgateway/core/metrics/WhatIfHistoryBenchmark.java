package dev.costgateway.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.ConfigLoader;
import dev.costgateway.core.routing.RecordedTraffic;
import dev.costgateway.core.routing.RouterModel;

/**
 * The routing what-if on a large history: {@value MetricsQueries#MAX_SCORED} scored requests in the last 30 days
 * (the most the preview reads), in an H2 store of {@code bench.rows} rows. Prints the time to read them (what
 * choosing "last 30 days" costs, once, off the FX thread) and the time of one re-evaluation (what every move of
 * the knob costs). Run with {@code mvn -B -o -Pbench test -Dtest=WhatIfHistoryBenchmark}.
 */
@Tag("bench")
class WhatIfHistoryBenchmark {

    private static final int ROWS = Integer.getInteger("bench.rows", 300_000);
    private static final int CHUNK = 50_000;

    @TempDir
    Path dataDir;

    @Test
    void theKnobReEvaluatesThirtyDaysOfTrafficAtOnce() {
        Instant now = Instant.parse("2025-06-01T10:17:23Z");
        GatewayConfig.Metrics cfg = new GatewayConfig.Metrics(System.getProperty("bench.url", ""), false, 500, 90,
                65_536);
        Random random = new Random(11);
        try (MetricsStore store = MetricsStore.open(cfg, dataDir, new MutableClock(now))) {
            long span = Duration.ofDays(40).toMillis();
            for (int done = 0; done < ROWS; done += CHUNK) {
                int n = Math.min(CHUNK, ROWS - done);
                for (int i = 0; i < n; i++) {
                    long offset = span - span * (done + i) / ROWS + random.nextInt(60_000);
                    double premium = random.nextDouble();
                    double balanced = Math.min(1, premium + random.nextDouble() * 0.4);
                    RequestRecord r = Records.scored("w" + (done + i), now.minusMillis(offset)).toBuilder()
                            .requestedModel("claude-opus-4-7")
                            .routerScores(new RouterScores(premium, balanced, "embedding+features", 0.6, 0.2,
                                    "share", "premium"))
                            .build();
                    store.record(r);
                }
                store.flush();
            }
            assertThat(store.droppedRecords()).isZero();
            Instant from = now.minus(Duration.ofDays(30));
            RouterModel model = RouterModel.load();
            GatewayConfig config = ConfigLoader.defaults();
            RecordedTraffic[] traffic = new RecordedTraffic[1];
            time("read 30 days of scored requests", () -> {
                traffic[0] = RecordedTraffic.of(store.scoredRequests(from, null, MetricsQueries.MAX_SCORED), model);
                return traffic[0];
            });
            System.out.printf(Locale.ROOT, "%d scored requests in the range (store holds %d rows)%n",
                    traffic[0].size(), ROWS);
            assertThat(traffic[0].size()).isGreaterThan(ROWS / 2);
            double[] share = {0.05};
            time("one knob position (re-evaluate all of them)", () -> {
                share[0] = share[0] >= 0.9 ? 0.05 : share[0] + 0.01;
                GatewayConfig.Routing r = config.routing();
                return traffic[0].evaluate(new GatewayConfig.Routing(r.mode(), r.allowUpgrade(),
                        r.longContextTokens(), r.manyTurns(), r.conservativeTools(), r.conservativeThinking(),
                        r.conservativeMedia(), r.conservativeLongContext(), r.conservativeManyTurns(), share[0],
                        r.fastShare(), null, null), config);
            });
            System.out.printf(Locale.ROOT, "machine load average %.1f%n",
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static void time(String what, Supplier<Object> work) {
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            work.get();
        }
        for (int i = 0; i < 9; i++) {
            long t0 = System.nanoTime();
            work.get();
            micros.add((System.nanoTime() - t0) / 1_000);
        }
        micros.sort(null);
        System.out.printf(Locale.ROOT, "%-48s median %8.1f ms, min %8.1f ms, max %8.1f ms%n", what,
                micros.get(4) / 1e3, micros.get(0) / 1e3, micros.get(8) / 1e3);
    }
}
