package dev.costgateway.app.fx;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How money, rates, tokens and times read everywhere in the app. */
public final class Formats {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss",
            Locale.ROOT);

    private Formats() {
    }

    /** {@code $1,234.57}; below a cent shows more digits so small requests do not all read {@code $0.00}. */
    public static String usd(double amount) {
        double abs = Math.abs(amount);
        String sign = amount < 0 ? "-" : "";
        if (abs == 0) {
            return "$0.00";
        }
        if (abs < 0.01) {
            return sign + String.format(Locale.ROOT, "$%.4f", abs);
        }
        return sign + String.format(Locale.ROOT, "$%,.2f", abs);
    }

    public static String usd(Double amount) {
        return amount == null ? "—" : usd(amount.doubleValue());
    }

    /** A fraction 0..1 as {@code 12.5%}. */
    public static String percentOfOne(double fraction) {
        return percent(fraction * 100);
    }

    public static String percent(double percent) {
        return String.format(Locale.ROOT, "%.1f%%", percent);
    }

    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    public static String millis(long ms) {
        if (ms < 0) {
            return "—";
        }
        return ms < 10_000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    public static String time(Instant t, ZoneId zone) {
        return TIME.format(t.atZone(zone));
    }

    public static String dateTime(Instant t, ZoneId zone) {
        return DATE_TIME.format(t.atZone(zone));
    }
}
