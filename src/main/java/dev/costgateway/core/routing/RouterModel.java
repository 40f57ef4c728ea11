package dev.costgateway.core.routing;

import dev.costgateway.core.decision.DifficultyScore;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The router's learned difficulty model: two heads ("needs premium", "needs at least balanced") over the prompt's
 * MiniLM embedding and its {@link PromptFeatures}, plus a features-only pair used while the embedder is not ready.
 * A head is a logistic regression (a dot product, about a microsecond) or, when the weights file has "hidden"
 * lines, one ReLU hidden layer before the sigmoid (the shipped model, ADR 0025, about 12 µs for both heads;
 * trainer {@code -Drouter.hidden=N}, 0 for logistic heads).
 *
 * <p>The weights, and each model's reference score distribution for quantile calibration, live in
 * {@value #RESOURCE}, written by the test-scope {@code RouterModelTrainer} (see docs/routing-eval.md for the
 * command and where every label comes from). Immutable and thread-safe.
 */
public final class RouterModel {

    public static final String WITH_EMBEDDING = DifficultyScore.WITH_EMBEDDING;
    public static final String FEATURES_ONLY = DifficultyScore.FEATURES_ONLY;
    static final String RESOURCE = "router-model.txt";
    /**
     * What the embedding model's vector inputs are, as its file says ({@code <model> vectors <kind>}): the mean
     * word-piece vectors of {@link dev.costgateway.core.embed.TokenVectors} (ADR 0026). A file trained on other
     * vectors would score every prompt wrongly without failing, so it is refused.
     */
    public static final String VECTORS = "word-pieces";
    static final String HEAD_PREMIUM = "premium";
    static final String HEAD_BALANCED = "balanced";

    /**
     * One head: a logistic regression ({@code hiddenWeights} null: {@code weights} has one weight per input), or a
     * one-hidden-layer network ({@code hiddenWeights} row-major, {@code hiddenBias.length} ReLU units, then
     * {@code weights} has one weight per hidden unit). Returns the logit.
     */
    record Head(float[] hiddenWeights, float[] hiddenBias, double[] weights, double bias) {
        double logit(double[] features, float[] embedding) {
            if (hiddenWeights == null) {
                return dot(weights, bias, features, embedding);
            }
            int inputs = hiddenWeights.length / hiddenBias.length;
            double z = bias;
            for (int j = 0; j < hiddenBias.length; j++) {
                int at = j * inputs;
                double h = hiddenBias[j];
                if (embedding != null) {
                    for (float e : embedding) {
                        h += hiddenWeights[at++] * e;
                    }
                }
                for (double f : features) {
                    h += hiddenWeights[at++] * f;
                }
                if (h > 0) {
                    z += weights[j] * h;
                }
            }
            return z;
        }

        boolean hidden() {
            return hiddenWeights != null;
        }
    }

    /** One model: its input size and its two heads; {@code reference*} are sorted scores of the reference set. */
    record Model(int embeddingDims, Head premium, Head balanced, double[] referencePremium,
                 double[] referenceBalanced) {
    }

    private final Model withEmbedding;
    private final Model featuresOnly;
    private final String description;

    RouterModel(Model withEmbedding, Model featuresOnly, String description) {
        this.withEmbedding = withEmbedding;
        this.featuresOnly = featuresOnly;
        this.description = description;
    }

    /** The shipped model ({@value #RESOURCE}). */
    public static RouterModel load() {
        try (InputStream in = RouterModel.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " missing from the classpath");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Embedding dimensions the embedding model expects (384). */
    public int embeddingDims() {
        return withEmbedding.embeddingDims();
    }

    /** The first comment line of the weights file: what it was trained on, and when. */
    public String description() {
        return description;
    }

    /**
     * Scores one request.
     *
     * @param features  {@link PromptFeatures#of}
     * @param embedding the prompt's unit embedding, or null to use the features-only model
     */
    public DifficultyScore score(double[] features, float[] embedding) {
        if (features.length != PromptFeatures.COUNT) {
            throw new IllegalArgumentException("expected " + PromptFeatures.COUNT + " features, got " + features.length);
        }
        boolean useEmbedding = embedding != null && embedding.length == withEmbedding.embeddingDims();
        Model m = useEmbedding ? withEmbedding : featuresOnly;
        double premium = sigmoid(m.premium().logit(features, useEmbedding ? embedding : null));
        double balanced = sigmoid(m.balanced().logit(features, useEmbedding ? embedding : null));
        // "Needs premium" implies "needs at least balanced".
        balanced = Math.max(balanced, premium);
        return new DifficultyScore(premium, balanced, useEmbedding ? WITH_EMBEDDING : FEATURES_ONLY);
    }

    /** Sorted reference scores of one model's head, for quantile calibration. */
    double[] reference(String model, String head) {
        Model m = WITH_EMBEDDING.equals(model) ? withEmbedding : featuresOnly;
        return HEAD_PREMIUM.equals(head) ? m.referencePremium() : m.referenceBalanced();
    }

    private static double dot(double[] w, double bias, double[] features, float[] embedding) {
        double z = bias;
        int at = 0;
        if (embedding != null) {
            for (float e : embedding) {
                z += w[at++] * e;
            }
        }
        for (double f : features) {
            z += w[at++] * f;
        }
        return z;
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    // ---- file format ----
    // # description
    // <model> dims <embeddingDims>
    // <model> vectors word-pieces                (only when dims > 0: what the vector inputs are, see VECTORS)
    // <model> <head> bias <b>
    // <model> <head> weights <w1,w2,...>        (embedding weights first, then the features in PromptFeatures order)
    // <model> <head> reference <s1,s2,...>      (sorted ascending)
    // A head with a hidden layer (RouterModelTrainer -Drouter.hidden=N) also has, and its "weights" are then the
    // output layer's (one per hidden unit):
    // <model> <head> hidden bias <c1,...,cN>
    // <model> <head> hidden weights <N rows of (embedding, features) weights, row after row>
    // Files without "hidden" lines (logistic heads) read as before.

    static RouterModel parse(String text) throws IOException {
        Map<String, String> values = new HashMap<>();
        String description = "";
        BufferedReader r = new BufferedReader(new InputStreamReader(
                new java.io.ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            if (line.startsWith("#")) {
                if (description.isEmpty()) {
                    description = line.substring(1).strip();
                }
                continue;
            }
            if (line.isBlank()) {
                continue;
            }
            int lastSpace = line.lastIndexOf(' ');
            values.put(line.substring(0, lastSpace), line.substring(lastSpace + 1));
        }
        return new RouterModel(model(values, WITH_EMBEDDING), model(values, FEATURES_ONLY), description);
    }

    private static Model model(Map<String, String> v, String name) {
        int dims = Integer.parseInt(required(v, name + " dims"));
        if (dims > 0 && !VECTORS.equals(v.get(name + " vectors"))) {
            throw new IllegalStateException(RESOURCE + ": " + name + " was trained on '" + v.get(name + " vectors")
                    + "' vectors, this gateway scores with '" + VECTORS + "' (retrain with RouterModelTrainer)");
        }
        double[] rp = numbers(required(v, name + " premium reference"));
        double[] rb = numbers(required(v, name + " balanced reference"));
        Arrays.sort(rp);
        Arrays.sort(rb);
        return new Model(dims, head(v, name, HEAD_PREMIUM, dims), head(v, name, HEAD_BALANCED, dims), rp, rb);
    }

    private static Head head(Map<String, String> v, String name, String head, int dims) {
        String key = name + " " + head;
        int inputs = dims + PromptFeatures.COUNT;
        double[] w = numbers(required(v, key + " weights"));
        double b = Double.parseDouble(required(v, key + " bias"));
        String hiddenBias = v.get(key + " hidden bias");
        if (hiddenBias == null) {
            if (w.length != inputs) {
                throw new IllegalStateException(RESOURCE + ": " + key + " has " + w.length + " weights, expected "
                        + inputs + " (retrain after changing PromptFeatures)");
            }
            return new Head(null, null, w, b);
        }
        float[] hb = floats(numbers(hiddenBias));
        float[] hw = floats(numbers(required(v, key + " hidden weights")));
        if (hw.length != hb.length * inputs || w.length != hb.length) {
            throw new IllegalStateException(RESOURCE + ": " + key + " has " + hw.length + " hidden weights and "
                    + w.length + " output weights, expected " + hb.length * inputs + " and " + hb.length
                    + " (retrain after changing PromptFeatures)");
        }
        return new Head(hw, hb, w, b);
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    private static String required(Map<String, String> v, String key) {
        String s = v.get(key);
        if (s == null) {
            throw new IllegalStateException(RESOURCE + ": missing '" + key + "'");
        }
        return s;
    }

    private static double[] numbers(String csv) {
        String[] parts = csv.split(",");
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Double.parseDouble(parts[i]);
        }
        return out;
    }
}
