package dev.costgateway.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.DoubleStream;

import org.junit.jupiter.api.Test;

import dev.costgateway.core.decision.DifficultyScore;

/** The weights file: logistic heads (the format before hidden layers) and heads with one ReLU hidden layer. */
class RouterModelFileTest {

    private static final int IN = 2 + PromptFeatures.COUNT;

    private static String csv(double... v) {
        return DoubleStream.of(v).mapToObj(d -> String.format(Locale.ROOT, "%s", d)).collect(Collectors.joining(","));
    }

    private static double[] fill(int n, double value) {
        double[] a = new double[n];
        Arrays.fill(a, value);
        return a;
    }

    /** A file with 2 embedding dims whose features-only model is logistic (weights 0, biases 0). */
    private static String file(String embeddingHeads) {
        String ref = csv(0.1, 0.5, 0.9);
        return "# test model\n"
                + "embedding+features dims 2\n" + "embedding+features vectors word-pieces\n" + embeddingHeads
                + "embedding+features premium reference " + ref + "\n"
                + "embedding+features balanced reference " + ref + "\n"
                + "features dims 0\n"
                + "features premium bias 0\nfeatures premium weights " + csv(fill(PromptFeatures.COUNT, 0)) + "\n"
                + "features balanced bias 0\nfeatures balanced weights " + csv(fill(PromptFeatures.COUNT, 0)) + "\n"
                + "features premium reference " + ref + "\nfeatures balanced reference " + ref + "\n";
    }

    @Test
    void aLogisticHeadIsADotProductOverTheEmbeddingThenTheFeatures() throws Exception {
        double[] w = new double[IN];
        w[0] = 1;   // first embedding dimension
        w[2] = -2;  // first feature
        String heads = "embedding+features premium bias 0.5\nembedding+features premium weights " + csv(w) + "\n"
                + "embedding+features balanced bias -1\nembedding+features balanced weights " + csv(fill(IN, 0)) + "\n";
        RouterModel m = RouterModel.parse(file(heads));
        double[] features = new double[PromptFeatures.COUNT];
        features[0] = 0.25;
        DifficultyScore s = m.score(features, new float[] {0.75f, 0.1f});
        assertThat(s.premium()).isCloseTo(RouterModel.sigmoid(0.5 + 0.75 - 0.5), within(1e-9));
        assertThat(s.balanced()).as("raised to at least premium").isCloseTo(s.premium(), within(1e-12));
        assertThat(m.description()).isEqualTo("test model");
    }

    @Test
    void aHiddenLayerHeadAppliesReluBeforeTheOutputWeights() throws Exception {
        // Two hidden units: h0 = relu(e0 - e1), h1 = relu(e1 - e0 + f0); logit = 0.2 + 3 h0 - 1 h1.
        double[] row0 = new double[IN];
        row0[0] = 1;
        row0[1] = -1;
        double[] row1 = new double[IN];
        row1[0] = -1;
        row1[1] = 1;
        row1[2] = 1;
        double[] hidden = new double[2 * IN];
        System.arraycopy(row0, 0, hidden, 0, IN);
        System.arraycopy(row1, 0, hidden, IN, IN);
        String heads = "embedding+features premium bias 0.2\nembedding+features premium weights " + csv(3, -1) + "\n"
                + "embedding+features premium hidden bias " + csv(0, 0) + "\n"
                + "embedding+features premium hidden weights " + csv(hidden) + "\n"
                + "embedding+features balanced bias 4\nembedding+features balanced weights " + csv(fill(IN, 0)) + "\n";
        RouterModel m = RouterModel.parse(file(heads));
        double[] features = new double[PromptFeatures.COUNT];
        features[0] = 0.5;
        DifficultyScore s = m.score(features, new float[] {0.9f, 0.1f});
        // h0 = 0.8, h1 = relu(-0.8 + 0.5) = 0
        assertThat(s.premium()).isCloseTo(RouterModel.sigmoid(0.2 + 3 * 0.8), within(1e-6));
        assertThat(s.balanced()).as("the logistic head beside it").isCloseTo(RouterModel.sigmoid(4), within(1e-9));
        DifficultyScore other = m.score(features, new float[] {0.1f, 0.9f});
        // h0 = 0, h1 = 0.8 + 0.5 = 1.3
        assertThat(other.premium()).isCloseTo(RouterModel.sigmoid(0.2 - 1.3), within(1e-6));
    }

    @Test
    void aHiddenLayerOfTheWrongSizeIsRefused() {
        String heads = "embedding+features premium bias 0\nembedding+features premium weights " + csv(1, 1) + "\n"
                + "embedding+features premium hidden bias " + csv(0, 0) + "\n"
                + "embedding+features premium hidden weights " + csv(fill(2 * IN - 1, 0)) + "\n"
                + "embedding+features balanced bias 0\nembedding+features balanced weights " + csv(fill(IN, 0)) + "\n";
        assertThatThrownBy(() -> RouterModel.parse(file(heads))).hasMessageContaining("hidden weights");
    }

    @Test
    void theShippedModelLoadsAndScoresWithAndWithoutTheEmbedding() {
        RouterModel m = RouterModel.load();
        float[] e = new float[m.embeddingDims()];
        e[0] = 1;
        double[] features = new double[PromptFeatures.COUNT];
        assertThat(m.score(features, e).model()).isEqualTo(RouterModel.WITH_EMBEDDING);
        assertThat(m.score(features, null).model()).isEqualTo(RouterModel.FEATURES_ONLY);
    }
}
