package dev.costgateway.core.metrics.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import dev.costgateway.core.metrics.MetricsStore;
import dev.costgateway.core.metrics.MutableClock;
import dev.costgateway.core.metrics.Records;

/**
 * The dashboard in real headless Chromium against a live handler: it loads, draws its charts, renders a hostile
 * prompt and model name as text without running them, and raises no script errors or console errors.
 * Skipped only when no Chromium binary is installed ({@code .ci/run} installs Debian's).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final String XSS_PROMPT = "<script>document.documentElement.setAttribute('data-xss','script')"
            + "</script><img src=x onerror=\"document.documentElement.setAttribute('data-xss','img')\">";
    private static final String XSS_MODEL = "<b onmouseover=alert(1)>claude-evil</b>";

    @TempDir
    static Path dir;

    private MetricsStore store;
    private TestServer server;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium is not installed at " + CHROMIUM);
        Instant now = Instant.now();
        store = MetricsStore.open(Records.config(true, 1000), dir.resolve("data"), new MutableClock(now));
        store.record(Records.plain("q-plain", now.minus(Duration.ofHours(3))));
        store.record(Records.escalated("q-escalated", now.minus(Duration.ofHours(2))));
        store.record(Records.exactHit("q-exact", now.minus(Duration.ofHours(1))));
        store.record(Records.semanticHit("q-semantic", now.minus(Duration.ofMinutes(30))));
        store.record(Records.upstreamError("q-error", now.minus(Duration.ofMinutes(10))));
        store.record(Records.withText(Records.streamed("q-hostile", now.minus(Duration.ofMinutes(1))), XSS_MODEL,
                XSS_PROMPT, "fine"));
        store.flush();
        server = new TestServer(new MetricsHandler(store, () -> 0));
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @Test
    void dashboardLoadsDrawsChartsAndShowsHostileTextAsText() throws Exception {
        Result run = chromium("--dump-dom");
        String dom = run.stdout;

        assertThat(dom).contains("data-loaded=\"true\"").contains("data-js-errors=\"0\"").doesNotContain("data-xss=\"");
        for (String chart : List.of("chart-cost", "chart-tier", "chart-model")) {
            assertThat(dom).containsPattern("id=\"" + chart + "\"[^>]*data-drawn=\"true\"");
        }
        assertThat(dom).containsPattern("id=\"chart-cost\"[^>]*data-points=\"[1-9]");
        assertThat(dom).contains("<path d=\"M");
        assertThat(dom).contains("&lt;script&gt;document.documentElement.setAttribute('data-xss','script')"
                + "&lt;/script&gt;&lt;img src=x onerror=");
        assertThat(dom).contains("&lt;b onmouseover=alert(1)&gt;claude-evil&lt;/b&gt;");
        assertThat(dom).doesNotContain("<img src=\"x\"").doesNotContain("<b onmouseover");
        assertThat(dom).contains("data-query-id=\"q-plain\"").contains("data-query-id=\"q-hostile\"");
        assertThat(consoleErrors(run.stderr)).isEmpty();
    }

    @Test
    void screenshotShowsTheDashboard() throws Exception {
        Path png = Path.of(System.getProperty("dashboard.screenshot", dir.resolve("dash.png").toString()));
        Result run = chromium("--screenshot=" + png, "--window-size=1280,900", "--hide-scrollbars");

        assertThat(png).exists();
        assertThat(Files.size(png)).isGreaterThan(10_000);
        assertThat(consoleErrors(run.stderr)).isEmpty();
    }

    private record Result(String stdout, String stderr) {
    }

    private Result chromium(String... extra) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(dir, "profile");
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"));
        cmd.addAll(List.of(extra));
        cmd.add(server.uri("/dashboard").toString());
        Path out = dir.resolve("chromium-" + System.nanoTime() + ".out");
        Path err = dir.resolve("chromium-" + System.nanoTime() + ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 60 s");
        }
        return new Result(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    /** Console messages at warning level or above logged by the page (Chromium's CONSOLE log lines). */
    private static List<String> consoleErrors(String stderr) {
        List<String> errors = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^.*CONSOLE.*$").matcher(stderr);
        while (m.find()) {
            String line = m.group();
            if (!line.contains("INFO:CONSOLE") && !line.contains("VERBOSE")) {
                errors.add(line);
            }
        }
        return errors;
    }
}
