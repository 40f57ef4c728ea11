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
