package dev.costgateway.core.routing.eval;

import java.util.Random;

/**
 * One router head as a tiny network: standardised inputs → {@code hidden} ReLU units → 1 sigmoid, trained by
 * full-batch Adam on the weighted log loss plus {@code l2}/2 × |weights|² (biases not penalised). The initial
 * weights come from a {@link Random} with a fixed seed, so a re-run on the same data gives the same weights.
 * {@link RouterModelTrainer} uses it by default ({@code -Drouter.hidden=N}, 0 for logistic heads; ADR 0025 and
 * docs/routing-eval.md for what it measured).
 */
final class MlpHead {

    private MlpHead() {
    }

    /**
     * @param x       inputs, one row per example
     * @param y       labels in [0, 1]
     * @param w       example weights, summing to 1
     * @param mean    weighted input means (for standardisation)
     * @param sd      weighted input standard deviations
     * @return the head in the original input space (standardisation folded into the hidden layer)
     */
    static RouterModelTrainer.TrainedHead fit(double[][] x, double[] y, double[] w, double[] mean, double[] sd,
                                             int hidden, double l2, int steps, double lr, long seed) {
        long started = System.nanoTime();
        int n = x.length;
        int dim = mean.length;
        float[] z = new float[n * dim];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < dim; d++) {
                z[i * dim + d] = (float) ((x[i][d] - mean[d]) / sd[d]);
            }
        }
        Random random = new Random(seed);
        double[] w1 = new double[hidden * dim];
        double scale1 = Math.sqrt(2.0 / dim);
        for (int k = 0; k < w1.length; k++) {
            w1[k] = random.nextGaussian() * scale1;
        }
        double[] b1 = new double[hidden];
        double[] w2 = new double[hidden];
        double scale2 = Math.sqrt(1.0 / hidden);
        for (int j = 0; j < hidden; j++) {
            w2[j] = random.nextGaussian() * scale2;
        }
        double prior = 0;
        for (int i = 0; i < n; i++) {
            prior += w[i] * y[i];
        }
        prior = Math.min(Math.max(prior, 1e-3), 1 - 1e-3);
        double[] b2 = {Math.log(prior / (1 - prior))};

        float[] w1f = new float[w1.length];
        double[] gw1 = new double[w1.length];
        double[] gb1 = new double[hidden];
        double[] gw2 = new double[hidden];
        double[] gb2 = new double[1];
        Adam a1 = new Adam(w1.length);
        Adam ab1 = new Adam(hidden);
        Adam a2 = new Adam(hidden);
        Adam ab2 = new Adam(1);
        double[] h = new double[hidden];
        for (int t = 1; t <= steps; t++) {
            for (int k = 0; k < w1.length; k++) {
                w1f[k] = (float) w1[k];
            }
            java.util.Arrays.fill(gw1, 0);
            java.util.Arrays.fill(gb1, 0);
            java.util.Arrays.fill(gw2, 0);
            gb2[0] = 0;
            for (int i = 0; i < n; i++) {
                int zi = i * dim;
                double s = b2[0];
                for (int j = 0; j < hidden; j++) {
                    double v = b1[j] + dot(w1f, j * dim, z, zi, dim);
                    h[j] = v > 0 ? v : 0;
                    s += w2[j] * h[j];
                }
                double e = w[i] * (sigmoid(s) - y[i]);
                gb2[0] += e;
                for (int j = 0; j < hidden; j++) {
                    if (h[j] <= 0) {
                        continue;
                    }
                    gw2[j] += e * h[j];
                    double g = e * w2[j];
                    gb1[j] += g;
                    int at = j * dim;
                    for (int d = 0; d < dim; d++) {
                        gw1[at + d] += g * z[zi + d];
                    }
                }
            }
            for (int k = 0; k < w1.length; k++) {
                gw1[k] += l2 * w1[k];
            }
            for (int j = 0; j < hidden; j++) {
                gw2[j] += l2 * w2[j];
            }
            a1.step(w1, gw1, t, lr);
            ab1.step(b1, gb1, t, lr);
            a2.step(w2, gw2, t, lr);
            ab2.step(b2, gb2, t, lr);
        }
        if (dim > 100) {
            System.err.printf(java.util.Locale.ROOT,
                    "  MLP head: %d examples x %d inputs, %d hidden, %d steps: %.1f s%n", n, dim, hidden, steps,
                    (System.nanoTime() - started) / 1e9);
        }
        double[] hw = new double[hidden * dim];
        double[] hb = new double[hidden];
        for (int j = 0; j < hidden; j++) {
            hb[j] = b1[j];
            for (int d = 0; d < dim; d++) {
                hw[j * dim + d] = w1[j * dim + d] / sd[d];
                hb[j] -= w1[j * dim + d] * mean[d] / sd[d];
            }
        }
        return new RouterModelTrainer.TrainedHead(hw, hb, w2, b2[0]);
    }

    private static double dot(float[] a, int ao, float[] b, int bo, int len) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int d = 0;
        for (; d + 3 < len; d += 4) {
            s0 += a[ao + d] * b[bo + d];
            s1 += a[ao + d + 1] * b[bo + d + 1];
            s2 += a[ao + d + 2] * b[bo + d + 2];
            s3 += a[ao + d + 3] * b[bo + d + 3];
        }
        for (; d < len; d++) {
            s0 += a[ao + d] * b[bo + d];
        }
        return (double) s0 + s1 + s2 + s3;
    }

    private static double sigmoid(double s) {
        return 1 / (1 + Math.exp(-s));
    }

    /** Adam state for one parameter array (β1 0.9, β2 0.999). */
    private static final class Adam {
        private final double[] m;
        private final double[] v;

        Adam(int size) {
            m = new double[size];
            v = new double[size];
        }

        void step(double[] theta, double[] grad, int t, double lr) {
            double c1 = 1 - Math.pow(0.9, t);
            double c2 = 1 - Math.pow(0.999, t);
            for (int k = 0; k < theta.length; k++) {
                m[k] = 0.9 * m[k] + 0.1 * grad[k];
                v[k] = 0.999 * v[k] + 0.001 * grad[k] * grad[k];
                theta[k] -= lr * (m[k] / c1) / (Math.sqrt(v[k] / c2) + 1e-8);
            }
        }
    }
}
