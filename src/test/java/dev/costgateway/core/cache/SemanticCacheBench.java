package dev.costgateway.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.costgateway.testing.EvalData;
import dev.costgateway.core.embed.OnnxEmbedder;

/**
 * Lookup latency of one semantic-cache group holding 100 000 entries, and how often the sketch pre-filter finds
 * the same answer as an exhaustive scan. Entries are real prompt embeddings (from eval-data) plus noisy copies of
 * them, so every query has dense neighbourhoods, as a busy cache would. Run:
 * {@code mvn -B -o -Pbench test -Dtest=SemanticCacheBench}. The timed lookups decide as the cache does (cosine
 * floor {@code cache.semantic_threshold}, then vetoes and the pair verifier per candidate).
 */
@Tag("bench")
class SemanticCacheBench {

    private static final int ENTRIES = 100_000;
    private static final int BASES = 2_000;
    private static final int QUERIES = 2_000;
    private static final double THRESHOLD = SemanticCache.RECOMMENDED_THRESHOLD;

    @Test
    void lookupAt100kEntriesInOneGroup() throws IOException {
        List<String> texts = new ArrayList<>(realTexts());
        Map<String, float[]> vectors;
        try (OnnxEmbedder embedder = OnnxEmbedder.load(OnnxEmbedder.ALL_MINILM_L6_V2_Q)) {
            vectors = EvalData.embedAll(embedder, texts, "bench-embeddings.bin");
        }
        SplittableRandom random = new SplittableRandom(42);
        CachedAnswer answer = CacheFixtures.answer("cached");
        SemanticGroup group = new SemanticGroup(384);
        List<SemanticEntry> all = new ArrayList<>(ENTRIES);
        long buildStart = System.nanoTime();
        for (int i = 0; i < ENTRIES; i++) {
            String base = texts.get(i % BASES);
            // variants sit at cosine 0.88-0.97 from their base: dense neighbourhoods right around the threshold
            float[] v = i < BASES ? vectors.get(base) : perturb(vectors.get(base), 0.015 + 0.015 * random.nextDouble(),
                    random);
            String prompt = i < BASES ? base : base + " (variant " + letters(i) + ")";
            SemanticEntry e = new SemanticEntry("g", prompt, v, answer);
            group.add(e);
            all.add(e);
        }
        System.out.printf(Locale.ROOT, "built a group of %d entries in %.1f s%n", group.size(),
                (System.nanoTime() - buildStart) / 1e9);

        List<float[]> queries = new ArrayList<>();
        List<String> queryTexts = new ArrayList<>();
        for (int q = 0; q < QUERIES; q++) {
            String text = q % 2 == 0 ? texts.get(random.nextInt(BASES)) : texts.get(BASES + random.nextInt(
                    texts.size() - BASES));
            queries.add(q % 2 == 0 ? perturb(vectors.get(text), 0.01, random) : vectors.get(text));
            queryTexts.add(text);
        }
        NearMissGuard.Features anyFeatures = NearMissGuard.features("x");
        Instant notBefore = Instant.EPOCH;
        for (int warm = 0; warm < 3; warm++) {
            for (float[] q : queries) {
                group.best(q, anyFeatures, THRESHOLD, notBefore);
            }
        }
        // as SemanticCache.lookup decides: cosine floor, then guards' vetoes and the pair verifier per candidate
        PairVerifier verifier = PairVerifier.bundled();
        long[] nanos = new long[QUERIES];
        int hits = 0;
        for (int q = 0; q < QUERIES; q++) {
            NearMissGuard.Features f = NearMissGuard.features(queryTexts.get(q));
            long t0 = System.nanoTime();
            Optional<SemanticGroup.Match> hit = group.bestMatch(queries.get(q), THRESHOLD, notBefore,
                    (e, similarity) -> verifier.accepts(similarity, f, e.features));
            nanos[q] = System.nanoTime() - t0;
            hits += hit.isPresent() ? 1 : 0;
        }
        Arrays.sort(nanos);
        double p50 = nanos[QUERIES / 2] / 1e6;
        double p90 = nanos[QUERIES * 9 / 10] / 1e6;
        System.out.printf(Locale.ROOT, "index lookup over %d entries: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms "
                + "(%d of %d queries hit)%n", ENTRIES, p50, p90, nanos[QUERIES * 99 / 100] / 1e6, hits, QUERIES);

        int agree = 0;
        int checked = 0;
        long exhaustiveNanos = 0;
        for (int q = 0; q < QUERIES; q += 10) {
            float[] query = queries.get(q);
            long t0 = System.nanoTime();
            SemanticEntry best = null;
            double bestSim = THRESHOLD;
            for (SemanticEntry e : all) {
                float s = 0;
                for (int d = 0; d < query.length; d++) {
                    s += query[d] * e.vector[d];
                }
                if (s >= bestSim) {
                    best = e;
                    bestSim = s;
                }
            }
            exhaustiveNanos += System.nanoTime() - t0;
            Optional<SemanticHit> fast = group.best(query, anyFeaturesFor(best), THRESHOLD, notBefore);
            boolean same = best == null ? fast.isEmpty()
                    : fast.isPresent() && fast.get().matchedPrompt().equals(best.prompt);
            agree += same ? 1 : 0;
            checked++;
        }
        System.out.printf(Locale.ROOT, "sketch pre-filter agrees with an exhaustive scan on %d of %d queries; "
                + "exhaustive scan takes %.2f ms per query%n", agree, checked, exhaustiveNanos / 1e6 / checked);
        assertThat(p50).as("p50 lookup ms").isLessThanOrEqualTo(1.0);
        assertThat(agree).isGreaterThanOrEqualTo(checked * 99 / 100);
    }

    /** The exhaustive best entry's own features, so the guard passes and only the search is compared. */
    private static NearMissGuard.Features anyFeaturesFor(SemanticEntry best) {
        return best == null ? NearMissGuard.features("x") : best.features;
    }

    private static String letters(int i) {
        StringBuilder sb = new StringBuilder();
        for (int n = i; n > 0; n /= 26) {
            sb.append((char) ('a' + n % 26));
        }
        return sb.toString();
    }

    private static float[] perturb(float[] v, double sigma, SplittableRandom random) {
        float[] out = new float[v.length];
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
            double u1 = 1.0 - random.nextDouble();
            double g = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random.nextDouble());
            out[i] = (float) (v[i] + sigma * g);
            norm += out[i] * out[i];
        }
        norm = Math.sqrt(norm);
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (out[i] / norm);
        }
        return out;
    }

    /** Short real questions: QQP and GPTCache sides, deduplicated; the first BASES go into the index. */
    private static LinkedHashSet<String> realTexts() throws IOException {
        LinkedHashSet<String> texts = new LinkedHashSet<>();
        Map<String, List<SemanticCacheEvaluation.Pair>> sets = SemanticCacheEvaluation.load(EvalData.dir());
        for (String set : List.of("QQP", "GPTCache", "STS2016-QQ")) {
            for (SemanticCacheEvaluation.Pair p : sets.get(set)) {
                texts.add(p.a());
                texts.add(p.b());
            }
        }
        return texts;
    }
}
