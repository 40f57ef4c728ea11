package dev.costgateway.core.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The router's word-piece vectors, read from the real all-MiniLM-L6-v2 model file on the classpath. */
class TokenVectorsTest {

    private static TokenVectors vectors;

    @BeforeAll
    static void load() {
        vectors = TokenVectors.load();
    }

    @AfterAll
    static void close() {
        vectors.close();
    }

    @Test
    void aVectorHasUnitLengthAndTheModelsDimensions() {
        float[] v = vectors.embed("What is the capital of France?");
        assertThat(v).hasSize(384);
        assertThat(vectors.dimensions()).isEqualTo(384);
        assertThat(Embedder.cosine(v, v)).isCloseTo(1.0, within(1e-5));
        assertThat(vectors.embed("What is the capital of France?")).containsExactly(v);
    }

    @Test
    void itIsABagOfWordPiecesOrderDoesNotMatterButWordsDo() {
        float[] a = vectors.embed("dog bites man");
        assertThat(Embedder.cosine(a, vectors.embed("man bites dog"))).isCloseTo(1.0, within(1e-5));
        assertThat(Embedder.cosine(a, vectors.embed("cat chases mouse"))).isLessThan(0.95);
    }

    @Test
    void relatedPromptsAreCloserThanUnrelatedOnes() {
        float[] capital = vectors.embed("What is the capital of France?");
        double near = Embedder.cosine(capital, vectors.embed("Which city is the capital of Spain?"));
        double far = Embedder.cosine(capital, vectors.embed("Prove by induction that the sum of the first n odd "
                + "numbers is n squared."));
        assertThat(near).isGreaterThan(far + 0.1);
    }

    @Test
    void onlyTheStartOfALongTextIsRead() {
        String start = "Refactor this module. ".repeat(TokenVectors.MAX_CHARS / 22 + 1);
        float[] a = vectors.embed(start + " and then prove the Riemann hypothesis");
        float[] b = vectors.embed(start + " please, thanks a lot");
        assertThat(a).containsExactly(b);
    }

    @Test
    void theDirectNativeIdsAreTheTokenizersOwn() {
        for (String text : new String[] {"What is the capital of France?", "Déjà vu: naïve café, 3.14 ≈ π!",
                "def f(x):\n    return x ** 2  # squares", "", "🙂 emoji and CJK 漢字 too"}) {
            assertThat(vectors.ids(text)).as(text).containsExactly(vectors.idsThroughEncode(text));
        }
        assertThat(vectors.ids("What is the capital of France?")).isNotEmpty();
    }

    @Test
    void emptyAndNullTextsGiveAFixedUnitVectorNotNaN() {
        float[] empty = vectors.embed("");
        assertThat(empty).containsExactly(vectors.embed(null));
        assertThat(Embedder.cosine(empty, empty)).isCloseTo(1.0, within(1e-6));
    }
}
