package dev.costgateway.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import dev.costgateway.core.config.Tier;

class HeuristicClassifierTest {

    private final HeuristicClassifier heuristic = new HeuristicClassifier();

    private Classification classify(String text) {
        return heuristic.classify(text, 0, 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hi", "Hello!", "thanks", "Thank you so much!", "ok", "got it.", "Sounds good", "Hi! Thanks so much."})
    void routesGreetingsAndAcknowledgementsToFastWithHighConfidence(String text) {
        Classification c = classify(text);
        assertThat(c.tier()).isEqualTo(Tier.FAST);
        assertThat(c.confidence()).isGreaterThanOrEqualTo(0.9);
        assertThat(c.reason()).isEqualTo("greeting/acknowledgement");
    }

    @Test
    void routesAShortFactualQuestionToFast() {
        Classification c = classify("What is the capital of France?");
        assertThat(c.tier()).isEqualTo(Tier.FAST);
        assertThat(c.confidence()).isGreaterThanOrEqualTo(0.75);
        assertThat(c.reason()).contains("factual question");
    }

    @Test
    void routesAShortOneLineQuestionToFast() {
        Classification c = classify("hi, capital of australia?");
        assertThat(c.tier()).isEqualTo(Tier.FAST);
        assertThat(c.confidence()).isGreaterThanOrEqualTo(0.75);
        assertThat(c.reason()).contains("short question");
    }

    @Test
    void isUnsureAboutAShortRequestWithoutAnyOtherSignal() {
        // "Craft me a deep learning curriculum" is short but not easy: length alone must not decide.
        assertThat(classify("Craft me a deep learning curriculum").confidence()).isLessThan(0.75);
    }

    @Test
    void routesAProofWithLatexToPremium() {
        Classification c = classify(RouterTest.HARD);
        assertThat(c.tier()).isEqualTo(Tier.PREMIUM);
        assertThat(c.confidence()).isGreaterThanOrEqualTo(0.9);
        assertThat(c.reason()).contains("latex").contains("math terms").contains("reasoning verbs");
    }

    @Test
    void routesAWordProblemWithQuantitiesToBalanced() {
        Classification c = classify("Janet's ducks lay 16 eggs per day. She eats 3 for breakfast every "
                + "morning and bakes muffins for her friends every day with 4. She sells the remainder at the "
                + "farmers' market daily for $2 per fresh duck egg. How much in dollars does she make every day?");
        assertThat(c.tier()).isEqualTo(Tier.BALANCED);
        assertThat(c.reason()).contains("quantities");
    }

    @Test
    void decidesCodeAsBalancedWhileProseOfTheSameLengthStaysUndecided() {
        String prose = "Please tell me about the history of the city, its people, its food and its festivals.";
        String code = "Please fix this:\n```js\nconst x = items.map(i => i.id);\nreturn x;\n```";
        Classification c = classify(code);
        assertThat(c.reason()).contains("code block");
        assertThat(c.tier()).isEqualTo(Tier.BALANCED);
        assertThat(c.confidence()).isGreaterThanOrEqualTo(0.75);
        assertThat(classify(prose).confidence()).isLessThan(0.75);
    }

    @Test
    void recognisesADesignRequestByItsReasoningVerbs() {
        Classification c = classify("Design the architecture for a multi-region event store, analyze the "
                + "trade-offs between consistency models, compare two partitioning strategies and optimize the "
                + "write path. Explain why each choice holds under failover. The store takes 40k writes per second "
                + "at peak from about 300 services, readers need their own writes within one second, and an "
                + "auditor must be able to replay any tenant's history for seven years. Budget is tight, the team "
                + "is six people, and we already run PostgreSQL and Kafka in two regions. It must survive the loss "
                + "of a region, it should never lose an acknowledged write, and it must stay within budget.");
        assertThat(c.tier()).isEqualTo(Tier.PREMIUM);
        assertThat(c.reason()).contains("reasoning verbs");
    }

    @Test
    void countsCjkCharactersAsDenseText() {
        // 25 Chinese characters: a full sentence, not a "very short" prompt
        Classification c = classify("写出下面句子的对仗句。一壶浊酒尽余欢，一杯茗茶万里香，有朋结相聚。");
        assertThat(c.reason()).doesNotContain("very short");
    }

    @Test
    void weighsALargeSystemPromptAndALongConversation() {
        String text = "Can you summarise our discussion so far in a few bullet points for the team wiki page?";
        Classification alone = heuristic.classify(text, 0, 1);
        Classification inContext = heuristic.classify(text, 8000, 6);
        assertThat(inContext.reason()).contains("large system prompt").contains("long conversation");
        assertThat(inContext.tier().ordinal()).isGreaterThan(alone.tier().ordinal());
    }

    @Test
    void readsTheLastUserTurnOfARequestBody() {
        Classification c = heuristic.classify(TestConfigs.body("{\"model\":\"auto\",\"messages\":["
                + "{\"role\":\"user\",\"content\":\"" + RouterTest.HARD.replace("\\", "\\\\") + "\"},"
                + "{\"role\":\"assistant\",\"content\":\"...\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"thanks!\"}]}]}"));
        assertThat(c.reason()).isEqualTo("greeting/acknowledgement");
    }

    @Test
    void isUndecidedWithoutText() {
        assertThat(classify("").confidence()).isZero();
    }
}
