package dev.costgateway.core.routing;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.decision.RoutingThresholds;
import dev.costgateway.core.decision.DifficultyScore;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;
import dev.costgateway.core.decision.ClassifierLayer;
import dev.costgateway.core.decision.RouteDecision;
import dev.costgateway.core.decision.RouteDecision.ClassifierCall;

/**
 * Picks the model that answers a Messages request: the cheapest tier that can do the job, never dearer than the
 * requested model (the ceiling) unless {@code routing.allow_upgrade}.
 *
 * <p>Order of decision:
 * <ol>
 *   <li>{@code routing.mode: off} or the bypass header: the client's model, unrouted ({@code auto} becomes the
 *       premium tier's model, since upstream does not know it).</li>
 *   <li>{@code "model": "auto"} has the premium ceiling; any other model its tier; an id without a tier is passed
 *       through unrouted.</li>
 *   <li>Conservative rules ({@code tools}, {@code thinking}, {@code media}, {@code long_context},
 *       {@code many_turns}), each switchable: the ceiling model, layer {@code rule}.</li>
 *   <li>A {@code fast} ceiling without upgrades: nothing cheaper exists, no classifier runs.</li>
 *   <li>Layer 1, {@link HeuristicClassifier}, decides at or above {@code classifier.heuristic_confidence}.</li>
 *   <li>Layer 2, {@link EmbeddingLayer}, decides when it votes with similarity at or above
 *       {@code classifier.embedding_threshold}.</li>
 *   <li>Layer 3, {@link LlmClassifier}, only with {@code use_haiku_classifier: true}.</li>
 *   <li>Undecided, or layer 3 failed: the ceiling, layer {@code n/a}, the reason saying why.</li>
 * </ol>
 * Classifier tiers map SIMPLE → fast, MODERATE → balanced, COMPLEX → premium and are then capped at the ceiling.
 * When the answering tier is the ceiling the client's exact model id is kept.
 *
 * <p>With a {@link DifficultyScorer} (the gateway's setting) steps 5 to 8 are replaced: every routed request gets a
 * {@link DifficultyScore} (rules and a fast ceiling included, so recorded traffic can be re-thresholded later), and
 * {@link RoutingThresholds} from {@code routing.premium_share}/{@code fast_share} (or the raw
 * {@code routing.thresholds.*}) pick the tier, layer {@code score}. Layer 3, when on, is only a tie-breaker: asked
 * when the score lies within {@code classifier.llm_tie_margin} (in reference-quantile units) of a threshold whose
 * two sides give different tiers after the ceiling; its verdict chooses between those two tiers, and when it fails
 * the score's tier stands. Without a scorer the layered chain above applies unchanged.
 *
 * <p>Thread-safe; the configuration is read once per request. {@link #route} never completes exceptionally: any
 * failure inside a layer falls back to the ceiling.
 */
public final class Router {

    /** The model alias that asks for routing with the premium ceiling. */
    public static final String AUTO_MODEL = "auto";

    public static final String RULE_TOOLS = "tools";
    public static final String RULE_THINKING = "thinking";
    public static final String RULE_MEDIA = "media";
    public static final String RULE_LONG_CONTEXT = "long_context";
    public static final String RULE_MANY_TURNS = "many_turns";

    private static final int EXAMPLE_PREVIEW_CHARS = 80;

    private final Supplier<GatewayConfig> config;
    private final HeuristicClassifier heuristic;
    private final EmbeddingLayer embedding;
    private final LlmClassifier llm;
    private final DifficultyScorer scorer;

    /** The layered chain without scores. @param llm layer 3, or null when it is not available */
    public Router(Supplier<GatewayConfig> config, HeuristicClassifier heuristic, EmbeddingLayer embedding,
                  LlmClassifier llm) {
        this(config, heuristic, embedding, llm, null);
    }

    /**
     * @param llm    layer 3, or null when it is not available (then {@code use_haiku_classifier} is ignored)
     * @param scorer scores every routed request and decides by calibrated thresholds; null for the layered chain
     */
    public Router(Supplier<GatewayConfig> config, HeuristicClassifier heuristic, EmbeddingLayer embedding,
                  LlmClassifier llm, DifficultyScorer scorer) {
        this.config = config;
        this.heuristic = heuristic;
        this.embedding = embedding == null ? EmbeddingLayer.NONE : embedding;
        this.llm = llm;
        this.scorer = scorer;
    }

    /**
     * @param body   the client's request body (not modified)
     * @param bypass true when the request carries {@code X-Gateway-Route: off}
     */
    public CompletableFuture<RouteDecision> route(ObjectNode body, boolean bypass) {
        GatewayConfig cfg = config.get();
        JsonNode modelNode = body.get("model");
        String requested = modelNode != null && modelNode.isTextual() ? modelNode.textValue() : null;
        boolean auto = AUTO_MODEL.equals(requested);
        Tier ceiling = auto ? Tier.PREMIUM : cfg.tierOf(requested).orElse(null);
        String ceilingModel = auto ? cfg.modelFor(Tier.PREMIUM) : requested;

        if (cfg.routing().mode() == GatewayConfig.RoutingMode.OFF || bypass) {
            String why = cfg.routing().mode() == GatewayConfig.RoutingMode.OFF ? "routing off" : "bypass header";
            return done(new RouteDecision(requested, ceilingModel, ceiling, null, ClassifierLayer.NONE, why,
                    false, List.of()));
        }
        if (ceiling == null) {
            return done(new RouteDecision(requested, requested, null, null, ClassifierLayer.NONE,
                    "unknown model", false, List.of()));
        }
        Decider decider = new Decider(cfg, requested, ceiling, ceilingModel);
        try {
            return scorer != null ? decideByScore(body, cfg, decider) : decide(body, cfg, decider);
        } catch (RuntimeException e) {
            return done(decider.decide(ceiling, ClassifierLayer.NONE,
                    "classifier failed (" + e.getClass().getSimpleName() + ") → ceiling", List.of()));
        }
    }

    private CompletableFuture<RouteDecision> decide(ObjectNode body, GatewayConfig cfg, Decider d) {
        Optional<String> rule = conservativeRule(body, cfg.routing());
        if (rule.isPresent()) {
            return done(d.decide(d.ceiling, ClassifierLayer.RULE, rule.get(), List.of()));
        }
        if (d.ceiling == Tier.FAST && !cfg.routing().allowUpgrade()) {
            return done(d.decide(Tier.FAST, ClassifierLayer.NONE, "ceiling is the cheapest tier", List.of()));
        }

        Classification c = heuristic.classify(body);
        if (c.confidence() >= cfg.classifier().heuristicConfidence()) {
            return done(d.decide(d.cap(c.tier()), ClassifierLayer.HEURISTIC, c.reason(), List.of()));
        }

        String text = PromptText.lastUserText(body);
        Optional<EmbeddingLayer.TierVote> vote = embedding.classify(text);
        if (vote.isPresent() && vote.get().similarity() >= cfg.classifier().embeddingThreshold()) {
            EmbeddingLayer.TierVote v = vote.get();
            String reason = String.format(Locale.ROOT, "nearest example (cos %.3f): %s", v.similarity(),
                    preview(v.nearestExample()));
            return done(d.decide(d.cap(v.tier()), ClassifierLayer.EMBEDDING, reason, List.of()));
        }

        String undecided = String.format(Locale.ROOT, "undecided (heuristic %s at %.2f: %s)", c.tier().id(),
                c.confidence(), c.reason());
        if (!cfg.useHaikuClassifier() || llm == null) {
            return done(d.decide(d.ceiling, ClassifierLayer.NONE, undecided + " → ceiling", List.of()));
        }
        return llm.classifyWithCall(text, d.ceilingModel).handle((outcome, error) -> {
            if (error != null) {
                return d.decide(d.ceiling, ClassifierLayer.NONE, "haiku classifier failed → ceiling", List.of());
            }
            List<ClassifierCall> calls = outcome.call().map(List::of).orElse(List.of());
            if (outcome.verdict().isPresent()) {
                LlmVerdict v = outcome.verdict().get();
                String reason = "haiku: " + v.label() + (v.fromCache() ? " (cached)" : "");
                return d.decide(d.cap(v.tier()), ClassifierLayer.HAIKU, reason, calls);
            }
            String cause = outcome.call().map(ClassifierCall::outcome).orElse("no verdict");
            return d.decide(d.ceiling, ClassifierLayer.NONE, "haiku " + cause + " → ceiling", calls);
        });
    }

    private CompletableFuture<RouteDecision> decideByScore(ObjectNode body, GatewayConfig cfg, Decider d) {
        Optional<String> rule = conservativeRule(body, cfg.routing());
        boolean decided = rule.isPresent() || (d.ceiling == Tier.FAST && !cfg.routing().allowUpgrade());
        // when a rule or the ceiling decides, the score is only recorded: features alone, no embedding
        DifficultyScore s = decided ? scorer.scoreWithoutEmbedding(body) : scorer.score(body);
        RoutingThresholds th = Calibration.of(cfg.routing(), scorer.model(), s.model());
        if (rule.isPresent()) {
            return done(d.decide(d.ceiling, ClassifierLayer.RULE, rule.get(), List.of()).withScore(s, th));
        }
        if (d.ceiling == Tier.FAST && !cfg.routing().allowUpgrade()) {
            return done(d.decide(Tier.FAST, ClassifierLayer.NONE, "ceiling is the cheapest tier", List.of())
                    .withScore(s, th));
        }
        Tier byScore = th.tierFor(s);
        // built by hand: String.format took as long as the scoring itself on every routed request
        String reason = "score " + (s.usedEmbedding() ? "embedding+features" : "features only") + ": premium "
                + fixed3(s.premium()) + " (≥ " + fixed3(th.premium()) + "), balanced " + fixed3(s.balanced())
                + " (fast < " + fixed3(th.fast()) + ")";
        Tier[] tie = tiePair(s, th, cfg.classifier().llmTieMargin(), byScore);
        if (tie == null || !cfg.useHaikuClassifier() || llm == null || d.cap(tie[0]) == d.cap(tie[1])) {
            return done(d.decide(d.cap(byScore), ClassifierLayer.SCORE, reason, List.of()).withScore(s, th));
        }
        String text = PromptText.lastUserText(body);
        return llm.classifyWithCall(text, d.ceilingModel).handle((outcome, error) -> {
            if (error != null) {
                return d.decide(d.cap(byScore), ClassifierLayer.SCORE, reason + "; haiku tie-break failed",
                        List.of()).withScore(s, th);
            }
            List<ClassifierCall> calls = outcome.call().map(List::of).orElse(List.of());
            if (outcome.verdict().isPresent()) {
                LlmVerdict v = outcome.verdict().get();
                Tier chosen = clamp(v.tier(), tie[0], tie[1]);
                String why = reason + "; near a threshold, haiku: " + v.label() + (v.fromCache() ? " (cached)" : "");
                return d.decide(d.cap(chosen), ClassifierLayer.HAIKU, why, calls).withScore(s, th);
            }
            String cause = outcome.call().map(ClassifierCall::outcome).orElse("no verdict");
            return d.decide(d.cap(byScore), ClassifierLayer.SCORE, reason + "; haiku tie-break " + cause, calls)
                    .withScore(s, th);
        });
    }

    /**
     * The two tiers either side of the threshold(s) the score is near, lower first; null when it is near none.
     * Distances are measured as shares of the reference traffic, so one margin suits both heads.
     */
    private Tier[] tiePair(DifficultyScore s, RoutingThresholds th, double margin, Tier byScore) {
        double[] refP = scorer.model().reference(s.model(), RouterModel.HEAD_PREMIUM);
        double[] refB = scorer.model().reference(s.model(), RouterModel.HEAD_BALANCED);
        boolean nearPremium = Math.abs(Calibration.rank(refP, s.premium())
                - Calibration.rank(refP, th.premium())) < margin;
        boolean nearFast = byScore != Tier.PREMIUM && Math.abs(Calibration.rank(refB, s.balanced())
                - Calibration.rank(refB, th.fast())) < margin;
        if (nearPremium && nearFast) {
            return new Tier[] {Tier.FAST, Tier.PREMIUM};
        }
        if (nearPremium) {
            Tier below = s.balanced() < th.fast() ? Tier.FAST : Tier.BALANCED;
            return new Tier[] {below, Tier.PREMIUM};
        }
        return nearFast ? new Tier[] {Tier.FAST, Tier.BALANCED} : null;
    }

    private static Tier clamp(Tier t, Tier low, Tier high) {
        if (low.isAbove(t)) {
            return low;
        }
        return t.isAbove(high) ? high : t;
    }

    /** The first conservative rule that is switched on and matches. */
    static Optional<String> conservativeRule(JsonNode body, GatewayConfig.Routing r) {
        if (r.conservativeTools() && body.path("tools").isArray() && !body.path("tools").isEmpty()) {
            return Optional.of(RULE_TOOLS);
        }
        String thinking = body.path("thinking").path("type").asText("");
        if (r.conservativeThinking() && ("enabled".equals(thinking) || "adaptive".equals(thinking))) {
            return Optional.of(RULE_THINKING);
        }
        if (r.conservativeMedia() && PromptText.hasMedia(body)) {
            return Optional.of(RULE_MEDIA);
        }
        if (r.conservativeLongContext() && PromptText.estimateInputTokens(body) > r.longContextTokens()) {
            return Optional.of(RULE_LONG_CONTEXT);
        }
        if (r.conservativeManyTurns() && body.path("messages").size() >= r.manyTurns()) {
            return Optional.of(RULE_MANY_TURNS);
        }
        return Optional.empty();
    }

    private static String preview(String s) {
        if (s == null) {
            return "";
        }
        String flat = s.replaceAll("\\s+", " ").strip();
        return flat.length() <= EXAMPLE_PREVIEW_CHARS ? flat : flat.substring(0, EXAMPLE_PREVIEW_CHARS) + "…";
    }

    private static CompletableFuture<RouteDecision> done(RouteDecision d) {
        return CompletableFuture.completedFuture(d);
    }

    /** Builds decisions for one request: applies the ceiling and keeps the client's id when the tier is kept. */
    private static final class Decider {
        final GatewayConfig cfg;
        final String requested;
        final Tier ceiling;
        final String ceilingModel;

        Decider(GatewayConfig cfg, String requested, Tier ceiling, String ceilingModel) {
            this.cfg = cfg;
            this.requested = requested;
            this.ceiling = ceiling;
            this.ceilingModel = ceilingModel;
        }

        Tier cap(Tier t) {
            return t.isAbove(ceiling) && !cfg.routing().allowUpgrade() ? ceiling : t;
        }

        RouteDecision decide(Tier tier, ClassifierLayer layer, String reason, List<ClassifierCall> calls) {
            String model = tier == ceiling ? ceilingModel : cfg.modelFor(tier);
            return new RouteDecision(requested, model, ceiling, tier, layer, reason, true, calls);
        }
    }

    /** {@code v} with three decimals, as {@code String.format("%.3f")} writes it (half-up on the shortest decimal). */
    static String fixed3(double v) {
        if (!Double.isFinite(v) || v < 0 || 1 / v < 0) { // never for scores and thresholds; -0.0 keeps its sign
            return String.format(Locale.ROOT, "%.3f", v);
        }
        return java.math.BigDecimal.valueOf(v).setScale(3, java.math.RoundingMode.HALF_UP).toPlainString();
    }
}
