package dev.costgateway.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.costgateway.core.config.Tier;
import dev.costgateway.core.embed.Embedder;
import dev.costgateway.core.embed.OnnxEmbedder;
import dev.costgateway.core.routing.EmbeddingLayer.TierVote;

class EmbeddingClassifierTest {

    private static OnnxEmbedder model;

    @BeforeAll
    static void loadModel() {
        model = OnnxEmbedder.load(OnnxEmbedder.ALL_MINILM_L6_V2_Q);
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    @Test
    void shipsAFewHundredExamplesOfEachLabel() {
        List<EmbeddingClassifier.Example> examples = EmbeddingClassifier.loadExamples();
        assertThat(examples).hasSizeGreaterThan(240);
        for (Tier tier : Tier.values()) {
            assertThat(examples.stream().filter(e -> e.tier() == tier).count()).as("%s examples", tier)
                    .isGreaterThan(80);
        }
    }

    @Test
    void votesFastForAGreetingAndPremiumForASystemDesignTask() {
        EmbeddingClassifier classifier = new EmbeddingClassifier(() -> Optional.of(model), () -> 0.5, Runnable::run);
        classifier.warmUp();

        Optional<TierVote> greeting = classifier.classify("Hey, good morning to you!");
        Optional<TierVote> design = classifier.classify("Design a globally distributed, strongly consistent "
                + "database for financial transactions and analyse its failure modes and consensus protocol.");

        assertThat(greeting).map(TierVote::tier).contains(Tier.FAST);
        assertThat(design).map(TierVote::tier).contains(Tier.PREMIUM);
        assertThat(design.get().similarity()).isGreaterThanOrEqualTo(0.5);
        assertThat(design.get().nearestExample()).isNotBlank();
    }

    @Test
    void abstainsBelowTheThreshold() {
        AtomicReference<Double> threshold = new AtomicReference<>(0.5);
        EmbeddingClassifier classifier = new EmbeddingClassifier(() -> Optional.of(model), threshold::get,
                Runnable::run);
        classifier.warmUp();
        assertThat(classifier.classify("Hey, good morning to you!")).isPresent();
        threshold.set(0.99);
        assertThat(classifier.classify("Hey, good morning to you!")).isEmpty();
    }

    @Test
    void abstainsWhenTheNeighboursDisagree() {
        List<EmbeddingClassifier.Example> examples = List.of(
                new EmbeddingClassifier.Example(Tier.FAST, "Hello there"),
                new EmbeddingClassifier.Example(Tier.FAST, "Hi, how are you?"),
                new EmbeddingClassifier.Example(Tier.BALANCED, "Hello, can you help me?"),
                new EmbeddingClassifier.Example(Tier.PREMIUM, "Hey, good day"),
                new EmbeddingClassifier.Example(Tier.PREMIUM, "Greetings, friend"));
        EmbeddingClassifier classifier = new EmbeddingClassifier(() -> Optional.of(model), () -> 0.0, Runnable::run,
                examples);
        classifier.warmUp();
        assertThat(classifier.classify("Hello!")).isEmpty();
    }

    @Test
    void returnsEmptyWithoutBlockingUntilTheExamplesAreEmbedded() {
        AtomicReference<Optional<Embedder>> ready = new AtomicReference<>(Optional.empty());
        List<Runnable> queued = new ArrayList<>();
        EmbeddingClassifier classifier = new EmbeddingClassifier(ready::get, () -> 0.5, queued::add);

        assertThat(classifier.classify("Hi!")).isEmpty();
        assertThat(queued).isEmpty();

        ready.set(Optional.of(model));
        assertThat(classifier.classify("Hi!")).as("embedding of the examples only just queued").isEmpty();
        assertThat(queued).hasSize(1);
        assertThat(classifier.classify("Hi!")).isEmpty();
        assertThat(queued).as("queued once").hasSize(1);

        queued.forEach(Runnable::run);
        assertThat(classifier.ready()).isTrue();
        assertThat(classifier.classify("Hi!")).map(TierVote::tier).contains(Tier.FAST);
    }
}
