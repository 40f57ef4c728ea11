package dev.costgateway.app.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import dev.costgateway.core.metrics.MetricsQueries;

/**
 * Spend per hour over the last 5 and 60 minutes, today so far, and this month projected to its end: spent so far
 * plus the average of the last 7 days (whole days before today, plus today so far) times the days left.
 *
 * @param perHour5m     cost of the last 5 minutes × 12
 * @param perHour60m    cost of the last 60 minutes
 * @param dailyAverage  cost of the last 7 × 24 hours / 7
 */
public record BurnRate(double perHour5m, double perHour60m, double today, double monthSoFar, double dailyAverage,
        double monthProjected) {

    public static final BurnRate ZERO = new BurnRate(0, 0, 0, 0, 0, 0);

    /** Reads the five sums it needs from the store (each a rollup read). Blocks: call off the FX thread. */
    public static BurnRate read(MetricsQueries q, Instant now, ZoneId zone) {
        ZonedDateTime local = now.atZone(zone);
        Instant today = local.toLocalDate().atStartOfDay(zone).toInstant();
        Instant month = local.toLocalDate().withDayOfMonth(1).atStartOfDay(zone).toInstant();
        return of(q.summary(now.minus(Duration.ofMinutes(5)), null).costUsd(),
                q.summary(now.minus(Duration.ofMinutes(60)), null).costUsd(), q.summary(today, null).costUsd(),
                q.summary(month, null).costUsd(), q.summary(now.minus(Duration.ofDays(7)), null).costUsd(), now,
                zone);
    }

    static BurnRate of(double cost5m, double cost60m, double today, double monthSoFar, double last7Days, Instant now,
            ZoneId zone) {
        LocalDate day = now.atZone(zone).toLocalDate();
        Instant monthEnd = day.withDayOfMonth(1).plusMonths(1).atStartOfDay(zone).toInstant();
        double daysLeft = Duration.between(now, monthEnd).toSeconds() / 86_400.0;
        double daily = last7Days / 7;
        return new BurnRate(cost5m * 12, cost60m, today, monthSoFar, daily, monthSoFar + daily * daysLeft);
    }
}
