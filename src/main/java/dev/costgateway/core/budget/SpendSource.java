package dev.costgateway.core.budget;

import java.time.Instant;
import java.util.List;

/**
 * What was already spent before this process started, read once from the metrics store so a budget survives a
 * restart. Spend recorded after that is counted by {@link BudgetTracker#recordSpend} as each record enters the
 * metrics queue, so nothing waiting in the queue is missed and nothing is counted twice.
 */
@FunctionalInterface
public interface SpendSource {

    /**
     * One caller key and project's spend since the month and the day began.
     *
     * @param callerKeyHash empty when the caller sent no key
     * @param project       empty when the request had none
     */
    record Row(String callerKeyHash, String project, double sinceMonthStartUsd, double sinceDayStartUsd) {
    }

    /** Spend of requests with a timestamp at or after {@code monthStart}, split at {@code dayStart}. */
    List<Row> spendSince(Instant monthStart, Instant dayStart);

    SpendSource NONE = (monthStart, dayStart) -> List.of();
}
