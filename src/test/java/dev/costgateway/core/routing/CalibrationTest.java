package dev.costgateway.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.costgateway.core.decision.RoutingThresholds;
import dev.costgateway.core.decision.DifficultyScore;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;

class CalibrationTest {

    private static final RouterModel SHIPPED = RouterModel.load();

    private static GatewayConfig.Routing shares(double premium, double fast) {
        return new GatewayConfig.Routing(GatewayConfig.RoutingMode.AUTO, false, 50000, 12, true, true, true, true,
                true, premium, fast, null, null);
    }

    private static double shareAtOrAbove(double[] values, double threshold) {
        return Arrays.stream(values).filter(v -> v >= threshold).count() / (double) values.length;
    }

    private static double shareBelow(double[] values, double threshold) {
        return Arrays.stream(values).filter(v -> v < threshold).count() / (double) values.length;
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.02, 0.07, 0.1, 0.25, 0.4, 0.6, 0.9})
    void aShareSettingGivesThatShareOfTheShippedReference(double share) {
        for (String model : new String[] {RouterModel.WITH_EMBEDDING, RouterModel.FEATURES_ONLY}) {
            RoutingThresholds t = Calibration.of(shares(share, share), SHIPPED, model);
            double[] premium = SHIPPED.reference(model, RouterModel.HEAD_PREMIUM);
            double[] balanced = SHIPPED.reference(model, RouterModel.HEAD_BALANCED);
            assertThat(shareAtOrAbove(premium, t.premium())).as(model + " premium").isCloseTo(share, within(0.02));
            assertThat(shareBelow(balanced, t.fast())).as(model + " fast").isCloseTo(share, within(0.02));
        }
    }

    @Test
    void calibrationCarriesOverToFreshScoresFromTheSameDistribution() {
        // The reference is a sample; new traffic from the same distribution must get about the configured share.
        Random random = new Random(11);
        double[] reference = new double[2000];
        for (int i = 0; i < reference.length; i++) {
            reference[i] = RouterModel.sigmoid(random.nextGaussian() * 2 - 1);
        }
        Arrays.sort(reference);
        double[] fresh = new double[20000];
        for (int i = 0; i < fresh.length; i++) {
            fresh[i] = RouterModel.sigmoid(random.nextGaussian() * 2 - 1);
        }
        for (double share : new double[] {0.05, 0.1, 0.3, 0.5}) {
            assertThat(shareAtOrAbove(fresh, Calibration.premiumThresholdForShare(reference, share)))
                    .isCloseTo(share, within(0.03));
            assertThat(shareBelow(fresh, Calibration.fastThresholdForShare(reference, share)))
                    .isCloseTo(share, within(0.03));
        }
    }

    @Test
    void raisingThePremiumShareNeverMovesARequestDown() {
        Random random = new Random(5);
        for (int i = 0; i < 2000; i++) {
            double p = random.nextDouble();
            DifficultyScore s = new DifficultyScore(p, Math.max(p, random.nextDouble()), RouterModel.WITH_EMBEDDING);
            double fast = random.nextDouble() * 0.5;
            Tier previous = null;
            for (double share = 0; share <= 1.0001; share += 0.05) {
                Tier t = Calibration.of(shares(share, fast), SHIPPED, s.model()).tierFor(s);
                if (previous != null) {
                    assertThat(t.isAbove(previous) || t == previous)
                            .as("%s at premium share %.2f after %s", s, share, previous).isTrue();
                }
                previous = t;
            }
        }
    }

    @Test
    void raisingTheFastShareNeverMovesARequestUp() {
        Random random = new Random(6);
        for (int i = 0; i < 2000; i++) {
            double p = random.nextDouble();
            DifficultyScore s = new DifficultyScore(p, Math.max(p, random.nextDouble()), RouterModel.FEATURES_ONLY);
            Tier previous = null;
            for (double share = 0; share <= 1.0001; share += 0.05) {
                Tier t = Calibration.of(shares(0.25, share), SHIPPED, s.model()).tierFor(s);
                if (previous != null) {
                    assertThat(previous.isAbove(t) || t == previous).as("%s at fast share %.2f", s, share).isTrue();
                }
                previous = t;
            }
        }
    }

    @Test
    void sharesOfZeroAndOneSendNothingAndEverything() {
        DifficultyScore top = new DifficultyScore(1.0, 1.0, RouterModel.WITH_EMBEDDING);
        DifficultyScore bottom = new DifficultyScore(0.0, 0.0, RouterModel.WITH_EMBEDDING);
        assertThat(Calibration.of(shares(0, 0), SHIPPED, top.model()).tierFor(top)).isEqualTo(Tier.BALANCED);
        assertThat(Calibration.of(shares(0, 0), SHIPPED, top.model()).tierFor(bottom)).isEqualTo(Tier.BALANCED);
        assertThat(Calibration.of(shares(1, 0), SHIPPED, top.model()).tierFor(bottom)).isEqualTo(Tier.PREMIUM);
        assertThat(Calibration.of(shares(0, 1), SHIPPED, top.model()).tierFor(top)).isEqualTo(Tier.FAST);
    }

    @Test
    void rawThresholdsOverrideTheShares() {
        GatewayConfig.Routing r = new GatewayConfig.Routing(GatewayConfig.RoutingMode.AUTO, false, 50000, 12, true,
                true, true, true, true, 0.9, 0.0, 0.8, null);
        RoutingThresholds t = Calibration.of(r, SHIPPED, RouterModel.WITH_EMBEDDING);
        assertThat(t.premium()).isEqualTo(0.8);
        assertThat(t.source()).isEqualTo("raw/share");
        assertThat(t.tierFor(new DifficultyScore(0.79, 0.99, RouterModel.WITH_EMBEDDING)))
                .isEqualTo(Tier.BALANCED);
        assertThat(t.tierFor(new DifficultyScore(0.8, 0.99, RouterModel.WITH_EMBEDDING)))
                .isEqualTo(Tier.PREMIUM);
    }

    @Test
    void rawThresholdsAreReadFromTheConfigurationAndAnEmptyValueMeansUnset() {
        GatewayConfig cfg = TestConfigs.with("routing:\n  thresholds:\n    premium: 0.6\n    fast: \"\"\n");
        assertThat(cfg.routing().premiumThreshold()).isEqualTo(0.6);
        assertThat(cfg.routing().fastThreshold()).isNull();
        assertThat(TestConfigs.defaults().routing().premiumThreshold()).isNull();
        assertThat(TestConfigs.defaults().routing().premiumShare())
                .isEqualTo(GatewayConfig.Routing.DEFAULT_PREMIUM_SHARE);
        assertThat(TestConfigs.defaults().routing().fastShare()).isEqualTo(GatewayConfig.Routing.DEFAULT_FAST_SHARE);
    }

    @Test
    void rankIsTheShareOfReferenceScoresBelow() {
        double[] ref = {0.1, 0.2, 0.2, 0.4};
        assertThat(Calibration.rank(ref, 0.05)).isZero();
        assertThat(Calibration.rank(ref, 0.2)).isEqualTo(0.25);
        assertThat(Calibration.rank(ref, 0.3)).isEqualTo(0.75);
        assertThat(Calibration.rank(ref, 1)).isEqualTo(1);
    }
}
