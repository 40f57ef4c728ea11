package dev.costgateway.app.markdown;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MarkdownHtmlTest {

    @Test
    void headingsListsTablesAndCodeBecomeTheirHtmlElements() {
        String html = MarkdownHtml.body("""
                # Title
                Some *emphasis* and `inline code`.

                - one
                - two

                1. first

                | Model | Price |
                |---|---|
                | Haiku | $1 |

                ```java
                int x = 1;
                ```
                """);
        assertThat(html).contains("<h1>Title</h1>", "<em>emphasis</em>", "<code>inline code</code>",
                "<ul>", "<li>one</li>", "<ol>", "<table>", "<th>Model</th>", "<td>Haiku</td>",
                "<pre><code class=\"language-java\">int x = 1;");
    }

    @Test
    void htmlInTheTextIsEscapedNotInterpreted() {
        String html = MarkdownHtml.body("Hello <script>alert(1)</script> <b>bold</b>\n\n<div onclick=x>block</div>");
        assertThat(html).doesNotContain("<script", "<b>", "<div").contains("&lt;script&gt;", "&lt;b&gt;bold");
    }

    @Test
    void imagesAndLinksAreTextWithTheirAddressNeverElementsThatLoadOrNavigate() {
        String html = MarkdownHtml.body("![a cat](http://127.0.0.1:9/cat.png) and [docs](https://example.com/x) "
                + "and <https://auto.example/>");
        assertThat(html).doesNotContain("<img", "<a ", "href=", "src=")
                .contains("[image: a cat]", "(http://127.0.0.1:9/cat.png)", "docs", "(https://example.com/x)",
                        "(https://auto.example/)");
    }

    @Test
    void thePageForbidsEveryLoadAndFollowsTheTheme() {
        String light = MarkdownHtml.page("x", false);
        String dark = MarkdownHtml.page("x", true);
        assertThat(light).contains("http-equiv=\"Content-Security-Policy\"", "default-src 'none'");
        assertThat(light).contains("background:#ffffff");
        assertThat(dark).contains("background:#0d1117");
        assertThat(MarkdownHtml.body(null)).isEmpty();
    }
}
