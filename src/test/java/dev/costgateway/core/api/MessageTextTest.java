package dev.costgateway.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class MessageTextTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void thePromptIsTheLastTextBlockThatIsNotAReminder() {
        JsonNode content = json("""
                [{"type":"text","text":"<system-reminder>\\nenv: Primary working directory: /p\\n</system-reminder>"},
                 {"type":"text","text":"  <system-reminder>git status: clean</system-reminder>\\n"},
                 {"type":"text","text":"refactor the parser"},
                 {"type":"text","text":"<system-reminder>todo list is empty</system-reminder>"}]""");
        assertThat(MessageText.prompt(content)).isEqualTo("refactor the parser");
        assertThat(MessageText.of(content)).contains("system-reminder");
    }

    @Test
    void contentWithoutRemindersReadsAsBefore() {
        JsonNode content = json("""
                [{"type":"text","text":"first"},{"type":"image","source":{}},{"type":"text","text":"second"}]""");
        assertThat(MessageText.prompt(content)).isEqualTo("first\nsecond");
        assertThat(MessageText.prompt(json("\"just a string\""))).isEqualTo("just a string");
    }

    @Test
    void aReminderInsideTheOnlyTextIsRemoved() {
        assertThat(MessageText.prompt(json("\"<system-reminder>x</system-reminder>\\nwhy is it slow?\"")))
                .isEqualTo("why is it slow?");
        assertThat(MessageText.prompt(json("[{\"type\":\"text\",\"text\":\"<system-reminder>x</system-reminder>\"}]")))
                .isEmpty();
    }

    @Test
    void aTurnOfToolResultsShowsThePromptThatStartedTheWork() {
        JsonNode body = json("""
                {"messages":[
                  {"role":"user","content":[{"type":"text","text":"<system-reminder>r</system-reminder>"},
                                            {"type":"text","text":"list the files"}]},
                  {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Bash","input":{}}]},
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"a.txt"},
                                            {"type":"text","text":"<system-reminder>r2</system-reminder>"}]}]}""");
        assertThat(MessageText.lastUserPrompt(body)).isEqualTo("list the files");
        assertThat(MessageText.lastUserPrompt(json("{\"messages\":[]}"))).isEmpty();
        assertThat(MessageText.lastUserPrompt(json("{}"))).isEmpty();
    }
}
