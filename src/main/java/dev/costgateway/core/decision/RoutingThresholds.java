package dev.costgateway.core.decision;

import java.util.Locale;

import dev.costgateway.core.config.Tier;

/**
 * The two score thresholds one request is judged by, and where they came from (calibrated from the shares
 * {@code routing.premium_share}/{@code fast_share}, or the raw {@code routing.thresholds.*}; see
 * {@code routing.Calibration}).
 *
 * <p>A request goes to premium when {@code premium score ≥ premium}, else to fast when
 * {@code balanced score < fast}, else to balanced. So raising the premium share can only move a request up, and
 * raising the fast share can only move one from balanced down to fast.
 *
 * @param premium threshold on {@link DifficultyScore#premium()}
 * @param fast    threshold on {@link DifficultyScore#balanced()}
 * @param source  {@code share} or {@code raw} (per threshold: {@code raw/share} when only the premium one is
 *                overridden, {@code share/raw} when only the fast one)
 */
public record RoutingThresholds(double premium, double fast, String source) {

    /** The tier the scores ask for, before the ceiling. */
    public Tier tierFor(DifficultyScore s) {
        if (s.premium() >= premium) {
            return Tier.PREMIUM;
        }
        return s.balanced() < fast ? Tier.FAST : Tier.BALANCED;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "premium ≥ %.4f, fast < %.4f (%s)", premium, fast, source);
    }
}
