package dev.costgateway.core.config;

import java.util.Locale;
import java.util.Optional;

/** The three price tiers, cheapest first. {@link #ordinal()} is the order of strength. */
public enum Tier {
    FAST, BALANCED, PREMIUM;

    /** The name used in config files, headers and metrics: {@code fast}, {@code balanced}, {@code premium}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Tier> fromId(String id) {
        for (Tier t : values()) {
            if (t.id().equalsIgnoreCase(id)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The next stronger tier, or empty for the strongest. */
    public Optional<Tier> stronger() {
        return ordinal() + 1 < values().length ? Optional.of(values()[ordinal() + 1]) : Optional.empty();
    }

    public boolean isAbove(Tier other) {
        return ordinal() > other.ordinal();
    }
}
