package dev.costgateway.core.budget;

import java.time.Instant;
import java.util.List;

/**
 * The spend of the other gateway instances writing the same metrics store (the team's PostgreSQL), never this
 * gateway's own: {@link BudgetTracker#refreshOthers} adds it to the spend this gateway counts itself. Implementations
 * block (a database read): call them off request threads.
 */
@FunctionalInterface
public interface OthersSpend {

    /**
     * One caller key and project's spend in a range.
     *
     * @param callerKeyHash empty when the caller sent no key
     * @param project       empty when the request had none
     */
    record KeySpend(String callerKeyHash, String project, double usd) {
    }

    /**
     * Spend of the other instances' requests with {@code from <= timestamp < to}; {@code to} null for no upper
     * bound. The store keeps spend per quarter hour, so both bounds are taken to their quarter hour (every time
     * zone in use has midnight on one).
     */
    List<KeySpend> spendBetween(Instant from, Instant to);
}
