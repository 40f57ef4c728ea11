package dev.costgateway.core.routing.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.config.Tier;
import dev.costgateway.core.embed.OnnxEmbedder;
import dev.costgateway.core.embed.TokenVectors;
import dev.costgateway.core.routing.PromptFeatures;
import dev.costgateway.core.routing.RouterModel;
import dev.costgateway.testing.EvalData;

/**
 * Trains the router's difficulty model and writes {@code src/main/resources/dev/costgateway/core/routing/
 * router-model.txt} (weights and reference score distributions only, no text):
 *
 * <pre>mvn -B -Pbench test -Dtest=RouterModelTrainer -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * <p>Two heads per model, "needs premium" and "needs at least balanced", each a one-hidden-layer network
 * ({@value #DEFAULT_HIDDEN} ReLU units, {@link MlpHead}, seeded initialisation, full-batch Adam: deterministic; ADR
 * 0025), or with {@code -Drouter.hidden=0} an L2-regularised logistic regression trained by full-batch Adam from
 * zero (the model shipped before), over the prompt's MiniLM embedding and {@link PromptFeatures}
 * (model {@value RouterModel#WITH_EMBEDDING}), and over the features alone ({@value RouterModel#FEATURES_ONLY},
 * used while the embedder is not ready).
 *
 * <p>Data: the TUNE split only of the public sets ({@link RoutingEvaluation#holdout}, the same function the
 * evaluation uses, so held-out prompts never reach training), plus our own examples ({@code classifier-examples.tsv}
 * and {@code own-training.tsv}) minus any text that is also in {@code own-heldout.tsv}. Labels:
 * <ul>
 *   <li>GSM8K, MMLU (RouteLLM): balanced = 1 when the weak model (Mixtral) was wrong and the strong (GPT-4) right,
 *       {@value #WEAK_RIGHT_DEFAULT} (a soft label, see {@link #WEAK_RIGHT_BALANCED}) when the weak was right;
 *       prompts both got wrong are left out. premium = 0.</li>
 *   <li>MT-Bench turns (RouteLLM judgements): balanced = 1 when GPT-4's judge score of GPT-4's answer beats
 *       Mixtral's, else 0. premium = 0.</li>
 *   <li>Arena-Hard v0.1 and v2.0 hard prompts (coding, math): balanced = 1, premium = 1. v2.0 creative writing:
 *       balanced = 1, premium = 0 (writing is not in the premium definition).</li>
 *   <li>MATH: Level 5: balanced = 1, premium = 1; Level 4: balanced = 1 (premium left out); Levels 1-2:
 *       premium = 0 (balanced left out: no weak-model result); Level 3 left out of both.</li>
 *   <li>Our own: SIMPLE 0/0, MODERATE balanced 1 premium 0, COMPLEX 1/1.</li>
 * </ul>
 * Each source gets a fixed total weight ({@link #SOURCE_WEIGHT}), shared equally by its prompts, so 1,300 MMLU
 * rows do not drown 400 hand-labelled everyday prompts. Hyper-parameters are chosen on a validation fold carved
 * out of the tune split ({@link #validation}); the shipped weights are then trained on the whole tune split.
 */
@Tag("bench")
class RouterModelTrainer {

    static final Path OUTPUT = Path.of("src/main/resources/dev/costgateway/core/routing/router-model.txt");
    static final int REFERENCE_POINTS = 501;
    static final Map<String, Double> SOURCE_WEIGHT = new LinkedHashMap<>();

    static {
        SOURCE_WEIGHT.put("gsm8k", 1.0);
        SOURCE_WEIGHT.put("mmlu", 1.0);
        SOURCE_WEIGHT.put("mt-bench", 1.0);
        SOURCE_WEIGHT.put("arena-hard", 1.0);
        SOURCE_WEIGHT.put("math", 0.75);
        SOURCE_WEIGHT.put("own", 10.0);
        // -Drouter.weights=own:6,mt-bench:1 overrides some (for experiments; the shipped values are the ones above)
        for (String kv : System.getProperty("router.weights", "").split(",")) {
            if (!kv.isBlank()) {
                SOURCE_WEIGHT.put(kv.split(":")[0], Double.parseDouble(kv.split(":")[1]));
            }
        }
    }

    /**
     * The "needs at least balanced" label of a GSM8K or MMLU prompt the weak model got right. One right answer of a
     * weak model is weak evidence that it suffices (a guess among four MMLU options is right a quarter of the
     * time), and with 0 the model learned that exam questions are as easy as "What is the capital of Norway?".
     */
    static final double WEAK_RIGHT_DEFAULT = 0.5;
    static final double WEAK_RIGHT_BALANCED = Double.parseDouble(System.getProperty("router.weakRight",
            Double.toString(WEAK_RIGHT_DEFAULT)));

    private double l2;
    private int steps;
    /**
     * Hidden ReLU units per head ({@code -Drouter.hidden=N}, {@link MlpHead}); 0 = logistic regressions (the model
     * shipped before, ADR 0025). {@code router.mlp.l2}, {@code router.mlp.steps}, {@code router.mlp.lr},
     * {@code router.mlp.seed} set its training; the defaults were chosen on the validation fold
     * ({@code -Drouter.search}) and compared with the logistic model on the out-of-fold figures.
     */
    static final int DEFAULT_HIDDEN = 16;
    private int hidden;
    /** Hidden units of the features-only model's heads ({@code -Drouter.hidden.features}, default as the other). */
    private int hiddenFeatures;
    private double mlpL2;
    private int mlpSteps;
    private double mlpLr;
    private final long mlpSeed = Long.getLong("router.mlp.seed", 20261204L);
    /** Where the model is written ({@code -Drouter.output=target/x.txt} for experiments). */
    private final Path output = Path.of(System.getProperty("router.output", OUTPUT.toString()));
    /** Parallel trainings (each one is single-threaded and independent, so results do not depend on this). */
    private static final int THREADS = Integer.getInteger("router.threads", 2);

    /** One training prompt: its inputs and labels (NaN = not labelled for that head). */
    record Sample(String source, String set, String group, float[] embedding, double[] features, double premium,
                  double balanced, boolean validation) {
    }

    @Test
    void trainsAndWritesTheRouterModel() throws Exception {
        Path dir = EvalData.dir();
        List<Sample> samples = samples(dir);
        System.out.printf(Locale.ROOT, "training samples: %d%n", samples.size());
        List<Sample> fit = samples.stream().filter(s -> !s.validation()).toList();
        List<Sample> val = samples.stream().filter(Sample::validation).toList();
        String search = System.getProperty("router.search", "");
        if (!search.isBlank()) {
            search(search, fit, val);
            return;
        }
        System.out.printf(Locale.ROOT, "heads: %s%n", kind());
        List<Trained> trained = parallel(List.of(() -> train(fit, true), () -> train(fit, false),
                () -> train(samples, true), () -> train(samples, false)));
        for (int k = 0; k < 2; k++) {
            boolean emb = k == 0;
            Trained m = trained.get(k);
            System.out.printf(Locale.ROOT, "%n-- validation fold (%d prompts), model %s, %s --%n", val.size(),
                    emb ? RouterModel.WITH_EMBEDDING : RouterModel.FEATURES_ONLY, kind());
            report(m, val);
            routes(m, fit, val);
        }
        Trained full = trained.get(2);
        Trained features = trained.get(3);
        double[][] oofFull = outOfFold(samples, true);
        double[][] oofFeatures = outOfFold(samples, false);
        System.out.printf(Locale.ROOT, "%n-- out-of-fold scores (%d folds), model %s: tiers by share --%n", FOLDS,
                RouterModel.WITH_EMBEDDING);
        sweep(samples, oofFull);
        System.out.printf(Locale.ROOT, "%n-- out-of-fold scores (%d folds), model %s: tiers by share --%n", FOLDS,
                RouterModel.FEATURES_ONLY);
        sweep(samples, oofFeatures);
        String text = write(full, features, samples, oofFull, oofFeatures);
        Files.writeString(output, text, StandardCharsets.UTF_8);
        System.out.printf(Locale.ROOT, "%nwrote %s (%d bytes)%n", output, text.length());
        assertThat(output).isRegularFile();
    }

    private String kind() {
        String features = hiddenFeatures == hidden ? "" : ", features-only model " + (hiddenFeatures == 0
                ? "logistic" : hiddenFeatures + " hidden units");
        return kind(hidden) + features;
    }

    private String kind(int hidden) {
        return hidden == 0 ? String.format(Locale.ROOT, "logistic (l2 %s, %d Adam steps)", num(l2), steps)
                : String.format(Locale.ROOT, "MLP (%d ReLU hidden units, l2 %s, %d Adam steps, lr %s, seed %d)",
                hidden, num(mlpL2), mlpSteps, num(mlpLr), mlpSeed);
    }

    /**
     * {@code -Drouter.search=H:l2:steps:lr,...}: trains the embedding model on the fit part for each setting (H 0 =
     * logistic with {@code router.l2}/{@code router.steps}) and prints its validation-fold figures only. Nothing
     * is written; this is how the MLP's settings are chosen (validation fold of the tune split only).
     */
    private void search(String spec, List<Sample> fit, List<Sample> val) {
        List<String> configs = List.of(spec.split(","));
        List<java.util.concurrent.Callable<Trained>> jobs = new ArrayList<>();
        for (String c : configs) {
            String[] p = c.split(":");
            RouterModelTrainer t = setting(Integer.parseInt(p[0]), Double.parseDouble(p[1]),
                    Integer.parseInt(p[2]), Double.parseDouble(p[3]));
            jobs.add(() -> t.train(fit, true));
        }
        List<Trained> models = parallel(jobs);
        for (int k = 0; k < configs.size(); k++) {
            System.out.printf(Locale.ROOT, "%n-- validation fold (%d prompts), model %s, hidden:l2:steps:lr %s --%n",
                    val.size(), RouterModel.WITH_EMBEDDING, configs.get(k));
            report(models.get(k), val);
            routes(models.get(k), fit, val);
        }
    }

    RouterModelTrainer() {
        hidden = Integer.getInteger("router.hidden", DEFAULT_HIDDEN);
        hiddenFeatures = Integer.getInteger("router.hidden.features", hidden);
        l2 = Double.parseDouble(System.getProperty("router.l2", "0.01"));
        steps = Integer.getInteger("router.steps", 800);
        mlpL2 = Double.parseDouble(System.getProperty("router.mlp.l2", "0.001"));
        mlpSteps = Integer.getInteger("router.mlp.steps", 400);
        mlpLr = Double.parseDouble(System.getProperty("router.mlp.lr", "0.01"));
    }

    /** A search setting (JUnit wants one constructor): hidden 0 takes l2 and steps as the logistic ones. */
    private static RouterModelTrainer setting(int hidden, double l2, int steps, double lr) {
        RouterModelTrainer t = new RouterModelTrainer();
        t.hidden = hidden;
        if (hidden == 0) {
            t.l2 = l2;
            t.steps = steps;
        } else {
            t.mlpL2 = l2;
            t.mlpSteps = steps;
            t.mlpLr = lr;
        }
        return t;
    }

    static <T> List<T> parallel(List<java.util.concurrent.Callable<T>> jobs) {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(THREADS);
        try {
            List<T> out = new ArrayList<>();
            for (java.util.concurrent.Future<T> f : pool.invokeAll(jobs)) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- data ----

    static List<Sample> samples(Path dir) throws IOException {
        Set<String> heldOutOwn = new HashSet<>();
        for (OwnExamples.Example e : OwnExamples.load(OwnExamples.HELDOUT)) {
            heldOutOwn.add(e.text());
        }
        List<String> texts = new ArrayList<>();
        List<Object[]> raw = new ArrayList<>(); // source, set, group, body or text, premium, balanced
        for (RoutingEvaluation.Item i : RoutingEvaluation.loadPublic(dir)) {
            if (i.holdout()) {
                continue;
            }
            double[] y = labels(i);
            if (Double.isNaN(y[0]) && Double.isNaN(y[1])) {
                continue;
            }
            String source = i.set().startsWith("arena-hard") ? "arena-hard" : i.set();
            raw.add(new Object[] {source, i.set(), i.group(), i.body(), y[0], y[1]});
        }
        List<OwnExamples.Example> own = new ArrayList<>(OwnExamples.load(OwnExamples.LAYER2_EXAMPLES));
        own.addAll(OwnExamples.load(OwnExamples.TRAINING));
        int dropped = 0;
        for (OwnExamples.Example e : own) {
            if (heldOutOwn.contains(e.text())) {
                dropped++;
                continue;
            }
            double premium = e.tier() == Tier.PREMIUM ? 1 : 0;
            double balanced = e.tier() == Tier.FAST ? 0 : 1;
            raw.add(new Object[] {"own", "own", e.tier().id(), RoutingEvaluation.ask(e.text()), premium, balanced});
        }
        System.out.printf(Locale.ROOT, "own training examples: %d (dropped %d also in the held-out file)%n",
                own.size() - dropped, dropped);
        for (Object[] r : raw) {
            texts.add(lastUserText((ObjectNode) r[3]));
        }
        Map<String, float[]> vectors = vectors(texts);
        List<Sample> out = new ArrayList<>();
        for (int k = 0; k < raw.size(); k++) {
            Object[] r = raw.get(k);
            String text = texts.get(k);
            out.add(new Sample((String) r[0], (String) r[1], (String) r[2], vectors.get(text),
                    PromptFeatures.of((ObjectNode) r[3]), (double) r[4], (double) r[5], validation(text)));
        }
        return out;
    }

    /** The router's vectors of every text: {@code -Drouter.vectors=minilm} for the sentence embedding. */
    static Map<String, float[]> vectors(List<String> texts) throws IOException {
        if (minilm()) {
            try (OnnxEmbedder embedder = OnnxEmbedder.load(OnnxEmbedder.ALL_MINILM_L6_V2_Q)) {
                return EvalData.embedAll(embedder, texts, "router-embeddings.bin");
            }
        }
        try (TokenVectors tokens = TokenVectors.load()) {
            return EvalData.embedAll(tokens, texts, "router-token-vectors.bin");
        }
    }

    private static boolean minilm() {
        return "minilm".equals(System.getProperty("router.vectors", "tokens"));
    }

    static String lastUserText(ObjectNode body) {
        var messages = body.path("messages");
        return messages.get(messages.size() - 1).path("content").asText();
    }

    /** {premium, balanced}; NaN where the source says nothing. */
    static double[] labels(RoutingEvaluation.Item i) {
        double nan = Double.NaN;
        switch (i.set()) {
            case "gsm8k", "mmlu" -> {
                if (i.needsStrong()) {
                    return new double[] {0, 1};
                }
                return Boolean.TRUE.equals(i.weakRight()) ? new double[] {0, WEAK_RIGHT_BALANCED} : new double[] {0, nan};
            }
            case "mt-bench" -> {
                return i.weakRight() == null ? new double[] {0, nan} : new double[] {0, i.weakRight() ? 0 : 1};
            }
            case "arena-hard-v0.1" -> {
                return new double[] {1, 1};
            }
            case "arena-hard-v2.0" -> {
                return "creative_writing".equals(i.group()) ? new double[] {0, 1} : new double[] {1, 1};
            }
            case "math" -> {
                return switch (i.group()) {
                    case "Level 5" -> new double[] {1, 1};
                    case "Level 4" -> new double[] {nan, 1};
                    case "Level 1", "Level 2" -> new double[] {0, nan};
                    default -> new double[] {nan, nan};
                };
            }
            default -> {
                return new double[] {nan, nan};
            }
        }
    }

    /** A fold of the tune split for choosing hyper-parameters: second SHA-256 byte below 51 (20 %). */
    static boolean validation(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return (d[1] & 0xff) < 51;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- training ----

    /**
     * One head in the original input space (standardisation folded in): logistic ({@code hiddenW} null) or one
     * ReLU hidden layer ({@code hiddenW} row-major, one row of inputs per hidden unit; {@code w} per hidden unit).
     */
    record TrainedHead(double[] hiddenW, double[] hiddenB, double[] w, double b) {
        double logit(double[] x) {
            if (hiddenW == null) {
                return dot(w, b, x);
            }
            double z = b;
            for (int j = 0; j < hiddenB.length; j++) {
                double h = hiddenB[j];
                int at = j * x.length;
                for (int d = 0; d < x.length; d++) {
                    h += hiddenW[at + d] * x[d];
                }
                if (h > 0) {
                    z += w[j] * h;
                }
            }
            return z;
        }
    }

    record Trained(boolean embedding, TrainedHead premiumHead, TrainedHead balancedHead) {
        double premium(Sample s) {
            return sigmoid(premiumHead.logit(input(s, embedding)));
        }

        double balanced(Sample s) {
            return Math.max(premium(s), sigmoid(balancedHead.logit(input(s, embedding))));
        }
    }

    static double[] input(Sample s, boolean embedding) {
        int dims = embedding ? s.embedding().length : 0;
        double[] x = new double[dims + s.features().length];
        for (int d = 0; d < dims; d++) {
            x[d] = s.embedding()[d];
        }
        System.arraycopy(s.features(), 0, x, dims, s.features().length);
        return x;
    }

    Trained train(List<Sample> samples, boolean embedding) {
        return new Trained(embedding, fit(samples, embedding, true), fit(samples, embedding, false));
    }

    private TrainedHead fit(List<Sample> all, boolean embedding, boolean premiumHead) {
        List<double[]> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (Sample s : all) {
            double y = premiumHead ? s.premium() : s.balanced();
            if (!Double.isNaN(y)) {
                xs.add(input(s, embedding));
                ys.add(y);
                sources.add(s.source());
            }
        }
        int n = xs.size();
        int dim = xs.get(0).length;
        Map<String, Integer> perSource = new LinkedHashMap<>();
        for (String s : sources) {
            perSource.merge(s, 1, Integer::sum);
        }
        double[] w = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            w[i] = SOURCE_WEIGHT.get(sources.get(i)) / perSource.get(sources.get(i));
            total += w[i];
        }
        for (int i = 0; i < n; i++) {
            w[i] /= total;
        }
        double[] mean = new double[dim];
        double[] sd = new double[dim];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < dim; d++) {
                mean[d] += w[i] * xs.get(i)[d];
            }
        }
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < dim; d++) {
                double dev = xs.get(i)[d] - mean[d];
                sd[d] += w[i] * dev * dev;
            }
        }
        for (int d = 0; d < dim; d++) {
            sd[d] = Math.sqrt(sd[d]) + 1e-6;
        }
        int units = embedding ? hidden : hiddenFeatures;
        if (units > 0) {
            double[] y = ys.stream().mapToDouble(Double::doubleValue).toArray();
            return MlpHead.fit(xs.toArray(new double[0][]), y, w, mean, sd, units, mlpL2, mlpSteps, mlpLr,
                    mlpSeed + (premiumHead ? 1 : 2));
        }
        double[][] z = new double[n][dim];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < dim; d++) {
                z[i][d] = (xs.get(i)[d] - mean[d]) / sd[d];
            }
        }
        // Adam on weighted log loss + l2/2 |theta|^2.
        double[] theta = new double[dim + 1];
        double[] m = new double[dim + 1];
        double[] v = new double[dim + 1];
        double lr = 0.05;
        double b1 = 0.9;
        double b2 = 0.999;
        double[] grad = new double[dim + 1];
        for (int t = 1; t <= steps; t++) {
            Arrays.fill(grad, 0);
            for (int i = 0; i < n; i++) {
                double s = theta[dim];
                double[] zi = z[i];
                for (int d = 0; d < dim; d++) {
                    s += theta[d] * zi[d];
                }
                double err = w[i] * (sigmoid(s) - ys.get(i));
                for (int d = 0; d < dim; d++) {
                    grad[d] += err * zi[d];
                }
                grad[dim] += err;
            }
            for (int d = 0; d < dim; d++) {
                grad[d] += l2 * theta[d];
            }
            for (int d = 0; d <= dim; d++) {
                m[d] = b1 * m[d] + (1 - b1) * grad[d];
                v[d] = b2 * v[d] + (1 - b2) * grad[d] * grad[d];
                double mh = m[d] / (1 - Math.pow(b1, t));
                double vh = v[d] / (1 - Math.pow(b2, t));
                theta[d] -= lr * mh / (Math.sqrt(vh) + 1e-8);
            }
        }
        double[] weights = new double[dim];
        double bias = theta[dim];
        for (int d = 0; d < dim; d++) {
            weights[d] = theta[d] / sd[d];
            bias -= theta[d] * mean[d] / sd[d];
        }
        return new TrainedHead(null, null, weights, bias);
    }

    static double dot(double[] w, double b, double[] x) {
        double s = b;
        for (int d = 0; d < x.length; d++) {
            s += w[d] * x[d];
        }
        return s;
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    static final int FOLDS = 5;

    /**
     * Scores of every sample from a model that did not see it ({@value #FOLDS} folds by a hash of the text): the
     * reference distribution. In-sample scores would be too confident, and thresholds calibrated on them too low.
     * @return {premium scores, balanced scores} in sample order
     */
    double[][] outOfFold(List<Sample> samples, boolean embedding) {
        double[][] out = new double[2][samples.size()];
        List<java.util.concurrent.Callable<Trained>> jobs = new ArrayList<>();
        for (int fold = 0; fold < FOLDS; fold++) {
            int f = fold;
            List<Sample> fit = new ArrayList<>();
            for (Sample s : samples) {
                if (foldOf(s) != f) {
                    fit.add(s);
                }
            }
            jobs.add(() -> train(fit, embedding));
        }
        List<Trained> models = parallel(jobs);
        for (int fold = 0; fold < FOLDS; fold++) {
            int f = fold;
            Trained m = models.get(fold);
            for (int i = 0; i < samples.size(); i++) {
                if (foldOf(samples.get(i)) == f) {
                    out[0][i] = m.premium(samples.get(i));
                    out[1][i] = m.balanced(samples.get(i));
                }
            }
        }
        return out;
    }

    private static int foldOf(Sample s) {
        return Math.floorMod(java.util.Arrays.hashCode(s.features()) * 31 + java.util.Arrays.hashCode(s.embedding()),
                FOLDS);
    }

    /** Tiers by share over out-of-fold scores: how the defaults were chosen (tune split only). */
    static void sweep(List<Sample> samples, double[][] oof) {
        double[] rp = oof[0].clone();
        double[] rb = oof[1].clone();
        java.util.Arrays.sort(rp);
        java.util.Arrays.sort(rb);
        System.out.println("p_share f_share | own simple->fast moderate->bal complex->prem complex->fast "
                + "| needs-strong->fast gsm8k mmlu mt | cheap-ok->fast gsm8k mmlu mt");
        for (double ps : new double[] {0.2, 0.25, 0.3}) {
            for (double fs : new double[] {0.04, 0.06, 0.07, 0.08, 0.1, 0.12, 0.15, 0.2}) {
                double tp = quantileOf(rp, 1 - ps);
                double tf = quantileOf(rb, fs);
                Map<String, int[]> c = new java.util.HashMap<>();
                for (int i = 0; i < samples.size(); i++) {
                    Sample s = samples.get(i);
                    Tier t = oof[0][i] >= tp ? Tier.PREMIUM : oof[1][i] < tf ? Tier.FAST : Tier.BALANCED;
                    if (s.source().equals("own")) {
                        tally(c, "own:" + s.group(), t.id().equals(s.group()));
                        if (s.group().equals("premium")) {
                            tally(c, "own:complex-fast", t == Tier.FAST);
                        }
                    } else if (s.balanced() == 1) {
                        tally(c, "ns:" + s.set(), t == Tier.FAST);
                    } else if (s.balanced() < 1) {
                        tally(c, "ok:" + s.set(), t == Tier.FAST);
                    }
                }
                System.out.printf(Locale.ROOT, "%5.2f  %5.2f  | %5.1f %5.1f %5.1f %5.1f | %5.1f %5.1f %5.1f "
                        + "| %5.1f %5.1f %5.1f%n", ps, fs, rate(c, "own:fast"), rate(c, "own:balanced"),
                        rate(c, "own:premium"), rate(c, "own:complex-fast"), rate(c, "ns:gsm8k"), rate(c, "ns:mmlu"),
                        rate(c, "ns:mt-bench"), rate(c, "ok:gsm8k"), rate(c, "ok:mmlu"), rate(c, "ok:mt-bench"));
            }
        }
    }

    private static void tally(Map<String, int[]> c, String key, boolean hit) {
        int[] v = c.computeIfAbsent(key, k -> new int[2]);
        v[0] += hit ? 1 : 0;
        v[1]++;
    }

    private static double rate(Map<String, int[]> c, String key) {
        int[] v = c.get(key);
        return v == null ? Double.NaN : 100.0 * v[0] / v[1];
    }

    // ---- validation report ----

    static void report(Trained m, List<Sample> val) {
        Map<String, List<Sample>> bySet = new LinkedHashMap<>();
        for (Sample s : val) {
            bySet.computeIfAbsent(s.set(), k -> new ArrayList<>()).add(s);
        }
        bySet.put("ALL", val);
        for (var e : bySet.entrySet()) {
            System.out.printf(Locale.ROOT, "  %-16s n=%4d  AUC premium %s  AUC balanced %s%n", e.getKey(),
                    e.getValue().size(), auc(m, e.getValue(), true), auc(m, e.getValue(), false));
        }
    }

    /** Tiers at the default shares, thresholds calibrated on the fit part, applied to the validation fold. */
    static void routes(Trained m, List<Sample> fit, List<Sample> val) {
        double[] rp = fit.stream().mapToDouble(m::premium).sorted().toArray();
        double[] rb = fit.stream().mapToDouble(m::balanced).sorted().toArray();
        double tp = quantileOf(rp, 1 - dev.costgateway.core.config.GatewayConfig.Routing.DEFAULT_PREMIUM_SHARE);
        double tf = quantileOf(rb, dev.costgateway.core.config.GatewayConfig.Routing.DEFAULT_FAST_SHARE);
        Map<String, int[]> c = new LinkedHashMap<>();
        for (Sample s : val) {
            Tier t = m.premium(s) >= tp ? Tier.PREMIUM : m.balanced(s) < tf ? Tier.FAST : Tier.BALANCED;
            if (s.source().equals("own")) {
                int[] v = c.computeIfAbsent("own " + s.group() + " -> " + s.group(), k -> new int[2]);
                v[0] += t.id().equals(s.group()) ? 1 : 0;
                v[1]++;
            } else if (s.balanced() == 1 && (s.set().equals("gsm8k") || s.set().equals("mmlu")
                    || s.set().equals("mt-bench"))) {
                int[] v = c.computeIfAbsent(s.set() + " needs-strong -> fast", k -> new int[2]);
                v[0] += t == Tier.FAST ? 1 : 0;
                v[1]++;
            }
        }
        c.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-32s %3d of %3d (%5.1f%%)%n", k, v[0], v[1],
                100.0 * v[0] / v[1]));
    }

    static double quantileOf(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    static String auc(Trained m, List<Sample> samples, boolean premium) {
        List<double[]> scored = new ArrayList<>();
        for (Sample s : samples) {
            double y = premium ? s.premium() : s.balanced();
            if (!Double.isNaN(y)) {
                scored.add(new double[] {premium ? m.premium(s) : m.balanced(s), y});
            }
        }
        // Soft labels (WEAK_RIGHT_BALANCED) count as negatives: the AUC says whether needs-strong ranks above them.
        long pos = scored.stream().filter(a -> a[1] == 1).count();
        long neg = scored.size() - pos;
        if (pos == 0 || neg == 0) {
            return "  -  ";
        }
        double wins = 0;
        for (double[] a : scored) {
            if (a[1] != 1) {
                continue;
            }
            for (double[] b : scored) {
                if (b[1] < 1) {
                    wins += a[0] > b[0] ? 1 : a[0] == b[0] ? 0.5 : 0;
                }
            }
        }
        return String.format(Locale.ROOT, "%.3f", wins / (pos * neg));
    }

    // ---- output ----

    String write(Trained full, Trained features, List<Sample> samples, double[][] oofFull, double[][] oofFeatures) {
        StringBuilder out = new StringBuilder();
        if (hidden == 0 && hiddenFeatures == 0) {
            out.append(String.format(Locale.ROOT, "# Cost Gateway router model: logistic regressions (l2 %s, %d Adam "
                    + "steps, source weights %s) trained by RouterModelTrainer on %d tune-split and own prompts; no "
                    + "text, weights and reference score quantiles only.%n", num(l2), steps, SOURCE_WEIGHT,
                    samples.size()));
            out.append("# Regenerate: mvn -B -Pbench test -Dtest=RouterModelTrainer -Drouter.hidden=0 "
                    + "-Dsurefire.failIfNoSpecifiedTests=false\n");
        } else {
            out.append(String.format(Locale.ROOT, "# Cost Gateway router model: %s; source weights %s; trained by "
                    + "RouterModelTrainer on %d tune-split and own prompts; no text, weights and reference score "
                    + "quantiles only.%n", kind(), SOURCE_WEIGHT, samples.size()));
            out.append(String.format(Locale.ROOT, "# Regenerate: mvn -B -Pbench test -Dtest=RouterModelTrainer "
                    + "-Drouter.hidden=%d -Drouter.hidden.features=%d -Drouter.mlp.l2=%s -Drouter.mlp.steps=%d "
                    + "-Drouter.mlp.lr=%s -Drouter.mlp.seed=%d -Dsurefire.failIfNoSpecifiedTests=false%n", hidden,
                    hiddenFeatures, mlpL2, mlpSteps, mlpLr, mlpSeed));
        }
        out.append("# Reference distribution: out-of-fold scores (").append(FOLDS)
                .append(" folds) of the same prompts (tune split + own training), ").append(REFERENCE_POINTS)
                .append(" quantiles per head.\n");
        out.append("# Vectors: ").append(minilm() ? "the all-MiniLM-L6-v2 sentence embedding (-Drouter.vectors=minilm; "
                + "the gateway cannot run this file)" : "TokenVectors, the mean of all-MiniLM-L6-v2's word-piece "
                + "embeddings (ADR 0026)").append('\n');
        out.append("# Features after the vector, in order: ").append(String.join(",", PromptFeatures.NAMES))
                .append('\n');
        for (Trained m : List.of(full, features)) {
            String name = m.embedding() ? RouterModel.WITH_EMBEDDING : RouterModel.FEATURES_ONLY;
            out.append(name).append(" dims ").append(m.embedding() ? samples.get(0).embedding().length : 0)
                    .append('\n');
            if (m.embedding()) {
                out.append(name).append(" vectors ").append(minilm() ? "minilm-sentence" : RouterModel.VECTORS)
                        .append('\n');
            }
            head(out, name + " premium", m.premiumHead());
            head(out, name + " balanced", m.balancedHead());
            double[][] oof = m.embedding() ? oofFull : oofFeatures;
            double[] rp = oof[0].clone();
            double[] rb = oof[1].clone();
            Arrays.sort(rp);
            Arrays.sort(rb);
            out.append(name).append(" premium reference ").append(csv(quantiles(rp))).append('\n');
            out.append(name).append(" balanced reference ").append(csv(quantiles(rb))).append('\n');
        }
        return out.toString();
    }

    private static void head(StringBuilder out, String key, TrainedHead h) {
        out.append(key).append(" bias ").append(num(h.b())).append('\n');
        out.append(key).append(" weights ").append(csv(h.w())).append('\n');
        if (h.hiddenW() != null) {
            out.append(key).append(" hidden bias ").append(csv(h.hiddenB())).append('\n');
            out.append(key).append(" hidden weights ").append(csv(h.hiddenW(), "%.4g")).append('\n');
        }
    }

    static double[] quantiles(double[] sorted) {
        double[] q = new double[REFERENCE_POINTS];
        for (int k = 0; k < REFERENCE_POINTS; k++) {
            double pos = (double) k / (REFERENCE_POINTS - 1) * (sorted.length - 1);
            int lo = (int) Math.floor(pos);
            int hi = Math.min(lo + 1, sorted.length - 1);
            q[k] = sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
        }
        return q;
    }

    static String csv(double[] a) {
        return csv(a, "%.6g");
    }

    /** Hidden-layer weights are written with 4 significant digits: the file stays small, scores move < 1e-3. */
    static String csv(double[] a, String format) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < a.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(String.format(Locale.ROOT, format, a[i]));
        }
        return b.toString();
    }

    static String num(double d) {
        return String.format(Locale.ROOT, "%.6g", d);
    }
}
