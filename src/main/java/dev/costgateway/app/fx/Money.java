package dev.costgateway.app.fx;

import java.util.Locale;

/**
 * The one money formatter of the app: dashboard cards and axes, the request table and its detail, reports, the
 * status bar. Every form puts the sign before the dollar ({@code -$0.01}) and shows amounts under a cent with more
 * digits, so the fractions of a cent a small request costs never all read {@code $0.00}. Unknown amounts
 * ({@code null}) read {@code —}.
 */
public final class Money {
    private Money() {
    }

    /** {@code $1,234.57}; under a cent {@code $0.0059}; zero {@code $0.00}. */
    public static String usd(double amount) {
        double abs = Math.abs(amount);
        if (abs == 0) {
            return "$0.00";
        }
        return signed(amount, abs < 0.01 ? "$%.4f" : "$%,.2f", abs);
    }

    public static String usd(Double amount) {
        return amount == null ? "—" : usd(amount.doubleValue());
    }

    /** At most 6 characters, for a narrow column: {@code $0.0059}, {@code $0.02}, {@code $12.40}, {@code $1.2k}. */
    public static String compact(Double amount) {
        if (amount == null) {
            return "—";
        }
        double abs = Math.abs(amount);
        if (abs == 0) {
            return "$0";
        }
        if (abs < 0.01) {
            return signed(amount, "$%.4f", abs);
        }
        if (abs < 1000) {
            return signed(amount, "$%.2f", abs);
        }
        return signed(amount, "$%.1fk", abs / 1000);
    }

    /** Six decimals, the precision of the metrics and of {@code X-Gateway-Saved-USD}: {@code $0.000236}. */
    public static String exact(Double amount) {
        return amount == null ? "—" : signed(amount, "$%.6f", Math.abs(amount));
    }

    /**
     * An axis tick, with enough decimals to tell ticks {@code tickUnit} apart: a day of light use is fractions of a
     * cent, so ticks 0.0005 apart read {@code $0.0005}, {@code $0.0010}; from $10 with whole-dollar ticks, none.
     */
    public static String tick(double amount, double tickUnit) {
        int decimals = amount >= 10 && tickUnit >= 1 ? 0
                : tickUnit > 0 && tickUnit < 0.01 ? Math.min(6, (int) Math.ceil(-Math.log10(tickUnit))) : 2;
        return signed(amount, "$%." + decimals + "f", Math.abs(amount));
    }

    private static String signed(double amount, String pattern, double abs) {
        return (amount < 0 ? "-" : "") + String.format(Locale.ROOT, pattern, abs);
    }
}
