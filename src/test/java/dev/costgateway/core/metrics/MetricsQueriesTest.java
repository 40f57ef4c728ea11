package dev.costgateway.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.costgateway.core.metrics.MetricsQueries.ReportGrouping;
import dev.costgateway.core.metrics.MetricsQueries.ReportRow;
import dev.costgateway.core.metrics.MetricsQueries.RequestQuery;
import dev.costgateway.core.metrics.MetricsQueries.SortField;
import dev.costgateway.core.metrics.MetricsQueries.Summary;
import dev.costgateway.core.metrics.MetricsQueries.TimelinePoint;

/**
 * Queries checked against sums computed record by record over a random but seeded history of three days, on
 * each database the store supports.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ParameterizedClass(name = "{0}")
@EnumSource(StoreBackend.class)
class MetricsQueriesTest {

    @Parameter
    StoreBackend backend;

    private static final Instant START = Instant.parse("2025-03-10T00:00:00Z");

    @TempDir
    static Path dataDir;

    private MetricsStore store;
    private final List<RequestRecord> history = new ArrayList<>();

    @BeforeParameterizedClassInvocation
    void seed() {
        history.clear();
        Path dir = dataDir.resolve(backend.name());
        store = MetricsStore.open(StoreBackend.on(backend.prepare(dir), Records.config(true, 10_000)), dir,
                new MutableClock(START.plus(Duration.ofDays(3))));
        Random random = new Random(42);
        List<RequestRecord> kinds = MetricsStoreTest.everyKindAt(START);
        for (int i = 0; i < 3000; i++) {
            RequestRecord kind = kinds.get(random.nextInt(kinds.size()));
            Instant t = START.plusMillis((long) (random.nextDouble() * Duration.ofDays(3).toMillis()));
            RequestRecord r = Records.withLatency(Records.at(kind, "q" + i, t), random.nextInt(20_000));
            history.add(r);
            store.record(r);
        }
        store.flush();
    }

    @AfterParameterizedClassInvocation
    void close() {
        store.close();
    }

    @Test
    void summarisesWholeHistoryLikeTheRecordsAddUp() {
        assertSummaryMatches(null, null);
    }

    @Test
    void summarisesRangesThatCutHoursInTheMiddle() {
        assertSummaryMatches(START.plusSeconds(3600 * 5 + 1234), START.plusSeconds(3600 * 30 + 17));
        assertSummaryMatches(START.plusSeconds(60 * 7), START.plusSeconds(60 * 50));
        assertSummaryMatches(START.plusSeconds(3600 * 40 + 5), null);
        assertSummaryMatches(null, START.plusSeconds(3600 * 10 + 999));
    }

    @Test
    void summaryOfAnEmptyRangeIsZero() {
        Summary s = store.summary(START.minus(Duration.ofDays(9)), START.minus(Duration.ofDays(8)));
        assertThat(s.requests()).isZero();
        assertThat(s.savingsPercent()).isZero();
        assertThat(s.latencyP95Millis()).isZero();
        assertThat(s.cacheHitRate()).isZero();
    }

    @Test
    void estimatesLatencyPercentilesWithinABucket() {
        Summary s = store.summary(null, null);
        long[] sorted = history.stream().mapToLong(RequestRecord::latencyMillis).sorted().toArray();
        long p50 = sorted[sorted.length / 2];
        long p95 = sorted[(int) (sorted.length * 0.95)];
        assertThat((double) s.latencyP50Millis()).isCloseTo(p50, within(p50 * 0.25));
        assertThat((double) s.latencyP95Millis()).isCloseTo(p95, within(p95 * 0.25));
    }

    @Test
    void timelineBucketsAddUpPerHourAndPerMinute() {
        Instant from = START.plusSeconds(3600 * 2 + 600);
        Instant to = START.plusSeconds(3600 * 60 + 1);
        for (Duration bucket : List.of(Duration.ofHours(1), Duration.ofHours(3), Duration.ofMinutes(10),
                Duration.ofDays(1))) {
            Map<Instant, List<RequestRecord>> expected = history.stream()
                    .filter(inRange(from, to))
                    .collect(Collectors.groupingBy(r -> bucketStart(r.timestamp(), bucket), TreeMap::new,
                            Collectors.toList()));
            List<TimelinePoint> points = store.timeline(from, to, bucket);
            assertThat(points).extracting(TimelinePoint::bucketStart).containsExactlyElementsOf(expected.keySet());
            for (TimelinePoint p : points) {
                List<RequestRecord> rs = expected.get(p.bucketStart());
                assertThat(p.requests()).isEqualTo(rs.size());
                assertThat(p.costUsd()).isCloseTo(sum(rs, RequestRecord::costUsd), within(1e-9));
                assertThat(p.exactHits()).isEqualTo(rs.stream().filter(r -> "exact".equals(r.cacheKind())).count());
                assertThat(p.requestsByTier().values().stream().mapToLong(Long::longValue).sum())
                        .isEqualTo(rs.size());
            }
        }
    }

    @Test
    void reportsPerDayModelTierAndRequestTotalTheSummary() {
        LocalDate day1 = LocalDate.of(2025, 3, 10);
        LocalDate day2 = LocalDate.of(2025, 3, 11);
        Summary s = store.summary(day1.atStartOfDay().toInstant(ZoneOffset.UTC),
                day2.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC));
        for (ReportGrouping g : ReportGrouping.values()) {
            List<ReportRow> rows = store.report(day1, day2, g);
            assertThat(rows.stream().mapToLong(ReportRow::requests).sum()).as(g.name()).isEqualTo(s.requests());
            assertThat(rows.stream().mapToDouble(ReportRow::costUsd).sum()).isCloseTo(s.costUsd(), within(1e-9));
            assertThat(rows.stream().mapToDouble(ReportRow::savedUsd).sum()).isCloseTo(s.savedUsd(), within(1e-9));
            assertThat(rows.stream().mapToLong(ReportRow::cacheHits).sum())
                    .isEqualTo(s.exactHits() + s.semanticHits());
        }
        assertThat(store.report(day1, day2, ReportGrouping.DAY)).extracting(ReportRow::key)
                .containsExactly("2025-03-10", "2025-03-11");
        assertThat(store.report(day1, day2, ReportGrouping.TIER)).extracting(ReportRow::key)
                .containsExactly("", "balanced", "fast", "premium");
    }

    @Test
    void searchesSortsAndLimitsRequestsInTheDatabase() {
        List<RequestRecord> costly = store.requests(new RequestQuery(null, null, null, SortField.COST, true, 5));
        double maxCost = history.stream().filter(r -> r.costUsd() != null).mapToDouble(RequestRecord::costUsd)
                .max().orElseThrow();
        assertThat(costly).hasSize(5);
        assertThat(costly.get(0).costUsd()).isEqualTo(maxCost);

        List<RequestRecord> overloaded = store.requests(new RequestQuery(null, null, "OVERLOADED", SortField.TIME,
                false, 1000));
        assertThat(overloaded).hasSize((int) history.stream()
                .filter(r -> "overloaded_error".equals(r.errorType())).count());
        assertThat(overloaded).isSortedAccordingTo((a, b) -> a.timestamp().compareTo(b.timestamp()));

        assertThat(store.requests(new RequestQuery(null, null, "theorem", SortField.LATENCY, true, 3)))
                .hasSize(3).allMatch(r -> r.promptPreview().contains("theorem"))
                .isSortedAccordingTo((a, b) -> Long.compare(b.latencyMillis(), a.latencyMillis()));
        assertThat(store.requests(new RequestQuery(null, null, "100%_", SortField.TIME, true, 3))).isEmpty();
        assertThat(store.requests(RequestQuery.latest(5000))).hasSize(MetricsReader.MAX_LIMIT);
    }

    @Test
    void countersSplitTotalsByModelTierAndCacheKind() {
        List<MetricsQueries.CounterRow> rows = store.counters(null, null);
        assertThat(rows.stream().mapToLong(MetricsQueries.CounterRow::requests).sum()).isEqualTo(history.size());
        long exactHaiku = history.stream().filter(r -> "exact".equals(r.cacheKind())).count();
        assertThat(rows).filteredOn(r -> r.cacheKind().equals("exact"))
                .singleElement().satisfies(r -> {
                    assertThat(r.requests()).isEqualTo(exactHaiku);
                    assertThat(r.model()).isEqualTo("claude-haiku-4-5-20251001");
                    assertThat(r.tier()).isEqualTo("fast");
                });
        MetricsQueries.LatencyHistogram h = store.latencyHistogram(null, null);
        assertThat(h.count()).isEqualTo(history.size());
        assertThat(h.sumMillis()).isEqualTo(history.stream().mapToLong(RequestRecord::latencyMillis).sum());
    }

    private void assertSummaryMatches(Instant from, Instant to) {
        List<RequestRecord> rs = history.stream().filter(inRange(from, to)).toList();
        Summary s = store.summary(from, to);
        assertThat(s.requests()).isEqualTo(rs.size());
        assertThat(s.costUsd()).isCloseTo(sum(rs, RequestRecord::costUsd), within(1e-9));
        assertThat(s.counterfactualUsd()).isCloseTo(sum(rs, RequestRecord::counterfactualUsd), within(1e-9));
        assertThat(s.savedUsd()).isCloseTo(sum(rs, RequestRecord::savedUsd), within(1e-9));
        assertThat(s.savingsPercent()).isCloseTo(s.savedUsd() / s.counterfactualUsd() * 100, within(1e-9));
        assertThat(s.exactHits()).isEqualTo(rs.stream().filter(r -> "exact".equals(r.cacheKind())).count());
        assertThat(s.semanticHits()).isEqualTo(rs.stream().filter(r -> "semantic".equals(r.cacheKind())).count());
        assertThat(s.escalatedRequests()).isEqualTo(rs.stream().filter(r -> r.escalations() > 0).count());
        assertThat(s.errors()).isEqualTo(rs.stream().filter(r -> r.errorType() != null).count());
        assertThat(s.requestsByModel()).isEqualTo(rs.stream().collect(Collectors.groupingBy(
                r -> r.finalModel() == null ? "" : r.finalModel(), Collectors.counting())));
        assertThat(s.requestsByLayer()).isEqualTo(rs.stream().collect(Collectors.groupingBy(
                RequestRecord::classifierLayer, Collectors.counting())));
        assertThat(s.requestsByTier().get("premium"))
                .isEqualTo(rs.stream().filter(r -> "premium".equals(r.tier())).count());
    }

    private static Predicate<RequestRecord> inRange(Instant from, Instant to) {
        return r -> (from == null || !r.timestamp().isBefore(from)) && (to == null || r.timestamp().isBefore(to));
    }

    private static Instant bucketStart(Instant t, Duration bucket) {
        long b = bucket.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(t.toEpochMilli(), b) * b).truncatedTo(ChronoUnit.MILLIS);
    }

    private static double sum(List<RequestRecord> rs, java.util.function.Function<RequestRecord, Double> f) {
        return rs.stream().map(f).filter(v -> v != null).mapToDouble(Double::doubleValue).sum();
    }
}
