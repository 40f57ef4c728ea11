package dev.costgateway.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * The README's configuration table is the schema's, row for row. When this fails, paste the expected table from
 * the message into the README (or fix the schema row).
 */
class ReadmeConfigTableTest {
    static final String HEADER = "| key | default | meaning |";

    /** The table as the README shows it, rendered from the schema. */
    static List<String> rendered() {
        List<String> rows = new ArrayList<>();
        rows.add(HEADER);
        rows.add("|---|---|---|");
        for (ConfigKey<?> k : ConfigSchema.keys()) {
            rows.add("| " + keyColumn(k) + " | " + defaultColumn(k) + " | " + k.help() + " |");
        }
        return rows;
    }

    private static String keyColumn(ConfigKey<?> k) {
        return k.type().kind() == ValueType.Kind.PRICES
                ? "`" + k.path() + ".<id>.input` / `.output`"
                : "`" + k.path() + "`";
    }

    @SuppressWarnings("unchecked")
    private static <T> String defaultColumn(ConfigKey<T> k) {
        return switch (k.type().kind()) {
            case PRICES -> "the list prices in `default-config.yaml`";
            case LIST -> ((List<String>) k.defaultValue()).stream().map(s -> "`" + s + "`")
                    .collect(Collectors.joining(", "));
            default -> {
                String text = k.type().write(k.defaultValue());
                yield text.isEmpty() ? "`\"\"`" : "`" + text + "`";
            }
        };
    }

    static List<String> readmeTable() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        int start = lines.indexOf("## Configuration");
        assertThat(start).as("README has a Configuration section").isNotNegative();
        int header = lines.subList(start, lines.size()).indexOf(HEADER) + start;
        assertThat(header).as("the Configuration section has the key table").isGreaterThan(start);
        List<String> table = new ArrayList<>();
        for (int i = header; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            table.add(lines.get(i));
        }
        return table;
    }

    @Test
    void readmeTableIsTheSchema() throws Exception {
        List<String> expected = rendered();
        assertThat(readmeTable())
                .as("README config table differs from ConfigSchema; expected:%n%s", String.join("\n", expected))
                .containsExactlyElementsOf(expected);
    }
}
