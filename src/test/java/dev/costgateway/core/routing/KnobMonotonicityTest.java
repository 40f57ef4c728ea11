package dev.costgateway.core.routing;

import static dev.costgateway.core.routing.TestConfigs.ask;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;
import dev.costgateway.core.decision.RouteDecision;
import dev.costgateway.core.embed.Embedder;
import dev.costgateway.core.embed.TokenVectors;

/**
 * The monotonicity bullet through the whole router (real prompts, the shipped model, the router's word-piece vectors,
 * the ceiling): raising {@code routing.premium_share} never moves a request down, raising {@code fast_share} never
 * moves one up. {@code CalibrationTest} checks the same on synthetic scores; this checks that nothing between the
 * score and the decision (ceiling, client id, tie-break wiring) breaks it.
 */
class KnobMonotonicityTest {

    private static final List<String> PROMPTS = List.of(
            "hi",
            "What is the capital of France?",
            "Convert 30 degrees Celsius to Fahrenheit",
            "Summarise the plot of Hamlet in three sentences.",
            "Explain the difference between a mutex and a semaphore, with a short example.",
            "Write a Python function that parses ISO 8601 durations and handles every edge case, with tests.",
            "Design a multi-region, strongly consistent key-value store: replication, failover, and how clients "
                    + "see writes during a partition.",
            RouterTest.HARD);
    private static final List<String> CEILINGS = List.of(RouterTest.OPUS, RouterTest.SONNET, "auto");

    private static final RouterModel MODEL = RouterModel.load();
    private static final HeuristicClassifier HEURISTIC = new HeuristicClassifier();
    private static TokenVectors tokens;
    /** The router's real vectors, computed once per prompt: the sweep asks for each prompt dozens of times. */
    private static Embedder memo;
    private static final java.util.Map<String, GatewayConfig> CONFIGS = new java.util.HashMap<>();

    @BeforeAll
    static void loadEmbedder() {
        tokens = TokenVectors.load();
        java.util.Map<String, float[]> vectors = new java.util.HashMap<>();
        memo = new Embedder() {
            @Override
            public float[] embed(String text) {
                return vectors.computeIfAbsent(text, tokens::embed);
            }

            @Override
            public int dimensions() {
                return tokens.dimensions();
            }
        };
    }

    @AfterAll
    static void close() {
        tokens.close();
    }

    private static GatewayConfig shares(double premium, double fast) {
        return CONFIGS.computeIfAbsent(String.format(Locale.ROOT, "routing:\n  premium_share: %.2f\n  fast_share: "
                + "%.2f\n", premium, fast), TestConfigs::with);
    }

    private static Tier tier(GatewayConfig cfg, String model, String prompt, boolean withEmbedder) {
        Optional<Embedder> e = withEmbedder ? Optional.of(memo) : Optional.empty();
        Router router = new Router(() -> cfg, HEURISTIC, EmbeddingLayer.NONE, null, new DifficultyScorer(MODEL, () -> e));
        RouteDecision d = router.route(ask(model, prompt), false).orTimeout(5, TimeUnit.SECONDS).join();
        return d.tier();
    }

    @Test
    void raisingThePremiumShareNeverMovesARequestDown() {
        int moved = 0;
        for (boolean embedding : new boolean[] {true, false}) {
            for (String model : CEILINGS) {
                for (String prompt : PROMPTS) {
                    Tier previous = null;
                    for (int step = 0; step <= 10; step++) {
                        Tier t = tier(shares(step / 10.0, 0.07), model, prompt, embedding);
                        if (previous != null) {
                            assertThat(previous.isAbove(t)).as("%s on %s (embedding %s) at premium share %.1f: %s"
                                    + " after %s", prompt, model, embedding, step / 10.0, t, previous).isFalse();
                            moved += t != previous ? 1 : 0;
                        }
                        previous = t;
                    }
                }
            }
        }
        assertThat(moved).as("the sweep moves some requests at all").isPositive();
    }

    @Test
    void raisingTheFastShareNeverMovesARequestUp() {
        int moved = 0;
        for (String model : CEILINGS) {
            for (String prompt : PROMPTS) {
                Tier previous = null;
                for (int step = 0; step <= 10; step++) {
                    Tier t = tier(shares(0.25, step / 10.0), model, prompt, true);
                    if (previous != null) {
                        assertThat(t.isAbove(previous)).as("%s on %s at fast share %.1f: %s after %s", prompt, model,
                                step / 10.0, t, previous).isFalse();
                        moved += t != previous ? 1 : 0;
                    }
                    previous = t;
                }
            }
        }
        assertThat(moved).as("the sweep moves some requests at all").isPositive();
    }
}
