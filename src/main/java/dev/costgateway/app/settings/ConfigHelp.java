package dev.costgateway.app.settings;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.costgateway.core.config.ConfigLoader;

/** The comment above each key of the shipped default file, so the form explains keys in the same words. */
final class ConfigHelp {
    private static final Pattern KEY = Pattern.compile("^( *)([A-Za-z0-9_]+):.*");

    private ConfigHelp() {
    }

    static Map<String, String> fromDefaults() {
        return parse(ConfigLoader.defaultYaml());
    }

    static Map<String, String> parse(String yaml) {
        Map<String, String> help = new HashMap<>();
        Deque<int[]> indents = new ArrayDeque<>();
        Deque<String> keys = new ArrayDeque<>();
        StringBuilder comment = new StringBuilder();
        for (String line : yaml.split("\n", -1)) {
            String stripped = line.strip();
            if (stripped.startsWith("#")) {
                comment.append(comment.length() == 0 ? "" : " ").append(stripped.substring(1).strip());
                continue;
            }
            Matcher m = KEY.matcher(line);
            if (m.matches()) {
                int indent = m.group(1).length();
                while (!indents.isEmpty() && indents.peek()[0] >= indent) {
                    indents.pop();
                    keys.pop();
                }
                indents.push(new int[] {indent});
                keys.push(m.group(2));
                StringBuilder path = new StringBuilder();
                keys.descendingIterator().forEachRemaining(k -> path.append(path.length() == 0 ? "" : ".").append(k));
                if (comment.length() > 0) {
                    help.put(path.toString(), comment.toString());
                }
            }
            comment.setLength(0);
        }
        return help;
    }
}
