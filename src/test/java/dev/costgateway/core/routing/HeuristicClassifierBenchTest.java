package dev.costgateway.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Time per {@link HeuristicClassifier#classify(ObjectNode)} on typical prompts (short chat, a word problem, a code
 * question of about 1 KB, a 5 KB design brief). Bounded in time: 2 s warm-up, then 1 s of calls per prompt.
 */
@Tag("bench")
class HeuristicClassifierBenchTest {

    @Test
    void classifiesATypicalPromptWithinFiftyMicroseconds() {
        String code = "Why does this loop never end? I expected it to stop at ten.\n```java\n"
                + "for (int i = 0; i < 10; i--) {\n    System.out.println(i);\n}\n```\n".repeat(8);
        String design = ("Design a multi-tenant billing service. Analyze the trade-offs of event sourcing "
                + "versus CRUD, compare two storage engines and justify the choice step by step. ").repeat(30);
        List<ObjectNode> prompts = List.of(
                TestConfigs.ask("auto", "What is the capital of France?"),
                TestConfigs.ask("auto", "Janet's ducks lay 16 eggs per day. She eats three for breakfast every "
                        + "morning and bakes muffins with four. She sells the remainder for $2 per egg. How much "
                        + "does she make every day?"),
                TestConfigs.ask("auto", code),
                TestConfigs.ask("auto", design));
        HeuristicClassifier h = new HeuristicClassifier();
        long warmUntil = System.nanoTime() + 2_000_000_000L;
        double sink = 0;
        while (System.nanoTime() < warmUntil) {
            for (ObjectNode p : prompts) {
                sink += h.classify(p).confidence();
            }
        }
        double worst = 0;
        for (ObjectNode p : prompts) {
            long start = System.nanoTime();
            long stop = start + 1_000_000_000L;
            long calls = 0;
            long now;
            do {
                for (int i = 0; i < 100; i++) {
                    sink += h.classify(p).confidence();
                }
                calls += 100;
                now = System.nanoTime();
            } while (now < stop);
            double micros = (now - start) / 1e3 / calls;
            worst = Math.max(worst, micros);
            System.out.printf(Locale.ROOT, "heuristic: %5d chars  %6.2f µs/call%n",
                    PromptText.lastUserText(p).length(), micros);
        }
        assertThat(sink).isPositive();
        assertThat(worst).as("µs per classification").isLessThan(50);
    }
}
