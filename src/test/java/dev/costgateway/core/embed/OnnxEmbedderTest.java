package dev.costgateway.core.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OnnxEmbedderTest {

    /**
     * The reference was produced once by this implementation (after checking the paraphrase and unrelated
     * similarities below) and is kept to catch silent changes of tokenizer, model file or pooling.
     */
    private static final String REFERENCE_SENTENCE = "The quick brown fox jumps over the lazy dog.";

    private static OnnxEmbedder embedder;

    @BeforeAll
    static void load() {
        embedder = OnnxEmbedder.load(OnnxEmbedder.ALL_MINILM_L6_V2_Q);
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    @Test
    void knownSentenceMatchesStoredReference() throws IOException {
        float[] reference = readReference();
        float[] actual = embedder.embed(REFERENCE_SENTENCE);
        assertThat(actual).hasSize(384);
        for (int i = 0; i < reference.length; i++) {
            assertThat(actual[i]).as("component %d", i).isCloseTo(reference[i], within(1e-4f));
        }
    }

    @Test
    void vectorsHaveUnitNorm() {
        float[] v = embedder.embed("How do I reverse a linked list?");
        double norm = Math.sqrt(Embedder.cosine(v, v));
        assertThat(norm).isCloseTo(1.0, within(1e-5));
        assertThat(embedder.dimensions()).isEqualTo(384);
    }

    @Test
    void paraphraseScoresHighAndUnrelatedScoresLow() {
        float[] question = embedder.embed("What is the capital of France?");
        double paraphrase = Embedder.cosine(question, embedder.embed("Tell me the capital city of France"));
        double unrelated = Embedder.cosine(question, embedder.embed("How do I bake sourdough bread?"));
        assertThat(paraphrase).isBetween(0.88, 0.96);
        assertThat(unrelated).isLessThan(0.4);
    }

    @Test
    void truncatesLongTextsInsteadOfFailing() {
        float[] longText = embedder.embed("token ".repeat(2_000));
        assertThat(longText).hasSize(384);
        assertThat(embedder.embed("")).hasSize(384);
    }

    @Test
    void concurrentCallsGiveTheSameVectors() throws Exception {
        float[] expected = embedder.embed("concurrency check");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit(() -> embedder.embed("concurrency check")));
            }
            for (Future<float[]> f : results) {
                assertThat(f.get()).containsExactly(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rejectsUnknownModelName() {
        assertThatThrownBy(() -> OnnxEmbedder.load("bge-small"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bge-small");
    }

    private static float[] readReference() throws IOException {
        try (InputStream in = OnnxEmbedderTest.class.getResourceAsStream("quick-brown-fox.vector.txt")) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().split("\n");
            float[] v = new float[lines.length];
            for (int i = 0; i < lines.length; i++) {
                v[i] = Float.parseFloat(lines[i]);
            }
            return v;
        }
    }
}
