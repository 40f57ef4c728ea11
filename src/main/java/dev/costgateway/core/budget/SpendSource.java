package dev.costgateway.core.budget;

import java.time.Instant;
import java.util.List;

/**
 * Spend kept in the metrics store, per caller key and project. A {@link BudgetTracker} reads two of them: this
 * gateway's own spend, once at start, so a budget survives a restart (what is spent after that is counted by
 * {@link BudgetTracker#recordSpend} as each record enters the metrics queue, so nothing waiting in the queue is
 * missed); and, with a shared PostgreSQL store, the other gateway instances' spend, read again on every
 * {@link BudgetTracker#refreshOthers} (docs/adr/0065-shared-budgets-refreshed-from-the-store.md). The two never
 * overlap, so nothing is counted twice. Implementations block (a database read): call them off request threads.
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
