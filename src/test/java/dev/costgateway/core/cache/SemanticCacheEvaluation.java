package dev.costgateway.core.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.testing.EvalData;
import dev.costgateway.core.embed.Embedder;
import dev.costgateway.core.embed.OnnxEmbedder;

/**
 * Pair evaluation of the semantic-cache decision (cosine ≥ τ and {@link NearMissGuard}) on the public sets in
 * {@code shared/eval-data}. Every file is split by row: even rows are the tuning split (the threshold and the
 * guards were chosen on them), odd rows the held-out split (only reported). Run:
 * {@code mvn -B -o -Pbench test -Dtest=SemanticCacheEvaluation}; results in {@code docs/semantic-cache-eval.md}.
 */
@Tag("bench")
class SemanticCacheEvaluation {

    /** One labelled pair. @param shouldHit the cache may answer b with a's answer */
    record Pair(String a, String b, boolean shouldHit, boolean heldOut) {
    }

    /** Counts at one setting. */
    static final class Counts {
        long tp;
        long fp;
        long fn;
        long tn;

        void add(boolean fires, boolean shouldHit) {
            if (fires && shouldHit) {
                tp++;
            } else if (fires) {
                fp++;
            } else if (shouldHit) {
                fn++;
            } else {
                tn++;
            }
        }

        double precision() {
            return tp + fp == 0 ? Double.NaN : (double) tp / (tp + fp);
        }

        double recall() {
            return tp + fn == 0 ? Double.NaN : (double) tp / (tp + fn);
        }

        double falseHitRate() {
            return fp + tn == 0 ? Double.NaN : (double) fp / (fp + tn);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The cosine the guards-only rule uses (the shipped decision is the pair verifier, also shown). */
    private static final double TAU = SemanticCache.GUARDS_ONLY_THRESHOLD;
    /** Sets whose negatives are near-misses: the false-hit budget (≤ 1 %) applies to them. */
    private static final Set<String> NEAR_MISS_SETS = Set.of("PAWS", "QQP", "SemAntoNeg", "WikiFactCheck");

    @Test
    void evaluate() throws IOException {
        Path dir = EvalData.dir();
        Map<String, List<Pair>> sets = load(dir);
        org.assertj.core.api.Assertions.assertThat(sets.values()).as("pairs read per dataset")
                .allSatisfy(pairs -> org.assertj.core.api.Assertions.assertThat(pairs).isNotEmpty());
        Set<String> texts = new LinkedHashSet<>();
        sets.values().forEach(ps -> ps.forEach(p -> {
            texts.add(p.a());
            texts.add(p.b());
        }));
        Map<String, float[]> vectors;
        long t0 = System.nanoTime();
        try (OnnxEmbedder embedder = OnnxEmbedder.load(OnnxEmbedder.ALL_MINILM_L6_V2_Q)) {
            vectors = EvalData.embedAll(embedder, texts, "eval-pair-embeddings.bin");
        }
        System.out.printf(Locale.ROOT, "%d distinct texts embedded in %.1f s%n", texts.size(),
                (System.nanoTime() - t0) / 1e9);

        Map<Pair, Double> cosine = new LinkedHashMap<>();
        Map<Pair, Boolean> guardPasses = new LinkedHashMap<>();
        Map<String, NearMissGuard.Features> features = new LinkedHashMap<>();
        for (List<Pair> ps : sets.values()) {
            for (Pair p : ps) {
                cosine.put(p, Embedder.cosine(vectors.get(p.a()), vectors.get(p.b())));
                guardPasses.put(p, NearMissGuard.compatible(
                        features.computeIfAbsent(p.a(), NearMissGuard::features),
                        features.computeIfAbsent(p.b(), NearMissGuard::features)));
            }
        }

        PairVerifier verifier = PairVerifier.bundled();
        System.out.println();
        System.out.println("## Sweep on the tuning split (guards on): near-miss false-hit rate vs recall");
        System.out.println("| τ | near-miss false hits (pooled) | worst near-miss set | recall (pooled positives) |"
                + " recall QQP | recall GPTCache |");
        System.out.println("|---|---|---|---|---|---|");
        double chosen = Double.NaN;
        for (int step = 70; step <= 98; step++) {
            double tau = step / 100.0;
            Counts nearMiss = new Counts();
            Counts positives = new Counts();
            double worst = 0;
            String worstSet = "";
            Map<String, Counts> bySet = new LinkedHashMap<>();
            for (Map.Entry<String, List<Pair>> set : sets.entrySet()) {
                Counts c = bySet.computeIfAbsent(set.getKey(), k -> new Counts());
                for (Pair p : set.getValue()) {
                    if (p.heldOut()) {
                        continue;
                    }
                    boolean fires = cosine.get(p) >= tau && guardPasses.get(p);
                    c.add(fires, p.shouldHit());
                    if (p.shouldHit()) {
                        positives.add(fires, true);
                    } else if (NEAR_MISS_SETS.contains(set.getKey())) {
                        nearMiss.add(fires, false);
                    }
                }
                if (NEAR_MISS_SETS.contains(set.getKey()) && c.falseHitRate() > worst) {
                    worst = c.falseHitRate();
                    worstSet = set.getKey();
                }
            }
            if (Double.isNaN(chosen) && nearMiss.falseHitRate() <= 0.01) {
                chosen = tau;
            }
            System.out.printf(Locale.ROOT, "| %.2f | %s | %s %s | %s | %s | %s |%n", tau,
                    pct(nearMiss.falseHitRate()), worstSet, pct(worst), pct(positives.recall()),
                    pct(bySet.get("QQP").recall()), pct(bySet.get("GPTCache").recall()));
        }
        System.out.printf(Locale.ROOT, "%nlowest τ with pooled near-miss false hits ≤ 1 %% (tuning split): %.2f; "
                + "shipped default: %.2f%n", chosen, TAU);

        for (boolean heldOut : new boolean[] {false, true}) {
            System.out.println();
            System.out.printf(Locale.ROOT, "## %s split at τ = %.2f%n", heldOut ? "Held-out" : "Tuning",
                    TAU);
            System.out.println("| set | positives | negatives | cosine only: precision / recall / false hits |"
                    + " cosine + guards: precision / recall / false hits | shipped verifier: precision / recall /"
                    + " false hits |");
            System.out.println("|---|---|---|---|---|---|");
            for (Map.Entry<String, List<Pair>> set : sets.entrySet()) {
                Counts plain = new Counts();
                Counts guarded = new Counts();
                Counts verified = new Counts();
                for (Pair p : set.getValue()) {
                    if (p.heldOut() != heldOut) {
                        continue;
                    }
                    boolean similar = cosine.get(p) >= TAU;
                    plain.add(similar, p.shouldHit());
                    guarded.add(similar && guardPasses.get(p), p.shouldHit());
                    verified.add(verifier.accepts(cosine.get(p), features.get(p.b()), features.get(p.a())),
                            p.shouldHit());
                }
                System.out.printf(Locale.ROOT, "| %s | %d | %d | %s / %s / %s | %s / %s / %s | %s / %s / %s |%n",
                        set.getKey(), plain.tp + plain.fn, plain.fp + plain.tn, pct(plain.precision()),
                        pct(plain.recall()), pct(plain.falseHitRate()), pct(guarded.precision()),
                        pct(guarded.recall()), pct(guarded.falseHitRate()), pct(verified.precision()),
                        pct(verified.recall()), pct(verified.falseHitRate()));
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "## Positives with cosine ≥ %.2f that a guard rejects (tuning split)%n",
                TAU);
        for (Map.Entry<String, List<Pair>> set : sets.entrySet()) {
            Map<String, Integer> reasons = new java.util.TreeMap<>();
            for (Pair p : set.getValue()) {
                if (!p.heldOut() && p.shouldHit() && cosine.get(p) >= TAU) {
                    String why = NearMissGuard.disagreement(features.get(p.a()), features.get(p.b()));
                    if (why != null) {
                        reasons.merge(why, 1, Integer::sum);
                        if (Boolean.getBoolean("eval.showRejections")) {
                            System.out.printf(Locale.ROOT, "  %s %s | %s | %s%n", set.getKey(), why, p.a(), p.b());
                        }
                    }
                }
            }
            System.out.println("- " + set.getKey() + ": " + reasons);
        }
        if (Boolean.getBoolean("eval.showFalseHits")) {
            System.out.println();
            System.out.println("## False hits on the tuning split");
            for (Map.Entry<String, List<Pair>> set : sets.entrySet()) {
                for (Pair p : set.getValue()) {
                    if (!p.heldOut() && !p.shouldHit() && cosine.get(p) >= TAU
                            && guardPasses.get(p)) {
                        System.out.printf(Locale.ROOT, "%s %.3f | %s | %s%n", set.getKey(), cosine.get(p), p.a(),
                                p.b());
                    }
                }
            }
        }
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f %%", v * 100);
    }

    static Map<String, List<Pair>> load(Path dir) throws IOException {
        Map<String, List<Pair>> sets = new LinkedHashMap<>();
        sets.put("PAWS", tsv(dir.resolve("cache_paws_wiki_test_every3.tsv"), true, 1, 2, r -> "1".equals(r[3])));
        sets.put("QQP", json(dir.resolve("cache_qqp_gptcache_every27.json"), "text_a", "text_b", "label"));
        sets.put("SemAntoNeg", tsv(dir.resolve("cache_semantoneg_every3groups.tsv"), true, 0, 1,
                r -> "0".equals(r[2])));
        sets.put("WikiFactCheck", tsv(dir.resolve("cache_wikifactcheck_refuted_pairs.tsv"), true, 0, 1, r -> false));
        sets.put("GPTCache", gptCache(dir.resolve("cache_gptcache_mock_data.json")));
        sets.put("STS-B", graded(dir.resolve("cache_stsb_test_no_msr.tsv"), 4, 5, 6));
        sets.put("STS2016-QQ", graded(dir.resolve("cache_sts2016_question_question.tsv"), 0, 1, 2));
        return sets;
    }

    private interface Label {
        boolean shouldHit(String[] row);
    }

    private static List<Pair> tsv(Path file, boolean header, int a, int b, Label label) throws IOException {
        List<Pair> pairs = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        int row = 0;
        for (int i = header ? 1 : 0; i < lines.size(); i++) {
            String[] cols = lines.get(i).split("\t", -1);
            if (cols.length <= Math.max(a, b)) {
                continue;
            }
            pairs.add(new Pair(cols[a], cols[b], label.shouldHit(cols), row++ % 2 == 1));
        }
        return pairs;
    }

    private static List<Pair> json(Path file, String a, String b, String label) throws IOException {
        List<Pair> pairs = new ArrayList<>();
        int row = 0;
        for (JsonNode n : JSON.readTree(file.toFile())) {
            pairs.add(new Pair(n.get(a).asText(), n.get(b).asText(), n.get(label).asInt() == 1, row++ % 2 == 1));
        }
        return pairs;
    }

    /** Positives: each (origin, similar); negatives: origin i against similar i+1, i+7 and i+31 (easy). */
    private static List<Pair> gptCache(Path file) throws IOException {
        JsonNode all = JSON.readTree(file.toFile());
        List<Pair> pairs = new ArrayList<>();
        int n = all.size();
        for (int i = 0; i < n; i++) {
            boolean heldOut = i % 2 == 1;
            String origin = all.get(i).get("origin").asText();
            pairs.add(new Pair(origin, all.get(i).get("similar").asText(), true, heldOut));
            for (int offset : new int[] {1, 7, 31}) {
                pairs.add(new Pair(origin, all.get((i + offset) % n).get("similar").asText(), false, heldOut));
            }
        }
        return pairs;
    }

    /** Graded similarity 0–5: ≥ 4 should hit, ≤ 2 must not, 2–4 left out (as the data README suggests). */
    private static List<Pair> graded(Path file, int score, int a, int b) throws IOException {
        List<Pair> pairs = new ArrayList<>();
        int row = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] cols = line.split("\t", -1);
            if (cols.length <= Math.max(b, score) || cols[score].isBlank()) {
                continue;
            }
            double s = Double.parseDouble(cols[score]);
            boolean heldOut = row++ % 2 == 1;
            if (s >= 4.0) {
                pairs.add(new Pair(cols[a], cols[b], true, heldOut));
            } else if (s <= 2.0) {
                pairs.add(new Pair(cols[a], cols[b], false, heldOut));
            }
        }
        return pairs;
    }
}
