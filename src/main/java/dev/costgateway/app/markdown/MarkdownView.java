package dev.costgateway.app.markdown;

import javafx.application.Platform;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.control.ToggleButton;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.web.WebEngine;
import javafx.scene.web.WebView;

import dev.costgateway.app.fx.AppTheme;

/**
 * A prompt or an answer as people read it: Markdown rendered by {@link MarkdownHtml} in a {@link WebView} with
 * JavaScript off, no context menu and no navigation (the page has no links, and any location change is undone),
 * with a "Plain text" toggle that shows the raw text, selectable, in a text area. FX thread only.
 */
public final class MarkdownView extends VBox {

    private final WebView web = new WebView();
    private final TextArea plain = new TextArea();
    private final ToggleButton plainToggle = new ToggleButton("Plain text");
    private String markdown = "";
    private String page = "";

    /** @param id the node id; the web view, the text area and the toggle get {@code id-web}, {@code -plain}, {@code -toggle} */
    public MarkdownView(String id, String title) {
        setId(id);
        getStyleClass().add("markdown-view");
        web.setId(id + "-web");
        web.setContextMenuEnabled(false);
        web.setPrefHeight(220);
        web.setMinHeight(50);
        WebEngine engine = web.getEngine();
        engine.setJavaScriptEnabled(false);
        engine.locationProperty().addListener((o, was, now) -> {
            if (now != null && !now.isEmpty() && !now.equals("about:blank")) {
                // never leave the rendered page (nothing in it links anywhere; this is the second lock)
                Platform.runLater(() -> engine.loadContent(page, "text/html"));
            }
        });
        plain.setId(id + "-plain");
        plain.setEditable(false);
        plain.setWrapText(true);
        plain.setMinHeight(50);
        plain.prefHeightProperty().bind(web.prefHeightProperty()); // the stack is as tall as the rendered view
        plain.getStyleClass().add("preview");
        plainToggle.setId(id + "-toggle");
        plainToggle.getStyleClass().addAll(AppTheme.SMALL, AppTheme.FLAT);
        plainToggle.selectedProperty().addListener((o, a, showPlain) -> show(showPlain));
        Label heading = new Label(title);
        heading.getStyleClass().add("section-title");
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        HBox header = new HBox(heading, grow, plainToggle);
        StackPane body = new StackPane(web, plain);
        getChildren().addAll(header, body);
        AppTheme.currentProperty().addListener((o, a, b) -> render());
        show(false);
    }

    /** Shows {@code text} (Markdown or plain prose; both read well). */
    public void setText(String text) {
        markdown = text == null ? "" : text;
        plain.setText(markdown);
        render();
    }

    /** The text shown, as given. */
    public String text() {
        return markdown;
    }

    public WebView webView() {
        return web;
    }

    private void render() {
        web.setPrefHeight(estimatedHeight(markdown));
        page = MarkdownHtml.page(markdown, AppTheme.currentProperty().get() == AppTheme.DARK);
        web.getEngine().loadContent(page, "text/html");
    }

    /**
     * A height that fits most texts without scrolling, from their line count (the page itself cannot be asked: it
     * runs no JavaScript); long texts scroll inside the view.
     */
    static double estimatedHeight(String text) {
        int lines = 0;
        for (String line : text.split("\n", -1)) {
            lines += Math.max(1, (line.length() + 69) / 70);
        }
        return Math.max(60, Math.min(360, 24 + 21.0 * lines));
    }

    private void show(boolean showPlain) {
        web.setVisible(!showPlain);
        plain.setVisible(showPlain);
    }
}
