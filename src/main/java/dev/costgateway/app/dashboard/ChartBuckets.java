package dev.costgateway.app.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.costgateway.core.metrics.MetricsQueries.TimelinePoint;

/**
 * Chart buckets that show a new user's first requests: when a range holds only a few minutes of activity, its
 * usual bucket (an hour for Today) would draw one or two points, which a line chart shows as a dot or as nothing.
 * Then a finer bucket is chosen, and empty buckets are filled with zeros, so activity and quiet both show.
 * Pure: no JavaFX, unit-tested.
 */
final class ChartBuckets {

    /** Finest first; every one divides the next, so buckets stay aligned to the epoch like the store's. */
    static final List<Duration> LADDER = List.of(Duration.ofMinutes(1), Duration.ofMinutes(5),
            Duration.ofMinutes(15), Duration.ofHours(1), Duration.ofHours(6), Duration.ofDays(1));

    /** Fewer points than this and a chart reads as a dot. */
    static final int MIN_POINTS = 6;

    /** Beyond this many buckets gaps are not filled (a long range of sparse use stays as the store returns it). */
    static final int MAX_FILLED = 400;

    private ChartBuckets() {
    }

    /**
     * The bucket for a range whose first activity is at {@code firstActivity}: the range's own bucket when that
     * gives at least {@link #MIN_POINTS} buckets up to now, else the coarsest finer one that does, else one minute.
     */
    static Duration choose(Duration rangeBucket, Instant firstActivity, Instant now) {
        Duration span = Duration.between(firstActivity, now);
        if (buckets(span, rangeBucket) >= MIN_POINTS) {
            return rangeBucket;
        }
        Duration best = LADDER.get(0);
        for (Duration b : LADDER) {
            if (b.compareTo(rangeBucket) < 0 && buckets(span, b) >= MIN_POINTS) {
                best = b;
            }
        }
        return best;
    }

    private static long buckets(Duration span, Duration bucket) {
        return span.toMillis() / bucket.toMillis() + 1;
    }

    static Instant floor(Instant t, Duration bucket) {
        long w = bucket.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(t.toEpochMilli(), w) * w);
    }

    /**
     * Every bucket from the first point (or earlier, so at least {@link #MIN_POINTS} buckets end at {@code now})
     * to the bucket holding {@code now}, with zeros where nothing happened.
     */
    static List<TimelinePoint> fill(List<TimelinePoint> points, Duration bucket, Instant now) {
        if (points.isEmpty()) {
            return points;
        }
        Instant last = floor(now, bucket);
        Instant first = floor(points.get(0).bucketStart(), bucket);
        Instant earliest = last.minus(bucket.multipliedBy(MIN_POINTS - 1));
        if (earliest.isBefore(first)) {
            first = earliest;
        }
        long count = Duration.between(first, last).toMillis() / bucket.toMillis() + 1;
        if (count > MAX_FILLED || points.get(points.size() - 1).bucketStart().isAfter(last)) {
            return points;
        }
        List<TimelinePoint> out = new ArrayList<>((int) count);
        int i = 0;
        for (Instant t = first; !t.isAfter(last); t = t.plus(bucket)) {
            if (i < points.size() && points.get(i).bucketStart().equals(t)) {
                out.add(points.get(i++));
            } else {
                out.add(new TimelinePoint(t, 0, 0, 0, 0, 0, 0, 0, Map.of(), Map.of()));
            }
        }
        return i == points.size() ? out : points; // a point off the grid: keep the store's answer as it is
    }
}
