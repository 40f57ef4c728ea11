package dev.costgateway.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.metrics.MetricsQueries.ReportGrouping;
import dev.costgateway.core.metrics.MetricsQueries.SessionQuery;
import dev.costgateway.core.session.SessionTag;

/**
 * Session queries at one million request rows; run with
 * {@code mvn -B -o -Pbench test -Dtest=SessionsBenchmark}. The history: 90 days, four in five requests in agent
 * sessions of about 100 turns (five running at a time, in eight projects), one in five a one-shot SDK request with
 * its own derived session (so about 210 000 sessions). Prints the writer's rate with session upkeep and the query
 * times; the session list must answer in {@value #LIST_LIMIT_MILLIS} ms (median of 10).
 */
@Tag("bench")
class SessionsBenchmark {

    private static final int ROWS = Integer.getInteger("bench.rows", 1_000_000);
    /** {@code -Dbench.sessions=false} records the same history without sessions, to price the session upkeep. */
    private static final boolean SESSIONS = Boolean.parseBoolean(System.getProperty("bench.sessions", "true"));
    private static final int CHUNK = 50_000;
    private static final long LIST_LIMIT_MILLIS = 200;
    private static final long REPORT_LIMIT_MILLIS = 2000;

    @TempDir
    Path dataDir;

    @Test
    void sessionListAnswersFastAtAMillionRows() {
        Instant now = Instant.parse("2025-06-01T10:17:23Z");
        GatewayConfig.Metrics cfg = new GatewayConfig.Metrics(System.getProperty("bench.url", ""), false, 500, 90,
                65_536);
        try (MetricsStore store = MetricsStore.open(cfg, dataDir, new MutableClock(now))) {
            List<RequestRecord> kinds = MetricsStoreTest.everyKindAt(now);
            Random random = new Random(7);
            long span = Duration.ofDays(89).toMillis();
            SessionTag[] running = new SessionTag[5];
            int[] left = new int[running.length];
            int sessions = 0;
            String someSession = null;
            long writingNanos = 0;
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long writerId = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("metrics-writer")).findFirst().orElseThrow().getId();
            long writerCpuStart = threads.getThreadCpuTime(writerId);
            for (int done = 0; done < ROWS; done += CHUNK) {
                int n = Math.min(CHUNK, ROWS - done);
                RequestRecord[] chunk = new RequestRecord[n];
                for (int i = 0; i < n; i++) {
                    RequestRecord kind = kinds.get(random.nextInt(kinds.size()));
                    long offset = span - span * (done + i) / ROWS + random.nextInt(60_000);
                    RequestRecord r = Records.withLatency(Records.at(kind, "b" + (done + i), now.minusMillis(offset)),
                            random.nextInt(30_000));
                    SessionTag tag;
                    if (random.nextInt(5) == 0) {
                        tag = new SessionTag("conv-" + (done + i), SessionTag.Source.DERIVED, "", 0);
                        sessions++;
                    } else {
                        int slot = random.nextInt(running.length);
                        if (left[slot] == 0) {
                            running[slot] = new SessionTag(java.util.UUID.randomUUID().toString(),
                                    SessionTag.Source.HEADER, "/home/dev/src/project-" + random.nextInt(8), 3);
                            left[slot] = 50 + random.nextInt(100);
                            sessions++;
                        }
                        left[slot]--;
                        tag = running[slot];
                        someSession = tag.id();
                    }
                    chunk[i] = SESSIONS ? r.withSession(tag) : r;
                }
                long t0 = System.nanoTime();
                for (RequestRecord r : chunk) {
                    store.record(r);
                }
                store.flush();
                writingNanos += System.nanoTime() - t0;
            }
            System.out.printf(Locale.ROOT, "writer, sessions " + (SESSIONS ? "on" : "off") + ": %d records (%d sessions) in %.1f s = "
                    + "%.0f records/s, dropped %d%n", ROWS, sessions, writingNanos / 1e9,
                    ROWS / (writingNanos / 1e9), store.droppedRecords());
            double writerCpuSeconds = (threads.getThreadCpuTime(writerId) - writerCpuStart) / 1e9;
            System.out.printf(Locale.ROOT, "writer thread CPU: %.1f s = %.0f records per CPU second "
                    + "(machine load average %.1f)%n", writerCpuSeconds, ROWS / writerCpuSeconds,
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            assertThat(store.droppedRecords()).isZero();
            if (!SESSIONS) {
                return;
            }

            Instant day = now.minus(Duration.ofHours(24));
            Instant week = now.minus(Duration.ofDays(7));
            String session = someSession;
            time("sessions, latest 50", LIST_LIMIT_MILLIS, () -> store.sessions(SessionQuery.latest(50)));
            time("sessions, last 24 h, 50 (cut ones from rows)", LIST_LIMIT_MILLIS,
                    () -> store.sessions(new SessionQuery(day, null, null, 50)));
            time("sessions, last 7 d, 1000", LIST_LIMIT_MILLIS,
                    () -> store.sessions(new SessionQuery(week, now, null, 1000)));
            time("sessions, one project, 50", LIST_LIMIT_MILLIS,
                    () -> store.sessions(new SessionQuery(null, null, "/home/dev/src/project-3", 50)));
            time("one session's requests", LIST_LIMIT_MILLIS, () -> store.sessionRequests(session, 10_000));
            LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
            time("report by project, 30 d", REPORT_LIMIT_MILLIS,
                    () -> store.report(today.minusDays(30), today, ReportGrouping.PROJECT));
        }
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
