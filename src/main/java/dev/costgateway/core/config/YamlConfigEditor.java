package dev.costgateway.core.config;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.CollectionNode;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Edits the text of a YAML configuration file in place, so that comments, blank lines, key order, formatting of
 * untouched values and keys nobody here knows about all survive. Each edit composes the current text with
 * snakeyaml, locates the value through the node marks and rewrites only that span:
 * <ul>
 *   <li>a scalar is replaced where it stands, keeping its quoting style when it was quoted;</li>
 *   <li>a list replaces the whole list block (flow lists stay flow, block lists stay block);</li>
 *   <li>a {@link Map} value is merged key by key: changed entries are edited, new ones appended, absent ones
 *       removed;</li>
 *   <li>a key that is missing is appended at the end of its section (sections are created as needed).</li>
 * </ul>
 * Setting a value equal to the one in the file changes nothing, so {@code 0.90} is not rewritten as {@code 0.9}.
 * Values may be {@link String}, {@link Boolean}, {@link Number}, {@link Enum} (written lower case), {@link List}
 * of those, or {@link Map} with string keys. Strings are quoted only when plain YAML would read them differently;
 * the gateway reads every scalar as text, so quoting never changes what it sees.
 * <p>Not thread-safe; each instance edits one text. The text must be a YAML mapping (or empty).
 */
public final class YamlConfigEditor {

    private static final Pattern PLAIN_SAFE = Pattern.compile("[A-Za-z0-9_./($+-][A-Za-z0-9 _./()~$^=+@;<>'\"-]*");
    private static final Set<String> RESERVED_WORDS = Set.of("true", "false", "yes", "no", "on", "off", "y", "n",
            "null", "~", "");

    private String text;

    private YamlConfigEditor(String text) {
        this.text = Objects.requireNonNull(text);
    }

    public static YamlConfigEditor of(String yamlText) {
        return new YamlConfigEditor(yamlText);
    }

    /** The edited text. */
    public String text() {
        return text;
    }

    /** Sets a dotted key such as {@code cache.semantic_threshold}; see {@link #set(List, Object)}. */
    public YamlConfigEditor set(String dottedKey, Object value) {
        return set(Arrays.asList(dottedKey.split("\\.")), value);
    }

    /** Sets the value at a key path (use this form when a key contains a dot, e.g. a model id). */
    public YamlConfigEditor set(List<String> path, Object value) {
        if (path.isEmpty()) {
            throw new IllegalArgumentException("empty key path");
        }
        Objects.requireNonNull(value, "value");
        if (value instanceof Enum<?> e) {
            value = e.name().toLowerCase(Locale.ROOT);
        }
        Node root = compose();
        if (root == null) {
            text = text + (text.isEmpty() || text.endsWith("\n") ? "" : "\n")
                    + renderEntry(path.get(0), nest(path.subList(1, path.size()), value), 0) + "\n";
            return this;
        }
        Node parent = root;
        for (int i = 0; i < path.size(); i++) {
            MappingNode mapping = (MappingNode) parent;
            NodeTuple tuple = find(mapping, path.get(i));
            if (tuple == null) {
                insert(mapping, path.get(i), nest(path.subList(i + 1, path.size()), value), parent == root);
                return this;
            }
            Node child = tuple.getValueNode();
            boolean last = i == path.size() - 1;
            if (last || !(child instanceof MappingNode)) {
                Object wanted = last ? value : nest(path.subList(i + 1, path.size()), value);
                if (wanted instanceof Map<?, ?> map && child instanceof MappingNode) {
                    merge(path, map);
                } else if (!sameValue(child, wanted)) {
                    replace(tuple, wanted, isFlow(mapping));
                }
                return this;
            }
            parent = child;
        }
        return this;
    }

    /** Removes a key and its value (with its own lines in a block mapping); absent keys are ignored. */
    public YamlConfigEditor remove(List<String> path) {
        Node node = compose();
        for (int i = 0; i < path.size() - 1 && node instanceof MappingNode m; i++) {
            NodeTuple t = find(m, path.get(i));
            node = t == null ? null : t.getValueNode();
        }
        if (!(node instanceof MappingNode mapping)) {
            return this;
        }
        List<NodeTuple> tuples = mapping.getValue();
        String key = path.get(path.size() - 1);
        for (int i = 0; i < tuples.size(); i++) {
            NodeTuple t = tuples.get(i);
            if (!(t.getKeyNode() instanceof ScalarNode k) || !k.getValue().equals(key)) {
                continue;
            }
            if (isFlow(mapping)) {
                int start;
                int end;
                if (tuples.size() == 1) {
                    start = offset(t.getKeyNode().getStartMark().getIndex());
                    end = contentEnd(t.getValueNode());
                } else if (i < tuples.size() - 1) {
                    start = offset(t.getKeyNode().getStartMark().getIndex());
                    end = offset(tuples.get(i + 1).getKeyNode().getStartMark().getIndex());
                } else {
                    start = contentEnd(tuples.get(i - 1).getValueNode());
                    end = contentEnd(t.getValueNode());
                }
                text = text.substring(0, start) + text.substring(end);
            } else {
                int start = lineStart(offset(t.getKeyNode().getStartMark().getIndex()));
                int end = afterLineBreak(lineEnd(contentEnd(t.getValueNode())));
                text = text.substring(0, start) + text.substring(end);
            }
            return this;
        }
        return this;
    }

    // ---- edits ----

    private void merge(List<String> path, Map<?, ?> wanted) {
        Node node = compose();
        for (String part : path) {
            node = find((MappingNode) node, part).getValueNode();
        }
        List<String> present = new ArrayList<>();
        for (NodeTuple t : ((MappingNode) node).getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k) {
                present.add(k.getValue());
            }
        }
        for (String key : present) {
            if (!wanted.containsKey(key)) {
                remove(append(path, key));
            }
        }
        for (var e : wanted.entrySet()) {
            set(append(path, String.valueOf(e.getKey())), e.getValue());
        }
    }

    private void replace(NodeTuple tuple, Object value, boolean flowContext) {
        Node old = tuple.getValueNode();
        int start = offset(old.getStartMark().getIndex());
        int end = contentEnd(old);
        int keyColumn = tuple.getKeyNode().getStartMark().getColumn();
        boolean emptyScalar = old instanceof ScalarNode s && s.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN
                && s.getValue().isEmpty() && old.getStartMark().getIndex() == old.getEndMark().getIndex();
        if (emptyScalar) {
            String rendered = flowContext ? " " + inline(value) : blockValue(value, keyColumn);
            splice(start, end, rendered);
            return;
        }
        if (flowContext || (old instanceof CollectionNode<?> c && isFlow(c) && !isEmptyCollection(old))) {
            splice(start, end, inline(value));
            return;
        }
        if (value instanceof List<?> list) {
            if (old instanceof SequenceNode seq && !isFlow(seq) && !list.isEmpty()) {
                String indent = " ".repeat(old.getStartMark().getColumn());
                StringBuilder sb = new StringBuilder();
                for (Object item : list) {
                    sb.append(sb.length() == 0 ? "" : "\n" + indent).append("- ").append(inline(item));
                }
                splice(start, end, sb.toString());
            } else {
                splice(colonEnd(tuple), end, blockValue(value, keyColumn));
            }
            return;
        }
        if (old instanceof ScalarNode s) {
            splice(start, end, value instanceof String str ? scalarLike(str, s.getScalarStyle()) : inlineOrBlock(value,
                    keyColumn));
            return;
        }
        splice(colonEnd(tuple), end, blockValue(value, keyColumn));
    }

    private String inlineOrBlock(Object value, int keyColumn) {
        String block = blockValue(value, keyColumn);
        return block.startsWith(" ") ? block.substring(1) : block;
    }

    private void insert(MappingNode mapping, String key, Object value, boolean isRoot) {
        List<NodeTuple> tuples = mapping.getValue();
        if (isFlow(mapping)) {
            int close = offset(mapping.getEndMark().getIndex()) - 1;
            splice(close, close, (tuples.isEmpty() ? "" : ", ") + inlineKey(key) + ": " + inline(value));
            return;
        }
        if (isRoot) {
            String prefix = text.isEmpty() || text.endsWith("\n") ? "" : "\n";
            text = text + prefix + renderEntry(key, value, 0) + "\n";
            return;
        }
        int column = tuples.get(0).getKeyNode().getStartMark().getColumn();
        int at = lineEnd(contentEnd(tuples.get(tuples.size() - 1).getValueNode()));
        boolean flowMaps = tuples.stream().anyMatch(t -> t.getValueNode() instanceof MappingNode m && isFlow(m));
        splice(at, at, "\n" + renderEntry(key, value, column, flowMaps));
    }

    private void splice(int start, int end, String replacement) {
        text = text.substring(0, start) + replacement + text.substring(end);
    }

    // ---- rendering ----

    private static String renderEntry(String key, Object value, int column) {
        return renderEntry(key, value, column, false);
    }

    /** @param flowMaps render a map of plain values as {@code {a: 1}} (when its siblings are written so) */
    private static String renderEntry(String key, Object value, int column, boolean flowMaps) {
        String rendered = flowMaps && value instanceof Map<?, ?> ? " " + inline(value) : blockValue(value, column);
        return " ".repeat(column) + inlineKey(key) + ":" + rendered;
    }

    /** The text after {@code key:} in block context, starting with a space or a line break. */
    private static String blockValue(Object value, int keyColumn) {
        String indent = " ".repeat(keyColumn + 2);
        if (value instanceof List<?> list) {
            if (list.isEmpty()) {
                return " []";
            }
            StringBuilder sb = new StringBuilder();
            for (Object item : list) {
                sb.append('\n').append(indent).append("- ").append(inline(item));
            }
            return sb.toString();
        }
        if (value instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                return " {}";
            }
            StringBuilder sb = new StringBuilder();
            for (var e : map.entrySet()) {
                sb.append('\n').append(renderEntry(String.valueOf(e.getKey()), e.getValue(), keyColumn + 2));
            }
            return sb.toString();
        }
        return " " + inline(value);
    }

    /** Flow-context rendering, safe inside {@code [...]} and {@code {...}}. */
    private static String inline(Object value) {
        if (value instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            for (Object item : list) {
                items.add(inline(item));
            }
            return "[" + String.join(", ", items) + "]";
        }
        if (value instanceof Map<?, ?> map) {
            List<String> items = new ArrayList<>();
            for (var e : map.entrySet()) {
                items.add(inlineKey(String.valueOf(e.getKey())) + ": " + inline(e.getValue()));
            }
            return "{" + String.join(", ", items) + "}";
        }
        if (value instanceof Boolean || value instanceof Number) {
            return String.valueOf(value);
        }
        if (value instanceof Enum<?> e) {
            return quoteIfNeeded(e.name().toLowerCase(Locale.ROOT));
        }
        return quoteIfNeeded(String.valueOf(value));
    }

    private static String inlineKey(String key) {
        return quoteIfNeeded(key);
    }

    /** A new string value for a scalar that had {@code style}: quoted scalars keep their quote character. */
    private static String scalarLike(String value, DumperOptions.ScalarStyle style) {
        if (style == DumperOptions.ScalarStyle.SINGLE_QUOTED && value.chars().noneMatch(c -> c < 0x20)) {
            return "'" + value.replace("'", "''") + "'";
        }
        if (style == DumperOptions.ScalarStyle.DOUBLE_QUOTED) {
            return doubleQuoted(value);
        }
        return quoteIfNeeded(value);
    }

    static String quoteIfNeeded(String value) {
        boolean plain = PLAIN_SAFE.matcher(value).matches()
                && !RESERVED_WORDS.contains(value.toLowerCase(Locale.ROOT))
                && !value.endsWith(" ")
                && !(value.startsWith("-") && value.length() > 1 && value.charAt(1) == ' ')
                && !value.equals("-");
        return plain ? value : doubleQuoted(value);
    }

    private static String doubleQuoted(String value) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    // ---- comparison ----

    private static boolean sameValue(Node node, Object value) {
        if (value instanceof List<?> list) {
            if (!(node instanceof SequenceNode seq) || seq.getValue().size() != list.size()) {
                return false;
            }
            for (int i = 0; i < list.size(); i++) {
                if (!sameValue(seq.getValue().get(i), list.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (!(node instanceof ScalarNode s) || value instanceof Map<?, ?>) {
            return false;
        }
        String v = s.getValue();
        if (value instanceof Number n) {
            try {
                return Double.parseDouble(v.replace("_", "")) == n.doubleValue();
            } catch (NumberFormatException e) {
                return false;
            }
        }
        if (value instanceof Boolean b) {
            String lower = v.toLowerCase(Locale.ROOT);
            return b ? Set.of("true", "yes", "on").contains(lower) : Set.of("false", "no", "off").contains(lower);
        }
        if (value instanceof Enum<?> e) {
            return e.name().equalsIgnoreCase(v);
        }
        return v.equals(String.valueOf(value));
    }

    // ---- navigation ----

    private Node compose() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Node root = new Yaml(options).compose(new StringReader(text));
        if (root != null && !(root instanceof MappingNode)) {
            throw new IllegalArgumentException("the YAML text must be a mapping of keys to values");
        }
        return root;
    }

    private static NodeTuple find(MappingNode mapping, String key) {
        for (NodeTuple t : mapping.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                return t;
            }
        }
        return null;
    }

    private static Object nest(List<String> rest, Object value) {
        Object v = value;
        for (int i = rest.size() - 1; i >= 0; i--) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(rest.get(i), v);
            v = m;
        }
        return v;
    }

    private static List<String> append(List<String> path, String key) {
        List<String> out = new ArrayList<>(path);
        out.add(key);
        return out;
    }

    private static boolean isFlow(Node node) {
        return node instanceof CollectionNode<?> c && c.getFlowStyle() == DumperOptions.FlowStyle.FLOW;
    }

    private static boolean isEmptyCollection(Node node) {
        return node instanceof CollectionNode<?> c && c.getValue().isEmpty();
    }

    /** Char offset just past the last character that belongs to a node (block collections end at their last item). */
    private int contentEnd(Node node) {
        if (node instanceof SequenceNode seq && !isFlow(seq) && !seq.getValue().isEmpty()) {
            return contentEnd(seq.getValue().get(seq.getValue().size() - 1));
        }
        if (node instanceof MappingNode map && !isFlow(map) && !map.getValue().isEmpty()) {
            return contentEnd(map.getValue().get(map.getValue().size() - 1).getValueNode());
        }
        if (node instanceof ScalarNode s && (s.getScalarStyle() == DumperOptions.ScalarStyle.LITERAL
                || s.getScalarStyle() == DumperOptions.ScalarStyle.FOLDED)) {
            // block scalars end at the start of the following line; keep that line break in the text
            int end = offset(node.getEndMark().getIndex());
            return end > 0 && text.charAt(end - 1) == '\n' ? end - 1 : end;
        }
        return offset(node.getEndMark().getIndex());
    }

    /** Offset just after the {@code :} that follows a key. */
    private int colonEnd(NodeTuple tuple) {
        int i = offset(tuple.getKeyNode().getEndMark().getIndex());
        while (i < text.length() && text.charAt(i) != ':') {
            i++;
        }
        return Math.min(i + 1, text.length());
    }

    /** snakeyaml counts code points; Java strings count UTF-16 units. */
    private int offset(int codePointIndex) {
        return text.offsetByCodePoints(0, Math.min(codePointIndex, text.codePointCount(0, text.length())));
    }

    private int lineStart(int offset) {
        int i = offset;
        while (i > 0 && text.charAt(i - 1) != '\n' && text.charAt(i - 1) != '\r') {
            i--;
        }
        return i;
    }

    private int lineEnd(int offset) {
        int i = offset;
        while (i < text.length() && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
            i++;
        }
        return i;
    }

    private int afterLineBreak(int offset) {
        if (offset < text.length() && text.charAt(offset) == '\r') {
            offset++;
        }
        if (offset < text.length() && text.charAt(offset) == '\n') {
            offset++;
        }
        return offset;
    }
}
