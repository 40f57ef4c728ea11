package dev.costgateway.core.routing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.costgateway.testing.EvalData;
import dev.costgateway.core.config.Tier;
import dev.costgateway.core.embed.Embedder;
import dev.costgateway.core.embed.OnnxEmbedder;
import dev.costgateway.core.routing.EmbeddingLayer.TierVote;
import dev.costgateway.testing.EvalCsv;

/**
 * How the embedding classifier (routing layer 2) votes on the routing files of {@code shared/eval-data}, at
 * several thresholds: coverage (share of prompts it votes on), the tiers it picks, and accuracy against the proxy
 * labels (RouteLLM: "needs the strong model" = weak wrong and strong right; MATH levels; Arena-Hard = hard). Run:
 * {@code mvn -B -o -Pbench test -Dtest=EmbeddingClassifierEvaluation}.
 */
@Tag("bench")
class EmbeddingClassifierEvaluation {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double[] THRESHOLDS = {0.5, 0.6, 0.7, 0.8, 0.9};

    /** A prompt and what a good router would do with it (null when only the vote mix is of interest). */
    record Prompt(String text, Boolean needsStrong) {
    }

    @Test
    void evaluate() throws IOException {
        Path dir = EvalData.dir();
        Map<String, List<Prompt>> sets = new LinkedHashMap<>();
        org.assertj.core.api.Assertions.assertThat(dir.resolve("route_routellm_gsm8k_responses.csv")).isRegularFile();
        sets.put("GSM8K (RouteLLM)", routellm(dir.resolve("route_routellm_gsm8k_responses.csv"), 0, 1, 2));
        sets.put("MMLU (RouteLLM)", routellm(dir.resolve("route_routellm_mmlu_every5.csv"), 2, 3, 4));
        sets.put("MATH Level 1", math(dir.resolve("route_math_test_every2.jsonl"), "Level 1"));
        sets.put("MATH Level 5", math(dir.resolve("route_math_test_every2.jsonl"), "Level 5"));
        sets.put("Arena-Hard v0.1", jsonl(dir.resolve("route_arena_hard_v0.1_questions.jsonl"), n -> true, "prompt"));
        sets.put("MT-bench writing+roleplay", jsonl(dir.resolve("route_mtbench_questions.jsonl"),
                n -> Set.of("writing", "roleplay").contains(n.get("category").asText()), "turns"));
        sets.put("MT-bench math+reasoning+coding", jsonl(dir.resolve("route_mtbench_questions.jsonl"),
                n -> Set.of("math", "reasoning", "coding").contains(n.get("category").asText()), "turns"));

        Set<String> texts = new LinkedHashSet<>();
        sets.values().forEach(ps -> ps.forEach(p -> texts.add(p.text())));
        Map<String, float[]> vectors;
        List<EmbeddingClassifier.Example> examples = EmbeddingClassifier.loadExamples();
        try (OnnxEmbedder model = OnnxEmbedder.load(OnnxEmbedder.ALL_MINILM_L6_V2_Q)) {
            vectors = EvalData.embedAll(model, texts, "eval-route-embeddings.bin");
            Embedder lookup = new Embedder() {
                @Override
                public float[] embed(String text) {
                    float[] v = vectors.get(text);
                    return v != null ? v : model.embed(text);
                }

                @Override
                public int dimensions() {
                    return model.dimensions();
                }
            };
            System.out.println("| set | prompts | τ | votes (coverage) | FAST / BALANCED / PREMIUM of votes |"
                    + " accuracy of votes | needs-strong sent to FAST |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (double tau : THRESHOLDS) {
                EmbeddingClassifier classifier = new EmbeddingClassifier(() -> Optional.of(lookup), () -> tau,
                        Runnable::run, examples);
                classifier.warmUp();
                for (Map.Entry<String, List<Prompt>> set : sets.entrySet()) {
                    report(set.getKey(), set.getValue(), classifier, tau);
                }
            }
        }
    }

    private static void report(String name, List<Prompt> prompts, EmbeddingClassifier classifier, double tau) {
        Map<Tier, Integer> mix = new EnumMap<>(Tier.class);
        int votes = 0;
        int labelled = 0;
        int correct = 0;
        int strongToFast = 0;
        int needsStrong = 0;
        for (Prompt p : prompts) {
            Optional<TierVote> vote = classifier.classify(p.text());
            if (vote.isEmpty()) {
                continue;
            }
            votes++;
            Tier t = vote.get().tier();
            mix.merge(t, 1, Integer::sum);
            if (p.needsStrong() != null) {
                labelled++;
                boolean cheap = t == Tier.FAST;
                if (cheap != p.needsStrong()) {
                    correct++;
                }
                if (p.needsStrong()) {
                    needsStrong++;
                    if (cheap) {
                        strongToFast++;
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %d (%.1f %%) | %s / %s / %s | %s | %s |%n", name,
                prompts.size(), tau, votes, 100.0 * votes / prompts.size(), share(mix, Tier.FAST, votes),
                share(mix, Tier.BALANCED, votes), share(mix, Tier.PREMIUM, votes),
                labelled == 0 ? "–" : String.format(Locale.ROOT, "%.1f %%", 100.0 * correct / labelled),
                needsStrong == 0 ? "–" : String.format(Locale.ROOT, "%d of %d", strongToFast, needsStrong));
    }

    private static String share(Map<Tier, Integer> mix, Tier tier, int votes) {
        return votes == 0 ? "–" : String.format(Locale.ROOT, "%.0f %%", 100.0 * mix.getOrDefault(tier, 0) / votes);
    }

    /** RouteLLM files: needs strong = weak wrong and strong right; both wrong are left out (no model helps). */
    private static List<Prompt> routellm(Path file, int prompt, int weak, int strong) throws IOException {
        List<Prompt> out = new ArrayList<>();
        List<List<String>> rows = EvalCsv.parse(Files.readString(file, StandardCharsets.UTF_8));
        for (List<String> r : rows.subList(1, rows.size())) {
            boolean weakRight = Boolean.parseBoolean(r.get(weak));
            boolean strongRight = Boolean.parseBoolean(r.get(strong));
            if (weakRight || strongRight) {
                out.add(new Prompt(r.get(prompt), !weakRight));
            }
        }
        return out;
    }

    private static List<Prompt> math(Path file, String level) throws IOException {
        Boolean needsStrong = "Level 5".equals(level);
        return jsonl(file, n -> level.equals(n.get("level").asText()), "problem").stream()
                .map(p -> new Prompt(p.text(), needsStrong)).toList();
    }

    private static List<Prompt> jsonl(Path file, Predicate<JsonNode> keep, String field) throws IOException {
        List<Prompt> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = JSON.readTree(line);
            if (keep.test(n)) {
                JsonNode v = n.get(field);
                out.add(new Prompt(v.isArray() ? v.get(0).asText() : v.asText(), null));
            }
        }
        return out;
    }

}
