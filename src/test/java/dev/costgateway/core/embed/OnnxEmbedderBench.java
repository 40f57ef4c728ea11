package dev.costgateway.core.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Latency of one embedding on this machine. Run: {@code mvn -B -o -Pbench test -Dtest=OnnxEmbedderBench}. */
@Tag("bench")
class OnnxEmbedderBench {

    private static final int WARMUP = 100;
    private static final int RUNS = 300;

    @Test
    void shortAndLongPromptLatency() {
        try (OnnxEmbedder embedder = OnnxEmbedder.load(OnnxEmbedder.ALL_MINILM_L6_V2_Q)) {
            String shortPrompt = "What is the capital of France?";
            String longPrompt = ("Explain how a hash map resolves collisions, compare open addressing with separate "
                    + "chaining, and say when each is faster in practice. ").repeat(9);
            int longTokens = embedder.tokenCount(longPrompt);
            double[] shortMs = measure(embedder, shortPrompt);
            double[] longMs = measure(embedder, longPrompt);
            System.out.printf("embed short prompt: p50 %.2f ms, p90 %.2f ms%n", shortMs[0], shortMs[1]);
            System.out.printf("embed %d-token prompt: p50 %.2f ms, p90 %.2f ms%n", longTokens, longMs[0], longMs[1]);
            assertThat(shortMs[0]).as("short prompt p50 ms").isLessThanOrEqualTo(5.0);
            assertThat(longMs[0]).as("long prompt p50 ms").isLessThanOrEqualTo(30.0);
        }
    }

    private static double[] measure(Embedder embedder, String text) {
        for (int i = 0; i < WARMUP; i++) {
            embedder.embed(text);
        }
        long[] nanos = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            embedder.embed(text);
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        return new double[] {nanos[RUNS / 2] / 1e6, nanos[RUNS * 9 / 10] / 1e6};
    }
}
