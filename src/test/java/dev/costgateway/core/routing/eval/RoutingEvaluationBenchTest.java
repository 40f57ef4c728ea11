package dev.costgateway.core.routing.eval;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.costgateway.core.embed.Embedder;
import dev.costgateway.core.embed.TokenVectors;
import dev.costgateway.testing.EvalData;

/**
 * Runs {@link RoutingEvaluation} under {@code mvn -Pbench}; prints its tables. Skipped without the data. The
 * prompts' embeddings are computed once with the real all-MiniLM-L6-v2 and kept in {@code target/}.
 */
@Tag("bench")
class RoutingEvaluationBenchTest {

    @Test
    void printsTierMixMisroutesAndCostOverTheRoutingSets() throws Exception {
        Optional<Path> dir = RoutingEvaluation.dataDir();
        assumeTrue(dir.isPresent(), "shared/eval-data not found; pass -Deval.data=");
        org.assertj.core.api.Assertions.assertThat(dir.get().resolve("route_routellm_gsm8k_responses.csv"))
                .as("the RouteLLM files the evaluation reads").isRegularFile();
        List<String> texts = new ArrayList<>();
        List<RoutingEvaluation.Item> items = new ArrayList<>(RoutingEvaluation.loadPublic(dir.get()));
        items.addAll(RoutingEvaluation.loadOwn());
        for (RoutingEvaluation.Item i : items) {
            texts.add(RouterModelTrainer.lastUserText(i.body()));
        }
        try (TokenVectors model = TokenVectors.load()) {
            Map<String, float[]> vectors = EvalData.embedAll(model, texts, "router-token-vectors.bin");
            Embedder cached = new Embedder() {
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
            if (Boolean.getBoolean("eval.sweep")) {
                RoutingSweep.run(items, cached);
                RoutingSweep.run(items, null);
                return;
            }
            new RoutingEvaluation(cached).run(dir.get(), System.getProperty("eval.split", "both"));
        }
    }
}
