package dev.costgateway.app.shell;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import dev.costgateway.app.fx.AppTheme;
import dev.costgateway.app.fx.FxThread;
import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.app.reports.CsvFormatter;
import dev.costgateway.app.testing.FakeGatewayControl;
import dev.costgateway.app.testing.SampleData;
import dev.costgateway.core.metrics.RequestRecord;

/**
 * Renders every screen with sample data to {@code docs/screenshots/*.png}, headless.
 * Run: {@code mvn -B -o -Pbench test -Dtest=ScreenshotRenderer} (with {@code pngquant} installed the files shrink).
 */
@Tag("bench")
public class ScreenshotRenderer {
    static final Instant NOW = Instant.parse("2026-12-01T16:30:00Z");
    @TempDir
    Path dir;

    @Test
    void renderAllScreens() throws Exception {
        Path out = Path.of("docs/screenshots");
        Files.createDirectories(out);
        // the sidebar shows the config path relative to the home folder, as on a user's machine
        String realHome = System.getProperty("user.home");
        System.setProperty("user.home", dir.toString());
        Path configFile = Files.createDirectories(dir.resolve(".config/cost-gateway")).resolve("config.yaml");
        FakeGatewayControl control = new FakeGatewayControl(configFile);
        control.store().addAll(SampleData.traffic(NOW, 30, 2400, 11));
        control.store().addAll(SampleData.traffic(NOW, java.time.Duration.ofHours(16), 160, 12).stream()
                .map(r -> withId(r, "t" + r.queryId().substring(1))).toList());
        control.start();
        Stage stage = FxToolkit.registerPrimaryStage();
        MainWindow.Services services = new MainWindow.Services(control, new UiTasks(Runnable::run,
                FxThread.EXECUTOR), InstantSource.fixed(NOW), ZoneOffset.UTC, CsvFormatter.DEFAULT, false);
        MainWindow[] window = new MainWindow[1];
        WaitForAsyncUtils.asyncFx(() -> {
            AppTheme.LIGHT.apply();
            window[0] = new MainWindow(services, name -> java.util.Optional.empty());
            stage.setScene(window[0].createScene(1280, 800));
            stage.show();
            window[0].activate();
        }).get(10, TimeUnit.SECONDS);
        shoot(stage, out.resolve("dashboard.png"), () -> window[0].showScreen(MainWindow.Screen.DASHBOARD));
        shoot(stage, out.resolve("requests.png"), () -> {
            window[0].showScreen(MainWindow.Screen.REQUESTS);
            var table = (javafx.scene.control.TableView<?>) stage.getScene().lookup("#requests-table");
            for (int i = 0; i < table.getItems().size(); i++) {
                if (((RequestRecord) table.getItems().get(i)).escalations() > 0) {
                    table.getSelectionModel().select(i);
                    break;
                }
            }
        });
        shoot(stage, out.resolve("settings.png"), () -> {
            window[0].showScreen(MainWindow.Screen.SETTINGS);
            var field = (javafx.scene.control.TextField) stage.getScene().lookup("#server-port");
            field.setText("80a");
        });
        shoot(stage, out.resolve("settings-escalation.png"), () -> {
            var field = (javafx.scene.control.TextField) stage.getScene().lookup("#server-port");
            field.setText("8000");
            var editor = stage.getScene().lookup("#escalation-phrases-editor");
            var scroll = (javafx.scene.control.ScrollPane) stage.getScene().lookup("#settings .scroll-pane");
            var section = editor.getParent();
            while (!section.getStyleClass().contains("settings-section")) {
                section = section.getParent();
            }
            double y = section.getBoundsInParent().getMinY();
            double content = scroll.getContent().getBoundsInLocal().getHeight();
            scroll.setVvalue(y / (content - scroll.getViewportBounds().getHeight()));
        });
        shoot(stage, out.resolve("reports.png"), () -> window[0].showScreen(MainWindow.Screen.REPORTS));
        shoot(stage, out.resolve("dashboard-dark.png"), () -> {
            AppTheme.DARK.apply();
            window[0].showScreen(MainWindow.Screen.DASHBOARD);
        });
        WaitForAsyncUtils.asyncFx(() -> {
            window[0].deactivate();
            AppTheme.LIGHT.apply();
        }).get(10, TimeUnit.SECONDS);
        System.setProperty("user.home", realHome);
        shrink(out);
        for (String name : new String[] {"dashboard", "dashboard-dark", "requests", "settings", "reports"}) {
            org.assertj.core.api.Assertions.assertThat(out.resolve(name + ".png")).isNotEmptyFile();
        }
    }

    /**
     * Renders the views added for budgets, Markdown answers and the first day: {@code budgets.png},
     * {@code settings-budgets.png}, {@code request-markdown.png}, {@code dashboard-first-day.png}, each from its own
     * sample data: {@code mvn -B -o -Pbench test -Dtest=ScreenshotRenderer#renderBudgetsMarkdownAndFirstDay}.
     */
    @Test
    void renderBudgetsMarkdownAndFirstDay() throws Exception {
        Path out = Path.of("docs/screenshots");
        Files.createDirectories(out);
        String realHome = System.getProperty("user.home");
        System.setProperty("user.home", dir.toString());
        Path configFile = Files.createDirectories(dir.resolve(".config/cost-gateway")).resolve("config.yaml");
        List<RequestRecord> today = SampleData.traffic(NOW, java.time.Duration.ofHours(16), 160, 12);
        double spentToday = today.stream().mapToDouble(r -> r.costUsd() == null ? 0 : r.costUsd()).sum();
        // a daily limit the sample day has just passed, a monthly one at about a third
        Files.writeString(configFile, String.format(java.util.Locale.ROOT, """
                budgets:
                  - name: daily-all
                    period: day
                    limit_usd: %.2f
                    scope: all
                    action: block
                  - name: team-month
                    period: month
                    limit_usd: %.2f
                    scope: all
                budget_time_zone: UTC
                """, Math.floor(spentToday * 0.95 * 100) / 100, Math.ceil(spentToday * 3)));
        FakeGatewayControl control = new FakeGatewayControl(configFile);
        control.setBudgetNow(NOW);
        control.store().addAll(today);
        for (RequestRecord r : today) {
            control.budgetTracker().recordSpend(r.timestamp(), r.callerKeyHash(), "", "", r.costUsd());
        }
        RequestRecord markdown = today.get(today.size() - 1).toBuilder().queryId("q-markdown")
                .promptPreview("Explain how the gateway picks a model, with a table and an example request.")
                .answerPreview(String.join("\n", "## How a model is chosen", "",
                        "Every request gets a **difficulty score**; two thresholds turn it into a tier:", "",
                        "| score | tier | model |", "|---|---|---|", "| below 0.2 | fast | Haiku |",
                        "| 0.2 to 0.6 | balanced | Sonnet |", "| above 0.6 | premium | Opus |", "",
                        "1. The requested model is the *ceiling*.", "2. Rules keep tool calls and long contexts safe.",
                        "", "```bash", "curl -s $ANTHROPIC_BASE_URL/v1/messages \\",
                        "  -H 'content-type: application/json' -d @request.json", "```", "",
                        "<b>HTML</b> stays text, and ![a remote image](https://example.com/x.png) is never loaded."))
                .build();
        control.store().addAll(List.of(markdown));
        control.start();
        Stage stage = FxToolkit.registerPrimaryStage();
        MainWindow.Services services = new MainWindow.Services(control, new UiTasks(Runnable::run,
                FxThread.EXECUTOR), InstantSource.fixed(NOW), ZoneOffset.UTC, CsvFormatter.DEFAULT, false);
        MainWindow[] window = new MainWindow[1];
        WaitForAsyncUtils.asyncFx(() -> {
            AppTheme.LIGHT.apply();
            window[0] = new MainWindow(services, name -> java.util.Optional.empty());
            stage.setScene(window[0].createScene(1280, 800));
            stage.show();
            window[0].activate();
        }).get(60, TimeUnit.SECONDS);
        WaitForAsyncUtils.sleep(1500, TimeUnit.MILLISECONDS); // the budgets view model's first refresh
        shoot(stage, out.resolve("budgets.png"), () -> window[0].showScreen(MainWindow.Screen.DASHBOARD));
        shoot(stage, out.resolve("settings-budgets.png"), () -> {
            window[0].showScreen(MainWindow.Screen.SETTINGS);
            var table = stage.getScene().lookup("#settings-budgets");
            var scroll = (javafx.scene.control.ScrollPane) stage.getScene().lookup("#settings .scroll-pane");
            var section = table.getParent();
            while (!section.getStyleClass().contains("settings-section")) {
                section = section.getParent();
            }
            double y = section.getBoundsInParent().getMinY();
            double content = scroll.getContent().getBoundsInLocal().getHeight();
            scroll.setVvalue(Math.min(1, y / (content - scroll.getViewportBounds().getHeight())));
        });
        WaitForAsyncUtils.asyncFx(() -> {
            window[0].showScreen(MainWindow.Screen.REQUESTS);
            var table = (javafx.scene.control.TableView<?>) stage.getScene().lookup("#requests-table");
            for (int i = 0; i < table.getItems().size(); i++) {
                if (((RequestRecord) table.getItems().get(i)).queryId().equals("q-markdown")) {
                    table.getSelectionModel().select(i);
                    break;
                }
            }
        }).get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.sleep(1500, TimeUnit.MILLISECONDS); // WebKit lays the page out on its own schedule
        shoot(stage, out.resolve("request-markdown.png"), () -> {
            var detail = (javafx.scene.control.ScrollPane) stage.getScene().lookup("#request-detail").getParent()
                    .getParent().getParent();
            detail.setVvalue(1);
        });
        WaitForAsyncUtils.asyncFx(() -> window[0].deactivate()).get(10, TimeUnit.SECONDS);

        // the first day: one request three minutes ago
        Path firstConfig = Files.createDirectories(dir.resolve("first")).resolve("config.yaml");
        FakeGatewayControl first = new FakeGatewayControl(firstConfig);
        first.store().addAll(SampleData.traffic(NOW, java.time.Duration.ofMinutes(3), 1, 5));
        first.start();
        MainWindow.Services firstServices = new MainWindow.Services(first, new UiTasks(Runnable::run,
                FxThread.EXECUTOR), InstantSource.fixed(NOW), ZoneOffset.UTC, CsvFormatter.DEFAULT, false);
        WaitForAsyncUtils.asyncFx(() -> {
            window[0] = new MainWindow(firstServices, name -> java.util.Optional.empty());
            stage.setScene(window[0].createScene(1280, 800));
            window[0].activate();
        }).get(60, TimeUnit.SECONDS);
        shoot(stage, out.resolve("dashboard-first-day.png"), () -> window[0].showScreen(MainWindow.Screen.DASHBOARD));
        WaitForAsyncUtils.asyncFx(() -> window[0].deactivate()).get(10, TimeUnit.SECONDS);
        System.setProperty("user.home", realHome);
        shrink(out);
        for (String name : new String[] {"budgets", "settings-budgets", "request-markdown", "dashboard-first-day"}) {
            org.assertj.core.api.Assertions.assertThat(out.resolve(name + ".png")).isNotEmptyFile();
        }
    }

    /**
     * Renders only {@code sessions.png} (its own sample data, so the other screenshots stay as they are):
     * {@code mvn -B -o -Pbench test -Dtest=ScreenshotRenderer#renderSessions}.
     */
    @Test
    void renderSessions() throws Exception {
        Path out = Path.of("docs/screenshots");
        Files.createDirectories(out);
        String realHome = System.getProperty("user.home");
        System.setProperty("user.home", dir.toString());
        Path configFile = Files.createDirectories(dir.resolve(".config/cost-gateway")).resolve("config.yaml");
        FakeGatewayControl control = new FakeGatewayControl(configFile);
        List<RequestRecord> sessions = SampleData.sessions(NOW, 16, 21);
        control.store().addAll(sessions);
        control.start();
        Stage stage = FxToolkit.registerPrimaryStage();
        MainWindow.Services services = new MainWindow.Services(control, new UiTasks(Runnable::run,
                FxThread.EXECUTOR), InstantSource.fixed(NOW), ZoneOffset.UTC, CsvFormatter.DEFAULT, false);
        MainWindow[] window = new MainWindow[1];
        WaitForAsyncUtils.asyncFx(() -> {
            AppTheme.LIGHT.apply();
            window[0] = new MainWindow(services, name -> java.util.Optional.empty());
            stage.setScene(window[0].createScene(1280, 800));
            stage.show();
        }).get(60, TimeUnit.SECONDS);
        // a session with an idle gap (every third one), so the screenshot shows a prompt-cache finding
        String idle = sessions.stream().filter(r -> r.queryId().startsWith("s011-")).findFirst().orElseThrow()
                .session().id();
        Path file = out.resolve("sessions.png");
        shoot(stage, file, () -> {
            window[0].showScreen(MainWindow.Screen.SESSIONS);
            var table = (javafx.scene.control.TableView<?>) stage.getScene().lookup("#sessions-table");
            for (int i = 0; i < table.getItems().size(); i++) {
                var row = (dev.costgateway.core.metrics.MetricsQueries.SessionRow) table.getItems().get(i);
                if (row.sessionId().equals(idle)) {
                    table.getSelectionModel().select(i);
                }
            }
        });
        System.setProperty("user.home", realHome);
        try {
            Process p = new ProcessBuilder("pngquant", "--force", "--skip-if-larger", "--speed", "1", "--quality",
                    "80-98", "--ext", ".png", file.toString()).inheritIO().start();
            p.waitFor(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            System.out.println("pngquant not found; screenshot left unquantized");
        }
        org.assertj.core.api.Assertions.assertThat(file).isNotEmptyFile();
    }

    /** Quantizes the PNGs to a palette with pngquant when it is installed (about a third of the size). */
    private static void shrink(Path out) throws Exception {
        List<String> command = new ArrayList<>(List.of("pngquant", "--force", "--skip-if-larger", "--speed", "1",
                "--quality", "80-98", "--ext", ".png"));
        try (var files = Files.list(out)) {
            files.filter(f -> f.toString().endsWith(".png")).map(Path::toString).forEach(command::add);
        }
        try {
            Process p = new ProcessBuilder(command).inheritIO().start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            System.out.println("pngquant not found; screenshots left unquantized");
        }
    }

    private static RequestRecord withId(RequestRecord r, String id) {
        return new RequestRecord(id, r.timestamp(), r.callerKeyHash(), r.requestedModel(), r.finalModel(), r.tier(),
                r.classifierLayer(), r.classifierReason(), r.cacheKind(), r.escalations(), r.stream(), r.status(),
                r.errorType(), r.usage(), r.costUsd(), r.counterfactualUsd(), r.savedUsd(), r.latencyMillis(),
                r.ttfbMillis(), r.upstreamMillis(), r.promptPreview(), r.answerPreview(), r.attempts());
    }

    private static void shoot(Stage stage, Path file, Runnable setup) throws Exception {
        WaitForAsyncUtils.asyncFx(setup).get(10, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents(5);
        WritableImage img = WaitForAsyncUtils.asyncFx(() -> stage.getScene().snapshot(null)).get(10, TimeUnit.SECONDS);
        write(img, file);
    }

    public static void write(WritableImage img, Path file) throws IOException {
        int w = (int) img.getWidth();
        int h = (int) img.getHeight();
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        PixelReader px = img.getPixelReader();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                bi.setRGB(x, y, px.getArgb(x, y));
            }
        }
        ImageIO.write(bi, "png", file.toFile());
    }
}
