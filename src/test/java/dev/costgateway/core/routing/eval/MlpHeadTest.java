package dev.costgateway.core.routing.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** The trainer's experimental hidden-layer head: it learns what a logistic regression cannot, reproducibly. */
class MlpHeadTest {

    /** XOR of the signs of two inputs, 400 points on a grid: no single dot product separates it. */
    private static double[][] xs() {
        double[][] x = new double[400][];
        int k = 0;
        for (int i = 0; i < 20; i++) {
            for (int j = 0; j < 20; j++) {
                x[k++] = new double[] {(i - 9.5) / 10, (j - 9.5) / 10};
            }
        }
        return x;
    }

    private static double[] ys(double[][] x) {
        return Arrays.stream(x).mapToDouble(p -> p[0] * p[1] > 0 ? 1 : 0).toArray();
    }

    private static RouterModelTrainer.TrainedHead fit(double[][] x, long seed) {
        double[] w = new double[x.length];
        Arrays.fill(w, 1.0 / x.length);
        return MlpHead.fit(x, ys(x), w, new double[] {0, 0}, new double[] {0.58, 0.58}, 8, 1e-4, 600, 0.03, seed);
    }

    @Test
    void learnsXorWhichNoLogisticRegressionCan() {
        double[][] x = xs();
        double[] y = ys(x);
        RouterModelTrainer.TrainedHead h = fit(x, 7);
        int right = 0;
        for (int i = 0; i < x.length; i++) {
            right += (h.logit(x[i]) > 0) == (y[i] == 1) ? 1 : 0;
        }
        assertThat(right).as("of 400 (a linear model gets about half)").isGreaterThan(360);
    }

    @Test
    void theSameSeedGivesTheSameWeightsAndAnotherSeedOthers() {
        double[][] x = xs();
        RouterModelTrainer.TrainedHead a = fit(x, 7);
        RouterModelTrainer.TrainedHead b = fit(x, 7);
        RouterModelTrainer.TrainedHead c = fit(x, 8);
        assertThat(b.hiddenW()).containsExactly(a.hiddenW());
        assertThat(b.w()).containsExactly(a.w());
        assertThat(b.b()).isEqualTo(a.b());
        assertThat(c.hiddenW()).isNotEqualTo(a.hiddenW());
    }
}
