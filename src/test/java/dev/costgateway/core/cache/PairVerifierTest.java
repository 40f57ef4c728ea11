package dev.costgateway.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.costgateway.core.embed.OnnxEmbedder;

/** The shipped verifier on fixed pairs; cosines are given (as all-MiniLM-L6-v2 scores them), so no model runs. */
class PairVerifierTest {

    private final PairVerifier verifier = PairVerifier.bundled();

    private boolean accepts(String asked, String stored, double cosine) {
        return verifier.accepts(cosine, NearMissGuard.features(asked), NearMissGuard.features(stored));
    }

    @Test
    void isTrainedForTheDefaultModel() {
        assertThat(verifier.model()).isEqualTo(OnnxEmbedder.ALL_MINILM_L6_V2_Q);
        assertThat(verifier.threshold()).isBetween(0.5, 0.99);
        assertThat(verifier.minCosine()).isEqualTo(SemanticCache.RECOMMENDED_THRESHOLD);
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = '|', textBlock = """
            Who wrote Hamlet?                           | Who is the author of Hamlet?                        | 0.940
            How do I reverse a list in Python?          | What's the best way to reverse a list in Python?    | 0.963
            What is the capital of France?              | what is the capital of France                       | 0.995
            """)
    void acceptsParaphrasesAndRepeats(String asked, String stored, double cosine) {
        assertThat(accepts(asked, stored, cosine)).isTrue();
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = '|', textBlock = """
            What is 2+2?                                      | What is 2+3?                                       | 0.99
            What is the capital of Austria?                   | What is the capital of Australia?                  | 0.99
            Is it safe to eat raw eggs?                       | Is it not safe to eat raw eggs?                    | 0.99
            How do I sort a list in Python?                   | How do I sort a list in Rust?                      | 0.99
            Translate "good morning" into French              | Translate "good night" into French                 | 0.99
            Flights from Denver to Boston leave at noon daily | Flights from Boston to Denver leave at noon daily  | 0.99
            Is the water hot enough for tea?                  | Is the water cold enough for tea?                  | 0.99
            How do I reverse a list in Python?                | How can I reverse a Python list?                   | 0.976
            Who wrote Hamlet?                                 | Who is the author of Hamlet?                       | 0.70
            """)
    void rejectsNearMissesAndLowCosines(String asked, String stored, double cosine) {
        assertThat(accepts(asked, stored, cosine)).isFalse();
    }

    @Test
    void aHigherCosineNeverLowersTheProbability() {
        NearMissGuard.Features a = NearMissGuard.features("Explain how photosynthesis works");
        NearMissGuard.Features b = NearMissGuard.features("Can you explain the process of photosynthesis?");
        double previous = 0;
        for (int step = 75; step <= 100; step++) {
            double p = verifier.probability(PairVerifier.features(step / 100.0, a, b));
            assertThat(p).as("cosine %.2f", step / 100.0).isGreaterThanOrEqualTo(previous);
            previous = p;
        }
    }

    @Test
    void weightsSurviveAWriteAndARead() {
        PairVerifier again = PairVerifier.parse(verifier.format("round trip"));
        NearMissGuard.Features a = NearMissGuard.features("Who wrote Hamlet?");
        NearMissGuard.Features b = NearMissGuard.features("Who is the author of Hamlet?");
        double[] x = PairVerifier.features(0.94, a, b);
        assertThat(again.probability(x)).isCloseTo(verifier.probability(x), org.assertj.core.data.Offset.offset(1e-5));
        assertThat(again.threshold()).isEqualTo(verifier.threshold());
        assertThat(again.model()).isEqualTo(verifier.model());
    }
}
