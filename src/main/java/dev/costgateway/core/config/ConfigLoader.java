package dev.costgateway.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import dev.costgateway.core.budget.Budget;

/**
 * Reads {@code config.yaml} into a {@link GatewayConfig}, key by key as the {@link ConfigSchema} describes them.
 * Keys absent from the file take the schema's defaults (the bundled {@code default-config.yaml} shows the same
 * values, with comments; a test keeps the two equal). All problems are collected, each with its line, and
 * reported together in a {@link ConfigException}; nothing is half-applied. Unknown keys are kept in the file (the
 * settings form preserves them) and reported by {@link Result#warnings()}. Rules across several keys are
 * {@link ConfigValidator}'s, applied by whoever serves the configuration.
 */
public final class ConfigLoader {

    static final String DEFAULT_RESOURCE = "default-config.yaml";

    /**
     * A loaded configuration plus what was odd but not wrong (unknown keys).
     *
     * @param values the typed value of every schema key, for editors that show keys rather than records
     */
    public record Result(GatewayConfig config, List<ConfigProblem> warnings, ConfigValues values) {
    }

    /** Read once: the file is shipped in the jar and never changes while running. */
    private static final class Defaults {
        static final String YAML = readDefaultYaml();
        static final GatewayConfig CONFIG = ConfigSchema.build(ConfigValues.defaults());
    }

    private ConfigLoader() {
    }

    /** The commented default file, as shipped. */
    public static String defaultYaml() {
        return Defaults.YAML;
    }

    private static String readDefaultYaml() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + DEFAULT_RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The defaults alone. */
    public static GatewayConfig defaults() {
        return Defaults.CONFIG;
    }

    /** Loads a file; when it does not exist it is created from the commented defaults first. */
    public static Result loadOrCreate(Path file) throws ConfigException, IOException {
        if (!Files.exists(file)) {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, defaultYaml(), StandardCharsets.UTF_8);
        }
        return load(file);
    }

    public static Result load(Path file) throws ConfigException, IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses YAML text; {@code fileName} only labels the problems. */
    public static Result parse(String yamlText, String fileName) throws ConfigException {
        Reader r = new Reader(fileName, compose(yamlText, fileName));
        ConfigValues values = r.read();
        if (!r.problems.isEmpty()) {
            throw new ConfigException(r.problems);
        }
        return new Result(ConfigSchema.build(values), List.copyOf(r.warnings), values);
    }

    private static Node compose(String text, String fileName) throws ConfigException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10);
        try {
            Node node = new Yaml(options).compose(new StringReader(text));
            if (node == null) {
                return null; // empty file: all defaults
            }
            if (!(node instanceof MappingNode)) {
                throw new ConfigException(List.of(new ConfigProblem(fileName, line(node), "(root)",
                        "the file must be a mapping of keys to values")));
            }
            return node;
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 0;
            throw new ConfigException(List.of(new ConfigProblem(fileName, line, "(syntax)",
                    (e.getProblem() == null ? e.getMessage() : e.getProblem()).trim())));
        } catch (YAMLException e) {
            throw new ConfigException(List.of(new ConfigProblem(fileName, 0, "(syntax)", e.getMessage())));
        }
    }

    private static int line(Node node) {
        return node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    private static Map<String, NodeTuple> entries(Node node) {
        Map<String, NodeTuple> map = new LinkedHashMap<>();
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k) {
                    map.put(k.getValue(), t);
                }
            }
        }
        return map;
    }

    /** Reads every schema key from the user's tree, collecting problems. */
    private static final class Reader {
        private final String file;
        private final Node user;
        final List<ConfigProblem> problems = new ArrayList<>();
        final List<ConfigProblem> warnings = new ArrayList<>();

        Reader(String file, Node user) {
            this.file = file;
            this.user = user;
        }

        ConfigValues read() {
            Map<String, Object> values = ConfigValues.defaults().toMap();
            for (ConfigKey<?> key : ConfigSchema.keys()) {
                Node n = find(user, key.path());
                if (n == null) {
                    continue; // left out: the default
                }
                Object v = switch (key.type().kind()) {
                    case LIST -> stringList(key, n);
                    case PRICES -> prices(key, n);
                    case BUDGETS -> budgets(key, n);
                    default -> scalar(key, n);
                };
                if (v != null) {
                    values.put(key.path(), v);
                }
            }
            checkTiers();
            reportUnknownKeys(user, "");
            return ConfigValues.of(values);
        }

        private Node find(Node root, String path) {
            Node node = root;
            for (String part : path.split("\\.")) {
                NodeTuple t = entries(node).get(part);
                if (t == null) {
                    return null;
                }
                node = t.getValueNode();
            }
            return node;
        }

        private void problem(String key, Node node, String message) {
            problems.add(new ConfigProblem(file, line(node), key, message));
        }

        private Object scalar(ConfigKey<?> key, Node n) {
            if (!(n instanceof ScalarNode s)) {
                problem(key.path(), n, "must be a single value, not a list or mapping");
                return null;
            }
            ValueType.Parsed<?> p = key.type().parse(s.getValue());
            if (!p.isOk()) {
                problem(key.path(), n, p.problem());
            }
            return p.value();
        }

        private List<String> stringList(ConfigKey<?> key, Node n) {
            if (n instanceof SequenceNode seq) {
                List<String> out = new ArrayList<>();
                for (Node item : seq.getValue()) {
                    if (item instanceof ScalarNode s) {
                        String complaint = ValueType.checkListEntry(s.getValue());
                        if (complaint != null) {
                            problem(key.path(), item, complaint);
                        } else {
                            out.add(s.getValue());
                        }
                    } else {
                        problem(key.path(), item, "entries must be plain text");
                    }
                }
                return List.copyOf(out);
            }
            if (n instanceof ScalarNode s && s.getValue().isEmpty()) {
                return List.of();
            }
            problem(key.path(), n, "must be a list");
            return null;
        }

        /** A user's {@code models} table replaces the default one as a whole. */
        private Map<String, GatewayConfig.ModelPrice> prices(ConfigKey<?> key, Node n) {
            if (!(n instanceof MappingNode)) {
                problem(key.path(), n, "must map model ids to prices");
                return null;
            }
            Map<String, GatewayConfig.ModelPrice> out = new LinkedHashMap<>();
            for (var e : entries(n).entrySet()) {
                String model = key.path() + "." + e.getKey();
                Node v = e.getValue().getValueNode();
                Map<String, NodeTuple> fields = entries(v);
                Double in = price(model + ".input", fields.get("input"), v);
                Double outP = price(model + ".output", fields.get("output"), v);
                for (String f : fields.keySet()) {
                    if (!f.equals("input") && !f.equals("output")) {
                        warnings.add(new ConfigProblem(file, line(fields.get(f).getKeyNode()), model + "." + f,
                                "unknown key, ignored (expected input, output)"));
                    }
                }
                if (in != null && outP != null) {
                    out.put(e.getKey(), new GatewayConfig.ModelPrice(in, outP));
                }
            }
            return out;
        }

        /** The {@code budgets:} list; each entry is checked alone, a bad one is a problem naming its index. */
        private List<Budget> budgets(ConfigKey<?> key, Node n) {
            if (n instanceof ScalarNode s && s.getValue().isEmpty()) {
                return List.of();
            }
            if (!(n instanceof SequenceNode seq)) {
                problem(key.path(), n, "must be a list of budgets (- name: ..., period: day, limit_usd: 5)");
                return null;
            }
            List<Budget> out = new ArrayList<>();
            Set<String> names = new HashSet<>();
            int index = 0;
            for (Node item : seq.getValue()) {
                String at = key.path() + "[" + index++ + "]";
                if (!(item instanceof MappingNode)) {
                    problem(at, item, "must be a mapping with name, period and limit_usd");
                    continue;
                }
                Map<String, NodeTuple> f = entries(item);
                Map<String, String> fields = new LinkedHashMap<>();
                boolean scalars = true;
                for (var e : f.entrySet()) {
                    if (!ValueType.BUDGET_FIELDS.contains(e.getKey())) {
                        warnings.add(new ConfigProblem(file, line(e.getValue().getKeyNode()), at + "." + e.getKey(),
                                "unknown key, ignored (expected " + String.join(", ", ValueType.BUDGET_FIELDS) + ")"));
                    } else if (e.getValue().getValueNode() instanceof ScalarNode s) {
                        fields.put(e.getKey(), s.getValue());
                    } else {
                        problem(at + "." + e.getKey(), e.getValue().getValueNode(), "must be a single value");
                        scalars = false;
                    }
                }
                if (!scalars) {
                    continue;
                }
                ValueType.BudgetParse parsed = ValueType.parseBudget(fields);
                if (parsed.budget() == null) {
                    NodeTuple t = f.get(parsed.field());
                    problem(at + "." + parsed.field(), t == null ? item : t.getValueNode(), parsed.problem());
                } else if (!names.add(parsed.budget().name())) {
                    problem(at + ".name", f.get("name").getValueNode(), "another budget has this name");
                } else {
                    out.add(parsed.budget());
                }
            }
            return List.copyOf(out);
        }

        private Double price(String key, NodeTuple t, Node parent) {
            if (t == null) {
                problem(key, parent, "missing (USD per million tokens)");
                return null;
            }
            Node v = t.getValueNode();
            if (v instanceof ScalarNode s) {
                ValueType.Parsed<Double> p = ValueType.parsePrice(s.getValue());
                if (!p.isOk()) {
                    problem(key, v, p.problem());
                }
                return p.value();
            }
            problem(key, v, "must be a number");
            return null;
        }

        /** A tier name that is not one of the three is an error, not a warning: its routing would be lost. */
        private void checkTiers() {
            for (var e : entries(find(user, "tiers")).entrySet()) {
                if (Tier.fromId(e.getKey()).isEmpty()) {
                    problems.add(new ConfigProblem(file, line(e.getValue().getKeyNode()), "tiers." + e.getKey(),
                            "unknown tier (the tiers are fast, balanced, premium)"));
                }
            }
        }

        private void reportUnknownKeys(Node node, String prefix) {
            for (var e : entries(node).entrySet()) {
                String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
                if (prefix.equals("tiers") && Tier.fromId(e.getKey()).isEmpty()) {
                    continue; // an error, see checkTiers
                }
                if (ConfigSchema.find(path).isPresent()) {
                    continue;
                }
                boolean branch = ConfigSchema.keys().stream().anyMatch(k -> k.path().startsWith(path + "."));
                if (branch) {
                    reportUnknownKeys(e.getValue().getValueNode(), path);
                } else {
                    warnings.add(new ConfigProblem(file, line(e.getValue().getKeyNode()), path, "unknown key, ignored"));
                }
            }
        }
    }
}
