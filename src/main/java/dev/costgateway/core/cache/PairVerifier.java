package dev.costgateway.core.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether a stored prompt answers a new one, from the pair's features: a logistic model over the
 * embedding cosine, each {@link NearMissGuard} check, lexical overlap and length ratio, trained on the tuning
 * splits of the public pair sets ({@code PairVerifierTraining}; see {@code docs/semantic-cache-eval.md}). It
 * replaces "cosine ≥ τ and every guard agrees": a guard's signal becomes evidence with a learned weight instead
 * of a veto, and a near-certain paraphrase may pass one soft check (a reworded question trips "substituted").
 * The hard checks (numbers, negations, quoted text, technologies, names) stay vetoes: no weight can buy them.
 *
 * <p>Weights ship as {@value #RESOURCE} next to this class, one {@code name<TAB>value} per line. Immutable and
 * thread-safe.
 */
final class PairVerifier {

    static final String RESOURCE = "pair-verifier.tsv";

    /*
     * The public sets hold no prompt asked twice, so the model only ever saw high word overlap on near-misses
     * and learned to distrust it. The same question again (case, punctuation, spacing aside: cosine ≥ this and
     * every guard agrees) is accepted without asking the model.
     */
    static final double REPEAT_COSINE = 0.99;

    /** Feature names, in the order of {@link #features}. */
    static final List<String> FEATURES = features();
    /** Checks that veto a hit whatever the other features say. */
    static final Set<String> VETOES = Set.of("numbers", "negations", "quoted", "technologies", "names");

    private final String model;
    private final double[] weights;
    private final double bias;
    private final double threshold;
    private final double minCosine;

    PairVerifier(String model, double[] weights, double bias, double threshold, double minCosine) {
        if (weights.length != FEATURES.size()) {
            throw new IllegalArgumentException(weights.length + " weights for " + FEATURES.size() + " features");
        }
        this.model = model;
        this.weights = weights.clone();
        this.bias = bias;
        this.threshold = threshold;
        this.minCosine = minCosine;
    }

    /** The shipped verifier. */
    static PairVerifier bundled() {
        try (InputStream in = PairVerifier.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " not on the classpath");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PairVerifier parse(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] kv = line.split("\t");
            values.put(kv[0].strip(), kv[1].strip());
        }
        double[] w = new double[FEATURES.size()];
        for (int i = 0; i < w.length; i++) {
            String v = values.get("w." + FEATURES.get(i));
            if (v == null) {
                throw new IllegalArgumentException("no weight for " + FEATURES.get(i));
            }
            w[i] = Double.parseDouble(v);
        }
        return new PairVerifier(values.get("model"), w, Double.parseDouble(values.get("bias")),
                Double.parseDouble(values.get("threshold")), Double.parseDouble(values.get("min_cosine")));
    }

    String format(String comment) {
        StringBuilder sb = new StringBuilder();
        for (String line : comment.split("\n")) {
            sb.append("# ").append(line).append('\n');
        }
        sb.append("model\t").append(model).append('\n');
        sb.append(String.format(Locale.ROOT, "bias\t%.6f%nthreshold\t%.6f%nmin_cosine\t%.4f%n", bias, threshold,
                minCosine));
        for (int i = 0; i < weights.length; i++) {
            sb.append(String.format(Locale.ROOT, "w.%s\t%.6f%n", FEATURES.get(i), weights[i]));
        }
        return sb.toString();
    }

    PairVerifier withThreshold(double atLeast) {
        return new PairVerifier(model, weights, bias, atLeast, minCosine);
    }

    /** The embedding model the weights were trained for ({@code cache.embedding_model}). */
    String model() {
        return model;
    }

    /** Below this cosine no pair is accepted (the index prunes with it). */
    double minCosine() {
        return minCosine;
    }

    double threshold() {
        return threshold;
    }

    /** Whether {@code stored}'s answer may answer {@code asked}, given their cosine. */
    boolean accepts(double cosine, NearMissGuard.Features asked, NearMissGuard.Features stored) {
        return accepts(cosine, asked, stored, threshold);
    }

    /** As {@link #accepts(double, NearMissGuard.Features, NearMissGuard.Features)} with another threshold. */
    boolean accepts(double cosine, NearMissGuard.Features asked, NearMissGuard.Features stored, double atLeast) {
        if (cosine < minCosine) {
            return false;
        }
        boolean[] fails = NearMissGuard.disagreements(asked, stored);
        boolean any = false;
        for (int i = 0; i < fails.length; i++) {
            if (fails[i] && VETOES.contains(NearMissGuard.CHECKS.get(i))) {
                return false;
            }
            any |= fails[i];
        }
        if (!any && cosine >= REPEAT_COSINE) {
            return true;
        }
        return probability(features(cosine, asked, stored, fails)) >= atLeast;
    }

    double probability(double[] x) {
        double z = bias;
        for (int i = 0; i < x.length; i++) {
            z += weights[i] * x[i];
        }
        return 1 / (1 + Math.exp(-z));
    }

    static double[] features(double cosine, NearMissGuard.Features a, NearMissGuard.Features b) {
        return features(cosine, a, b, NearMissGuard.disagreements(a, b));
    }

    /*
     * The cosine enters as a hinge around the region where decisions are made (≥ 0.8) so a linear model can be
     * steep there; overlap features tell a reworded question (low overlap, high cosine: a paraphrase) from a
     * minimal edit (high overlap: the guards' territory).
     */
    static double[] features(double cosine, NearMissGuard.Features a, NearMissGuard.Features b, boolean[] fails) {
        List<Double> x = new ArrayList<>();
        x.add(cosine);
        x.add(Math.max(0, cosine - 0.8) * 5);
        x.add(Math.max(0, cosine - 0.9) * 10);
        x.add(Math.max(0, cosine - 0.95) * 20);
        for (boolean f : fails) {
            x.add(f ? 1.0 : 0.0);
        }
        Set<String> ca = new HashSet<>(a.content());
        Set<String> cb = new HashSet<>(b.content());
        double contentOverlap = jaccard(ca, cb);
        x.add(contentOverlap);
        x.add(contentOverlap * Math.max(0, cosine - 0.8) * 5);
        x.add(jaccard(a.words(), b.words()));
        int na = Math.max(1, a.content().size());
        int nb = Math.max(1, b.content().size());
        x.add((double) Math.min(na, nb) / Math.max(na, nb));
        x.add(Math.log1p(Math.min(na, nb)) / 3);
        double[] out = new double[x.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = x.get(i);
        }
        return out;
    }

    private static double jaccard(Set<String> a, Set<String> b) {
        if (a.isEmpty() && b.isEmpty()) {
            return 1;
        }
        Set<String> common = new HashSet<>(a);
        common.retainAll(b);
        return (double) common.size() / (a.size() + b.size() - common.size());
    }

    private static List<String> features() {
        List<String> names = new ArrayList<>(List.of("cosine", "cosine_over_0.8", "cosine_over_0.9",
                "cosine_over_0.95"));
        for (String check : NearMissGuard.CHECKS) {
            names.add("fails_" + check);
        }
        names.addAll(List.of("content_jaccard", "content_jaccard_x_cosine", "word_jaccard", "length_ratio",
                "log_length"));
        return List.copyOf(names);
    }
}
