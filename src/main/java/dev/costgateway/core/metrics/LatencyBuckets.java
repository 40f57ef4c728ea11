package dev.costgateway.core.metrics;

import java.util.Arrays;
import java.util.List;

/**
 * Fixed latency buckets shared by the store's histogram tables and the exports. Bounds are round numbers about
 * 25 % apart, so a percentile estimated inside one bucket is off by at most that much; they include the
 * Prometheus-style bounds 10, 25, 50, 100, 250, 500 ms, 1, 2.5, 5, 10, 25, 60 s.
 */
final class LatencyBuckets {

    /** Inclusive upper bound of each finite bucket; bucket {@code UPPER_BOUNDS_MILLIS.length} is +Inf. */
    static final long[] UPPER_BOUNDS_MILLIS = {
        1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 70, 80, 100,
        120, 150, 200, 250, 300, 400, 500, 600, 700, 800, 1000,
        1200, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 7000, 8000, 10000,
        12000, 15000, 20000, 25000, 30000, 40000, 50000, 60000, 70000, 80000, 100000,
        120000, 150000, 200000, 250000, 300000, 400000, 500000, 600000};

    static final int COUNT = UPPER_BOUNDS_MILLIS.length + 1;

    static final List<Long> BOUNDS = Arrays.stream(UPPER_BOUNDS_MILLIS).boxed().toList();

    private LatencyBuckets() {
    }

    /** The bucket of a latency: the first whose upper bound is at least it; negative latencies count as 0. */
    static int bucketOf(long latencyMillis) {
        int i = Arrays.binarySearch(UPPER_BOUNDS_MILLIS, Math.max(0, latencyMillis));
        return i >= 0 ? i : -i - 1;
    }

    /**
     * A percentile estimated from bucket counts by linear interpolation inside the bucket holding the rank;
     * 0 when there are no requests. The +Inf bucket reports the largest finite bound.
     *
     * @param fraction 0..1, e.g. 0.95
     */
    static long percentile(long[] counts, double fraction) {
        long total = Arrays.stream(counts).sum();
        if (total == 0) {
            return 0;
        }
        double rank = fraction * total;
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) {
                continue;
            }
            if (seen + counts[i] >= rank) {
                if (i >= UPPER_BOUNDS_MILLIS.length) {
                    return UPPER_BOUNDS_MILLIS[UPPER_BOUNDS_MILLIS.length - 1];
                }
                long lower = i == 0 ? 0 : UPPER_BOUNDS_MILLIS[i - 1];
                long upper = UPPER_BOUNDS_MILLIS[i];
                double within = (rank - seen) / counts[i];
                return Math.round(lower + within * (upper - lower));
            }
            seen += counts[i];
        }
        return UPPER_BOUNDS_MILLIS[UPPER_BOUNDS_MILLIS.length - 1];
    }
}
