package dev.costgateway.core.budget;

import java.util.Locale;
import java.util.Objects;

/**
 * One spending limit from the {@code budgets:} list of {@code config.yaml}.
 *
 * @param name          shown in the UI and in the error a blocked client receives
 * @param period        the window the limit applies to; it resets at the window's start in the budget time zone
 * @param limitUsd      the limit in USD, &gt; 0
 * @param scope         whose spend counts: everybody's, each caller key's own, or each project's own
 * @param warnAtPercent the share of the limit at which the budget warns (1-100)
 * @param action        what happens at the limit: a warning only, or {@code /v1/messages} refused with a 429
 */
public record Budget(String name, Period period, double limitUsd, Scope scope, int warnAtPercent, Action action) {

    public static final int DEFAULT_WARN_AT_PERCENT = 80;

    public enum Period {
        DAY, MONTH;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Scope {
        ALL, KEY, PROJECT;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Action {
        WARN, BLOCK;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Budget {
        Objects.requireNonNull(name);
        Objects.requireNonNull(period);
        Objects.requireNonNull(scope);
        Objects.requireNonNull(action);
        if (!(limitUsd > 0) || Double.isInfinite(limitUsd)) {
            throw new IllegalArgumentException("limit_usd must be a positive amount: " + limitUsd);
        }
        if (warnAtPercent < 1 || warnAtPercent > 100) {
            throw new IllegalArgumentException("warn_at_percent must be 1-100: " + warnAtPercent);
        }
    }

    public double warnAtUsd() {
        return limitUsd * warnAtPercent / 100.0;
    }
}
