package dev.costgateway.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.metrics.MetricsQueries.SessionQuery;
import dev.costgateway.core.metrics.MetricsQueries.SessionRow;
import dev.costgateway.core.session.CacheHealth;
import dev.costgateway.core.session.SessionTag;

/**
 * The sessions table counts each session's prompt-cache findings as batches arrive, across batches, a restart
 * of the store (the trackers are gone and the session is judged again from its rows), and sessions that never
 * cache; the figures equal {@link CacheHealth#check} over the same requests.
 */
class SessionCacheHealthTest {

    private static final Instant START = Instant.parse("2026-12-01T09:00:00Z");
    private static final String OPUS = "claude-opus-4-7";
    private static final CacheHealth.Prices PRICES =
            new CacheHealth.Prices(m -> OptionalDouble.of(5.0), 1.25, 2.0, 0.1);

    @TempDir
    Path dataDir;

    /** A Claude Code-like turn on Opus: {@code written} cache-write tokens, {@code read} cache-read tokens. */
    private static RequestRecord turn(String session, int n, Instant at, long written, long read) {
        Usage u = new Usage(12, 300, written, written, 0, read);
        return new RequestRecord(session + "-" + n, at, "hash-abc", OPUS, OPUS, "premium", "rule", "tools",
                "none", 0, false, 200, null, u, 0.01, 0.01, 0.0, 900, 100, 880, null, null, List.of())
                .withSession(new SessionTag(session, SessionTag.Source.HEADER, "/home/ana/shop", 2));
    }

    private MetricsStore open() {
        MetricsStore store = MetricsStore.open(Records.config(false, 10_000), dataDir,
                new MutableClock(START.plus(Duration.ofDays(1))));
        store.priceCacheHealthWith(() -> PRICES);
        return store;
    }

    private static SessionRow row(MetricsStore store, String id) {
        return store.sessions(SessionQuery.latest(100)).stream().filter(s -> s.sessionId().equals(id))
                .findFirst().orElseThrow();
    }

    @Test
    void findingsAreCountedBatchByBatchAndAgainAfterARestart() {
        List<RequestRecord> changing = new ArrayList<>();
        // turn 0 writes 30 k; every later turn writes it all again a minute later: the prefix changes every turn
        for (int i = 0; i < 6; i++) {
            changing.add(turn("changing", i, START.plusSeconds(60L * i), 30_000, 0));
        }
        List<RequestRecord> clean = new ArrayList<>();
        clean.add(turn("clean", 0, START, 30_000, 0));
        for (int i = 1; i < 6; i++) {
            clean.add(turn("clean", i, START.plusSeconds(60L * i), 400, 30_000 + 400L * (i - 1)));
        }
        List<CacheHealth.Warning> expected =
                CacheHealth.check(changing.stream().map(RequestRecord::cacheTurn).toList(), PRICES);
        assertThat(expected).hasSize(5).allMatch(w -> w.kind() == CacheHealth.Kind.REWRITE_WITHIN_TTL);

        try (MetricsStore store = open()) {
            for (int i = 0; i < 4; i++) { // one batch per turn: the tracker follows the session
                store.record(changing.get(i));
                store.record(clean.get(i));
                store.flush();
            }
            SessionRow after4 = row(store, "changing");
            assertThat(after4.cacheWarnings()).isEqualTo(3);
            assertThat(after4.cacheWastedUsd()).isCloseTo(CacheHealth.totalUsd(expected.subList(0, 3)), within(1e-12));
            assertThat(row(store, "clean").cacheWarnings()).isZero();
        }
        try (MetricsStore store = open()) { // restarted: no tracker, the session is judged from all its rows
            store.record(changing.get(4));
            store.record(changing.get(5));
            store.record(clean.get(4));
            store.record(clean.get(5));
            store.flush();
            SessionRow all = row(store, "changing");
            assertThat(all.cacheWarnings()).isEqualTo(5);
            assertThat(all.cacheWastedUsd()).isCloseTo(CacheHealth.totalUsd(expected), within(1e-12));
            assertThat(all.cacheWastedUsd()).isCloseTo(5 * 30_000 * 5.0 * (1.25 - 0.1) / 1e6, within(1e-12));
            assertThat(row(store, "clean").cacheWarnings()).isZero();
            assertThat(row(store, "clean").cacheWastedUsd()).isZero();

            // the dashboard's card: one SQL sum over the sessions table, only sessions with findings counted
            MetricsQueries.CacheHealthTotals totals = store.cacheHealthTotals(START, null);
            assertThat(totals.sessions()).isEqualTo(1);
            assertThat(totals.warnings()).isEqualTo(5);
            assertThat(totals.wastedUsd()).isCloseTo(CacheHealth.totalUsd(expected), within(1e-12));
            assertThat(store.cacheHealthTotals(START.plus(Duration.ofHours(1)), null))
                    .as("no session active after the range starts").isEqualTo(MetricsQueries.CacheHealthTotals.NONE);
        }
    }

    @Test
    void aRangeThatCutsASessionKeepsTheWholeSessionsFindings() {
        try (MetricsStore store = open()) {
            for (int i = 0; i < 4; i++) {
                store.record(turn("cut", i, START.plusSeconds(60L * i), 30_000, 0));
            }
            store.flush();
            List<SessionRow> ranged = store.sessions(new SessionQuery(START.plusSeconds(150), null, null, 10));
            assertThat(ranged).singleElement().satisfies(s -> {
                assertThat(s.requests()).isEqualTo(1);
                assertThat(s.cacheWarnings()).isEqualTo(3);
            });
        }
    }
}
