package dev.costgateway.app.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.costgateway.core.metrics.MetricsQueries.TimelinePoint;

class ChartBucketsTest {
    static final Instant NOW = Instant.parse("2026-12-01T15:07:30Z");

    static TimelinePoint point(String at, long requests) {
        return new TimelinePoint(Instant.parse(at), requests, 0.01 * requests, 0.02 * requests, 0, 0, 100, 200,
                Map.of(), Map.of());
    }

    @Test
    void aRangeWithEnoughHistoryKeepsItsOwnBucket() {
        assertThat(ChartBuckets.choose(Duration.ofHours(1), NOW.minus(Duration.ofHours(9)), NOW))
                .isEqualTo(Duration.ofHours(1));
    }

    @Test
    void littleActivityGetsTheCoarsestBucketThatStillDrawsALine() {
        assertThat(ChartBuckets.choose(Duration.ofHours(1), NOW.minus(Duration.ofMinutes(40)), NOW))
                .isEqualTo(Duration.ofMinutes(5));
        assertThat(ChartBuckets.choose(Duration.ofHours(1), NOW.minus(Duration.ofMinutes(10)), NOW))
                .isEqualTo(Duration.ofMinutes(1));
        assertThat(ChartBuckets.choose(Duration.ofDays(1), NOW.minus(Duration.ofHours(3)), NOW))
                .isEqualTo(Duration.ofMinutes(15));
        assertThat(ChartBuckets.choose(Duration.ofHours(1), NOW, NOW)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void gapsAreFilledWithZerosUpToNowAndAtLeastSixBucketsAreShown() {
        List<TimelinePoint> filled = ChartBuckets.fill(List.of(point("2026-12-01T15:05:00Z", 2)),
                Duration.ofMinutes(1), NOW);
        assertThat(filled).extracting(p -> p.bucketStart().toString()).containsExactly("2026-12-01T15:02:00Z",
                "2026-12-01T15:03:00Z", "2026-12-01T15:04:00Z", "2026-12-01T15:05:00Z", "2026-12-01T15:06:00Z",
                "2026-12-01T15:07:00Z");
        assertThat(filled).extracting(TimelinePoint::requests).containsExactly(0L, 0L, 0L, 2L, 0L, 0L);

        List<TimelinePoint> longer = ChartBuckets.fill(List.of(point("2026-12-01T14:50:00Z", 1),
                point("2026-12-01T15:00:00Z", 3)), Duration.ofMinutes(5), NOW);
        assertThat(longer).extracting(TimelinePoint::requests).containsExactly(0L, 0L, 1L, 0L, 3L, 0L);
        assertThat(longer.get(0).bucketStart()).isEqualTo(Instant.parse("2026-12-01T14:40:00Z"));
    }

    @Test
    void longSparseRangesAndOffGridPointsAreLeftAsTheStoreReturnedThem() {
        List<TimelinePoint> sparse = List.of(point("2026-01-01T00:00:00Z", 1));
        assertThat(ChartBuckets.fill(sparse, Duration.ofMinutes(1), NOW)).isSameAs(sparse);
        List<TimelinePoint> offGrid = List.of(point("2026-12-01T15:05:30Z", 1));
        assertThat(ChartBuckets.fill(offGrid, Duration.ofMinutes(1), NOW)).isSameAs(offGrid);
        assertThat(ChartBuckets.fill(List.of(), Duration.ofMinutes(1), NOW)).isEmpty();
    }
}
