package dev.costgateway.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.costgateway.core.cache.SemanticShare;
import dev.costgateway.testing.Await;
import dev.costgateway.testing.PostgresServer;

/**
 * How long a semantic entry published by one gateway takes to reach another (ADR 0061): from {@code publish}
 * on A (the queue hand-off the store thread makes) to B's listener holding the row (insert and NOTIFY in one
 * transaction, notification, read by id), on a real PostgreSQL, one entry at a time, 384-dim vector and a 2 KB
 * answer. Run with {@code mvn -B -o -Pbench test -Dtest=SemanticShareBenchmark}; prints the percentiles.
 */
@Tag("bench")
class SemanticShareBenchmark {

    private static final int ENTRIES = 200;

    @TempDir
    Path dirA;
    @TempDir
    Path dirB;

    @Test
    void publishToDeliveredOnAnotherGateway() throws Exception {
        String url = PostgresServer.shared().freshDatabase();
        MutableClock clock = new MutableClock(Instant.parse("2026-01-02T03:04:05Z"));
        try (MetricsDatabase da = MetricsDatabase.forUrl(url, dirA, n -> null);
                MetricsDatabase db = MetricsDatabase.forUrl(url, dirB, n -> null);
                PostgresSemanticShare a = new PostgresSemanticShare(da, "gateway-a", clock);
                PostgresSemanticShare b = new PostgresSemanticShare(db, "gateway-b", clock)) {
            BlockingQueue<SemanticShare.Entry> got = new LinkedBlockingQueue<>();
            a.start("m", 10, new Collect(new LinkedBlockingQueue<>()));
            b.start("m", 10, new Collect(got));
            Await.until(Duration.ofSeconds(10), "both listening", () -> a.status().up() && b.status().up());
            float[] vector = new float[384];
            vector[0] = 1;
            byte[] answer = new byte[2000];
            long[] micros = new long[ENTRIES];
            for (int i = 0; i < ENTRIES; i++) {
                long t0 = System.nanoTime();
                a.publish(new SemanticShare.Entry(0, "", "m", "g", "s", "prompt " + i, vector, answer,
                        clock.millis(), clock.millis() + 86_400_000L));
                SemanticShare.Entry e = got.poll(5, TimeUnit.SECONDS);
                assertThat(e).isNotNull();
                assertThat(e.prompt()).isEqualTo("prompt " + i);
                micros[i] = (System.nanoTime() - t0) / 1000;
            }
            Arrays.sort(micros);
            System.out.printf("semantic share, publish on A -> row at B's listener, %d entries: p50 %.1f ms, "
                    + "p95 %.1f ms, p99 %.1f ms, max %.1f ms%n", ENTRIES, micros[ENTRIES / 2] / 1000.0,
                    micros[ENTRIES * 95 / 100] / 1000.0, micros[ENTRIES * 99 / 100] / 1000.0,
                    micros[ENTRIES - 1] / 1000.0);
        }
    }

    private record Collect(BlockingQueue<SemanticShare.Entry> into) implements SemanticShare.Listener {
        @Override
        public void added(SemanticShare.Entry entry) {
            into.add(entry);
        }

        @Override
        public void evicted(SemanticShare.Eviction eviction) {
        }
    }
}
