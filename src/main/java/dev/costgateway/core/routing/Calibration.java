package dev.costgateway.core.routing;

import java.util.Arrays;

import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.decision.RoutingThresholds;

/**
 * Turns the routing settings into {@link RoutingThresholds} for one model's scores.
 *
 * <p>From shares (the default) by quantile calibration, RouteLLM's method: {@code routing.premium_share} = s gives
 * the premium threshold that a fraction s of the reference scores reach; {@code routing.fast_share} = f gives the
 * fast threshold that a fraction f of the reference "needs at least balanced" scores stay below. The reference is
 * the model's own out-of-fold score distribution over its reference prompts, shipped with the weights
 * ({@link RouterModel}). Raw thresholds ({@code routing.thresholds.*}) override the shares when set.
 */
public final class Calibration {

    private Calibration() {
    }

    /** Thresholds for one model's scores under a configuration. */
    public static RoutingThresholds of(GatewayConfig.Routing r, RouterModel model, String modelName) {
        double[] refPremium = model.reference(modelName, RouterModel.HEAD_PREMIUM);
        double[] refBalanced = model.reference(modelName, RouterModel.HEAD_BALANCED);
        double premium = r.premiumThreshold() != null ? r.premiumThreshold()
                : premiumThresholdForShare(refPremium, r.premiumShare());
        double fast = r.fastThreshold() != null ? r.fastThreshold() : fastThresholdForShare(refBalanced, r.fastShare());
        String source = (r.premiumThreshold() != null ? "raw" : "share")
                + (r.premiumThreshold() != null == (r.fastThreshold() != null) ? ""
                : "/" + (r.fastThreshold() != null ? "raw" : "share"));
        return new RoutingThresholds(premium, fast, source);
    }
    /** A threshold that about {@code share} of the sorted reference scores reach (≥). */
    static double premiumThresholdForShare(double[] sorted, double share) {
        if (share <= 0) {
            return Double.POSITIVE_INFINITY;
        }
        if (share >= 1) {
            return Double.NEGATIVE_INFINITY;
        }
        return quantile(sorted, 1 - share);
    }

    /** A threshold that about {@code share} of the sorted reference scores stay below (<). */
    static double fastThresholdForShare(double[] sorted, double share) {
        if (share <= 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (share >= 1) {
            return Double.POSITIVE_INFINITY;
        }
        return quantile(sorted, share);
    }

    /** Linear interpolation between order statistics (the "type 7" quantile); {@code sorted} ascending. */
    static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("empty reference");
        }
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /** Fraction of the sorted reference scores below {@code x}: where a score sits in the reference traffic. */
    static double rank(double[] sorted, double x) {
        if (Double.isInfinite(x)) {
            return x > 0 ? 1 : 0;
        }
        int i = Arrays.binarySearch(sorted, x);
        if (i < 0) {
            i = -i - 1;
        } else {
            while (i > 0 && sorted[i - 1] == x) {
                i--;
            }
        }
        return (double) i / sorted.length;
    }
}
