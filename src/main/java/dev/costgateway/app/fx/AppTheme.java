package dev.costgateway.app.fx;

import java.net.URL;
import java.util.Objects;

import javafx.application.Application;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.scene.Scene;

/**
 * AtlantaFX Primer light/dark plus the app's own stylesheet. The AtlantaFX 2.1.0 jar's classes are compiled for
 * Java 21, so on our Java 17 runtime only its stylesheets (plain resources) are used, never its classes; style
 * class names such as {@code left-pill} are therefore spelled out here.
 */
public enum AppTheme {
    LIGHT("/atlantafx/base/theme/primer-light.css"),
    DARK("/atlantafx/base/theme/primer-dark.css");

    public static final String LEFT_PILL = "left-pill";
    public static final String CENTER_PILL = "center-pill";
    public static final String RIGHT_PILL = "right-pill";
    public static final String ACCENT = "accent";
    public static final String SUCCESS = "success";
    public static final String DANGER = "danger";
    public static final String FLAT = "flat";
    public static final String SMALL = "small";
    public static final String STRIPED = "striped";

    private static final String APP_CSS = "/dev/costgateway/app/app.css";
    private static final ReadOnlyObjectWrapper<AppTheme> CURRENT = new ReadOnlyObjectWrapper<>(LIGHT);

    private final String resource;

    AppTheme(String resource) {
        this.resource = resource;
    }

    public AppTheme other() {
        return this == LIGHT ? DARK : LIGHT;
    }

    /** Sets the user-agent stylesheet for the whole application. */
    public void apply() {
        Application.setUserAgentStylesheet(url(resource));
        CURRENT.set(this);
    }

    /** The theme last applied (FX thread), for views that draw their own colours, such as the Markdown view. */
    public static ReadOnlyObjectProperty<AppTheme> currentProperty() {
        return CURRENT.getReadOnlyProperty();
    }

    public static void addAppStylesheet(Scene scene) {
        scene.getStylesheets().add(url(APP_CSS));
    }

    private static String url(String resource) {
        URL u = Objects.requireNonNull(AppTheme.class.getResource(resource), resource);
        return u.toExternalForm();
    }
}
