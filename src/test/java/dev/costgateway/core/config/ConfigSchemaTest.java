package dev.costgateway.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** The schema and the shipped {@code default-config.yaml} describe the same keys with the same defaults. */
class ConfigSchemaTest {

    /** Leaf paths of the default file; the {@code models} table counts as one key. */
    private static Map<String, Node> defaultFileKeys() {
        Map<String, Node> out = new LinkedHashMap<>();
        collect(new Yaml().compose(new StringReader(ConfigLoader.defaultYaml())), "", out);
        return out;
    }

    private static void collect(Node node, String prefix, Map<String, Node> out) {
        if (node instanceof MappingNode m && !prefix.equals("models")) {
            for (NodeTuple t : m.getValue()) {
                String key = ((ScalarNode) t.getKeyNode()).getValue();
                collect(t.getValueNode(), prefix.isEmpty() ? key : prefix + "." + key, out);
            }
        } else {
            out.put(prefix, node);
        }
    }

    @Test
    void everyKeyOfTheDefaultFileIsInTheSchemaAndViceVersaInTheSameOrder() {
        assertThat(ConfigSchema.keys()).extracting(ConfigKey::path)
                .containsExactlyElementsOf(defaultFileKeys().keySet());
    }

    @Test
    void theDefaultFileStatesEverySchemaDefault() throws Exception {
        ConfigValues fromFile = ConfigLoader.parse(ConfigLoader.defaultYaml(), "default-config.yaml").values();
        for (ConfigKey<?> key : ConfigSchema.keys()) {
            assertThat((Object) fromFile.get(key)).as(key.path()).isEqualTo(key.defaultValue());
        }
        assertThat(ConfigLoader.parse(ConfigLoader.defaultYaml(), "d").config()).isEqualTo(ConfigLoader.defaults());
    }

    @Test
    void anEmptyFileIsTheDefaults() throws Exception {
        assertThat(ConfigLoader.parse("", "empty").config()).isEqualTo(ConfigLoader.defaults());
        assertThat(ConfigLoader.parse("", "empty").values()).isEqualTo(ConfigValues.defaults());
    }

    @Test
    void everyDefaultIsAcceptedByItsOwnType() {
        for (ConfigKey<?> key : ConfigSchema.keys()) {
            assertThat(roundTrip(key)).as(key.path()).isTrue();
        }
    }

    private static <T> boolean roundTrip(ConfigKey<T> key) {
        return switch (key.type().kind()) {
            case LIST -> key.type().parseList((java.util.List<String>) key.defaultValue()).isOk();
            case PRICES -> true; // checked price by price below
            case BUDGETS -> true; // the default is an empty list; budgets are checked in ConfigLoaderTest
            default -> {
                ValueType.Parsed<T> p = key.type().parse(key.type().write(key.defaultValue()));
                yield p.isOk() && p.value().equals(key.defaultValue());
            }
        };
    }

    @Test
    void everyKeyHasALabelAHelpTextAndAUniquePath() {
        assertThat(ConfigSchema.keys()).allSatisfy(k -> {
            assertThat(k.label()).as(k.path()).isNotBlank();
            assertThat(k.help()).as(k.path()).isNotBlank().endsWith(".");
        });
        assertThat(ConfigSchema.keys().stream().map(ConfigKey::path).collect(Collectors.toSet()))
                .hasSameSizeAs(ConfigSchema.keys());
    }

    @Test
    void typesRefuseWhatTheLoaderRefusesInTheSameWords() {
        assertThat(ConfigSchema.SERVER_PORT.type().parse("70000").problem())
                .isEqualTo("must be between 0 and 65535, not 70000");
        assertThat(ConfigSchema.ROUTING_MODE.type().parse("sometimes").problem())
                .isEqualTo("must be one of auto, off, not 'sometimes'");
        assertThat(ConfigSchema.CACHE_SEMANTIC_THRESHOLD.type().parse("high").problem())
                .isEqualTo("must be a number, not 'high'");
        assertThat(ConfigSchema.UPSTREAM_TIMEOUT.type().parse("1_200").value()).hasSeconds(1200);
        assertThat(ConfigSchema.UPSTREAM_BASE_URL.type().parse("http://h:1/").value().toString())
                .isEqualTo("http://h:1");
        assertThat(ConfigSchema.ESCALATION_PHRASES.type().parseList(java.util.List.of("a", " ")).problem())
                .isEqualTo("entries must not be empty");
        assertThat(ValueType.parsePrice("-1").problem()).contains("0 or more");
        ValueType<java.util.Optional<Double>> optional = ValueType.optionalDecimal(0, 1);
        assertThat(optional.parse("").value()).isEmpty();
        assertThat(optional.parse("~").value()).isEmpty();
        assertThat(optional.parse("0.25").value()).contains(0.25);
        assertThat(optional.parse("2").problem()).isEqualTo("must be between 0 and 1, not 2");
        assertThat(optional.write(java.util.Optional.empty())).isEmpty();
    }
}
