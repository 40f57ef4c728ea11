package dev.costgateway.app.markdown;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javafx.concurrent.Worker;
import javafx.scene.Scene;
import javafx.scene.control.TextArea;
import javafx.scene.web.WebView;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;
import org.w3c.dom.Document;

import com.sun.net.httpserver.HttpServer;

import dev.costgateway.app.fx.AppTheme;
import dev.costgateway.testing.Await;

/**
 * The Markdown view in a real WebView: what a person sees, and that nothing in an answer makes it fetch anything.
 * A local HTTP server counts requests; a control page with a plain {@code <img>} proves this WebView does fetch
 * when allowed, so the zero for our rendering means something.
 */
@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class MarkdownViewUiTest {

    HttpServer server;
    final List<String> fetched = new CopyOnWriteArrayList<>();
    MarkdownView view;

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            fetched.add(exchange.getRequestURI().toString());
            byte[] png = new byte[] {(byte) 0x89, 'P', 'N', 'G'};
            exchange.sendResponseHeaders(200, png.length);
            exchange.getResponseBody().write(png);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Start
    void start(Stage stage) {
        AppTheme.LIGHT.apply();
        view = new MarkdownView("answer", "Answer");
        stage.setScene(new Scene(view, 700, 400));
        stage.show();
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    Document load(String markdown) throws Exception {
        WaitForAsyncUtils.asyncFx(() -> view.setText(markdown)).get(5, TimeUnit.SECONDS);
        return loaded(view.webView());
    }

    static Document loaded(WebView web) throws Exception {
        return Await.value(Duration.ofSeconds(20), "the page did not load", () -> Optional.ofNullable(
                WaitForAsyncUtils.asyncFx(() -> web.getEngine().getLoadWorker().getState() == Worker.State.SUCCEEDED
                        ? web.getEngine().getDocument() : null).get(5, TimeUnit.SECONDS)));
    }

    @Test
    void anAnswerIsShownAsFormattedTextAndThePlainToggleShowsTheRawText(FxRobot robot) throws Exception {
        Document d = load("## Steps\n\n1. Install\n2. Run `mvn verify`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                + "```\ncode block\n```\n\n<b>not bold</b>");
        assertThat(d.getElementsByTagName("h2").item(0).getTextContent()).isEqualTo("Steps");
        assertThat(d.getElementsByTagName("li").getLength()).isEqualTo(2);
        assertThat(d.getElementsByTagName("table").getLength()).isEqualTo(1);
        assertThat(d.getElementsByTagName("pre").item(0).getTextContent()).contains("code block");
        assertThat(d.getElementsByTagName("b").getLength()).as("HTML in the answer is text").isZero();
        assertThat(d.getDocumentElement().getTextContent()).contains("<b>not bold</b>");

        TextArea plain = robot.lookup("#answer-plain").queryAs(TextArea.class);
        assertThat(plain.isVisible()).isFalse();
        robot.clickOn("#answer-toggle");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(plain.isVisible()).isTrue();
        assertThat(robot.lookup("#answer-web").queryAs(WebView.class).isVisible()).isFalse();
        assertThat(plain.getText()).startsWith("## Steps");
        robot.clickOn("#answer-toggle");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(plain.isVisible()).isFalse();
    }

    @Test
    void aRemoteImageOrStylesheetInAnAnswerIsNeverFetched() throws Exception {
        // control: the same kind of WebView does fetch a plain <img> from this server
        WebView control = WaitForAsyncUtils.asyncFx(() -> {
            WebView w = new WebView();
            w.getEngine().setJavaScriptEnabled(false);
            w.getEngine().loadContent("<html><body><img src=\"" + base() + "/control.png\"></body></html>");
            return w;
        }).get(10, TimeUnit.SECONDS);
        loaded(control);
        Await.poll(Duration.ofSeconds(10), () -> fetched.isEmpty() ? Optional.empty() : Optional.of(fetched));
        assertThat(fetched).as("control page fetched its image").containsExactly("/control.png");
        fetched.clear();

        Document d = load("![chart](" + base() + "/md-image.png)\n\n<img src=\"" + base() + "/raw-img.png\">\n\n"
                + "<link rel=\"stylesheet\" href=\"" + base() + "/style.css\">\n\n[link](" + base() + "/page)\n\n"
                + "<iframe src=\"" + base() + "/frame\"></iframe>");
        assertThat(d.getElementsByTagName("img").getLength()).isZero();
        assertThat(d.getElementsByTagName("a").getLength()).isZero();
        WaitForAsyncUtils.sleep(1500, TimeUnit.MILLISECONDS); // give any stray load the time the control needed
        assertThat(fetched).as("requests the rendered answer made").isEmpty();
        assertThat(d.getDocumentElement().getTextContent()).contains("[image: chart]", base() + "/md-image.png");
    }
}
