package dev.costgateway.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @Test
    void defaultsAreTheDocumentedValues() {
        GatewayConfig c = ConfigLoader.defaults();
        assertThat(c.server().host()).isEqualTo("127.0.0.1");
        assertThat(c.server().port()).isEqualTo(8000);
        assertThat(c.server().maxBodyBytes()).isEqualTo(32L * 1024 * 1024);
        assertThat(c.upstream().baseUrl().toString()).isEqualTo("https://api.anthropic.com");
        assertThat(c.upstream().timeout().toSeconds()).isEqualTo(600);
        assertThat(c.maxEscalations()).isEqualTo(2);
        assertThat(c.useHaikuClassifier()).isFalse();
        assertThat(c.cache().exactTtl().toSeconds()).isEqualTo(86400);
        assertThat(c.cache().semanticTtl().toSeconds()).isEqualTo(604800);
        assertThat(c.cache().scope()).isEqualTo(GatewayConfig.CacheScope.KEY);
        assertThat(c.escalation().phrases()).containsExactly("I'm not sure", "I cannot", "I don't have", "I'm unable");
        assertThat(c.modelFor(Tier.FAST)).isEqualTo("claude-haiku-4-5-20251001");
        assertThat(c.priceOf("claude-opus-4-7")).hasValue(new GatewayConfig.ModelPrice(5, 25));
    }

    @Test
    void keysLeftOutTakeDefaultsAndGivenKeysWin() throws Exception {
        GatewayConfig c = ConfigLoader.parse("server:\n  port: 9001\ncache:\n  semantic_threshold: 0.5\n", "t").config();
        assertThat(c.server().port()).isEqualTo(9001);
        assertThat(c.server().host()).isEqualTo("127.0.0.1");
        assertThat(c.cache().semanticThreshold()).isEqualTo(0.5);
        assertThat(c.cache().maxEntries()).isEqualTo(10000);
    }

    @Test
    void everyProblemIsReportedWithFileLineAndKey() {
        String yaml = "server:\n  port: 70000\nrouting:\n  mode: sometimes\ncache:\n  semantic_threshold: high\n";
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "config.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).extracting(ConfigProblem::key)
                            .containsExactlyInAnyOrder("server.port", "routing.mode", "cache.semantic_threshold");
                    assertThat(e.problems()).extracting(ConfigProblem::line).containsExactlyInAnyOrder(2, 4, 6);
                    assertThat(e.getMessage()).contains("config.yaml:2: server.port: must be between 0 and 65535")
                            .contains("must be one of auto, off");
                });
    }

    @Test
    void metricsJdbcUrlIsH2OrPostgresAndTheProblemNeverRepeatsIt() throws Exception {
        assertThat(ConfigLoader.parse("metrics:\n  jdbc_url: \"jdbc:postgresql://db:5432/gw?user=u&password=p\"\n",
                "c").config().metrics().jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/gw?user=u&password=p");
        assertThatThrownBy(() -> ConfigLoader.parse("metrics:\n  jdbc_url: \"jdbc:mysql://db/gw?password=hunter2\"\n",
                "c")).isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.getMessage()).contains("metrics.jdbc_url", "jdbc:postgresql://")
                            .doesNotContain("hunter2");
                });
    }

    @Test
    void syntaxErrorsNameTheLine() {
        assertThatThrownBy(() -> ConfigLoader.parse("server:\n  port: 1\n bad indent: [\n", "c.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).hasSize(1);
                    assertThat(e.problems().get(0).line()).isPositive();
                    assertThat(e.problems().get(0).file()).isEqualTo("c.yaml");
                });
    }

    @Test
    void unknownKeysAreWarningsNotErrors() throws Exception {
        ConfigLoader.Result r = ConfigLoader.parse("server:\n  port: 1\n  colour: blue\nmy_notes: hi\n", "c");
        assertThat(r.warnings()).extracting(ConfigProblem::key).containsExactlyInAnyOrder("server.colour", "my_notes");
    }

    @Test
    void pricesAndTiersAreValidated() {
        assertThatThrownBy(() -> ConfigLoader.parse("models:\n  m1: {input: -1, output: 2}\ntiers:\n  turbo:\n"
                + "    model: x\n", "c"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .extracting(ConfigProblem::key).contains("models.m1.input", "tiers.turbo"));
    }

    @Test
    void unknownModelHasNoPriceButTierPrefixesMap() {
        GatewayConfig c = ConfigLoader.defaults();
        assertThat(c.tierOf("claude-sonnet-4-5-20250929")).hasValue(Tier.BALANCED);
        assertThat(c.tierOf("claude-haiku-9")).hasValue(Tier.FAST);
        assertThat(c.tierOf("gpt-4o")).isEmpty();
        assertThat(c.priceOf("gpt-4o")).isEmpty();
    }

    @Test
    void firstRunCreatesTheCommentedDefaultFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("sub/config.yaml");
        ConfigLoader.loadOrCreate(f);
        assertThat(Files.readString(f)).isEqualTo(ConfigLoader.defaultYaml()).contains("# Cost Gateway configuration");
    }
}
