package dev.costgateway.app.fx;

import javafx.beans.value.ObservableValue;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;

/** Small builders so views read as layout, not boilerplate. */
public final class Nodes {
    private Nodes() {
    }

    public static Label label(String text, String... styleClasses) {
        Label l = new Label(text);
        l.getStyleClass().addAll(styleClasses);
        return l;
    }

    public static Label bound(ObservableValue<String> text, String... styleClasses) {
        Label l = label("", styleClasses);
        l.textProperty().bind(text);
        return l;
    }

    /** A label that takes no room while its text is empty. */
    public static Label collapsing(ObservableValue<String> text, String... styleClasses) {
        Label l = bound(text, styleClasses);
        l.visibleProperty().bind(l.textProperty().isNotEmpty());
        l.managedProperty().bind(l.visibleProperty());
        return l;
    }

    public static Region hgrow() {
        Region r = new Region();
        HBox.setHgrow(r, Priority.ALWAYS);
        return r;
    }

    public static <T extends Node> T withId(T node, String id) {
        node.setId(id);
        return node;
    }
}
