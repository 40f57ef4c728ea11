package dev.costgateway.app.markdown;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.Image;
import org.commonmark.node.Link;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.NodeRenderer;
import org.commonmark.renderer.html.HtmlNodeRendererContext;
import org.commonmark.renderer.html.HtmlRenderer;
import org.commonmark.renderer.html.HtmlWriter;

/**
 * Turns a prompt or an answer (Markdown, as models write it) into a self-contained HTML page for the inspector's
 * {@code WebView}. The page can load nothing: HTML in the text is escaped, images and links are written as text with
 * their address (no {@code <img>}, no {@code <a>}, so nothing is fetched or navigated to, even by a click), and a
 * Content-Security-Policy of {@code default-src 'none'} forbids every load the renderer might still miss. The view
 * also runs with JavaScript off. No JavaFX here: pure and unit-tested.
 */
public final class MarkdownHtml {

    /** The policy in the page's head: inline styles only, nothing else from anywhere. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'";

    private static final List<org.commonmark.Extension> EXTENSIONS = List.of(TablesExtension.create());
    private static final Parser PARSER = Parser.builder().extensions(EXTENSIONS).build();
    private static final HtmlRenderer RENDERER = HtmlRenderer.builder()
            .extensions(EXTENSIONS)
            .escapeHtml(true)
            .sanitizeUrls(true)
            .nodeRendererFactory(InertLinks::new)
            .build();

    private MarkdownHtml() {
    }

    /** The body HTML of {@code markdown}; {@code null} renders as nothing. */
    public static String body(String markdown) {
        return markdown == null ? "" : RENDERER.render(PARSER.parse(markdown));
    }

    /** A whole page: the body with the inspector's styles for the light or dark theme. */
    public static String page(String markdown, boolean dark) {
        String fg = dark ? "#e6edf3" : "#1f2328";
        String muted = dark ? "#9198a1" : "#59636e";
        String codeBg = dark ? "#151b23" : "#f6f8fa";
        String border = dark ? "#3d444d" : "#d1d9e0";
        String bg = dark ? "#0d1117" : "#ffffff";
        return "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
                + "<meta http-equiv=\"Content-Security-Policy\" content=\"" + CONTENT_SECURITY_POLICY + "\">"
                + "<style>"
                + "body{margin:6px 8px;font-family:system-ui,'Segoe UI',sans-serif;font-size:13px;line-height:1.45;"
                + "color:" + fg + ";background:" + bg + ";overflow-wrap:anywhere}"
                + "h1,h2,h3,h4{margin:.6em 0 .3em;line-height:1.25}h1{font-size:1.4em}h2{font-size:1.25em}"
                + "h3{font-size:1.1em}p,ul,ol,table,pre{margin:.3em 0 .6em}ul,ol{padding-left:1.6em}"
                + "code{font-family:'JetBrains Mono','DejaVu Sans Mono',monospace;font-size:.92em;background:"
                + codeBg + ";padding:.1em .3em;border-radius:4px}"
                + "pre{background:" + codeBg + ";border:1px solid " + border + ";border-radius:6px;padding:8px;"
                + "white-space:pre-wrap;overflow-wrap:anywhere}pre code{background:none;padding:0}"
                + "table{border-collapse:collapse}th,td{border:1px solid " + border + ";padding:3px 8px}"
                + "th{background:" + codeBg + "}blockquote{margin:.3em 0;padding-left:.8em;border-left:3px solid "
                + border + ";color:" + muted + "}.inert-url{color:" + muted + ";font-size:.9em}"
                + "</style></head><body>" + body(markdown) + "</body></html>";
    }

    /** Links and images as text plus their address, so the page has nothing to fetch and nowhere to go. */
    private static final class InertLinks implements NodeRenderer {
        private final HtmlNodeRendererContext context;
        private final HtmlWriter html;

        InertLinks(HtmlNodeRendererContext context) {
            this.context = context;
            this.html = context.getWriter();
        }

        @Override
        public Set<Class<? extends Node>> getNodeTypes() {
            return Set.of(Link.class, Image.class);
        }

        @Override
        public void render(Node node) {
            if (node instanceof Image image) {
                html.tag("span", Map.of("class", "inert-image"));
                html.text("[image: " + plainText(image) + "]");
                html.tag("/span");
                url(image.getDestination());
                return;
            }
            Link link = (Link) node;
            html.tag("span", Map.of("class", "inert-link"));
            for (Node child = link.getFirstChild(); child != null; child = child.getNext()) {
                context.render(child);
            }
            html.tag("/span");
            url(link.getDestination());
        }

        private void url(String destination) {
            if (destination == null || destination.isBlank()) {
                return;
            }
            html.text(" ");
            html.tag("span", Map.of("class", "inert-url"));
            html.text("(" + destination + ")");
            html.tag("/span");
        }

        private static String plainText(Node node) {
            StringBuilder sb = new StringBuilder();
            for (Node c = node.getFirstChild(); c != null; c = c.getNext()) {
                if (c instanceof Text t) {
                    sb.append(t.getLiteral());
                } else {
                    sb.append(plainText(c));
                }
            }
            return sb.toString();
        }
    }
}
