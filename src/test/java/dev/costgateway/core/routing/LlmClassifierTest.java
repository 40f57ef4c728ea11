package dev.costgateway.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;

class LlmClassifierTest {

    private final GatewayConfig cfg = TestConfigs.defaults();
    private final MutableClock clock = new MutableClock();

    private static <T> T await(CompletableFuture<T> f) {
        return f.orTimeout(5, TimeUnit.SECONDS).join();
    }

    @Test
    void sendsAShortDeterministicRequestToTheFastModel() {
        FakeTransport transport = FakeTransport.answering("MODERATE", 150, 2);
        LlmClassifier llm = new LlmClassifier(transport, () -> cfg, clock);
        String longPrompt = "Summarise this: " + "lorem ipsum ".repeat(1000);

        Optional<LlmVerdict> verdict = await(llm.classify(longPrompt, "claude-opus-4-7"));

        assertThat(verdict).contains(new LlmVerdict("MODERATE", Tier.BALANCED, false));
        JsonNode sent = transport.requests.get(0);
        assertThat(sent.path("model").asText()).isEqualTo("claude-haiku-4-5-20251001");
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(LlmClassifier.MAX_TOKENS);
        assertThat(sent.path("temperature").asInt()).isZero();
        assertThat(sent.has("stream")).isFalse();
        String content = sent.path("messages").get(0).path("content").asText();
        assertThat(content).contains("SIMPLE, MODERATE or COMPLEX").contains("Summarise this: lorem ipsum")
                .doesNotContain("{{prompt}}");
        assertThat(content.length()).isLessThan(LlmClassifier.MAX_PROMPT_CHARS + 1000);
    }

    @Test
    void readsTheLabelFromALooselyFormattedReply() {
        LlmClassifier llm = new LlmClassifier(FakeTransport.answering(" complex.\n", 100, 2), () -> cfg, clock);
        assertThat(await(llm.classify("Design a database", "claude-opus-4-7")))
                .map(LlmVerdict::tier).contains(Tier.PREMIUM);
    }

    @Test
    void givesNoVerdictForAnUnparseableReplyButStillChargesIt() {
        LlmClassifier llm = new LlmClassifier(FakeTransport.answering("It depends.", 100, 3), () -> cfg, clock);
        LlmClassifier.Outcome outcome = await(llm.classifyWithCall("Tell me more", "claude-opus-4-7"));
        assertThat(outcome.verdict()).isEmpty();
        assertThat(outcome.call()).get().satisfies(c -> {
            assertThat(c.outcome()).isEqualTo("unparseable");
            assertThat(c.costUsd()).isPositive();
        });
    }

    @Test
    void answersARepeatedPromptFromTheCacheUntilItsTtlEnds() {
        FakeTransport transport = FakeTransport.answering("SIMPLE", 100, 1);
        LlmClassifier llm = new LlmClassifier(transport, () -> cfg, clock, 100, Duration.ofHours(1));

        await(llm.classify("hello there friend", "claude-opus-4-7"));
        LlmClassifier.Outcome cached = await(llm.classifyWithCall("hello there friend", "claude-opus-4-7"));
        assertThat(cached.verdict()).contains(new LlmVerdict("SIMPLE", Tier.FAST, true));
        assertThat(cached.call()).isEmpty();
        assertThat(transport.requests).hasSize(1);

        clock.advance(Duration.ofMinutes(61));
        await(llm.classify("hello there friend", "claude-opus-4-7"));
        assertThat(transport.requests).hasSize(2);
    }

    @Test
    void givesUpAfterTheTimeoutAndCachesTheLateReply() {
        GatewayConfig quick = TestConfigs.with("classifier:\n  llm_timeout_ms: 10\n");
        FakeTransport silent = FakeTransport.silent();
        LlmClassifier llm = new LlmClassifier(silent, () -> quick, clock);

        LlmClassifier.Outcome timedOut = await(llm.classifyWithCall("Explain monads", "claude-opus-4-7"));
        assertThat(timedOut.verdict()).isEmpty();
        assertThat(timedOut.call()).get().satisfies(c -> assertThat(c.outcome()).isEqualTo("timeout"));

        String late = "{\"content\":[{\"type\":\"text\",\"text\":\"MODERATE\"}],\"usage\":{\"input_tokens\":90,"
                + "\"output_tokens\":2}}";
        silent.pending.get(0).complete(new LlmTransport.LlmReply(200, late.getBytes(StandardCharsets.UTF_8), 4000));
        assertThat(await(llm.classify("Explain monads", "claude-opus-4-7")))
                .contains(new LlmVerdict("MODERATE", Tier.BALANCED, true));
        assertThat(silent.requests).hasSize(1);
    }

    @Test
    void reportsATransportFailureAsAnUnbilledError() {
        LlmTransport failing = body -> CompletableFuture.failedFuture(new java.io.IOException("connection reset"));
        LlmClassifier llm = new LlmClassifier(failing, () -> cfg, clock);
        LlmClassifier.Outcome outcome = await(llm.classifyWithCall("Explain monads", "claude-opus-4-7"));
        assertThat(outcome.verdict()).isEmpty();
        assertThat(outcome.call()).get().satisfies(c -> {
            assertThat(c.outcome()).isEqualTo("error");
            assertThat(c.costUsd()).isZero();
        });
    }

    @Test
    void survivesATransportThatThrows() {
        LlmTransport throwing = body -> {
            throw new IllegalStateException("client stopped");
        };
        LlmClassifier llm = new LlmClassifier(throwing, () -> cfg, clock);
        assertThat(await(llm.classify("Explain monads", "claude-opus-4-7"))).isEmpty();
    }

    @Test
    void makesNoCallWhenTheCeilingIsAlreadyTheFastTier() {
        FakeTransport transport = FakeTransport.answering("SIMPLE", 100, 1);
        LlmClassifier llm = new LlmClassifier(transport, () -> cfg, clock);
        assertThat(await(llm.classify("Explain monads", "claude-haiku-4-5"))).isEmpty();
        assertThat(transport.requests).isEmpty();
    }
}
