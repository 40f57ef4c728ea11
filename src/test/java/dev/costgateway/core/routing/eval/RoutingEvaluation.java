package dev.costgateway.core.routing.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.config.ConfigLoader;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;
import dev.costgateway.core.embed.Embedder;
import dev.costgateway.core.embed.TokenVectors;
import dev.costgateway.core.routing.DifficultyScorer;
import dev.costgateway.core.routing.EmbeddingLayer;
import dev.costgateway.core.routing.RouterModel;
import dev.costgateway.core.routing.HeuristicClassifier;
import dev.costgateway.core.decision.RouteDecision;
import dev.costgateway.core.routing.Router;
import dev.costgateway.testing.EvalCsv;

/**
 * Offline evaluation of the router over the public routing sets in {@code shared/eval-data} (see
 * docs/routing-eval.md). Every prompt is sent as {@code "model": "auto"} (premium ceiling) through the real
 * {@link Router} with the default configuration, no embedding layer and no LLM classifier, and through the
 * heuristic alone (its tier taken at any confidence).
 *
 * <p>Labels: RouteLLM's weak (Mixtral-8x7B) and strong (GPT-4) correctness; "needs strong" = weak wrong and strong
 * right. MT-Bench turns: needs strong when GPT-4's judge score beats Mixtral's. Arena-Hard: every prompt needs strong.
 * MATH: level only. Quality proxy: a prompt routed to {@code fast} gets the weak model's correctness, anything else
 * the strong one's.
 *
 * <p>Split: a prompt is held out when the first byte of the SHA-256 of its text is below 77 (30 %). Tuning looked
 * only at the tune split. System properties: {@code eval.data} (folder), {@code eval.split}
 * ({@code tune|holdout|both}, default both), {@code eval.outputTokens} (assumed answer length, default 400).
 */
public final class RoutingEvaluation {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int HOLDOUT_BELOW = 77;

    /** One labelled prompt. {@code weakRight}/{@code strongRight} are null when unknown. */
    record Item(String set, String group, ObjectNode body, Boolean weakRight, Boolean strongRight, boolean holdout) {
        boolean needsStrong() {
            return Boolean.FALSE.equals(weakRight) && Boolean.TRUE.equals(strongRight);
        }
    }

    /** The modes compared: the layered chain (before issue 11), the heuristic alone, and the scoring router. */
    static final List<String> MODES = List.of("before", "heuristic-only", "score", "score-features");

    private final GatewayConfig cfg;
    private final Router before;
    private final Router score;
    private final Router scoreFeatures;
    private final HeuristicClassifier heuristic = new HeuristicClassifier();
    private final long outputTokens = Long.getLong("eval.outputTokens", 400);

    /** Default configuration; {@code embedder} gives the router's vectors; null means the "score" mode falls back to the features-only model. */
    RoutingEvaluation(Embedder embedder) {
        this(ConfigLoader.defaults(), embedder);
    }

    RoutingEvaluation(GatewayConfig cfg, Embedder embedder) {
        this.cfg = cfg;
        RouterModel model = RouterModel.load();
        this.before = new Router(() -> cfg, heuristic, EmbeddingLayer.NONE, null);
        this.score = new Router(() -> cfg, heuristic, EmbeddingLayer.NONE, null,
                new DifficultyScorer(model, () -> Optional.ofNullable(embedder)));
        this.scoreFeatures = new Router(() -> cfg, heuristic, EmbeddingLayer.NONE, null,
                new DifficultyScorer(model, Optional::empty));
    }

    RoutingEvaluation() {
        this(null);
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("ai.djl.offline", "true");
        Path dir = dataDir().orElseThrow(() -> new IllegalStateException(
                "eval data not found: pass -Deval.data=/path/to/shared/eval-data"));
        try (TokenVectors vectors = TokenVectors.load()) {
            new RoutingEvaluation(vectors).run(dir, System.getProperty("eval.split", "both"));
        }
    }

    /** {@code -Deval.data}, else the first {@code shared/eval-data} found walking up from the working folder. */
    public static Optional<Path> dataDir() {
        String prop = System.getProperty("eval.data");
        if (prop != null && !prop.isBlank()) {
            return Optional.of(Path.of(prop));
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("eval-data");
            if (Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    void run(Path dir, String split) throws IOException {
        List<Item> items = new ArrayList<>(loadPublic(dir));
        items.addAll(loadOwn());
        printPublic(dir, split, items);
    }

    /** Our own prompts: the held-out file (split holdout) and the training examples (split tune). */
    static List<Item> loadOwn() {
        List<Item> out = new ArrayList<>();
        for (OwnExamples.Example e : OwnExamples.load(OwnExamples.HELDOUT)) {
            out.add(new Item("own", e.tier().id(), ask(e.text()), null, null, true));
        }
        java.util.Set<String> heldOut = new java.util.HashSet<>();
        out.forEach(i -> heldOut.add(i.body().path("messages").get(0).path("content").asText()));
        List<OwnExamples.Example> training = new ArrayList<>(OwnExamples.load(OwnExamples.LAYER2_EXAMPLES));
        training.addAll(OwnExamples.load(OwnExamples.TRAINING));
        for (OwnExamples.Example e : training) {
            if (!heldOut.contains(e.text())) {
                out.add(new Item("own", e.tier().id(), ask(e.text()), null, null, false));
            }
        }
        return out;
    }

    /** Every labelled prompt of the public routing sets, each marked held out or not by {@link #holdout}. */
    static List<Item> loadPublic(Path dir) throws IOException {
        List<Item> items = new ArrayList<>();
        items.addAll(routeLlmCsv(dir.resolve("route_routellm_gsm8k_responses.csv"), "gsm8k", 0, -1, 1, 2));
        items.addAll(routeLlmCsv(dir.resolve("route_routellm_mmlu_every5.csv"), "mmlu", 2, 0, 3, 4));
        items.addAll(mtBench(dir));
        items.addAll(arenaHard(dir.resolve("route_arena_hard_v0.1_questions.jsonl"), "arena-hard-v0.1", "cluster"));
        items.addAll(arenaHard(dir.resolve("route_arena_hard_v2.0_questions.jsonl"), "arena-hard-v2.0",
                "subcategory"));
        items.addAll(math(dir.resolve("route_math_test_every2.jsonl")));
        return items;
    }

    private void printPublic(Path dir, String split, List<Item> items) {
        System.out.printf(Locale.ROOT, "Routing evaluation over %s (%d prompts, output tokens assumed %d)%n", dir,
                items.size(), outputTokens);
        for (String s : split.equals("both") ? List.of("tune", "holdout") : List.of(split)) {
            boolean holdout = s.equals("holdout");
            List<Item> part = items.stream().filter(i -> i.holdout() == holdout).toList();
            System.out.printf(Locale.ROOT, "%n=== split: %s (%d prompts) ===%n", s, part.size());
            report(part);
        }
    }

    private void report(List<Item> items) {
        System.out.println("columns: mode | set | n | fast% balanced% premium% | needs-strong n -> fast n (%) "
                + "| cheap-ok n -> fast % | quality vs all-strong | cost vs all-premium");
        for (String mode : MODES) {
            Map<String, List<Item>> bySet = new LinkedHashMap<>();
            for (Item i : items) {
                bySet.computeIfAbsent(i.set(), k -> new ArrayList<>()).add(i);
            }
            for (var e : bySet.entrySet()) {
                line(mode, e.getKey(), e.getValue());
            }
        }
        for (String mode : MODES) {
            groups(mode, items);
        }
        for (String mode : MODES) {
            bill(mode, items.stream().filter(i -> i.set().equals("own")).toList());
        }
    }

    /** The cost of a 60 % simple / 30 % moderate / 10 % complex mix of our own prompts, against all-premium. */
    private void bill(String mode, List<Item> own) {
        double routed = 0;
        double premium = 0;
        Map<String, Double> mixShare = Map.of("fast", 0.6, "balanced", 0.3, "premium", 0.1);
        for (var share : mixShare.entrySet()) {
            List<Item> cls = own.stream().filter(i -> i.group().equals(share.getKey())).toList();
            double c = 0;
            double p = 0;
            for (Item i : cls) {
                long in = estimateTokens(i.body());
                c += price(cfg.modelFor(tier(mode, i)), in);
                p += price(cfg.modelFor(Tier.PREMIUM), in);
            }
            routed += share.getValue() * c / Math.max(cls.size(), 1);
            premium += share.getValue() * p / Math.max(cls.size(), 1);
        }
        System.out.printf(Locale.ROOT, "bill %-14s own prompts, 60/30/10 simple/moderate/complex: %5.1f%% of all-premium%n",
                mode, pct(routed, premium));
    }

    private void groups(String mode, List<Item> items) {
        System.out.println("groups (" + mode + "): share to fast / balanced / premium");
        Map<String, List<Item>> byGroup = new LinkedHashMap<>();
        for (Item i : items) {
            if (i.group() != null) {
                byGroup.computeIfAbsent(i.set() + ":" + i.group(), k -> new ArrayList<>()).add(i);
            }
        }
        for (var e : byGroup.entrySet()) {
            Map<Tier, Integer> mix = new EnumMap<>(Tier.class);
            for (Item i : e.getValue()) {
                mix.merge(tier(mode, i), 1, Integer::sum);
            }
            int n = e.getValue().size();
            System.out.printf(Locale.ROOT, "  %-34s n=%4d fast %5.1f%%  balanced %5.1f%%  premium %5.1f%%%n",
                    e.getKey(), n, pct(mix.getOrDefault(Tier.FAST, 0), n), pct(mix.getOrDefault(Tier.BALANCED, 0), n),
                    pct(mix.getOrDefault(Tier.PREMIUM, 0), n));
        }
    }

    private void line(String mode, String set, List<Item> items) {
        Map<Tier, Integer> mix = new EnumMap<>(Tier.class);
        int needsStrong = 0;
        int needsStrongFast = 0;
        int cheapOk = 0;
        int cheapOkFast = 0;
        int labelled = 0;
        int routedRight = 0;
        int strongRight = 0;
        double cost = 0;
        double premiumCost = 0;
        for (Item i : items) {
            Tier t = tier(mode, i);
            mix.merge(t, 1, Integer::sum);
            if (i.needsStrong()) {
                needsStrong++;
                needsStrongFast += t == Tier.FAST ? 1 : 0;
            }
            if (Boolean.TRUE.equals(i.weakRight())) {
                cheapOk++;
                cheapOkFast += t == Tier.FAST ? 1 : 0;
            }
            if (i.weakRight() != null && i.strongRight() != null) {
                labelled++;
                boolean right = t == Tier.FAST ? i.weakRight() : i.strongRight();
                routedRight += right ? 1 : 0;
                strongRight += i.strongRight() ? 1 : 0;
            }
            long in = estimateTokens(i.body());
            cost += price(cfg.modelFor(t), in);
            premiumCost += price(cfg.modelFor(Tier.PREMIUM), in);
        }
        int n = items.size();
        String quality = labelled == 0 ? "      n/a" : String.format(Locale.ROOT, "%5.1f/%5.1f%%",
                pct(routedRight, labelled), pct(strongRight, labelled));
        String cheap = cheapOk == 0 ? "   n/a" : String.format(Locale.ROOT, "%5.1f%%", pct(cheapOkFast, cheapOk));
        System.out.printf(Locale.ROOT, "%-14s %-16s n=%4d | %5.1f %5.1f %5.1f | %4d -> %4d (%5.1f%%) | %s | %s | %5.1f%%%n",
                mode, set, n, pct(mix.getOrDefault(Tier.FAST, 0), n), pct(mix.getOrDefault(Tier.BALANCED, 0), n),
                pct(mix.getOrDefault(Tier.PREMIUM, 0), n), needsStrong, needsStrongFast,
                pct(needsStrongFast, Math.max(needsStrong, 1)), cheap, quality, pct(cost, premiumCost));
    }

    private final Map<String, Map<Item, Tier>> tiers = new HashMap<>();

    Tier tier(String mode, Item i) {
        return tiers.computeIfAbsent(mode, m -> new java.util.IdentityHashMap<>()).computeIfAbsent(i, it -> {
            Router r = switch (mode) {
                case "heuristic-only" -> null;
                case "before" -> before;
                case "score" -> score;
                case "score-features" -> scoreFeatures;
                default -> throw new IllegalArgumentException(mode);
            };
            if (r == null) {
                return heuristic.classify(it.body()).tier();
            }
            RouteDecision d = r.route(it.body(), false).join();
            return d.tier();
        });
    }

    private double price(String model, long inputTokens) {
        GatewayConfig.ModelPrice p = cfg.priceOf(model).orElseThrow();
        return (inputTokens * p.inputPerMTok() + outputTokens * p.outputPerMTok()) / 1e6;
    }

    private static long estimateTokens(ObjectNode body) {
        long chars = 0;
        for (JsonNode m : body.path("messages")) {
            chars += m.path("content").asText().length();
        }
        return chars / 4 + 10;
    }

    private static double pct(double part, double whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }

    // ---- loaders ----

    private static List<Item> routeLlmCsv(Path file, String set, int promptCol, int groupCol, int weakCol,
                                          int strongCol) throws IOException {
        List<List<String>> rows = EvalCsv.parse(Files.readString(file, StandardCharsets.UTF_8));
        List<Item> out = new ArrayList<>();
        for (List<String> r : rows.subList(1, rows.size())) {
            String prompt = r.get(promptCol);
            out.add(new Item(set, groupCol < 0 ? null : r.get(groupCol), ask(prompt),
                    Boolean.parseBoolean(r.get(weakCol)), Boolean.parseBoolean(r.get(strongCol)), holdout(prompt)));
        }
        return out;
    }

    private static List<Item> mtBench(Path dir) throws IOException {
        Map<String, Integer> scores = new HashMap<>();
        for (JsonNode j : jsonl(dir.resolve("route_routellm_mtbench_judgements.jsonl"))) {
            String who = j.path("model").asText().startsWith("gpt-4") ? "strong" : "weak";
            scores.put(j.path("question_id").asInt() + "/" + j.path("turn").asInt() + "/" + who,
                    j.path("score").asInt());
        }
        List<Item> out = new ArrayList<>();
        for (JsonNode q : jsonl(dir.resolve("route_mtbench_questions.jsonl"))) {
            int id = q.path("question_id").asInt();
            String first = q.path("turns").get(0).asText();
            boolean holdout = holdout(first);
            for (int turn = 1; turn <= 2; turn++) {
                ObjectNode body = JSON.createObjectNode();
                body.put("model", Router.AUTO_MODEL);
                body.put("max_tokens", 1024);
                ArrayNode messages = body.putArray("messages");
                messages.addObject().put("role", "user").put("content", first);
                if (turn == 2) {
                    messages.addObject().put("role", "assistant").put("content", "(previous answer)");
                    messages.addObject().put("role", "user").put("content", q.path("turns").get(1).asText());
                }
                Integer strong = scores.get(id + "/" + turn + "/strong");
                Integer weak = scores.get(id + "/" + turn + "/weak");
                Boolean weakRight = strong == null || weak == null ? null : weak >= strong;
                out.add(new Item("mt-bench", q.path("category").asText(), body, weakRight,
                        weakRight == null ? null : Boolean.TRUE, holdout));
            }
        }
        return out;
    }

    private static List<Item> arenaHard(Path file, String set, String groupField) throws IOException {
        List<Item> out = new ArrayList<>();
        for (JsonNode q : jsonl(file)) {
            String prompt = q.path("prompt").asText();
            String group = groupField.equals("subcategory") ? q.path(groupField).asText() : null;
            out.add(new Item(set, group, ask(prompt), false, true, holdout(prompt)));
        }
        return out;
    }

    private static List<Item> math(Path file) throws IOException {
        List<Item> out = new ArrayList<>();
        for (JsonNode q : jsonl(file)) {
            String prompt = q.path("problem").asText();
            out.add(new Item("math", q.path("level").asText(), ask(prompt), null, null, holdout(prompt)));
        }
        return out;
    }

    private static List<JsonNode> jsonl(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    static ObjectNode ask(String text) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", Router.AUTO_MODEL);
        body.put("max_tokens", 1024);
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        return body;
    }

    static boolean holdout(String prompt) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(prompt.getBytes(StandardCharsets.UTF_8));
            return (d[0] & 0xff) < HOLDOUT_BELOW;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
