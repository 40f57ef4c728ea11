package dev.costgateway.app.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextInputControl;
import javafx.scene.input.Clipboard;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
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
import dev.costgateway.app.testing.FakeGatewayControl;
import dev.costgateway.app.testing.SampleData;
import dev.costgateway.core.metrics.RequestRecord;

@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class MainWindowUiTest {
    static final Instant NOW = Instant.parse("2026-12-01T15:00:00Z");

    @TempDir
    Path dir;
    FakeGatewayControl control;
    MainWindow window;
    Path exportTarget;

    @Start
    void start(Stage stage) throws Exception {
        control = new FakeGatewayControl(dir.resolve("config.yaml"));
        control.store().addAll(SampleData.traffic(NOW, Duration.ofHours(10), 50, 5));
        exportTarget = dir.resolve("report.csv");
        MainWindow.Services services = new MainWindow.Services(control, new UiTasks(Runnable::run,
                FxThread.EXECUTOR), InstantSource.fixed(NOW), ZoneOffset.UTC, CsvFormatter.DEFAULT, false);
        AppTheme.LIGHT.apply();
        window = new MainWindow(services, name -> Optional.of(exportTarget));
        stage.setScene(window.createScene(1200, 760));
        window.activate();
        stage.show();
    }

    @AfterEach
    void stop() throws Exception {
        WaitForAsyncUtils.asyncFx(window::deactivate).get(5, TimeUnit.SECONDS);
    }

    private static void replaceText(FxRobot robot, String query, String text) {
        TextInputControl input = robot.lookup(query).queryAs(TextInputControl.class);
        robot.interact(() -> {
            input.requestFocus();
            input.selectAll();
        });
        robot.write(text);
    }

    private static String text(FxRobot robot, String query) {
        return robot.lookup(query).queryLabeled().getText();
    }

    @Test
    void savingAThresholdAndAPhraseWritesTheFileAndKeepsItsComments(FxRobot robot) throws Exception {
        robot.clickOn("#nav-settings");
        replaceText(robot, "#classifier-heuristic_confidence", "0.8");
        TextInputControl addPhrase = robot.lookup("#escalation-phrases-add").queryAs(TextInputControl.class);
        robot.interact(addPhrase::requestFocus);
        robot.write("As an AI").type(KeyCode.ENTER);
        assertThat(robot.lookup("#escalation-phrases").queryListView().getItems()).endsWith("As an AI");
        robot.clickOn("#settings-save");

        String file = Files.readString(control.configFile());
        assertThat(file).contains("  heuristic_confidence: 0.8\n").contains("    - As an AI\n")
                .contains("# Layer 1 (heuristic) decides alone when its confidence is at least this.");
        assertThat(control.config().escalation().phrases()).endsWith("As an AI");
        assertThat(text(robot, "#settings-message")).isEqualTo("Saved and applied");
        assertThat(robot.lookup("#settings-save").queryButton().isDisabled()).isTrue();
    }

    @Test
    void anInvalidValueBlocksSaveAndSaysWhy(FxRobot robot) throws Exception {
        String before = Files.readString(control.configFile());
        robot.clickOn("#nav-settings");
        replaceText(robot, "#cache-semantic_threshold", "1.5");

        assertThat(text(robot, "#cache-semantic_threshold-error")).isEqualTo("must be between 0 and 1, not 1.5");
        Button save = robot.lookup("#settings-save").queryButton();
        assertThat(save.isDisabled()).isTrue();
        robot.press(KeyCode.CONTROL, KeyCode.S).release(KeyCode.S, KeyCode.CONTROL);
        assertThat(Files.readString(control.configFile())).isEqualTo(before);
    }

    @Test
    void aNewRequestAppearsInTheTableAndItsDetailExplainsTheDecision(FxRobot robot) {
        robot.clickOn("#nav-requests");
        RequestRecord fresh = withId(SampleData.traffic(NOW, Duration.ofMinutes(1), 1, 99).get(0), "fresh1");
        control.store().add(fresh);
        robot.type(KeyCode.F5);

        TableView<?> table = robot.lookup("#requests-table").queryTableView();
        assertThat(((RequestRecord) table.getItems().get(0)).queryId()).isEqualTo("fresh1");
        robot.clickOn(robot.from(table).lookup(".table-row-cell")
                .match((TableRow<?> row) -> row.getItem() instanceof RequestRecord r && r.queryId().equals("fresh1"))
                .queryAs(TableRow.class));

        assertThat(table.getSelectionModel().getSelectedIndex()).isZero();
        assertThat(text(robot, "#request-decision")).contains(fresh.classifierLayer() + " layer")
                .contains(fresh.classifierReason());
    }

    @Test
    void dashboardKpisChangeAfterNewTraffic(FxRobot robot) {
        robot.clickOn("#nav-dashboard");
        assertThat(text(robot, "#kpi-requests-value")).isEqualTo("50");

        control.store().addAll(SampleData.traffic(NOW, Duration.ofMinutes(5), 7, 6).stream()
                .map(r -> withId(r, "n" + r.queryId())).toList());
        robot.type(KeyCode.F5);

        assertThat(text(robot, "#kpi-requests-value")).isEqualTo("57");
    }

    @Test
    void exportWritesTheReportRows(FxRobot robot) throws Exception {
        robot.clickOn("#nav-reports");
        robot.clickOn("#report-export");

        List<String> lines = Files.readAllLines(exportTarget);
        assertThat(lines.get(0)).startsWith("date,requests,");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).startsWith("2026-12-01,50,");
        assertThat(text(robot, "#report-message")).startsWith("Exported 1 row to ");
    }

    @Test
    void stopAndStartChangeTheStatusBar(FxRobot robot) {
        assertThat(text(robot, "#status-proxy")).isEqualTo("Stopped");
        robot.clickOn("#status-start-stop");
        assertThat(text(robot, "#status-proxy")).isEqualTo("Listening on http://127.0.0.1:8000");
        assertThat(robot.lookup("#status-start-stop").queryButton().getText()).isEqualTo("Stop");
        robot.clickOn("#status-start-stop");
        assertThat(text(robot, "#status-proxy")).isEqualTo("Stopped");
    }

    @Test
    void copySetupPutsTheExportLineOnTheClipboard(FxRobot robot) throws Exception {
        robot.clickOn("#status-copy-setup");

        String clip = WaitForAsyncUtils.asyncFx(() -> Clipboard.getSystemClipboard().getString())
                .get(5, TimeUnit.SECONDS);
        assertThat(clip).isEqualTo("export ANTHROPIC_BASE_URL=http://127.0.0.1:8000");
        assertThat(robot.lookup("#status-notice").queryAs(Label.class).getText()).startsWith("Copied");
    }

    static RequestRecord withId(RequestRecord r, String id) {
        return new RequestRecord(id, r.timestamp(), r.callerKeyHash(), r.requestedModel(), r.finalModel(), r.tier(),
                r.classifierLayer(), r.classifierReason(), r.cacheKind(), r.escalations(), r.stream(), r.status(),
                r.errorType(), r.usage(), r.costUsd(), r.counterfactualUsd(), r.savedUsd(), r.latencyMillis(),
                r.ttfbMillis(), r.upstreamMillis(), r.promptPreview(), r.answerPreview(), r.attempts());
    }
}
