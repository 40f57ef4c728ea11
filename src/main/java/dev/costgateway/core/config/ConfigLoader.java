package dev.costgateway.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads {@code config.yaml} into a validated {@link GatewayConfig}. Keys absent from the file take the defaults
 * of the bundled {@code default-config.yaml}. All problems are collected, each with its line, and reported
 * together in a {@link ConfigException}; nothing is half-applied. Unknown keys are kept in the file (the
 * settings form preserves them) and reported by {@link Result#warnings()}.
 */
public final class ConfigLoader {

    static final String DEFAULT_RESOURCE = "default-config.yaml";

    /** A loaded configuration plus what was odd but not wrong (unknown keys). */
    public record Result(GatewayConfig config, List<ConfigProblem> warnings) {
    }

    private ConfigLoader() {
    }

    /** The commented default file, as shipped. */
    public static String defaultYaml() {
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
        try {
            return parse(defaultYaml(), DEFAULT_RESOURCE).config();
        } catch (ConfigException e) {
            throw new IllegalStateException("bundled defaults are invalid: " + e.getMessage(), e);
        }
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
        Node defaults = compose(defaultYaml(), DEFAULT_RESOURCE);
        Node user;
        try {
            user = compose(yamlText, fileName);
        } catch (ConfigException e) {
            throw e;
        }
        Reader r = new Reader(fileName, user, defaults);
        GatewayConfig config = r.build();
        if (!r.problems.isEmpty()) {
            throw new ConfigException(r.problems);
        }
        return new Result(config, List.copyOf(r.warnings));
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

    /** Walks user and default trees side by side, reading typed values and collecting problems. */
    private static final class Reader {
        private final String file;
        private final Node user;
        private final Node defaults;
        final List<ConfigProblem> problems = new ArrayList<>();
        final List<ConfigProblem> warnings = new ArrayList<>();
        private final Set<String> known = new LinkedHashSet<>();

        Reader(String file, Node user, Node defaults) {
            this.file = file;
            this.user = user;
            this.defaults = defaults;
        }

        GatewayConfig build() {
            var server = new GatewayConfig.Server(
                    string("server.host", s -> s.isBlank() ? "must not be empty" : null),
                    integer("server.port", 0, 65535),
                    longValue("server.max_body_bytes", 1, Long.MAX_VALUE),
                    string("server.auth_token", s -> null));
            var upstream = new GatewayConfig.Upstream(
                    uri("upstream.base_url"),
                    string("upstream.api_key", s -> null),
                    Duration.ofSeconds(integer("upstream.timeout_seconds", 1, 86_400)),
                    Duration.ofSeconds(integer("upstream.connect_timeout_seconds", 1, 600)));
            var routing = new GatewayConfig.Routing(
                    enumValue("routing.mode", GatewayConfig.RoutingMode.class),
                    bool("routing.allow_upgrade"),
                    integer("routing.long_context_tokens", 1, 10_000_000),
                    integer("routing.many_turns", 1, 100_000),
                    bool("routing.conservative_tools"),
                    bool("routing.conservative_thinking"),
                    bool("routing.conservative_media"),
                    bool("routing.conservative_long_context"),
                    bool("routing.conservative_many_turns"));
            var classifier = new GatewayConfig.Classifier(
                    decimal("classifier.heuristic_confidence", 0, 1),
                    decimal("classifier.embedding_threshold", 0, 1),
                    Duration.ofMillis(integer("classifier.llm_timeout_ms", 1, 600_000)));
            boolean useHaiku = bool("use_haiku_classifier");
            int maxEscalations = integer("max_escalations", 0, 10);
            var escalation = new GatewayConfig.Escalation(
                    bool("escalation.on_truncation"),
                    stringList("escalation.phrases"),
                    stringList("escalation.hedge_words"),
                    integer("escalation.hedge_threshold", 0, 1_000_000),
                    enumValue("escalation.streaming", GatewayConfig.StreamingEscalation.class));
            var cache = new GatewayConfig.Cache(
                    bool("cache.enabled"),
                    enumValue("cache.scope", GatewayConfig.CacheScope.class),
                    integer("cache.max_entries", 0, 100_000_000),
                    Duration.ofSeconds(integer("cache.exact_ttl", 1, Integer.MAX_VALUE)),
                    bool("cache.cache_tool_use"),
                    string("cache.redis_url", ConfigLoader::checkRedisUrl),
                    bool("cache.use_semantic_cache"),
                    decimal("cache.semantic_threshold", 0, 1),
                    Duration.ofSeconds(integer("cache.semantic_ttl", 1, Integer.MAX_VALUE)),
                    integer("cache.semantic_max_entries", 0, 10_000_000),
                    string("cache.embedding_model",
                            s -> "all-minilm-l6-v2-q".equals(s) ? null : "unknown model (supported: all-minilm-l6-v2-q)"),
                    bool("cache.semantic_with_tools"));
            var metrics = new GatewayConfig.Metrics(
                    string("metrics.jdbc_url", s -> s.isEmpty() || s.startsWith("jdbc:") ? null : "must start with jdbc:"),
                    bool("metrics.store_text"),
                    integer("metrics.text_preview_chars", 0, 20_000),
                    integer("metrics.retention_days", 1, 36_500),
                    integer("metrics.queue_capacity", 16, 10_000_000));
            Map<Tier, GatewayConfig.TierModel> tiers = tiers();
            var pricing = new GatewayConfig.Pricing(
                    decimal("pricing.cache_write_5m_multiplier", 0, 100),
                    decimal("pricing.cache_write_1h_multiplier", 0, 100),
                    decimal("pricing.cache_read_multiplier", 0, 100));
            Map<String, GatewayConfig.ModelPrice> models = models();
            reportUnknownKeys(user, "");
            if (!problems.isEmpty()) {
                return null;
            }
            return new GatewayConfig(server, upstream, routing, classifier, useHaiku, maxEscalations, escalation,
                    cache, metrics, tiers, pricing, models);
        }

        // ---- lookup ----

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

        /** The user's node for a key, else the default's; remembers the key as known. */
        private Node node(String path) {
            known.add(path);
            Node n = find(user, path);
            return n != null ? n : find(defaults, path);
        }

        private boolean fromUser(String path) {
            return find(user, path) != null;
        }

        private void problem(String key, Node node, String message) {
            problems.add(new ConfigProblem(fromUser(key) ? file : DEFAULT_RESOURCE, line(node), key, message));
        }

        private String scalar(String key) {
            Node n = node(key);
            if (n == null) {
                problems.add(new ConfigProblem(file, 0, key, "missing"));
                return null;
            }
            if (!(n instanceof ScalarNode s)) {
                problem(key, n, "must be a single value, not a list or mapping");
                return null;
            }
            return s.getValue();
        }

        String string(String key, Function<String, String> check) {
            String v = scalar(key);
            if (v == null) {
                return "";
            }
            String complaint = check.apply(v);
            if (complaint != null) {
                problem(key, node(key), complaint);
            }
            return v;
        }

        boolean bool(String key) {
            String v = scalar(key);
            if (v == null) {
                return false;
            }
            switch (v.toLowerCase(Locale.ROOT)) {
                case "true": case "yes": case "on":
                    return true;
                case "false": case "no": case "off":
                    return false;
                default:
                    problem(key, node(key), "must be true or false, not '" + v + "'");
                    return false;
            }
        }

        int integer(String key, long min, long max) {
            return (int) longValue(key, min, Math.min(max, Integer.MAX_VALUE));
        }

        long longValue(String key, long min, long max) {
            String v = scalar(key);
            if (v == null) {
                return min;
            }
            try {
                long n = Long.parseLong(v.replace("_", "").trim());
                if (n < min || n > max) {
                    problem(key, node(key), "must be between " + min + " and " + max + ", not " + n);
                    return min;
                }
                return n;
            } catch (NumberFormatException e) {
                problem(key, node(key), "must be a whole number, not '" + v + "'");
                return min;
            }
        }

        double decimal(String key, double min, double max) {
            String v = scalar(key);
            if (v == null) {
                return min;
            }
            try {
                double d = Double.parseDouble(v.trim());
                if (!(d >= min && d <= max)) {
                    problem(key, node(key), "must be between " + fmt(min) + " and " + fmt(max) + ", not " + v);
                    return min;
                }
                return d;
            } catch (NumberFormatException e) {
                problem(key, node(key), "must be a number, not '" + v + "'");
                return min;
            }
        }

        <E extends Enum<E>> E enumValue(String key, Class<E> type) {
            String v = scalar(key);
            E[] constants = type.getEnumConstants();
            if (v != null) {
                for (E c : constants) {
                    if (c.name().equalsIgnoreCase(v.trim())) {
                        return c;
                    }
                }
                List<String> names = new ArrayList<>();
                for (E c : constants) {
                    names.add(c.name().toLowerCase(Locale.ROOT));
                }
                problem(key, node(key), "must be one of " + String.join(", ", names) + ", not '" + v + "'");
            }
            return constants[0];
        }

        URI uri(String key) {
            String v = scalar(key);
            if (v == null) {
                return URI.create("http://invalid");
            }
            String complaint = checkHttpUrl(v);
            if (complaint != null) {
                problem(key, node(key), complaint);
                return URI.create("http://invalid");
            }
            return URI.create(v.endsWith("/") ? v.substring(0, v.length() - 1) : v);
        }

        List<String> stringList(String key) {
            Node n = node(key);
            if (n instanceof SequenceNode seq) {
                List<String> out = new ArrayList<>();
                for (Node item : seq.getValue()) {
                    if (item instanceof ScalarNode s) {
                        if (s.getValue().isBlank()) {
                            problem(key, item, "entries must not be empty");
                        } else {
                            out.add(s.getValue());
                        }
                    } else {
                        problem(key, item, "entries must be plain text");
                    }
                }
                return out;
            }
            if (n instanceof ScalarNode s && s.getValue().isEmpty()) {
                return List.of();
            }
            problem(key, n, "must be a list");
            return List.of();
        }

        Map<Tier, GatewayConfig.TierModel> tiers() {
            Map<Tier, GatewayConfig.TierModel> tiers = new EnumMap<>(Tier.class);
            for (Tier t : Tier.values()) {
                String base = "tiers." + t.id();
                String model = string(base + ".model", s -> s.isBlank() ? "must name a model id" : null);
                List<String> prefixes = stringList(base + ".prefixes");
                tiers.put(t, new GatewayConfig.TierModel(model, prefixes));
            }
            Node tiersNode = find(user, "tiers");
            for (var e : entries(tiersNode).entrySet()) {
                if (Tier.fromId(e.getKey()).isEmpty()) {
                    problems.add(new ConfigProblem(file, line(e.getValue().getKeyNode()), "tiers." + e.getKey(),
                            "unknown tier (the tiers are fast, balanced, premium)"));
                }
            }
            return tiers;
        }

        Map<String, GatewayConfig.ModelPrice> models() {
            known.add("models");
            Node n = find(user, "models");
            String label = file;
            if (n == null) {
                n = find(defaults, "models");
                label = DEFAULT_RESOURCE;
            }
            Map<String, GatewayConfig.ModelPrice> out = new LinkedHashMap<>();
            if (!(n instanceof MappingNode)) {
                problems.add(new ConfigProblem(label, line(n), "models", "must map model ids to prices"));
                return out;
            }
            for (var e : entries(n).entrySet()) {
                String key = "models." + e.getKey();
                Node v = e.getValue().getValueNode();
                Map<String, NodeTuple> fields = entries(v);
                Double in = price(label, key + ".input", fields.get("input"), v);
                Double outP = price(label, key + ".output", fields.get("output"), v);
                for (String f : fields.keySet()) {
                    if (!f.equals("input") && !f.equals("output")) {
                        warnings.add(new ConfigProblem(label, line(fields.get(f).getKeyNode()), key + "." + f,
                                "unknown key, ignored (expected input, output)"));
                    }
                }
                if (in != null && outP != null) {
                    out.put(e.getKey(), new GatewayConfig.ModelPrice(in, outP));
                }
            }
            return out;
        }

        private Double price(String label, String key, NodeTuple t, Node parent) {
            if (t == null) {
                problems.add(new ConfigProblem(label, line(parent), key, "missing (USD per million tokens)"));
                return null;
            }
            Node v = t.getValueNode();
            if (v instanceof ScalarNode s) {
                try {
                    double d = Double.parseDouble(s.getValue());
                    if (d >= 0 && d < 1e6) {
                        return d;
                    }
                } catch (NumberFormatException ignored) {
                    // reported below
                }
                problems.add(new ConfigProblem(label, line(v), key,
                        "must be a price in USD per million tokens (0 or more), not '" + s.getValue() + "'"));
                return null;
            }
            problems.add(new ConfigProblem(label, line(v), key, "must be a number"));
            return null;
        }

        private void reportUnknownKeys(Node node, String prefix) {
            for (var e : entries(node).entrySet()) {
                String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
                if (path.equals("models") || path.startsWith("tiers.")) {
                    continue;
                }
                boolean leaf = known.contains(path);
                boolean branch = known.stream().anyMatch(k -> k.startsWith(path + "."));
                if (leaf) {
                    continue;
                }
                if (branch) {
                    reportUnknownKeys(e.getValue().getValueNode(), path);
                } else {
                    warnings.add(new ConfigProblem(file, line(e.getValue().getKeyNode()), path, "unknown key, ignored"));
                }
            }
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    static String checkHttpUrl(String v) {
        try {
            URI u = URI.create(v.trim());
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
                return "must be an http:// or https:// URL";
            }
            if (u.getHost() == null) {
                return "must name a host";
            }
            return null;
        } catch (IllegalArgumentException e) {
            return "not a valid URL: " + e.getMessage();
        }
    }

    static String checkRedisUrl(String v) {
        if (v.isEmpty()) {
            return null;
        }
        try {
            URI u = URI.create(v.trim());
            if (!"redis".equals(u.getScheme()) && !"rediss".equals(u.getScheme())) {
                return "must be a redis:// or rediss:// URL (or empty)";
            }
            return u.getHost() == null ? "must name a host" : null;
        } catch (IllegalArgumentException e) {
            return "not a valid URL: " + e.getMessage();
        }
    }

    /** Validates one proposed value for a key as the loader would, for forms; null when acceptable. */
    public static List<ConfigProblem> validate(String yamlText) {
        try {
            parse(yamlText, "<form>");
            return List.of();
        } catch (ConfigException e) {
            return e.problems();
        }
    }
}
