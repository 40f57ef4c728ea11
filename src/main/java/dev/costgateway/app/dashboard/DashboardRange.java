package dev.costgateway.app.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/** The ranges the dashboard offers, each with the chart bucket width that gives a readable number of points. */
public enum DashboardRange {
    TODAY("Today", Duration.ofHours(1)),
    LAST_7_DAYS("7 days", Duration.ofHours(6)),
    LAST_30_DAYS("30 days", Duration.ofDays(1)),
    ALL("All time", Duration.ofDays(1));

    private final String label;
    private final Duration bucket;

    DashboardRange(String label, Duration bucket) {
        this.label = label;
        this.bucket = bucket;
    }

    public String label() {
        return label;
    }

    public Duration bucket() {
        return bucket;
    }

    /** Inclusive start of the range, or null for all time. */
    public Instant from(Instant now, ZoneId zone) {
        LocalDate today = LocalDate.ofInstant(now, zone);
        return switch (this) {
            case TODAY -> today.atStartOfDay(zone).toInstant();
            case LAST_7_DAYS -> today.minusDays(6).atStartOfDay(zone).toInstant();
            case LAST_30_DAYS -> today.minusDays(29).atStartOfDay(zone).toInstant();
            case ALL -> null;
        };
    }

    @Override
    public String toString() {
        return label;
    }
}
