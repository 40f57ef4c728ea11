package dev.costgateway.core.routing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.costgateway.core.config.Tier;
import dev.costgateway.core.embed.Embedder;

/**
 * Routing layer 2: the {@value #K} labelled examples nearest to a prompt vote on its tier (SIMPLE → FAST,
 * MODERATE → BALANCED, COMPLEX → PREMIUM). It answers only when at least {@value #AGREEING} of them agree and the
 * nearest agreeing one has cosine ≥ the threshold ({@code classifier.embedding_threshold}); a FAST vote also needs
 * the prompt to be at most about twice as long as that example. Otherwise the router falls through to the next
 * layer.
 *
 * <p>The examples ({@value #EXAMPLES_RESOURCE}, written for this project) are embedded once, in the background,
 * the first time the embedder is ready ({@link #warmUp()} or the first {@link #classify} call starts it). Until
 * then {@link #classify} returns empty without blocking. Thread-safe.
 */
public final class EmbeddingClassifier implements EmbeddingLayer {

    /** Neighbours that vote. */
    public static final int K = 5;
    /** Votes the winning label needs. */
    public static final int AGREEING = 4;
    static final String EXAMPLES_RESOURCE = "classifier-examples.tsv";
    /*
     * Embeddings capture topic, not difficulty: a long competition problem lands next to "What's 12 times 9?".
     * A FAST vote therefore also needs the prompt to be about as short as the example that carried it.
     */
    private static final int FAST_LENGTH_RATIO = 2;
    private static final int FAST_LENGTH_SLACK = 20;

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingClassifier.class);

    /** An example prompt and its label. */
    record Example(Tier tier, String text) {
    }

    private final Supplier<Optional<Embedder>> embedder;
    private final DoubleSupplier threshold;
    private final Executor executor;
    private final List<Example> examples;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile float[][] vectors;

    /**
     * @param embedder  the embedder once ready (e.g. {@code embedderService::ready}); must not block
     * @param threshold read on every call (so a config reload applies at once)
     * @param executor  where the examples are embedded (about half a second, once)
     */
    public EmbeddingClassifier(Supplier<Optional<Embedder>> embedder, DoubleSupplier threshold, Executor executor) {
        this(embedder, threshold, executor, loadExamples());
    }

    EmbeddingClassifier(Supplier<Optional<Embedder>> embedder, DoubleSupplier threshold, Executor executor,
            List<Example> examples) {
        this.embedder = Objects.requireNonNull(embedder);
        this.threshold = Objects.requireNonNull(threshold);
        this.executor = Objects.requireNonNull(executor);
        this.examples = List.copyOf(examples);
    }

    /** Starts embedding the examples if the embedder is ready and that has not started yet. Never blocks. */
    public void warmUp() {
        Optional<Embedder> model = embedder.get();
        if (model.isPresent() && started.compareAndSet(false, true)) {
            executor.execute(() -> embedExamples(model.get()));
        }
    }

    /** Whether the examples are embedded and {@link #classify} can vote. */
    public boolean ready() {
        return vectors != null && embedder.get().isPresent();
    }

    @Override
    public Optional<TierVote> classify(String promptText) {
        float[][] exampleVectors = vectors;
        Optional<Embedder> model = embedder.get();
        if (exampleVectors == null || model.isEmpty()) {
            warmUp();
            return Optional.empty();
        }
        if (promptText == null || promptText.isBlank()) {
            return Optional.empty();
        }
        return vote(model.get().embed(promptText), exampleVectors, threshold.getAsDouble())
                .filter(v -> v.tier() != Tier.FAST || promptText.strip().length() <= v.nearestExample().length()
                        * FAST_LENGTH_RATIO + FAST_LENGTH_SLACK);
    }

    /** Number of labelled examples. */
    int exampleCount() {
        return examples.size();
    }

    private Optional<TierVote> vote(float[] query, float[][] exampleVectors, double minSimilarity) {
        int[] nearest = new int[K];
        double[] similarity = new double[K];
        Arrays.fill(similarity, Double.NEGATIVE_INFINITY);
        Arrays.fill(nearest, -1);
        for (int i = 0; i < exampleVectors.length; i++) {
            double s = Embedder.cosine(query, exampleVectors[i]);
            if (s <= similarity[K - 1]) {
                continue;
            }
            int at = K - 1;
            while (at > 0 && similarity[at - 1] < s) {
                similarity[at] = similarity[at - 1];
                nearest[at] = nearest[at - 1];
                at--;
            }
            similarity[at] = s;
            nearest[at] = i;
        }
        Map<Tier, Integer> votes = new EnumMap<>(Tier.class);
        for (int n : nearest) {
            if (n >= 0) {
                votes.merge(examples.get(n).tier(), 1, Integer::sum);
            }
        }
        for (Map.Entry<Tier, Integer> v : votes.entrySet()) {
            if (v.getValue() < AGREEING) {
                continue;
            }
            for (int rank = 0; rank < K; rank++) {
                if (nearest[rank] >= 0 && examples.get(nearest[rank]).tier() == v.getKey()) {
                    if (similarity[rank] < minSimilarity) {
                        return Optional.empty();
                    }
                    return Optional.of(new TierVote(v.getKey(), similarity[rank], examples.get(nearest[rank]).text()));
                }
            }
        }
        return Optional.empty();
    }

    private void embedExamples(Embedder model) {
        try {
            long start = System.nanoTime();
            float[][] embedded = new float[examples.size()][];
            for (int i = 0; i < embedded.length; i++) {
                embedded[i] = model.embed(examples.get(i).text());
            }
            vectors = embedded;
            LOG.info("embedding classifier ready: {} examples in {} ms", embedded.length,
                    (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.warn("embedding classifier unavailable: {}", e.toString());
        }
    }

    /** The examples shipped in {@value #EXAMPLES_RESOURCE}: {@code LABEL<TAB>prompt}, {@code #} comments. */
    static List<Example> loadExamples() {
        try (InputStream in = EmbeddingClassifier.class.getResourceAsStream(EXAMPLES_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(EXAMPLES_RESOURCE + " missing from the classpath");
            }
            List<Example> examples = new ArrayList<>();
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                if (tab < 0) {
                    throw new IllegalStateException("bad example line (no tab): " + line);
                }
                examples.add(new Example(tierOf(line.substring(0, tab)), line.substring(tab + 1).strip()));
            }
            return examples;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Tier tierOf(String label) {
        return switch (label) {
            case "SIMPLE" -> Tier.FAST;
            case "MODERATE" -> Tier.BALANCED;
            case "COMPLEX" -> Tier.PREMIUM;
            default -> throw new IllegalStateException("unknown example label " + label);
        };
    }
}
