package dev.costgateway.app.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Socket;
import java.nio.file.Files;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextInputControl;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import dev.costgateway.app.fx.AppTheme;
import dev.costgateway.app.fx.FxThread;
import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.app.reports.CsvFormatter;
import dev.costgateway.core.metrics.MetricsQueries.RequestQuery;
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.testing.FakeUpstream;
import dev.costgateway.testing.GatewayHarness;

/** The window in front of the real {@code Gateway} and a fake upstream on loopback. */
@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class RealGatewayUiTest {
    GatewayHarness harness;
    MainWindow window;

    @Start
    void start(Stage stage) throws Exception {
        harness = GatewayHarness.start("# my own comment\nescalation:\n  hedge_threshold: 5\n");
        MainWindow.Services services = new MainWindow.Services(harness.gateway, new UiTasks(Runnable::run,
                FxThread.EXECUTOR), InstantSource.system(), ZoneOffset.UTC, CsvFormatter.DEFAULT, false);
        AppTheme.LIGHT.apply();
        window = new MainWindow(services, name -> Optional.empty());
        stage.setScene(window.createScene(1200, 760));
        window.activate();
        stage.show();
    }

    @AfterEach
    void stop() throws Exception {
        WaitForAsyncUtils.asyncFx(window::deactivate).get(5, TimeUnit.SECONDS);
        harness.close();
    }

    @Test
    void aProxiedRequestAppearsWithItsDecision(FxRobot robot) throws Exception {
        assumeTrue(harness.gateway.metrics() != null, "the metrics store is not wired into Gateway yet");
        harness.upstream.enqueue(FakeUpstream.text("Paris.", "end_turn"));
        var response = harness.post("/v1/messages", "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"What is the capital of France?\"}]}",
                "content-type", "application/json", "x-api-key", "test-key", "anthropic-version", "2023-06-01");
        assertThat(response.statusCode()).isEqualTo(200);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS,
                () -> !harness.gateway.metrics().requests(RequestQuery.latest(5)).isEmpty());

        robot.clickOn("#nav-requests");
        robot.type(KeyCode.F5);
        TableView<?> table = robot.lookup("#requests-table").queryTableView();
        assertThat(table.getItems()).hasSize(1);
        robot.clickOn(robot.from(table).lookup(".table-row-cell")
                .match((TableRow<?> row) -> row.getItem() instanceof RequestRecord).queryAs(TableRow.class));

        RequestRecord r = (RequestRecord) table.getItems().get(0);
        assertThat(robot.lookup("#request-decision").queryLabeled().getText()).isNotBlank()
                .contains(r.requestedModel());
    }

    @Test
    void savingThroughTheFormReloadsTheRunningGateway(FxRobot robot) throws Exception {
        robot.clickOn("#nav-settings");
        TextInputControl hedge = robot.lookup("#escalation-hedge_threshold").queryAs(TextInputControl.class);
        robot.interact(() -> {
            hedge.requestFocus();
            hedge.selectAll();
        });
        robot.write("9");
        robot.clickOn("#settings-save");

        String file = Files.readString(harness.gateway.configFile());
        assertThat(file).contains("# my own comment").contains("  hedge_threshold: 9");
        assertThat(harness.gateway.config().escalation().hedgeThreshold()).isEqualTo(9);
        assertThat(robot.lookup("#settings-message").queryLabeled().getText()).isNotBlank();
    }

    @Test
    void stopClosesThePortAndStartReopensIt(FxRobot robot) throws Exception {
        int port = harness.gateway.port();
        assertThat(robot.lookup("#status-proxy").queryLabeled().getText()).startsWith("Listening on http://");

        robot.clickOn("#status-start-stop");
        assertThat(robot.lookup("#status-proxy").queryLabeled().getText()).isEqualTo("Stopped");
        assertThat(canConnect(port)).isFalse();

        robot.clickOn("#status-start-stop");
        assertThat(robot.lookup("#status-proxy").queryLabeled().getText()).startsWith("Listening on http://");
    }

    private static boolean canConnect(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
