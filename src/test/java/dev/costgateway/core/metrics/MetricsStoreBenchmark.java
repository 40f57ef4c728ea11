package dev.costgateway.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.testing.PostgresServer;

import dev.costgateway.core.metrics.MetricsQueries.ReportGrouping;
import dev.costgateway.core.metrics.MetricsQueries.RequestQuery;

/**
 * Store benchmarks; run with {@code mvn -B -o -Pbench test -Dtest=MetricsStoreBenchmark}. Prints the figures.
 * Writes one million generated records over 90 days through the real writer (measuring its sustained rate and
 * the cost of {@code record()} on the caller; generating the records is not timed), then times the dashboard,
 * summary, timeline and report queries. {@code -Dbench.rows=N} changes the row count, {@code -Dbench.url=jdbc:...}
 * the database; {@code -Dbench.db=postgresql} starts a real PostgreSQL of its own (default durability: fsync on
 * every commit) and measures against it.
 */
@Tag("bench")
class MetricsStoreBenchmark {

    private static final int ROWS = Integer.getInteger("bench.rows", 1_000_000);
    private static final int CHUNK = 50_000;
    /** Dashboard, summary, timeline, report and Prometheus queries, median of 10. */
    private static final long DASHBOARD_LIMIT_MILLIS = 200;
    /** Sorted, filtered request pages for the desktop request browser (sorts the range's rows). */
    private static final long BROWSE_LIMIT_MILLIS = 1000;

    @TempDir
    Path dataDir;

    @Test
    void writesAMillionRecordsAndAnswersDashboardQueriesFast() {
        Instant now = Instant.parse("2025-06-01T10:17:23Z");
        MutableClock clock = new MutableClock(now);
        String url = System.getProperty("bench.url", "");
        PostgresServer postgres = null;
        if ("postgresql".equals(System.getProperty("bench.db"))) {
            postgres = PostgresServer.startDurable();
            url = postgres.freshDatabase();
        }
        GatewayConfig.Metrics cfg = new GatewayConfig.Metrics(url, false, 500, 90, 65_536);
        try (PostgresServer closeLast = postgres; MetricsStore store = MetricsStore.open(cfg, dataDir, clock)) {
            System.out.printf(Locale.ROOT, "database: %s%n", store.health().database());
            List<RequestRecord> kinds = MetricsStoreTest.everyKindAt(now);
            Random random = new Random(7);
            long span = Duration.ofDays(89).toMillis();
            long[] callNanos = new long[ROWS];
            long writingNanos = 0;
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long writerId = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("metrics-writer")).findFirst().orElseThrow().getId();
            long writerCpuStart = threads.getThreadCpuTime(writerId);
            for (int done = 0; done < ROWS; done += CHUNK) {
                int n = Math.min(CHUNK, ROWS - done);
                RequestRecord[] chunk = new RequestRecord[n];
                for (int i = 0; i < n; i++) {
                    RequestRecord kind = kinds.get(random.nextInt(kinds.size()));
                    // time-ordered with jitter, as traffic arrives
                    long offset = span - span * (done + i) / ROWS + random.nextInt(60_000);
                    Instant t = now.minusMillis(offset);
                    chunk[i] = Records.withLatency(Records.at(kind, "b" + (done + i), t), random.nextInt(30_000));
                }
                long chunkStart = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    store.record(chunk[i]);
                    callNanos[done + i] = System.nanoTime() - t0;
                }
                store.flush();
                writingNanos += System.nanoTime() - chunkStart;
            }
            double seconds = writingNanos / 1e9;
            double writerCpuSeconds = (threads.getThreadCpuTime(writerId) - writerCpuStart) / 1e9;
            Arrays.sort(callNanos);
            System.out.printf(Locale.ROOT, "writer: %d records in %.1f s = %.0f records/s sustained, dropped %d%n",
                    ROWS, seconds, ROWS / seconds, store.droppedRecords());
            System.out.printf(Locale.ROOT, "writer thread CPU: %.1f s = %.0f records per CPU second "
                    + "(machine load average %.1f on %d cores)%n", writerCpuSeconds, ROWS / writerCpuSeconds,
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "record() on the caller: p50 %.2f us, p99 %.2f us, p99.9 %.2f us%n",
                    callNanos[ROWS / 2] / 1e3, callNanos[(int) (ROWS * 0.99)] / 1e3,
                    callNanos[(int) (ROWS * 0.999)] / 1e3);
            assertThat(store.droppedRecords()).isZero();
            assertThat(store.summary(null, null).requests()).isEqualTo(ROWS);

            if (postgres != null) {
                // Right after a bulk load PostgreSQL has no statistics yet and plans an open-ended time range
                // as a third of the table; autovacuum analyses it within a minute or so in steady state.
                try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
                        java.sql.Statement st = c.createStatement()) {
                    st.execute("ANALYZE");
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
                System.out.println("ANALYZE done (what autovacuum does shortly after a load)");
            }
            Instant day = now.minus(Duration.ofHours(24));
            Instant week = now.minus(Duration.ofDays(7));
            LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
            time("summary, all history", () -> store.summary(null, null));
            time("summary, last 24 h (partial hours)", () -> store.summary(day, null));
            time("summary, last 7 d", () -> store.summary(week, now));
            time("timeline, 24 h by hour", () -> store.timeline(day, null, Duration.ofHours(1)));
            time("timeline, 1 h by minute", () -> store.timeline(now.minus(Duration.ofHours(1)), null,
                    Duration.ofMinutes(1)));
            time("timeline, 90 d by day", () -> store.timeline(now.minus(Duration.ofDays(90)), null,
                    Duration.ofDays(1)));
            time("recent 50", () -> store.requests(RequestQuery.latest(50)));
            // the dashboard's escalation card reads at most the last day
            time("escalations by start tier, last 24 h", () -> store.escalationsByStartModel(day, null));
            time("requests, top 50 by cost in 7 d (browser)", BROWSE_LIMIT_MILLIS, () -> store.requests(
                    new RequestQuery(week, null, null, MetricsQueries.SortField.COST, true, 50)));
            time("report by day, 30 d", () -> store.report(today.minusDays(30), today, ReportGrouping.DAY));
            time("report by model, all", () -> store.report(null, null, ReportGrouping.MODEL));
            time("counters + latency histogram (Prometheus)", () -> List.of(store.counters(null, null),
                    store.latencyHistogram(null, null)));
        }
    }

    private static void time(String what, Supplier<Object> query) {
        time(what, DASHBOARD_LIMIT_MILLIS, query);
    }

    private static void time(String what, long limitMillis, Supplier<Object> query) {
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            query.get();
        }
        for (int i = 0; i < 10; i++) {
            long t0 = System.nanoTime();
            query.get();
            micros.add((System.nanoTime() - t0) / 1_000);
        }
        micros.sort(null);
        System.out.printf(Locale.ROOT, "%-45s median %7.1f ms, max %7.1f ms%n", what, micros.get(5) / 1e3,
                micros.get(9) / 1e3);
        assertThat(micros.get(5)).as(what).isLessThan(limitMillis * 1000);
    }
}
