package dev.costgateway.app.requests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableView;
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
import dev.costgateway.app.testing.SampleData;
import dev.costgateway.core.metrics.RequestRecord;

/**
 * "Wrong answer for this prompt" in the request inspector: offered on semantic hits only, and it reaches the gateway;
 * then "Ask upstream again", once.
 */
@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class RejectSemanticHitUiTest {
    static final Instant NOW = Instant.parse("2026-12-01T15:00:00Z");
    @TempDir
    Path dir;
    FakeGatewayControl control;

    @Start
    void start(Stage stage) throws Exception {
        control = new FakeGatewayControl(dir.resolve("config.yaml"));
        control.store().addAll(SampleData.traffic(NOW, Duration.ofHours(10), 200, 11));
        MainWindow.Services services = new MainWindow.Services(control, new UiTasks(Runnable::run,
                FxThread.EXECUTOR), InstantSource.fixed(NOW), ZoneOffset.UTC, CsvFormatter.DEFAULT, false);
        AppTheme.LIGHT.apply();
        MainWindow window = new MainWindow(services, name -> Optional.empty());
        stage.setScene(window.createScene(1280, 800));
        window.showScreen(MainWindow.Screen.REQUESTS);
        stage.show();
    }

    private TableCell<?, ?> cacheCell(FxRobot robot, String kind) {
        return robot.from(robot.lookup("#requests-table").queryTableView()).lookup(".table-cell")
                .match((TableCell<?, ?> c) -> "Cache".equals(c.getTableColumn().getText()) && c.getIndex() >= 0
                        && c.getTableRow() != null && c.getTableRow().getItem() instanceof RequestRecord r
                        && kind.equals(r.cacheKind()))
                .query();
    }

    /** For a person to look at: {@code target/<name>}. */
    private static void snapshot(FxRobot robot, String name) throws Exception {
        javafx.scene.image.WritableImage img = WaitForAsyncUtils.asyncFx(() -> robot.lookup("#request-detail")
                .query().getScene().snapshot(null)).get(10, TimeUnit.SECONDS);
        dev.costgateway.app.shell.ScreenshotRenderer.write(img, Path.of("target", name));
    }

    @Test
    void aSemanticHitCanBeRejectedOnce(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        TableCell<?, ?> none = cacheCell(robot, "none");
        robot.clickOn(none);
        WaitForAsyncUtils.waitForFxEvents();
        Button reject = robot.lookup("#request-reject-semantic").queryButton();
        assertThat(reject.isVisible()).as("not offered on an upstream answer").isFalse();

        TableCell<?, ?> semantic = cacheCell(robot, "semantic");
        RequestRecord hit = (RequestRecord) semantic.getTableRow().getItem();
        robot.clickOn(semantic);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#request-detail .detail-title").queryAs(Label.class).getText())
                .isEqualTo("Request " + hit.queryId());
        assertThat(reject.isVisible()).isTrue();
        assertThat(reject.getText()).isEqualTo("Wrong answer for this prompt");

        snapshot(robot, "reject-semantic-before.png");
        robot.clickOn(reject);
        WaitForAsyncUtils.waitForFxEvents();
        snapshot(robot, "reject-semantic-after.png");
        assertThat(control.rejectedSemanticHits()).containsExactly(hit.queryId());
        Label status = robot.lookup("#request-reject-status").queryAs(Label.class);
        assertThat(WaitForAsyncUtils.asyncFx(status::getText).get(5, TimeUnit.SECONDS))
                .startsWith("Removed from the semantic cache");
        assertThat(status.isVisible()).isTrue();
        assertThat(reject.isVisible()).as("not offered twice").isFalse();

        Button reask = robot.lookup("#request-reask-semantic").queryButton();
        assertThat(reask.isVisible()).as("offered after the rejection").isTrue();
        assertThat(reask.getText()).isEqualTo("Ask upstream again");
        robot.clickOn(reask);
        WaitForAsyncUtils.waitForFxEvents();
        snapshot(robot, "reask-semantic-after.png");
        assertThat(control.reaskedSemanticHits()).containsExactly(hit.queryId());
        assertThat(WaitForAsyncUtils.asyncFx(status::getText).get(5, TimeUnit.SECONDS))
                .isEqualTo("Asked upstream again: answered by claude-haiku-4-5 in request replay-1; that answer "
                        + "now serves this prompt.");
        assertThat(reask.isVisible()).as("asked once").isFalse();

        robot.clickOn(cacheCell(robot, "none"));
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(reask.isVisible()).as("not offered on another request").isFalse();
    }
}
