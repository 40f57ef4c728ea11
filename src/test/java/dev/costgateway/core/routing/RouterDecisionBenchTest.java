package dev.costgateway.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.decision.RouteDecision;
import dev.costgateway.core.embed.TokenVectors;

/**
 * Time of a whole routing decision with the scorer (heuristic features + the router's word-piece vector + router
 * model + thresholds), as the gateway runs it, for a short and a longer prompt: 3 s warm-up, then 2,000 timed decisions
 * each, p50 and p90 printed. Target (issue 11): p50 ≤ 2 ms for a short prompt on the 2-core machine.
 */
@Tag("bench")
class RouterDecisionBenchTest {

    @Test
    void aShortPromptIsRoutedWithinTwoMillisecondsAtTheMedian() {
        GatewayConfig cfg = TestConfigs.defaults();
        try (TokenVectors vectors = TokenVectors.load()) {
            DifficultyScorer scorer = new DifficultyScorer(RouterModel.load(), () -> Optional.of(vectors));
            Router router = new Router(() -> cfg, new HeuristicClassifier(), EmbeddingLayer.NONE, null, scorer);
            List<ObjectNode> prompts = List.of(
                    TestConfigs.ask("auto", "What is the capital of France?"),
                    TestConfigs.ask("auto", "Janet's ducks lay 16 eggs per day. She eats three for breakfast every "
                            + "morning and bakes muffins for her friends every day with four. She sells the "
                            + "remainder at the farmers' market daily for $2 per fresh duck egg. How much in "
                            + "dollars does she make every day at the farmers' market?"));
            long warmUntil = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < warmUntil) {
                for (ObjectNode p : prompts) {
                    router.route(p, false).join();
                }
            }
            double shortP50 = 0;
            for (ObjectNode p : prompts) {
                long[] nanos = new long[2000];
                for (int i = 0; i < nanos.length; i++) {
                    long start = System.nanoTime();
                    RouteDecision d = router.route(p, false).join();
                    nanos[i] = System.nanoTime() - start;
                    assertThat(d.score()).isNotNull();
                }
                Arrays.sort(nanos);
                double p50 = nanos[nanos.length / 2] / 1e6;
                double p90 = nanos[nanos.length * 9 / 10] / 1e6;
                if (shortP50 == 0) {
                    shortP50 = p50;
                }
                System.out.printf(Locale.ROOT, "route with score: %4d chars  p50 %.3f ms  p90 %.3f ms%n",
                        PromptText.lastUserText(p).length(), p50, p90);
            }
            // The model alone (features and vector computed once): what the heads add to a decision.
            ObjectNode first = prompts.get(0);
            String text = PromptText.lastUserText(first);
            double[] features = PromptFeatures.of(text, PromptText.systemText(first).length(),
                    PromptText.userTurns(first));
            float[] vector = vectors.embed(text);
            long[] modelNanos = new long[20_000];
            double sink = 0;
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < modelNanos.length; i++) {
                    long start = System.nanoTime();
                    sink += scorer.model().score(features, vector).balanced();
                    modelNanos[i] = System.nanoTime() - start;
                }
            }
            Arrays.sort(modelNanos);
            System.out.printf(Locale.ROOT, "model alone (%s): p50 %.1f us  p90 %.1f us (checksum %.3f)%n",
                    scorer.model().description().split(";")[0], modelNanos[modelNanos.length / 2] / 1e3,
                    modelNanos[modelNanos.length * 9 / 10] / 1e3, sink);
            assertThat(shortP50).as("p50 ms, short prompt").isLessThanOrEqualTo(2.0);
        }
    }
}
