package dev.costgateway.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class SessionExtractorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UUID = "5f0c3a1e-8d2b-4c7e-9a61-2b7d9e4f1c03";

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The shape of a Claude Code first turn, cut down: reminders, then the prompt with a breakpoint. */
    private static String claudeCodeBody(String userId) {
        return """
                {"model":"claude-opus-4-7","messages":[{"role":"user","content":[
                  {"type":"text","text":"<system-reminder>\\nAs you answer, use this context.\\n</system-reminder>"},
                  {"type":"text","text":"<system-reminder>\\nHere is useful information about the environment:\\n<env>\\nPrimary working directory: /home/ana/src/shop/api\\nIs directory a git repo: Yes\\n</env>\\n</system-reminder>"},
                  {"type":"text","text":"fix the failing test","cache_control":{"type":"ephemeral"}}]}],
                 "system":[{"type":"text","text":"x-anthropic-billing-header: cc_version=2.1.332;"},
                   {"type":"text","text":"You are Claude Code.","cache_control":{"type":"ephemeral"}},
                   {"type":"text","text":"Main prompt","cache_control":{"type":"ephemeral"}}],
                 "tools":[{"name":"Bash","description":"run","input_schema":{"type":"object"}}],
                 "metadata":{"user_id":%s},"max_tokens":32000,"stream":true}
                """.formatted(userId);
    }

    private static String metadataUserId(String sessionId) {
        String inner = "{\"device_id\":\"d1\",\"account_uuid\":\"a1\",\"session_id\":\"" + sessionId + "\"}";
        return JSON.getNodeFactory().textNode(inner).toString();
    }

    @Test
    void headerWinsAndProjectAndBreakpointsAreRead() {
        SessionTag tag = SessionExtractor.extract(UUID, json(claudeCodeBody(metadataUserId("other"))), "k1");
        assertThat(tag).isEqualTo(new SessionTag(UUID, SessionTag.Source.HEADER, "/home/ana/src/shop/api", 3));
        assertThat(tag.isPresent()).isTrue();
    }

    @Test
    void metadataSessionIdWhenNoHeader() {
        SessionTag tag = SessionExtractor.extract(null, json(claudeCodeBody(metadataUserId(UUID))), "k1");
        assertThat(tag.id()).isEqualTo(UUID);
        assertThat(tag.source()).isEqualTo(SessionTag.Source.METADATA);
        assertThat(tag.project()).isEqualTo("/home/ana/src/shop/api");
    }

    @Test
    void aPlainUserIdOrABadHeaderFallsBackToADerivedId() {
        SessionTag plain = SessionExtractor.extract("  ", json(claudeCodeBody("\"user-42\"")), "k1");
        assertThat(plain.source()).isEqualTo(SessionTag.Source.DERIVED);
        assertThat(plain.id()).matches("conv-[0-9a-f]{24}");
        SessionTag bad = SessionExtractor.extract("has space", json(claudeCodeBody("\"user-42\"")), "k1");
        assertThat(bad.id()).isEqualTo(plain.id());
        SessionTag tooLong = SessionExtractor.extract("x".repeat(129), json(claudeCodeBody("\"u\"")), "k1");
        assertThat(tooLong.source()).isEqualTo(SessionTag.Source.DERIVED);
    }

    @Test
    void derivedIdIsTheSameForLaterTurnsOfOneConversation() {
        String turn1 = """
                {"model":"m","system":"be brief","tools":[{"name":"t"}],
                 "messages":[{"role":"user","content":"what is 2+2?"}]}""";
        String turn2 = """
                {"model":"other","system":"be brief","tools":[{"name":"t"}],"max_tokens":9,
                 "messages":[{"role":"user","content":"what is 2+2?"},{"role":"assistant","content":"4"},
                   {"role":"user","content":"and 3+3?"}]}""";
        String a = SessionExtractor.extract(null, json(turn1), "k1").id();
        assertThat(SessionExtractor.extract(null, json(turn2), "k1").id()).isEqualTo(a);
    }

    @Test
    void derivedIdsSeparateCallersSystemsToolsAndOpenings() {
        String base = """
                {"model":"m","system":"be brief","tools":[{"name":"t"}],"messages":[{"role":"user","content":"hi"}]}""";
        String a = SessionExtractor.extract(null, json(base), "k1").id();
        assertThat(SessionExtractor.extract(null, json(base), "k2").id()).isNotEqualTo(a);
        assertThat(SessionExtractor.extract(null, json(base.replace("be brief", "be long")), "k1").id())
                .isNotEqualTo(a);
        assertThat(SessionExtractor.extract(null, json(base.replace("\"t\"", "\"u\"")), "k1").id())
                .isNotEqualTo(a);
        assertThat(SessionExtractor.extract(null, json(base.replace("\"hi\"", "\"hello\"")), "k1").id())
                .isNotEqualTo(a);
    }

    @Test
    void noBodyMeansNoSession() {
        assertThat(SessionExtractor.extract(UUID, null, "k1")).isEqualTo(SessionTag.NONE);
        assertThat(SessionTag.NONE.isPresent()).isFalse();
    }

    @Test
    void projectFromTheSystemPromptWhenTheFirstMessageHasNone() {
        JsonNode body = json("""
                {"model":"m","system":[{"type":"text","text":"env\\nPrimary working directory: C:\\\\work\\\\app\\n"}],
                 "messages":[{"role":"user","content":"hi"}]}""");
        assertThat(SessionExtractor.extract(null, body, "").project()).isEqualTo("C:\\work\\app");
        assertThat(SessionExtractor.extract(null, json("""
                {"model":"m","messages":[{"role":"user","content":"hi"}]}"""), "").project()).isEmpty();
    }

    @Test
    void shortProjectKeepsTheLastTwoSegments() {
        assertThat(SessionTag.shortProject("/home/ana/src/shop/api")).isEqualTo("…/shop/api");
        assertThat(SessionTag.shortProject("/home/ana/src/shop/api/")).isEqualTo("…/shop/api");
        assertThat(SessionTag.shortProject("C:\\work\\clients\\app")).isEqualTo("…/clients/app");
        assertThat(SessionTag.shortProject("/srv/app")).isEqualTo("/srv/app");
        assertThat(SessionTag.shortProject("")).isEmpty();
    }

    @Test
    void sourceNamesRoundTrip() {
        for (SessionTag.Source s : SessionTag.Source.values()) {
            assertThat(SessionTag.Source.ofWire(s.wire())).isEqualTo(s);
        }
        assertThat(SessionTag.Source.ofWire("nonsense")).isEqualTo(SessionTag.Source.NONE);
    }
}
