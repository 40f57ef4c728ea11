package dev.costgateway.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The digest encoding: equal where the API sees no difference, apart wherever the trees differ. */
class CanonicalTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String hash(String json) throws Exception {
        return Canonical.sha256Hex(JSON.readTree(json));
    }

    @Test
    void keyOrderWhitespaceNumberSpellingAndNullsDoNotMatter() throws Exception {
        assertThat(hash("{\"b\": 1.0, \"a\": [\"x\", true], \"c\": null}"))
                .isEqualTo(hash("{\"a\":[\"x\",true],\"b\":1}"));
        assertThat(hash("{\"t\": 0.50}")).isEqualTo(hash("{\"t\":5e-1}"));
    }

    @Test
    void treesThatDifferNeverShareADigest() throws Exception {
        String[][] pairs = {
            {"[\"ab\"]", "[\"a\",\"b\"]"},
            {"{\"a\":\"b\"}", "{\"ab\":\"\"}"},
            {"[\"1\"]", "[1]"},
            {"[true]", "[\"t\"]"},
            {"[[]]", "[]"},
            {"{\"a\":{}}", "{\"a\":[]}"},
            {"[\"é\"]", "[\"e\"]"},
            {"{\"a\":1,\"b\":2}", "{\"a\":2,\"b\":1}"},
        };
        for (String[] p : pairs) {
            assertThat(hash(p[0])).as(p[0] + " vs " + p[1]).isNotEqualTo(hash(p[1]));
        }
    }

    @Test
    void theBufferedFeedGivesTheKeysOfTheDirectOne() throws Exception {
        // the 8 KB staging buffer must not change a byte: keys persist (Redis, the shared store) across versions
        String big = "x".repeat(20_000);
        String[] trees = {
            "{}", "[]", "\"\"", "{\"a\":[1,2.5,-3e10,true,false,null,\"é漢\"],\"b\":{\"c\":\"" + big + "\"}}",
            "[\"" + "y".repeat(8187) + "\",\"" + "z".repeat(8192) + "\",\"" + "w".repeat(8193) + "\"]",
            dev.costgateway.testing.ClaudeCodeRequest.firstTurn("claude-sonnet-4-6",
                    "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", "/home/dev/project", "Explain the retry count.", false),
        };
        for (String json : trees) {
            com.fasterxml.jackson.databind.JsonNode tree = JSON.readTree(json);
            java.security.MessageDigest direct = java.security.MessageDigest.getInstance("SHA-256");
            directFeed(direct, tree);
            assertThat(Canonical.sha256Hex(tree)).as(json.length() + " characters")
                    .isEqualTo(java.util.HexFormat.of().formatHex(direct.digest()));
        }
    }

    /** The encoding as it was fed before the staging buffer: one update per piece. */
    private static void directFeed(java.security.MessageDigest d, com.fasterxml.jackson.databind.JsonNode node)
            throws Exception {
        switch (node.getNodeType()) {
            case OBJECT -> {
                d.update((byte) '{');
                java.util.List<String> names = new java.util.ArrayList<>();
                node.fieldNames().forEachRemaining(names::add);
                names.sort(null);
                for (String name : names) {
                    com.fasterxml.jackson.databind.JsonNode child = node.get(name);
                    if (child == null || child.isNull() || child.isMissingNode()) {
                        continue;
                    }
                    tagged(d, (byte) 'k', name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    directFeed(d, child);
                }
                d.update((byte) '}');
            }
            case ARRAY -> {
                d.update((byte) '[');
                for (com.fasterxml.jackson.databind.JsonNode child : node) {
                    directFeed(d, child);
                }
                d.update((byte) ']');
            }
            case NUMBER -> tagged(d, (byte) 'n',
                    Canonical.normalisedNumber(node).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            case STRING -> tagged(d, (byte) 's', node.textValue().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            case BOOLEAN -> d.update((byte) (node.booleanValue() ? 't' : 'f'));
            default -> d.update((byte) 'z');
        }
    }

    private static void tagged(java.security.MessageDigest d, byte tag, byte[] bytes) {
        d.update(tag);
        int n = bytes.length;
        d.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        d.update(bytes);
    }
}
