package dev.costgateway.core.config;

import java.util.HashMap;
import java.util.Map;

/**
 * A typed value for every key of the {@link ConfigSchema}: what a file (or a form) says, with the defaults
 * filling in what it leaves out. {@link ConfigSchema#build} turns it into a {@link GatewayConfig}. Immutable.
 */
public final class ConfigValues {
    private static final ConfigValues DEFAULTS;

    static {
        Map<String, Object> m = new HashMap<>();
        for (ConfigKey<?> k : ConfigSchema.keys()) {
            m.put(k.path(), k.defaultValue());
        }
        DEFAULTS = new ConfigValues(m);
    }

    private final Map<String, Object> values;

    private ConfigValues(Map<String, Object> values) {
        this.values = values;
    }

    /** Every key at its default. */
    public static ConfigValues defaults() {
        return DEFAULTS;
    }

    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        Object v = values.get(key.path());
        if (v == null) {
            throw new IllegalArgumentException("not a schema key: " + key.path());
        }
        return (T) v;
    }

    /** A copy with one value replaced. */
    public <T> ConfigValues with(ConfigKey<T> key, T value) {
        if (!values.containsKey(key.path())) {
            throw new IllegalArgumentException("not a schema key: " + key.path());
        }
        Map<String, Object> m = new HashMap<>(values);
        m.put(key.path(), java.util.Objects.requireNonNull(value));
        return new ConfigValues(m);
    }

    /** A builder-style mutable copy, for readers that set many values in a row. */
    Map<String, Object> toMap() {
        return new HashMap<>(values);
    }

    static ConfigValues of(Map<String, Object> values) {
        return new ConfigValues(new HashMap<>(values));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfigValues other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "ConfigValues" + values.keySet();
    }
}
