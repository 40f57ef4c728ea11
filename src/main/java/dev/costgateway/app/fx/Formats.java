package dev.costgateway.app.fx;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How rates, tokens and times read everywhere in the app (money: {@link Money}). */
public final class Formats {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss",
            Locale.ROOT);

    private Formats() {
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

    /**
     * A path for a narrow label: under {@code home} it starts with {@code ~}, and at most the last three names
     * are kept ({@code …/cost-gateway/config.yaml}); the full path belongs in a tooltip.
     */
    public static String shortPath(Path file, Path home) {
        Path abs = file.toAbsolutePath().normalize();
        String sep = abs.getFileSystem().getSeparator();
        Path rest = abs;
        String prefix = abs.getRoot() == null ? "" : abs.getRoot().toString();
        if (home != null && abs.startsWith(home.toAbsolutePath().normalize())) {
            rest = home.toAbsolutePath().normalize().relativize(abs);
            prefix = "~" + sep;
        } else if (abs.getRoot() != null) {
            rest = abs.getRoot().relativize(abs);
        }
        int n = rest.getNameCount();
        if (n > 3) {
            return prefix + "…" + sep + rest.subpath(n - 3, n).toString();
        }
        return prefix + rest;
    }

    public static String time(Instant t, ZoneId zone) {
        return TIME.format(t.atZone(zone));
    }

    public static String dateTime(Instant t, ZoneId zone) {
        return DATE_TIME.format(t.atZone(zone));
    }
}
