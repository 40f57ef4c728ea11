package dev.costgateway.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;

class EscalationPolicyTest {

    private final EscalationPolicy policy = new EscalationPolicy();
    private final GatewayConfig cfg = TestConfigs.defaults();

    private static JsonNode answer(String stopReason, String... texts) {
        ObjectNode m = TestConfigs.JSON.createObjectNode();
        m.put("type", "message");
        m.put("stop_reason", stopReason);
        var content = m.putArray("content");
        content.addObject().put("type", "thinking").put("thinking", "I'm not sure, let me think");
        for (String t : texts) {
            content.addObject().put("type", "text").put("text", t);
        }
        return m;
    }

    @Test
    void escalatesATruncatedAnswer() {
        assertThat(policy.trigger(answer("max_tokens", "The answer is"), cfg)).contains("max_tokens");
    }

    @Test
    void keepsATruncatedAnswerWhenTruncationIsNotATrigger() {
        GatewayConfig noTruncation = TestConfigs.with("escalation:\n  on_truncation: false\n");
        assertThat(policy.trigger(answer("max_tokens", "The answer is"), noTruncation)).isEmpty();
    }

    @Test
    void escalatesOnAnUncertaintyPhraseInAnyCase() {
        assertThat(policy.trigger(answer("end_turn", "Well.", "i'M NOT SURE this is right."), cfg))
                .contains("phrase:I'm not sure");
        // a typographic apostrophe counts as the plain one
        assertThat(policy.trigger(answer("end_turn", "I\u2019m unable to open links."), cfg))
                .contains("phrase:I'm unable");
    }

    @Test
    void ignoresPhrasesOutsideTextBlocks() {
        // the thinking block added by answer() says "I'm not sure"
        assertThat(policy.trigger(answer("end_turn", "Paris is the capital of France."), cfg)).isEmpty();
    }

    @Test
    void escalatesWhenHedgeWordsExceedTheThreshold() {
        String sixHedges = "Perhaps it rains. It might snow. Possibly both. It might not. Perhaps wind. Allegedly hail.";
        String fiveHedges = "Perhaps it rains. It might snow. Possibly both. It might not. Perhaps wind.";
        assertThat(policy.trigger(answer("end_turn", sixHedges), cfg)).contains("hedging");
        assertThat(policy.trigger(answer("end_turn", fiveHedges), cfg)).isEmpty();
    }

    @Test
    void countsHedgeWordsOnlyAsWholeWords() {
        String lookalikes = "mighty mightiest perhapsy possiblyx might" + " mighty".repeat(10);
        assertThat(policy.trigger(answer("end_turn", lookalikes), cfg)).isEmpty();
    }

    @Test
    void followsAnEditedHedgeList() {
        GatewayConfig edited = TestConfigs.with("escalation:\n  hedge_words: [maybe]\n  hedge_threshold: 1\n");
        assertThat(policy.trigger(answer("end_turn", "maybe, maybe"), edited)).contains("hedging");
        assertThat(policy.trigger(answer("end_turn", "maybe, maybe"), cfg)).isEmpty();
    }

    @Test
    void acceptsAConfidentCompleteAnswer() {
        assertThat(policy.trigger(answer("end_turn", "2 + 2 = 4."), cfg)).isEmpty();
    }

    @Test
    void stepsUpOneTierAtATimeUpToTheCeiling() {
        assertThat(policy.nextTier(Tier.FAST, Tier.PREMIUM, 0, cfg)).contains(Tier.BALANCED);
        assertThat(policy.nextTier(Tier.BALANCED, Tier.PREMIUM, 1, cfg)).contains(Tier.PREMIUM);
        assertThat(policy.nextTier(Tier.FAST, Tier.BALANCED, 0, cfg)).contains(Tier.BALANCED);
        assertThat(policy.nextTier(Tier.BALANCED, Tier.BALANCED, 0, cfg)).isEmpty();
        assertThat(policy.nextTier(Tier.PREMIUM, Tier.PREMIUM, 0, cfg)).isEmpty();
    }

    @Test
    void stopsAfterMaxEscalations() {
        assertThat(policy.nextTier(Tier.FAST, Tier.PREMIUM, 2, cfg)).isEmpty();
        GatewayConfig once = TestConfigs.with("max_escalations: 1\n");
        assertThat(policy.nextTier(Tier.FAST, Tier.PREMIUM, 0, once)).contains(Tier.BALANCED);
        assertThat(policy.nextTier(Tier.BALANCED, Tier.PREMIUM, 1, once)).isEmpty();
        assertThat(policy.nextTier(Tier.FAST, Tier.PREMIUM, 0, TestConfigs.with("max_escalations: 0\n"))).isEmpty();
    }

    @Test
    void neverEscalatesAnUnroutedRequest() {
        assertThat(policy.nextTier(null, null, 0, cfg)).isEqualTo(Optional.empty());
    }

    @Test
    void joinsTheTextBlocksOfAnAnswer() {
        assertThat(EscalationPolicy.answerText(answer("end_turn", "a", "b"))).isEqualTo("a\nb");
        assertThat(EscalationPolicy.answerText(TestConfigs.tree("{\"content\":[{\"type\":\"tool_use\"}]}")))
                .isEmpty();
    }
}
