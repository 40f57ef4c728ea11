package dev.costgateway.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.costgateway.core.embed.Embedder;

/** The rules of a rejected pair on small hand-made unit vectors. */
class SemanticNegativeTest {

    /** A unit vector at {@code degrees} in the plane of the first two axes, tilted out by {@code out}. */
    private static float[] at(double degrees, double out) {
        double r = Math.toRadians(degrees);
        float[] v = {(float) Math.cos(r), (float) Math.sin(r), (float) out};
        double n = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        for (int i = 0; i < v.length; i++) {
            v[i] /= (float) n;
        }
        return v;
    }

    @Test
    void oppositeSidesNeverMatchAndOneSideStillServesItsParaphrases() {
        float[] stored = at(0, 0);
        float[] asked = at(15, 0); // cosine 0.966
        SemanticNegative n = new SemanticNegative(stored, asked, Embedder.cosine(stored, asked));
        assertThat(n.blocks(asked, stored, n.similarity())).as("the pair itself").isTrue();
        assertThat(n.blocks(at(16, 0), at(-1, 0), Embedder.cosine(at(16, 0), at(-1, 0))))
                .as("paraphrases of opposite sides").isTrue();
        assertThat(n.blocks(at(17, 0), asked, Embedder.cosine(at(17, 0), asked)))
                .as("a paraphrase of the asked side, answered by the asked side's own entry").isFalse();
    }

    @Test
    void aPairThatEmbedsAlikeHasNoSidesAndBlocksItsWholeNeighbourhood() {
        float[] stored = at(0, 0);
        float[] asked = at(3, 0); // cosine 0.9986: e.g. the same words, other capitals
        SemanticNegative n = new SemanticNegative(stored, asked, Embedder.cosine(stored, asked));
        assertThat(n.similarity()).isGreaterThanOrEqualTo(SemanticNegative.INDISTINCT);
        assertThat(n.blocks(asked, stored, n.similarity())).isTrue();
        assertThat(n.blocks(stored, stored, 1.0)).as("no side to tell apart").isTrue();
        float[] far = at(60, 0);
        assertThat(n.blocks(far, at(62, 0), Embedder.cosine(far, at(62, 0)))).as("elsewhere: untouched").isFalse();
    }
}
