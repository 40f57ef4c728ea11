package dev.costgateway.core.routing;

import static dev.costgateway.core.routing.TestConfigs.ask;
import static dev.costgateway.core.routing.TestConfigs.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.decision.RouteDecision;
import dev.costgateway.core.config.Tier;
import dev.costgateway.core.routing.EmbeddingLayer.TierVote;

class RouterTest {

    static final String HAIKU = "claude-haiku-4-5-20251001";
    static final String SONNET = "claude-sonnet-4-6";
    static final String OPUS = "claude-opus-4-7";

    /** Latex, proof and reasoning verbs: the heuristic is sure this needs the premium tier. */
    static final String HARD = "Prove rigorously that for every prime p the polynomial x^p - x + 1 is irreducible "
            + "over F_p. Go step by step, derive and justify each lemma, and compare with the approach via "
            + "$\\frac{x^p - 1}{x - 1}$.";

    /** Heuristic never decides alone (its confidence tops out below 1). */
    static final String HEURISTIC_UNSURE = "classifier:\n  heuristic_confidence: 1.0\n";

    private static RouteDecision route(GatewayConfig cfg, ObjectNode body) {
        return route(cfg, body, EmbeddingLayer.NONE, null, false);
    }

    private static RouteDecision route(GatewayConfig cfg, ObjectNode body, EmbeddingLayer embedding,
                                       LlmClassifier llm, boolean bypass) {
        Router router = new Router(() -> cfg, new HeuristicClassifier(), embedding, llm);
        return router.route(body, bypass).orTimeout(5, TimeUnit.SECONDS).join();
    }

    @Test
    void routesGreetingToFastTier() {
        RouteDecision d = route(TestConfigs.defaults(), ask(OPUS, "hi"));
        assertThat(d.chosenModel()).isEqualTo(HAIKU);
        assertThat(d.tier()).isEqualTo(Tier.FAST);
        assertThat(d.ceiling()).isEqualTo(Tier.PREMIUM);
        assertThat(d.layer().id()).isEqualTo("heuristic");
        assertThat(d.routed()).isTrue();
        assertThat(d.modelChanged()).isTrue();
        assertThat(d.classifierCalls()).isEmpty();
    }

    @Test
    void routesHardPromptToPremiumTier() {
        RouteDecision d = route(TestConfigs.defaults(), ask(OPUS, HARD));
        assertThat(d.tier()).isEqualTo(Tier.PREMIUM);
        assertThat(d.chosenModel()).isEqualTo(OPUS);
        assertThat(d.layer().id()).isEqualTo("heuristic");
        assertThat(d.reason()).contains("latex");
        assertThat(d.modelChanged()).isFalse();
    }

    @Test
    void routesModeratePromptToBalancedTierWhenTheHeuristicIsSure() {
        GatewayConfig cfg = TestConfigs.with("classifier:\n  heuristic_confidence: 0.6\n");
        RouteDecision d = route(cfg, ask(OPUS, """
                My script prints the wrong total for the shopping cart below. Items with a discount seem to be
                counted twice but I can't see where. Can you explain what happens?
                ```python
                def total(cart):
                    s = 0
                    for item in cart:
                        s += item.price
                        if item.discount:
                            s += item.price * (1 - item.discount)
                    return s
                ```
                """));
        assertThat(d.tier()).isEqualTo(Tier.BALANCED);
        assertThat(d.chosenModel()).isEqualTo(SONNET);
    }

    @Test
    void neverChoosesAboveTheRequestedModelsTier() {
        RouteDecision d = route(TestConfigs.defaults(), ask("claude-sonnet-4-5", HARD));
        assertThat(d.ceiling()).isEqualTo(Tier.BALANCED);
        assertThat(d.tier()).isEqualTo(Tier.BALANCED);
        // The client's exact id is kept, not swapped for the tier's configured sibling.
        assertThat(d.chosenModel()).isEqualTo("claude-sonnet-4-5");
        assertThat(d.layer().id()).isEqualTo("heuristic");
    }

    @Test
    void keepsAFastCeilingWithoutRunningClassifiers() {
        RouteDecision d = route(TestConfigs.defaults(), ask("claude-3-5-haiku-20241022", HARD));
        assertThat(d.tier()).isEqualTo(Tier.FAST);
        assertThat(d.chosenModel()).isEqualTo("claude-3-5-haiku-20241022");
        assertThat(d.layer().id()).isEqualTo("n/a");
        assertThat(d.reason()).isEqualTo("ceiling is the cheapest tier");
    }

    @Test
    void upgradesAboveTheCeilingOnlyWhenAllowed() {
        GatewayConfig cfg = TestConfigs.with("routing:\n  allow_upgrade: true\n");
        RouteDecision d = route(cfg, ask(HAIKU, HARD));
        assertThat(d.ceiling()).isEqualTo(Tier.FAST);
        assertThat(d.tier()).isEqualTo(Tier.PREMIUM);
        assertThat(d.chosenModel()).isEqualTo(OPUS);
    }

    @Test
    void treatsAutoAsThePremiumCeiling() {
        RouteDecision hard = route(TestConfigs.defaults(), ask("auto", HARD));
        assertThat(hard.ceiling()).isEqualTo(Tier.PREMIUM);
        assertThat(hard.chosenModel()).isEqualTo(OPUS);
        RouteDecision easy = route(TestConfigs.defaults(), ask("auto", "thanks!"));
        assertThat(easy.chosenModel()).isEqualTo(HAIKU);
        assertThat(easy.requestedModel()).isEqualTo("auto");
    }

    @Test
    void forwardsTheClientsModelWithTheBypassHeader() {
        RouteDecision d = route(TestConfigs.defaults(), ask(OPUS, "hi"), EmbeddingLayer.NONE, null, true);
        assertThat(d.chosenModel()).isEqualTo(OPUS);
        assertThat(d.routed()).isFalse();
        assertThat(d.tier()).isNull();
        assertThat(d.layer().id()).isEqualTo("n/a");
        assertThat(d.reason()).isEqualTo("bypass header");
    }

    @Test
    void forwardsTheClientsModelWhenRoutingIsOff() {
        GatewayConfig cfg = TestConfigs.with("routing:\n  mode: \"off\"\n");
        RouteDecision d = route(cfg, ask(OPUS, "hi"));
        assertThat(d.chosenModel()).isEqualTo(OPUS);
        assertThat(d.routed()).isFalse();
        assertThat(d.reason()).isEqualTo("routing off");
        // upstream does not know the alias: it becomes the premium model
        assertThat(route(cfg, ask("auto", "hi")).chosenModel()).isEqualTo(OPUS);
    }

    @Test
    void passesAnUnknownModelThroughUnrouted() {
        RouteDecision d = route(TestConfigs.defaults(), ask("my-finetune-v3", "hi"));
        assertThat(d.chosenModel()).isEqualTo("my-finetune-v3");
        assertThat(d.ceiling()).isNull();
        assertThat(d.tier()).isNull();
        assertThat(d.routed()).isFalse();
        assertThat(d.reason()).isEqualTo("unknown model");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            tools        | conservative_tools       | {"model":"claude-opus-4-7","tools":[{"name":"get_weather","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"hi"}]}
            thinking     | conservative_thinking    | {"model":"claude-opus-4-7","thinking":{"type":"enabled","budget_tokens":2048},"messages":[{"role":"user","content":"hi"}]}
            thinking     | conservative_thinking    | {"model":"claude-opus-4-7","thinking":{"type":"adaptive"},"messages":[{"role":"user","content":"hi"}]}
            media        | conservative_media       | {"model":"claude-opus-4-7","messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}},{"type":"text","text":"hi"}]}]}
            media        | conservative_media       | {"model":"claude-opus-4-7","messages":[{"role":"assistant","content":"ok"},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"document","source":{"type":"text","media_type":"text/plain","data":"x"}}]},{"type":"text","text":"hi"}]}]}
            long_context | conservative_long_context| {"model":"claude-opus-4-7","system":"You are a helpful assistant for a big company with many rules, and you always answer in formal English.","messages":[{"role":"user","content":"hi"}]}
            many_turns   | conservative_many_turns  | {"model":"claude-opus-4-7","messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":"hi"}]}
            """)
    void keepsTheCeilingModelWhenAConservativeRuleMatches(String rule, String flag, String json) {
        String limits = "routing:\n  long_context_tokens: 10\n  many_turns: 3\n";
        RouteDecision d = route(TestConfigs.with(limits), body(json));
        assertThat(d.layer().id()).isEqualTo("rule");
        assertThat(d.reason()).isEqualTo(rule);
        assertThat(d.chosenModel()).isEqualTo(OPUS);
        assertThat(d.tier()).isEqualTo(Tier.PREMIUM);

        RouteDecision ruleOff = route(TestConfigs.with(limits + "  " + flag + ": false\n"), body(json));
        assertThat(ruleOff.layer().id()).isEqualTo("heuristic");
        assertThat(ruleOff.chosenModel()).isEqualTo(HAIKU);
    }

    @Test
    void ignoresDisabledThinkingAndEmptyTools() {
        RouteDecision d = route(TestConfigs.defaults(), body("{\"model\":\"claude-opus-4-7\",\"tools\":[],"
                + "\"thinking\":{\"type\":\"disabled\"},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        assertThat(d.chosenModel()).isEqualTo(HAIKU);
    }

    @Test
    void letsTheEmbeddingLayerDecideAboveItsThreshold() {
        List<String> asked = new CopyOnWriteArrayList<>();
        EmbeddingLayer knn = text -> {
            asked.add(text);
            return Optional.of(new TierVote(Tier.FAST, 0.95, "What is the capital of France?"));
        };
        ObjectNode body = body("{\"model\":\"claude-opus-4-7\",\"messages\":[{\"role\":\"user\",\"content\":\"old\"},"
                + "{\"role\":\"assistant\",\"content\":\"x\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"What's the capital of Spain?\"}]}]}");
        RouteDecision d = route(TestConfigs.with(HEURISTIC_UNSURE), body, knn, null, false);
        assertThat(asked).containsExactly("What's the capital of Spain?");
        assertThat(d.layer().id()).isEqualTo("embedding");
        assertThat(d.chosenModel()).isEqualTo(HAIKU);
        assertThat(d.reason()).contains("0.950").contains("capital of France");
    }

    @Test
    void capsTheEmbeddingVoteAtTheCeiling() {
        EmbeddingLayer knn = text -> Optional.of(new TierVote(Tier.PREMIUM, 0.97, "design a distributed system"));
        RouteDecision d = route(TestConfigs.with(HEURISTIC_UNSURE), ask("claude-sonnet-4-5", "x"), knn, null, false);
        assertThat(d.tier()).isEqualTo(Tier.BALANCED);
        assertThat(d.chosenModel()).isEqualTo("claude-sonnet-4-5");
    }

    @Test
    void fallsBackToTheCeilingWhenNoLayerIsSure() {
        EmbeddingLayer farAway = text -> Optional.of(new TierVote(Tier.FAST, 0.5, "hello"));
        RouteDecision d = route(TestConfigs.with(HEURISTIC_UNSURE), ask(OPUS, "hi"), farAway, null, false);
        assertThat(d.layer().id()).isEqualTo("n/a");
        assertThat(d.reason()).startsWith("undecided (heuristic fast at 0.95").endsWith("→ ceiling");
        assertThat(d.chosenModel()).isEqualTo(OPUS);
        assertThat(d.routed()).isTrue();
    }

    @Test
    void fallsBackToTheCeilingWhenALayerThrows() {
        EmbeddingLayer broken = text -> {
            throw new IllegalStateException("model not loaded");
        };
        RouteDecision d = route(TestConfigs.with(HEURISTIC_UNSURE), ask(OPUS, "hi"), broken, null, false);
        assertThat(d.chosenModel()).isEqualTo(OPUS);
        assertThat(d.reason()).contains("IllegalStateException");
    }

    @Test
    void asksTheFastModelWhenEarlierLayersAreUnsureAndChargesTheCall() {
        GatewayConfig cfg = TestConfigs.with(HEURISTIC_UNSURE + "use_haiku_classifier: true\n");
        FakeTransport transport = FakeTransport.answering("SIMPLE", 180, 3);
        LlmClassifier llm = new LlmClassifier(transport, () -> cfg, new MutableClock());

        RouteDecision first = route(cfg, ask(OPUS, "Tell me a fun fact."), EmbeddingLayer.NONE, llm, false);
        assertThat(first.layer().id()).isEqualTo("haiku");
        assertThat(first.chosenModel()).isEqualTo(HAIKU);
        assertThat(first.classifierCalls()).singleElement().satisfies(c -> {
            assertThat(c.outcome()).isEqualTo("SIMPLE");
            assertThat(c.costUsd()).isCloseTo((180 * 1 + 3 * 5) / 1e6, within(1e-12));
        });
        assertThat(first.classifierCostUsd()).isCloseTo((180 + 15) / 1e6, within(1e-12));

        RouteDecision again = route(cfg, ask(OPUS, "Tell me a fun fact."), EmbeddingLayer.NONE, llm, false);
        assertThat(transport.requests).hasSize(1);
        assertThat(again.chosenModel()).isEqualTo(HAIKU);
        assertThat(again.reason()).contains("cached");
        assertThat(again.classifierCalls()).isEmpty();
        assertThat(again.classifierCostUsd()).isZero();
    }

    @Test
    void capsTheLlmVerdictAtTheCeiling() {
        GatewayConfig cfg = TestConfigs.with(HEURISTIC_UNSURE + "use_haiku_classifier: true\n");
        LlmClassifier llm = new LlmClassifier(FakeTransport.answering("COMPLEX", 100, 1), () -> cfg,
                new MutableClock());
        RouteDecision d = route(cfg, ask("claude-sonnet-4-5", "x"), EmbeddingLayer.NONE, llm, false);
        assertThat(d.tier()).isEqualTo(Tier.BALANCED);
        assertThat(d.chosenModel()).isEqualTo("claude-sonnet-4-5");
    }

    @Test
    void fallsBackToTheCeilingWhenTheLlmClassifierTimesOut() {
        GatewayConfig cfg = TestConfigs.with(HEURISTIC_UNSURE + "  llm_timeout_ms: 20\nuse_haiku_classifier: true\n");
        FakeTransport silent = FakeTransport.silent();
        LlmClassifier llm = new LlmClassifier(silent, () -> cfg, new MutableClock());
        RouteDecision d = route(cfg, ask(OPUS, "Tell me a fun fact."), EmbeddingLayer.NONE, llm, false);
        assertThat(silent.requests).hasSize(1);
        assertThat(d.chosenModel()).isEqualTo(OPUS);
        assertThat(d.layer().id()).isEqualTo("n/a");
        assertThat(d.reason()).isEqualTo("haiku timeout → ceiling");
        assertThat(d.classifierCalls()).singleElement().satisfies(c -> {
            assertThat(c.outcome()).isEqualTo("timeout");
            assertThat(c.costUsd()).isNull();
        });
    }

    @Test
    void fallsBackToTheCeilingOnAClassifierErrorStatus() {
        GatewayConfig cfg = TestConfigs.with(HEURISTIC_UNSURE + "use_haiku_classifier: true\n");
        LlmClassifier llm = new LlmClassifier(FakeTransport.status(529,
                "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"),
                () -> cfg, new MutableClock());
        RouteDecision d = route(cfg, ask(OPUS, "Tell me a fun fact."), EmbeddingLayer.NONE, llm, false);
        assertThat(d.chosenModel()).isEqualTo(OPUS);
        assertThat(d.reason()).isEqualTo("haiku error → ceiling");
        assertThat(d.classifierCalls()).singleElement().satisfies(c -> {
            assertThat(c.status()).isEqualTo(529);
            assertThat(c.costUsd()).isZero();
        });
    }

    @Test
    void skipsTheLlmClassifierUnlessEnabled() {
        GatewayConfig cfg = TestConfigs.with(HEURISTIC_UNSURE);
        FakeTransport transport = FakeTransport.answering("SIMPLE", 100, 1);
        LlmClassifier llm = new LlmClassifier(transport, () -> cfg, new MutableClock());
        RouteDecision d = route(cfg, ask(OPUS, "Tell me a fun fact."), EmbeddingLayer.NONE, llm, false);
        assertThat(transport.requests).isEmpty();
        assertThat(d.chosenModel()).isEqualTo(OPUS);
    }

    @Test
    void leavesTheRequestBodyUntouched() {
        ObjectNode body = ask(OPUS, "hi");
        String before = body.toString();
        route(TestConfigs.defaults(), body);
        assertThat(body.toString()).isEqualTo(before);
    }

    @Test
    void readsTheConfigurationAgainForEachRequest() {
        GatewayConfig[] current = {TestConfigs.defaults()};
        Router router = new Router(() -> current[0], new HeuristicClassifier(), EmbeddingLayer.NONE, null);
        assertThat(router.route(ask(OPUS, "hi"), false).join().chosenModel()).isEqualTo(HAIKU);
        current[0] = TestConfigs.with("routing:\n  mode: \"off\"\n");
        assertThat(router.route(ask(OPUS, "hi"), false).join().chosenModel()).isEqualTo(OPUS);
    }

    @Test
    void reasonsWriteThreeDecimalsExactlyAsStringFormatWould() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        java.util.List<Double> values = new java.util.ArrayList<>(java.util.List.of(0.0, -0.0, 1.0, 0.0005, 0.0015,
                0.1235, 0.9995, 0.12349999, 2.5e-7, 1.0000001, 12.3456, -0.25, Double.NaN));
        for (int i = 0; i < 20_000; i++) {
            values.add(random.nextDouble() * 1.2);
        }
        for (double v : values) {
            assertThat(Router.fixed3(v)).as("%s", v).isEqualTo(String.format(java.util.Locale.ROOT, "%.3f", v));
        }
    }
}
