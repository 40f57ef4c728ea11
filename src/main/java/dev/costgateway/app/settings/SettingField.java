package dev.costgateway.app.settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import javafx.beans.Observable;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * One config key in the settings form. The value lives in the property matching its {@link Kind}: text for
 * text, numbers and choices (exactly as typed, so an invalid entry can be shown and explained), a flag for
 * booleans, items for lists.
 */
public final class SettingField {

    public enum Kind { TEXT, SECRET, INTEGER, DECIMAL, BOOLEAN, CHOICE, LIST }

    private final String key;
    private final String label;
    private final String help;
    private final Kind kind;
    private final List<String> choices;
    private final StringProperty text = new SimpleStringProperty("");
    private final BooleanProperty flag = new SimpleBooleanProperty();
    private final ObservableList<String> items = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper dirty = new ReadOnlyBooleanWrapper();
    private Object original;

    SettingField(String key, String label, String help, Kind kind, List<String> choices) {
        this.key = key;
        this.label = label;
        this.help = help;
        this.kind = kind;
        this.choices = List.copyOf(choices);
        for (Observable o : List.<Observable>of(text, flag, items)) {
            o.addListener(x -> dirty.set(!Objects.equals(original, value())));
        }
    }

    /** The value as the editor should write it: the typed text, a Boolean, or a list of strings. */
    Object value() {
        return switch (kind) {
            case BOOLEAN -> flag.get();
            case LIST -> new ArrayList<>(items);
            default -> text.get();
        };
    }

    /** Loads a value from the configuration in force and makes it the clean state. */
    void load(Object value) {
        original = value instanceof List<?> l ? new ArrayList<>(l) : value;
        switch (kind) {
            case BOOLEAN -> flag.set((Boolean) value);
            case LIST -> items.setAll(((List<?>) value).stream().map(String::valueOf).toList());
            default -> text.set(String.valueOf(value));
        }
        dirty.set(false);
    }

    void setError(String message) {
        error.set(message == null ? "" : message);
    }

    /** Dotted config key, e.g. {@code cache.semantic_threshold}. */
    public String key() {
        return key;
    }

    public String label() {
        return label;
    }

    /** The explanation from the commented default file, or empty. */
    public String help() {
        return help;
    }

    public Kind kind() {
        return kind;
    }

    public List<String> choices() {
        return choices;
    }

    /** A node id for tests and CSS: {@code cache.semantic_threshold} becomes {@code cache-semantic_threshold}. */
    public String nodeId() {
        return key.replace('.', '-');
    }

    public StringProperty textProperty() {
        return text;
    }

    public BooleanProperty flagProperty() {
        return flag;
    }

    public ObservableList<String> items() {
        return items;
    }

    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty dirtyProperty() {
        return dirty.getReadOnlyProperty();
    }
}
