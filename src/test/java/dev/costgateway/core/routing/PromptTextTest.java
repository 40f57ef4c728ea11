package dev.costgateway.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.costgateway.testing.ClaudeCodeRequest;

/** What the classifiers read as "the prompt": the person's words, not the reminders an agent puts around them. */
class PromptTextTest {

    @Test
    void a_claude_code_first_turn_reads_as_the_persons_prompt_without_its_reminder_blocks() {
        JsonNode body = TestConfigs.tree(ClaudeCodeRequest.firstTurn("claude-opus-4-7", "s-1", "/home/dev/shop",
                "Convert 30 degrees Celsius to Fahrenheit", false));

        assertThat(PromptText.lastUserText(body)).isEqualTo("Convert 30 degrees Celsius to Fahrenheit");
    }

    @Test
    void a_turn_of_tool_results_with_a_reminder_reads_as_its_tool_results() {
        JsonNode body = TestConfigs.tree("""
                {"messages":[
                  {"role":"user","content":"List the files"},
                  {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{"command":"ls"}}]},
                  {"role":"user","content":[
                    {"type":"tool_result","tool_use_id":"t1","content":"README.md\\npom.xml"},
                    {"type":"text","text":"<system-reminder>\\nThe date changed.\\n</system-reminder>"}]}]}
                """);

        assertThat(PromptText.lastUserText(body)).isEqualTo("README.md\npom.xml");
    }

    @Test
    void plain_requests_read_as_before() {
        JsonNode body = TestConfigs.tree("""
                {"messages":[{"role":"user","content":[{"type":"text","text":"Hello"},{"type":"text","text":"there"}]}]}
                """);

        assertThat(PromptText.lastUserText(body)).isEqualTo("Hello\nthere");
    }
}
