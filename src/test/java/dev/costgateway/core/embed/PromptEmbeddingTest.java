package dev.costgateway.core.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.costgateway.testing.FakeEmbedder;

class PromptEmbeddingTest {

    private final FakeEmbedder model = new FakeEmbedder(4);

    @Test
    void embedsEachTextOnceAndOnlyWhenAsked() {
        PromptEmbedding prompt = PromptEmbedding.lazy(() -> Optional.of(model));
        assertThat(prompt.ifComputed("hello there")).isEmpty();
        assertThat(model.calls()).isZero();

        float[] first = prompt.vector("hello there").orElseThrow();
        assertThat(prompt.vector("hello there")).containsSame(first);
        assertThat(prompt.ifComputed("hello there")).containsSame(first);
        assertThat(model.calls()).isEqualTo(1);

        prompt.vector("another text");
        assertThat(model.calls()).isEqualTo(2);
    }

    @Test
    void isEmptyWhileTheModelIsNotReadyAndTriesAgainLater() {
        AtomicReference<Optional<Embedder>> ready = new AtomicReference<>(Optional.empty());
        PromptEmbedding prompt = PromptEmbedding.lazy(ready::get);
        assertThat(prompt.vector("hello")).isEmpty();
        ready.set(Optional.of(model));
        assertThat(prompt.vector("hello")).isPresent();
    }

    @Test
    void aTextBeyondTheWindowHasNoVectorAndIsNotEmbedded() {
        PromptEmbedding prompt = PromptEmbedding.lazy(() -> Optional.of(model));
        assertThat(prompt.vector("one two three four five")).isEmpty();
        assertThat(prompt.vector("one two three four five")).isEmpty();
        assertThat(model.calls()).isZero();
    }
}
