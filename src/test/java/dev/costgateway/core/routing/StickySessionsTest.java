package dev.costgateway.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.costgateway.core.api.Usage;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.config.Tier;
import dev.costgateway.core.decision.ClassifierLayer;
import dev.costgateway.core.decision.RouteDecision;
import dev.costgateway.testing.ManualClock;

class StickySessionsTest {

    private static final String OPUS = "claude-opus-4-7";
    private static final String HAIKU = "claude-haiku-4-5-20251001";
    private static final String SONNET = "claude-sonnet-4-6";
    private static final StickySessions.Key KEY = new StickySessions.Key("scope-a", "session-1", OPUS);

    private final GatewayConfig cfg = TestConfigs.defaults();
    private final ManualClock clock = new ManualClock();
    private final StickySessions sticky = new StickySessions(clock);
    private final AtomicInteger routerCalls = new AtomicInteger();

    /** The router on its own, answering {@code tier} every time it is asked (and counting the calls). */
    private Supplier<CompletableFuture<RouteDecision>> router(Tier tier) {
        return () -> {
            routerCalls.incrementAndGet();
            String model = tier == Tier.PREMIUM ? OPUS : cfg.modelFor(tier);
            return CompletableFuture.completedFuture(new RouteDecision(OPUS, model, Tier.PREMIUM, tier,
                    ClassifierLayer.SCORE, "score says " + tier.id(), true, List.of()));
        };
    }

    private RouteDecision route(ObjectNode body, Tier routerSays) {
        return sticky.route(cfg, KEY, body, router(routerSays)).join();
    }

    // ---- bodies ----

    private static ObjectNode base() {
        ObjectNode b = TestConfigs.JSON.createObjectNode().put("model", OPUS).put("max_tokens", 32000);
        b.putArray("tools").addObject().put("name", "Bash").put("description", "run a command")
                .putObject("input_schema").put("type", "object");
        b.putArray("system").addObject().put("type", "text").put("text", "You are Claude Code.")
                .putObject("cache_control").put("type", "ephemeral");
        b.putObject("thinking").put("type", "adaptive");
        return b;
    }

    private static ObjectNode user(ArrayNode messages, String prompt) {
        ObjectNode m = messages.addObject().put("role", "user");
        ArrayNode c = m.putArray("content");
        c.addObject().put("type", "text").put("text", "<system-reminder>\nPrimary working directory: /p\n"
                + "</system-reminder>");
        c.addObject().put("type", "text").put("text", prompt);
        return m;
    }

    static ObjectNode firstTurn(String prompt) {
        ObjectNode b = base();
        user(b.putArray("messages"), prompt);
        return b;
    }

    /** A tool-result turn: the assistant asked for Bash, the newest user message returns its result. */
    static ObjectNode toolTurn(int n, boolean failed) {
        ObjectNode b = firstTurn("Fix the failing test");
        ArrayNode messages = (ArrayNode) b.get("messages");
        for (int i = 0; i < n; i++) {
            ObjectNode a = messages.addObject().put("role", "assistant");
            a.putArray("content").addObject().put("type", "tool_use").put("id", "toolu_" + i).put("name", "Bash")
                    .putObject("input").put("command", "mvn test");
            ObjectNode r = messages.addObject().put("role", "user");
            ObjectNode result = r.putArray("content").addObject().put("type", "tool_result")
                    .put("tool_use_id", "toolu_" + i).put("content", failed ? "command not found" : "ok");
            if (failed) {
                result.put("is_error", true);
            }
        }
        return b;
    }

    /** The person's next prompt after a finished answer (no tool pair open), optionally after a thinking block. */
    static ObjectNode humanTurn(String prompt, boolean thinkingInHistory) {
        ObjectNode b = firstTurn("Fix the failing test");
        ArrayNode messages = (ArrayNode) b.get("messages");
        ArrayNode a = messages.addObject().put("role", "assistant").putArray("content");
        if (thinkingInHistory) {
            a.addObject().put("type", "thinking").put("thinking", "").put("signature", "EqQBsig");
        }
        a.addObject().put("type", "text").put("text", "Done: the test passes.");
        user(messages, prompt);
        return b;
    }

    private static Usage firstWrite(long prefix) {
        return new Usage(10, 10, prefix, prefix, 0, 0);
    }

    private static Usage warmRead(long prefix) {
        return new Usage(10, 10, 0, 0, 0, prefix);
    }

    private void answered(Usage u) {
        clock.advance(Duration.ofSeconds(20));
        sticky.answered(KEY, sticky.pin(KEY).orElseThrow().model(), u);
    }

    // ---- the tests ----

    @Test
    void theFirstTurnsDecisionIsReusedForEveryLaterTurn() {
        RouteDecision first = route(firstTurn("What does this error mean?"), Tier.BALANCED);
        assertThat(first.chosenModel()).isEqualTo(SONNET);
        assertThat(first.reason()).startsWith("session's first turn, pinned: score says balanced");
        answered(firstWrite(30_000));

        for (int n = 1; n <= 5; n++) {
            // the router would now say premium; the session is not asked again
            RouteDecision later = route(toolTurn(n, false), Tier.PREMIUM);
            assertThat(later.chosenModel()).as("turn %d", n + 1).isEqualTo(SONNET);
            assertThat(later.tier()).isEqualTo(Tier.BALANCED);
            assertThat(later.layer()).isEqualTo(ClassifierLayer.SESSION);
            assertThat(later.reason()).contains("pinned to balanced since turn 1", "held: tool results in flight");
            answered(warmRead(30_000));
        }
        assertThat(routerCalls).hasValue(1);
        assertThat(sticky.pin(KEY).orElseThrow().turns()).isEqualTo(6);
    }

    @Test
    void anotherRequestedModelOrCallerIsAnotherPin() {
        route(firstTurn("Refactor the billing module"), Tier.FAST);
        StickySessions.Key title = new StickySessions.Key("scope-a", "session-1", HAIKU);
        StickySessions.Key otherCaller = new StickySessions.Key("scope-b", "session-1", OPUS);
        assertThat(sticky.pin(title)).isEmpty();
        assertThat(sticky.pin(otherCaller)).isEmpty();
        RouteDecision theirs = sticky.route(cfg, otherCaller, firstTurn("Prove it terminates"), router(Tier.PREMIUM))
                .join();
        assertThat(theirs.chosenModel()).isEqualTo(OPUS);
        assertThat(sticky.pin(KEY).orElseThrow().model()).isEqualTo(HAIKU);
    }

    @Test
    void aSwitchThatDoesNotPayIsRefused() {
        route(firstTurn("Design the module layout"), Tier.PREMIUM);
        answered(firstWrite(100_000));
        answered(warmRead(100_000));

        RouteDecision vote = route(humanTurn("thanks, now rename x to y", false), Tier.FAST);
        assertThat(vote.chosenModel()).isEqualTo(OPUS); // one routine prompt is not yet "clearly routine"
        RouteDecision second = route(humanTurn("and fix the typo in the readme", false), Tier.FAST);

        assertThat(second.chosenModel()).isEqualTo(OPUS);
        assertThat(second.reason()).contains("switch to fast refused");
        SwitchPrice p = sticky.pin(KEY).orElseThrow().lastPrice();
        // writing 100 000 tokens on Haiku at 1.25 × $1/MTok, against reading them on Opus at 0.1 × $5/MTok
        assertThat(p.writeUsd()).isCloseTo(0.125, within(1e-12));
        assertThat(p.stayUsd()).isCloseTo(0.05, within(1e-12));
        // a typical turn: 10 in, 10 out, 100 000 read: Opus $0.0503, Haiku $0.01006; one turn expected to remain
        assertThat(p.perTurnSavingUsd()).isCloseTo(0.04024, within(1e-12));
        assertThat(p.remainingTurns()).isEqualTo(1.0);
        assertThat(p.pays()).isFalse();
        assertThat(sticky.pin(KEY).orElseThrow().tier()).isEqualTo(Tier.PREMIUM);
    }

    @Test
    void aSwitchThatPaysIsTakenAndPricedCorrectly() {
        route(firstTurn("Design the module layout"), Tier.PREMIUM);
        answered(firstWrite(100_000));
        for (int i = 0; i < 3; i++) {
            answered(warmRead(100_000));
        }
        route(humanTurn("thanks, now rename x to y", false), Tier.FAST);
        RouteDecision moved = route(humanTurn("and fix the typo in the readme", false), Tier.FAST);

        assertThat(moved.chosenModel()).isEqualTo(HAIKU);
        assertThat(moved.layer()).isEqualTo(ClassifierLayer.SESSION);
        assertThat(moved.reason()).contains("moved down from premium to fast at turn 5",
                "100,000 prefix tokens × 5m write on " + HAIKU + " = $0.1250 vs staying $0.0500");
        SwitchPrice p = sticky.pin(KEY).orElseThrow().lastPrice();
        assertThat(p.switchCostUsd()).isCloseTo(0.075, within(1e-12));
        assertThat(p.remainingTurns()).isEqualTo(2.0); // four turns so far: half of them again
        assertThat(p.expectedSavingUsd()).isCloseTo(0.08048, within(1e-12));
        assertThat(p.pays()).isTrue();

        answered(firstWrite(100_000));
        assertThat(route(toolTurn(3, false), Tier.PREMIUM).chosenModel()).isEqualTo(HAIKU);
    }

    @Test
    void afterAnIdleGapOverTheTtlTheSwitchCostsLessThanStaying() {
        route(firstTurn("Design the module layout"), Tier.PREMIUM);
        answered(firstWrite(100_000));
        answered(warmRead(100_000));
        clock.advance(Duration.ofMinutes(6)); // the 5-minute cache on Opus is gone: staying re-writes it too
        route(humanTurn("rename x to y", false), Tier.FAST);
        RouteDecision moved = route(humanTurn("fix the typo", false), Tier.FAST);

        assertThat(moved.chosenModel()).isEqualTo(HAIKU);
        SwitchPrice p = sticky.pin(KEY).orElseThrow().lastPrice();
        assertThat(p.warm()).isFalse();
        assertThat(p.stayUsd()).isCloseTo(100_000 * 1.25 * 5 / 1e6, within(1e-12));
        assertThat(p.switchCostUsd()).isNegative();
    }

    @Test
    void theOneHourTtlTheClientAskedForPricesTheWrite() {
        ObjectNode first = firstTurn("Design the module layout");
        ((ObjectNode) first.at("/system/0/cache_control")).put("ttl", "1h");
        route(first, Tier.PREMIUM);
        answered(new Usage(10, 10, 100_000, 0, 100_000, 0));
        answered(warmRead(100_000));
        ObjectNode a = humanTurn("rename x to y", false);
        ((ObjectNode) a.at("/system/0/cache_control")).put("ttl", "1h");
        route(a, Tier.FAST);
        route(a, Tier.FAST);
        SwitchPrice p = sticky.pin(KEY).orElseThrow().lastPrice();
        assertThat(p.oneHourTtl()).isTrue();
        assertThat(p.writeUsd()).isCloseTo(100_000 * 2.0 * 1 / 1e6, within(1e-12));
    }

    @Test
    void thinkingSignedHistoryAndOpenToolPairsNeverMove() {
        route(firstTurn("Fix the failing test"), Tier.FAST);
        answered(firstWrite(30_000));
        // an answer of a held request trips a signal: its answer stands, the session is marked to move up
        RouteDecision held = route(toolTurn(1, false), Tier.FAST);
        assertThat(sticky.escalated(cfg, KEY, held, "max_tokens", false)).isEmpty();
        assertThat(sticky.pin(KEY).orElseThrow().pendingUp()).isEqualTo("max_tokens");

        RouteDecision stillHeld = route(toolTurn(2, false), Tier.PREMIUM);
        assertThat(stillHeld.chosenModel()).isEqualTo(HAIKU);
        assertThat(stillHeld.reason()).contains("held: tool results in flight", "moves up at its next turn");
        RouteDecision thinking = route(humanTurn("go on", true), Tier.PREMIUM);
        assertThat(thinking.chosenModel()).isEqualTo(HAIKU);
        assertThat(thinking.reason()).contains("held: history holds thinking blocks");

        ObjectNode toolUseOpen = humanTurn("go on", false);
        ((ArrayNode) toolUseOpen.at("/messages/1/content")).addObject().put("type", "tool_use").put("id", "toolu_9")
                .put("name", "Bash").putObject("input");
        assertThat(route(toolUseOpen, Tier.PREMIUM).chosenModel()).isEqualTo(HAIKU);
        assertThat(sticky.pin(KEY).orElseThrow().tier()).isEqualTo(Tier.FAST);

        // the first free turn takes the move
        RouteDecision up = route(humanTurn("go on", false), Tier.FAST);
        assertThat(up.chosenModel()).isEqualTo(OPUS);
        assertThat(up.reason()).contains("moved up from fast to premium at turn 2 (max_tokens)");
    }

    @Test
    void aSessionFirstSeenMidThreadKeepsTheRequestedModel() {
        RouteDecision d = route(toolTurn(3, false), Tier.FAST);
        assertThat(d.chosenModel()).isEqualTo(OPUS);
        assertThat(d.reason()).contains("first seen mid-thread");
        assertThat(routerCalls).hasValue(0);
    }

    @Test
    void anEscalationMovesTheSessionUpOnceAndItStaysUp() {
        RouteDecision first = route(firstTurn("Add a flag"), Tier.FAST);
        RouteDecision retry = sticky.escalated(cfg, KEY, first, "phrase:I'm not sure", true).orElseThrow();
        assertThat(retry.chosenModel()).isEqualTo(OPUS);
        assertThat(retry.tier()).isEqualTo(Tier.PREMIUM);
        assertThat(retry.reason()).contains("moved up from fast to premium at turn 1 (phrase:I'm not sure)");
        answered(firstWrite(30_000));
        assertThat(sticky.escalated(cfg, KEY, retry, "hedging", true)).isEmpty();

        for (int n = 1; n <= 3; n++) {
            assertThat(route(toolTurn(n, false), Tier.FAST).chosenModel()).isEqualTo(OPUS);
            answered(warmRead(30_000));
        }
        // routine prompts never take an escalated session down again
        route(humanTurn("rename x", false), Tier.FAST);
        assertThat(route(humanTurn("rename y", false), Tier.FAST).chosenModel()).isEqualTo(OPUS);
        assertThat(sticky.pin(KEY).orElseThrow().escalated()).isTrue();
    }

    @Test
    void aToolFailingInALoopMovesTheSessionUpAtItsNextFreeTurn() {
        route(firstTurn("Set up the build"), Tier.BALANCED);
        answered(firstWrite(30_000));
        RouteDecision twoFailures = route(toolTurn(2, true), Tier.BALANCED);
        assertThat(twoFailures.reason()).doesNotContain("moves up");
        RouteDecision loop = route(toolTurn(3, true), Tier.BALANCED);
        assertThat(loop.chosenModel()).isEqualTo(SONNET); // held: its tool results are in flight
        assertThat(sticky.pin(KEY).orElseThrow().pendingUp()).isEqualTo("tool_error_loop:Bash");
        assertThat(route(humanTurn("try again", false), Tier.BALANCED).chosenModel()).isEqualTo(OPUS);
    }

    @Test
    void aForgottenPinIsDecidedAgainOnAFreeTurn() {
        route(firstTurn("Add a flag"), Tier.FAST);
        clock.advance(StickySessions.IDLE_EXPIRY.plusMinutes(1));
        assertThat(sticky.pin(KEY)).isEmpty();
        RouteDecision again = route(humanTurn("now a harder one", false), Tier.BALANCED);
        assertThat(again.chosenModel()).isEqualTo(SONNET);
        assertThat(routerCalls).hasValue(2);
    }
}
