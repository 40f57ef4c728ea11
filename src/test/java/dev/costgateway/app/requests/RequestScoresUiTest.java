package dev.costgateway.app.requests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.stage.Stage;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import dev.costgateway.app.fx.AppTheme;
import dev.costgateway.app.fx.FxThread;
import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.app.reports.CsvFormatter;
import dev.costgateway.app.shell.MainWindow;
import dev.costgateway.app.testing.FakeGatewayControl;
import dev.costgateway.core.api.Usage;
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.core.metrics.RouterScores;

/** The request inspector shows a scored request's scores and the thresholds that decided; an unscored one none. */
@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class RequestScoresUiTest {
    static final Instant NOW = Instant.parse("2026-12-01T15:00:00Z");
    @TempDir
    Path dir;

    @Start
    void start(Stage stage) throws Exception {
        FakeGatewayControl control = new FakeGatewayControl(dir.resolve("config.yaml"));
        RequestRecord.Builder base = RequestRecord.builder().requestedModel("claude-opus-4-7").status(200)
                .usage(new Usage(120, 40, 0, 0, 0, 0)).costUsd(0.0003).latencyMillis(800);
        control.store().add(base.queryId("q-scored").timestamp(NOW.minus(Duration.ofMinutes(1)))
                .finalModel("claude-haiku-4-5-20251001").tier("fast").classifierLayer("score")
                .classifierReason("score embedding+features: premium 0.080 (≥ 0.550), balanced 0.210 (fast < 0.300)")
                .routerScores(new RouterScores(0.08, 0.21, "embedding+features", 0.55, 0.3, "share", "premium"))
                .build());
        control.store().add(base.queryId("q-plain").timestamp(NOW.minus(Duration.ofMinutes(2)))
                .finalModel("claude-opus-4-7").tier(null).classifierLayer("n/a").classifierReason("bypass header")
                .routerScores(null).build());
        MainWindow.Services services = new MainWindow.Services(control, new UiTasks(Runnable::run,
                FxThread.EXECUTOR), InstantSource.fixed(NOW), ZoneOffset.UTC, CsvFormatter.DEFAULT, false);
        AppTheme.LIGHT.apply();
        MainWindow window = new MainWindow(services, name -> Optional.empty());
        stage.setScene(window.createScene(1280, 800));
        window.showScreen(MainWindow.Screen.REQUESTS);
        stage.show();
    }

    private static TableCell<?, ?> row(FxRobot robot, String queryId) {
        return robot.from(robot.lookup("#requests-table").queryTableView()).lookup(".table-cell")
                .match((TableCell<?, ?> c) -> "Model".equals(c.getTableColumn().getText())
                        && c.getTableRow() != null && c.getTableRow().getItem() instanceof RequestRecord r
                        && queryId.equals(r.queryId()))
                .query();
    }

    @Test
    void aScoredRequestShowsItsScoresAndTheThresholdsThatDecided(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn(row(robot, "q-scored"));
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(robot.lookup("#request-scores").queryAs(Label.class).getText())
                .isEqualTo("P(premium) 0.080 · P(≥ balanced) 0.210 · embedding+features");
        assertThat(robot.lookup("#request-thresholds").queryAs(Label.class).getText())
                .isEqualTo("premium ≥ 0.550 · fast < 0.300 · from the shares");
        Label verdict = robot.lookup("#request-score-verdict").queryAs(Label.class);
        assertThat(verdict.getText()).isEqualTo("0.080 < 0.550 and 0.210 < 0.300 → fast");
        assertThat(verdict.isVisible()).isTrue();
        javafx.scene.image.WritableImage img = WaitForAsyncUtils.asyncFx(() -> robot.lookup("#request-detail")
                .query().getScene().snapshot(null)).get(10, TimeUnit.SECONDS);
        dev.costgateway.app.shell.ScreenshotRenderer.write(img, Path.of("target", "request-scores.png"));

        robot.clickOn(row(robot, "q-plain"));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#request-scores").tryQuery()).isEmpty();
        assertThat(robot.lookup("#request-score-verdict").tryQuery()).isEmpty();
    }
}
