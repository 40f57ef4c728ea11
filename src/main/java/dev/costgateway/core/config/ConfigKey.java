package dev.costgateway.core.config;

import java.util.Objects;

/**
 * One row of the {@link ConfigSchema}: a key of {@code config.yaml} with everything the loader, the settings form
 * and the README need to know about it.
 *
 * @param path         dotted path in the file, e.g. {@code cache.semantic_threshold}
 * @param section      where the settings form shows it
 * @param label        the form's short label
 * @param type         how the value is read, checked and written
 * @param defaultValue the value when the key is left out (the bundled {@code default-config.yaml} must agree)
 * @param help         one or two sentences for the form and the README; {@code `code`} marks names
 * @param <T>          the value's type in {@link GatewayConfig}
 */
public record ConfigKey<T>(String path, ConfigSchema.Section section, String label, ValueType<T> type,
                           T defaultValue, String help) {
    public ConfigKey {
        Objects.requireNonNull(path);
        Objects.requireNonNull(section);
        Objects.requireNonNull(type);
        Objects.requireNonNull(defaultValue);
    }

    /** The help without the README's code marks, for plain-text labels. */
    public String plainHelp() {
        return help.replace("`", "");
    }

    @Override
    public String toString() {
        return path;
    }
}
