package dev.costgateway.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

class SessionThreadTest {

    @Test
    void aFirstTurnIsFreeAndIsThePersonsPrompt() {
        ObjectNode first = StickySessionsTest.firstTurn("Fix the failing test");
        assertThat(SessionThread.isFirstTurn(first)).isTrue();
        assertThat(SessionThread.held(first)).isEmpty();
        assertThat(SessionThread.isHumanPrompt(first)).isTrue();
    }

    @Test
    void toolResultsAndOpenToolUsesHoldTheThread() {
        ObjectNode results = StickySessionsTest.toolTurn(2, false);
        assertThat(SessionThread.isFirstTurn(results)).isFalse();
        assertThat(SessionThread.held(results)).contains("tool results in flight");
        assertThat(SessionThread.isHumanPrompt(results)).isFalse();

        ObjectNode open = StickySessionsTest.humanTurn("go on", false);
        ((ArrayNode) open.at("/messages/1/content")).addObject().put("type", "tool_use").put("id", "toolu_x")
                .put("name", "Read").putObject("input");
        assertThat(SessionThread.held(open)).contains("tool use in flight");
    }

    @Test
    void thinkingOrRedactedThinkingAnywhereInTheHistoryHoldsIt() {
        assertThat(SessionThread.held(StickySessionsTest.humanTurn("go on", true)))
                .contains("history holds thinking blocks");
        ObjectNode redacted = StickySessionsTest.humanTurn("go on", false);
        ((ArrayNode) redacted.at("/messages/1/content")).insertObject(0).put("type", "redacted_thinking")
                .put("data", "opaque");
        assertThat(SessionThread.held(redacted)).contains("history holds thinking blocks");
        assertThat(SessionThread.held(StickySessionsTest.humanTurn("go on", false))).isEmpty();
    }

    @Test
    void aToolLoopIsThreeFailuresOfTheSameToolInARow() {
        assertThat(SessionThread.failingToolLoop(StickySessionsTest.toolTurn(3, true))).contains("Bash");
        assertThat(SessionThread.failingToolLoop(StickySessionsTest.toolTurn(2, true))).isEmpty();
        assertThat(SessionThread.failingToolLoop(StickySessionsTest.toolTurn(4, false))).isEmpty();

        // the newest result succeeded: the loop is over
        ObjectNode recovered = StickySessionsTest.toolTurn(4, true);
        ArrayNode messages = (ArrayNode) recovered.get("messages");
        ((ObjectNode) messages.get(messages.size() - 1).at("/content/0")).put("is_error", false);
        assertThat(SessionThread.failingToolLoop(recovered)).isEmpty();

        // three failures of different tools are not one loop
        ObjectNode mixed = StickySessionsTest.toolTurn(3, true);
        ((ObjectNode) mixed.at("/messages/3/content/0")).put("name", "Read");
        assertThat(SessionThread.failingToolLoop(mixed)).isEmpty();
    }

    @Test
    void theOneHourTtlIsReadFromAnyMarker() {
        ObjectNode b = StickySessionsTest.toolTurn(1, false);
        assertThat(StickySessions.asksOneHourTtl(b)).isFalse();
        ((ObjectNode) b.at("/messages/2/content/0")).putObject("cache_control").put("type", "ephemeral")
                .put("ttl", "1h");
        assertThat(StickySessions.asksOneHourTtl(b)).isTrue();
    }
}
