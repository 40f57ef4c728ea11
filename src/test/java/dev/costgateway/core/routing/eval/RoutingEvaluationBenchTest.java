package dev.costgateway.core.routing.eval;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Runs {@link RoutingEvaluation} under {@code mvn -Pbench}; prints its tables. Skipped without the data. */
@Tag("bench")
class RoutingEvaluationBenchTest {

    @Test
    void printsTierMixMisroutesAndCostOverTheRoutingSets() throws Exception {
        Optional<Path> dir = RoutingEvaluation.dataDir();
        assumeTrue(dir.isPresent(), "shared/eval-data not found; pass -Deval.data=");
        org.assertj.core.api.Assertions.assertThat(dir.get().resolve("route_routellm_gsm8k_responses.csv"))
                .as("the RouteLLM files the evaluation reads").isRegularFile();
        new RoutingEvaluation().run(dir.get(), System.getProperty("eval.split", "both"));
    }
}
