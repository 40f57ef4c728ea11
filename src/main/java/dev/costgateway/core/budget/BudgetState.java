package dev.costgateway.core.budget;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Where one budget stands for one scope value (everybody, one caller key, or one project) in the current period.
 *
 * @param scopeValue     empty for {@code scope: all}; the caller key hash or the project otherwise (never a key)
 * @param scopeLabel     what a person sees: {@code all}, {@code key …abcd} (last four characters only), the project
 * @param spentUsd       spend so far in this period, including records still waiting in the metrics queue
 * @param projectedUsd   the spend at the period's end if the rate so far goes on
 * @param overriddenUntil when a person allowed requests past the limit, until when; null otherwise
 * @param othersUsd      the part of {@code spentUsd} that other gateway instances sharing the metrics store spent,
 *                       as of their last refresh ({@link BudgetTracker#sharing()}); 0 with one gateway
 */
public record BudgetState(
        Budget budget,
        String scopeValue,
        String scopeLabel,
        double spentUsd,
        double projectedUsd,
        Level level,
        Instant periodStart,
        Instant resetsAt,
        Instant overriddenUntil,
        double othersUsd) {

    public enum Level {
        OK, WARNING, EXCEEDED;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public double percent() {
        return 100.0 * spentUsd / budget.limitUsd();
    }

    /** Dollars as people read them: cents, or enough decimals to tell a fraction of a cent from zero. */
    public static String usd(double v) {
        if (v == 0 || Math.abs(v) >= 0.01) {
            return String.format(Locale.ROOT, "$%.2f", v);
        }
        return "$" + new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros()
                .toPlainString();
    }

    /** Whether {@code /v1/messages} is refused because of this budget right now. */
    public boolean blocking() {
        return level == Level.EXCEEDED && budget.action() == Budget.Action.BLOCK && overriddenUntil == null;
    }

    /** The error message a refused client reads: the budget, its limit, what was spent and when it resets. */
    public String refusalMessage(ZoneId zone) {
        String reset = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).format(resetsAt.atZone(zone));
        return String.format(Locale.ROOT, "Budget \"%s\" reached: %s spent of its %s %s limit (%s). "
                        + "It resets at %s %s. Cached answers are still served; raise limit_usd in config.yaml or "
                        + "allow requests for an hour from the app.",
                budget.name(), usd(spentUsd), usd(budget.limitUsd()), budget.period() == Budget.Period.DAY ? "daily" : "monthly",
                scopeLabel, reset, zone.getId());
    }
}
