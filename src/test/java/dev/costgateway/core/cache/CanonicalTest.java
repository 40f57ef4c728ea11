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
}
