package dev.costgateway.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class YamlConfigEditorTest {

    private static final String DEFAULTS = ConfigLoader.defaultYaml();

    private static GatewayConfig parse(String text) throws ConfigException {
        return ConfigLoader.parse(text, "test.yaml").config();
    }

    private static List<String> commentLines(String text) {
        return text.lines().filter(l -> l.strip().startsWith("#")).toList();
    }

    @Test
    void editsAScalarInPlaceAndKeepsEveryOtherLine() {
        String edited = YamlConfigEditor.of(DEFAULTS).set("server.port", 9100).text();

        assertThat(edited).contains("  port: 9100\n");
        List<String> before = DEFAULTS.lines().toList();
        List<String> after = edited.lines().toList();
        assertThat(after).hasSameSizeAs(before);
        for (int i = 0; i < before.size(); i++) {
            if (!before.get(i).equals("  port: 8000")) {
                assertThat(after.get(i)).isEqualTo(before.get(i));
            }
        }
    }

    @Test
    void commentsSurviveManyEdits() throws ConfigException {
        String edited = YamlConfigEditor.of(DEFAULTS)
                .set("classifier.heuristic_confidence", "0.8")
                .set("escalation.phrases", List.of("I'm not sure", "As an AI"))
                .set("escalation.hedge_words", List.of("maybe"))
                .set("cache.redis_url", "redis://localhost:6379/0")
                .set("tiers.fast.prefixes", List.of("claude-haiku"))
                .set("metrics.store_text", true)
                .text();

        assertThat(commentLines(edited)).containsExactlyElementsOf(commentLines(DEFAULTS));
        GatewayConfig c = parse(edited);
        assertThat(c.classifier().heuristicConfidence()).isEqualTo(0.8);
        assertThat(c.escalation().phrases()).containsExactly("I'm not sure", "As an AI");
        assertThat(c.escalation().hedgeWords()).containsExactly("maybe");
        assertThat(c.cache().redisUrl()).isEqualTo("redis://localhost:6379/0");
        assertThat(c.tiers().get(Tier.FAST).prefixes()).containsExactly("claude-haiku");
        assertThat(c.metrics().storeText()).isTrue();
    }

    @Test
    void roundTripParseEqualsTheIntendedConfig() throws ConfigException {
        GatewayConfig d = ConfigLoader.defaults();
        Map<String, Map<String, Object>> prices = new LinkedHashMap<>();
        prices.put("claude-haiku-4-5-20251001", price(1.0, 5.0));
        prices.put("claude-sonnet-4-6", price(3.0, 15.0));
        prices.put("claude-opus-4-7", price(5.0, 25.0));
        prices.put("my-model", price(2.5, 10.0));

        String edited = YamlConfigEditor.of(DEFAULTS)
                .set("server.host", "localhost")
                .set("upstream.timeout_seconds", 120)
                .set("routing.mode", GatewayConfig.RoutingMode.OFF)
                .set("escalation.streaming", GatewayConfig.StreamingEscalation.BUFFER)
                .set("max_escalations", 1)
                .set("models", prices)
                .text();

        GatewayConfig intended = new GatewayConfig(
                new GatewayConfig.Server("localhost", d.server().port(), d.server().maxBodyBytes(), ""),
                new GatewayConfig.Upstream(d.upstream().baseUrl(), "", Duration.ofSeconds(120),
                        d.upstream().connectTimeout()),
                new GatewayConfig.Routing(GatewayConfig.RoutingMode.OFF, false, 50000, 12, true, true, true, true,
                        true),
                d.classifier(), d.useHaikuClassifier(), 1,
                new GatewayConfig.Escalation(true, d.escalation().phrases(), d.escalation().hedgeWords(), 5,
                        GatewayConfig.StreamingEscalation.BUFFER),
                d.cache(), d.metrics(), d.tiers(), d.pricing(),
                Map.of("claude-haiku-4-5-20251001", new GatewayConfig.ModelPrice(1, 5),
                        "claude-sonnet-4-6", new GatewayConfig.ModelPrice(3, 15),
                        "claude-opus-4-7", new GatewayConfig.ModelPrice(5, 25),
                        "my-model", new GatewayConfig.ModelPrice(2.5, 10)), d.budgets());
        assertThat(parse(edited)).isEqualTo(intended);
        assertThat(edited).contains("  streaming: \"buffer\"\n");
        assertThat(edited).contains("  my-model: {input: 2.5, output: 10.0}");
        assertThat(edited).contains("  claude-haiku-4-5-20251001: {input: 1.00, output: 5.00}");
        assertThat(commentLines(edited)).containsExactlyElementsOf(commentLines(DEFAULTS));
    }

    @Test
    void unknownKeysAndKeyOrderSurvive() {
        String text = """
                # mine
                zeta: 1
                server:
                  port: 8000   # the port
                  my_custom: keep-me
                alpha:
                  nested: [1, 2]
                """;
        String edited = YamlConfigEditor.of(text).set("server.port", 8100).text();

        assertThat(edited).isEqualTo("""
                # mine
                zeta: 1
                server:
                  port: 8100   # the port
                  my_custom: keep-me
                alpha:
                  nested: [1, 2]
                """);
    }

    @Test
    void settingTheSameValueChangesNothing() {
        String edited = YamlConfigEditor.of(DEFAULTS)
                .set("classifier.embedding_threshold", 0.9)
                .set("escalation.hedge_words", List.of("perhaps", "possibly", "might", "allegedly"))
                .set("routing.allow_upgrade", false)
                .set("escalation.streaming", "off")
                .text();

        assertThat(edited).isEqualTo(DEFAULTS);
    }

    @Test
    void replacesABlockListKeepingItsIndentation() {
        String text = """
                escalation:
                  phrases:
                    - "one"
                    - "two"
                  # about hedge words
                  hedge_words: [a]
                """;
        String edited = YamlConfigEditor.of(text).set("escalation.phrases", List.of("x: y", "z # w", "plain")).text();

        assertThat(edited).isEqualTo("""
                escalation:
                  phrases:
                    - "x: y"
                    - "z # w"
                    - plain
                  # about hedge words
                  hedge_words: [a]
                """);
    }

    @Test
    void flowListsStayFlowAndEmptyListsBecomeBracketsAndBack() throws ConfigException {
        String text = """
                escalation:
                  phrases:
                    - one
                  hedge_words: [a, b]
                """;
        String emptied = YamlConfigEditor.of(text)
                .set("escalation.phrases", List.of())
                .set("escalation.hedge_words", List.of("c", "d, e"))
                .text();
        assertThat(emptied).isEqualTo("""
                escalation:
                  phrases: []
                  hedge_words: [c, "d, e"]
                """);
        assertThat(parse(emptied).escalation().hedgeWords()).containsExactly("c", "d, e");

        String refilled = YamlConfigEditor.of(emptied).set("escalation.phrases", List.of("again")).text();
        assertThat(refilled).isEqualTo("""
                escalation:
                  phrases:
                    - again
                  hedge_words: [c, "d, e"]
                """);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a: b", "has # hash", "#start", "yes", "off", "null", "", " padded ", "- dash",
            "quote\"inside", "back\\slash", "line\nbreak", "[bracket", "{brace", "*star", "&amp", "!bang", "%pct",
            "@at", "`tick", "x,y", "trailing:", "ünïcødé ✓", "12345", "0.75"})
    void stringsThatNeedQuotingRoundTrip(String value) throws ConfigException {
        String text = "server:\n  auth_token: \"\"\nupstream:\n  api_key: old # keep\n";
        String edited = YamlConfigEditor.of(text).set("server.auth_token", value).set("upstream.api_key", value).text();

        GatewayConfig c = parse(edited);
        assertThat(c.server().authToken()).isEqualTo(value);
        assertThat(c.upstream().apiKey()).isEqualTo(value);
        assertThat(edited).contains("# keep");
    }

    @Test
    void quotedScalarsKeepTheirQuoteCharacter() {
        String text = "a: 'single'\nb: \"double\"\nc: plain\n";
        String edited = YamlConfigEditor.of(text).set("a", "it's").set("b", "two").set("c", "three").text();

        assertThat(edited).isEqualTo("a: 'it''s'\nb: \"two\"\nc: three\n");
    }

    @Test
    void missingKeysAreAddedAtTheEndOfTheirSection() throws ConfigException {
        String text = """
                server:
                  host: 127.0.0.1   # loopback
                  port: 8000

                # upstream section below
                upstream:
                  timeout_seconds: 30
                """;
        String edited = YamlConfigEditor.of(text)
                .set("server.auth_token", "s3cret")
                .set("cache.semantic_threshold", 0.95)
                .set("escalation.phrases", List.of("nope"))
                .text();

        assertThat(edited).isEqualTo("""
                server:
                  host: 127.0.0.1   # loopback
                  port: 8000
                  auth_token: s3cret

                # upstream section below
                upstream:
                  timeout_seconds: 30
                cache:
                  semantic_threshold: 0.95
                escalation:
                  phrases:
                    - nope
                """);
        GatewayConfig c = parse(edited);
        assertThat(c.server().authToken()).isEqualTo("s3cret");
        assertThat(c.cache().semanticThreshold()).isEqualTo(0.95);
        assertThat(c.escalation().phrases()).containsExactly("nope");
    }

    @Test
    void fillsAnEmptyFileAndAnEmptyValue() throws ConfigException {
        assertThat(YamlConfigEditor.of("").set("server.port", 8001).text()).isEqualTo("server:\n  port: 8001\n");

        String edited = YamlConfigEditor.of("server:\n  host:\n  port: 8000\n").set("server.host", "0.0.0.0").text();
        assertThat(edited).isEqualTo("server:\n  host: 0.0.0.0\n  port: 8000\n");
    }

    @Test
    void mergingModelsEditsAddsAndRemovesEntries() throws ConfigException {
        String text = """
                models:
                  # cheap one
                  a: {input: 1.00, output: 5.00}
                  b: {input: 3.00, output: 15.00}   # dear
                  c:
                    input: 5
                    output: 25
                # after models
                """;
        Map<String, Object> wanted = new LinkedHashMap<>();
        wanted.put("a", price(1.0, 6.0));
        wanted.put("c", price(5.0, 25.0));
        wanted.put("d.v2", price(0.5, 2.0));

        String edited = YamlConfigEditor.of(text).set("models", wanted).text();

        assertThat(edited).isEqualTo("""
                models:
                  # cheap one
                  a: {input: 1.00, output: 6.0}
                  c:
                    input: 5
                    output: 25
                  d.v2: {input: 0.5, output: 2.0}
                # after models
                """);
    }

    @Test
    void insertsIntoAFlowMapping() {
        String edited = YamlConfigEditor.of("m: {input: 1}\n").set(List.of("m", "output"), 2).text();

        assertThat(edited).isEqualTo("m: {input: 1, output: 2}\n");
    }

    @Test
    void removesAKeyWithItsLines() {
        String text = "a:\n  x: 1\n  y:\n    - 1\n    - 2\n  z: 3\n";

        assertThat(YamlConfigEditor.of(text).remove(List.of("a", "y")).text()).isEqualTo("a:\n  x: 1\n  z: 3\n");
        assertThat(YamlConfigEditor.of(text).remove(List.of("a", "nope")).text()).isEqualTo(text);
    }

    @Test
    void survivesNonBmpCharactersInComments() {
        String text = "# 🚀 rocket\nserver:\n  port: 8000 # 🚀\n  host: h\n";

        assertThat(YamlConfigEditor.of(text).set("server.host", "g").text())
                .isEqualTo("# 🚀 rocket\nserver:\n  port: 8000 # 🚀\n  host: g\n");
    }

    @Test
    void refusesTextThatIsNotAMapping() {
        assertThatThrownBy(() -> YamlConfigEditor.of("- a\n- b\n").set("x", 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Prices in the order the app writes them (Map.of would iterate in a per-JVM random order). */
    private static Map<String, Object> price(Object input, Object output) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("input", input);
        m.put("output", output);
        return m;
    }
}
