package dev.costgateway.core.config;

/**
 * One thing wrong with a configuration file.
 *
 * @param file    the file name (or a label such as {@code <form>} for unsaved text)
 * @param line    1-based line of the offending value, or 0 when the key is absent
 * @param key     dotted key path, e.g. {@code cache.semantic_threshold}
 * @param message why the value was refused, for a person
 */
public record ConfigProblem(String file, int line, String key, String message) {
    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line : "") + ": " + key + ": " + message;
    }
}
