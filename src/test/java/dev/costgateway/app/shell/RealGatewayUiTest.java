package dev.costgateway.app.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javafx.scene.Node;
import javafx.scene.control.Labeled;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextInputControl;
import javafx.scene.layout.VBox;
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
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.testing.FakeUpstream;
import dev.costgateway.testing.GatewayHarness;

/**
 * The window in front of the real {@code Gateway} (H2 metrics, routing, caches) and a fake upstream on loopback,
 * with the app's own threading: queries on a background pool, results on the FX thread, the window's 1 s poll.
 * Metrics records are written after the response's last byte, so every check waits (bounded) for the screen.
 */
@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class RealGatewayUiTest {
    static final long WAIT_SECONDS = 15;

    GatewayHarness harness;
    MainWindow window;
    ExecutorService background;

    @Start
    void start(Stage stage) throws Exception {
        harness = GatewayHarness.start("# my own comment\nescalation:\n  hedge_threshold: 5\n");
        AtomicInteger n = new AtomicInteger();
        background = Executors.newFixedThreadPool(2, r -> new Thread(r, "ui-test-background-" + n.incrementAndGet()));
        MainWindow.Services services = new MainWindow.Services(harness.gateway, new UiTasks(background,
                FxThread.EXECUTOR), InstantSource.system(), ZoneId.systemDefault(), CsvFormatter.DEFAULT, false);
        AppTheme.LIGHT.apply();
        window = new MainWindow(services, name -> Optional.empty());
        stage.setScene(window.createScene(1280, 800));
        window.activate();
        stage.show();
    }

    @AfterEach
    void stop() throws Exception {
        WaitForAsyncUtils.asyncFx(window::deactivate).get(5, TimeUnit.SECONDS);
        background.shutdownNow();
        background.awaitTermination(5, TimeUnit.SECONDS);
        harness.close();
    }

    static <T> T fx(Callable<T> read) throws Exception {
        return WaitForAsyncUtils.asyncFx(read).get(5, TimeUnit.SECONDS);
    }

    /** Waits, bounded, until the condition (evaluated on the FX thread) holds. */
    static void awaitFx(Callable<Boolean> condition) throws Exception {
        WaitForAsyncUtils.waitFor(WAIT_SECONDS, TimeUnit.SECONDS, () -> fx(condition));
    }

    static String text(FxRobot robot, String query) throws Exception {
        Labeled l = robot.lookup(query).queryLabeled();
        return fx(l::getText);
    }

    private HttpResponse<byte[]> ask(String prompt) throws Exception {
        return harness.post("/v1/messages", "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":64,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}",
                "content-type", "application/json", "x-api-key", "test-key", "anthropic-version", "2023-06-01");
    }

    @Test
    void aProxiedRequestAppearsInTheTableAndItsDetailShowsTheDecision(FxRobot robot) throws Exception {
        robot.clickOn("#nav-requests");
        TableView<?> table = robot.lookup("#requests-table").queryTableView();
        assertThat(fx(() -> table.getItems().size())).isZero();

        harness.upstream.enqueue(FakeUpstream.text("Paris.", "end_turn"));
        assertThat(ask("What is the capital of France?").statusCode()).isEqualTo(200);
        String upstreamModel = FakeUpstream.modelOf(harness.upstream.last().body());

        // no F5: the window's 1 s poll must bring the row in by itself
        awaitFx(() -> table.getItems().size() == 1);
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn(robot.from(table).lookup(".table-row-cell")
                .match((TableRow<?> row) -> row.getItem() instanceof RequestRecord).queryAs(TableRow.class));

        RequestRecord r = (RequestRecord) fx(() -> table.getSelectionModel().getSelectedItem());
        assertThat(r).isNotNull();
        assertThat(r.requestedModel()).isEqualTo("claude-sonnet-4-6");
        assertThat(r.finalModel()).isEqualTo(upstreamModel);
        String decision = text(robot, "#request-decision");
        assertThat(decision).contains("claude-sonnet-4-6").contains(upstreamModel)
                .contains("decided by the " + r.classifierLayer() + " layer").contains(r.classifierReason());
        if (!upstreamModel.equals("claude-sonnet-4-6")) {
            assertThat(decision).startsWith("Routed claude-sonnet-4-6 → " + upstreamModel + " (" + r.tier() + " tier)");
        }
        VBox attempts = robot.lookup("#request-attempts").queryAs(VBox.class);
        List<String> attemptLines = fx(() -> attempts.getChildren().stream()
                .map(node -> ((Labeled) node).getText()).toList());
        assertThat(attemptLines).singleElement().asString()
                .startsWith("#1 answer · " + upstreamModel + "\nfirst answer · HTTP 200");
    }

    @Test
    void dashboardKpisChangeAfterTrafficThroughTheProxy(FxRobot robot) throws Exception {
        robot.clickOn("#nav-dashboard");
        awaitFx(() -> window.currentScreen() == MainWindow.Screen.DASHBOARD);
        assertThat(text(robot, "#kpi-requests-value")).isEqualTo("0");
        assertThat(text(robot, "#kpi-spend-value")).isEqualTo("$0.00");
        assertThat(text(robot, "#kpi-cache-hit-rate-value")).isEqualTo("0.0%");

        for (String prompt : List.of("What is the capital of France?", "Name a prime number.", "Say hello.",
                "What is the capital of France?")) {
            assertThat(ask(prompt).statusCode()).isEqualTo(200);
        }
        assertThat(harness.upstream.received()).as("the repeat is answered by the exact cache").hasSize(3);

        awaitFx(() -> text(robot, "#kpi-requests-value").equals("4"));
        assertThat(text(robot, "#kpi-spend-value")).isNotEqualTo("$0.00");
        assertThat(text(robot, "#kpi-cache-hit-rate-value")).isEqualTo("25.0%");
        Node cacheCard = robot.lookup("#kpi-cache-hit-rate").query();
        assertThat(robot.from(cacheCard).lookup(".kpi-sub").queryLabeled().getText())
                .isEqualTo("1 exact · 0 semantic");
        assertThat(text(robot, "#kpi-saved-value")).isNotEqualTo("$0.00");
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

        WaitForAsyncUtils.waitFor(WAIT_SECONDS, TimeUnit.SECONDS,
                () -> harness.gateway.config().escalation().hedgeThreshold() == 9);
        String file = Files.readString(harness.gateway.configFile());
        assertThat(file).contains("# my own comment").contains("  hedge_threshold: 9");
        awaitFx(() -> !text(robot, "#settings-message").isBlank());
    }

    @Test
    void stopClosesThePortAndStartReopensIt(FxRobot robot) throws Exception {
        int port = harness.gateway.port();
        assertThat(text(robot, "#status-proxy")).startsWith("Listening on http://");

        robot.clickOn("#status-start-stop");
        awaitFx(() -> text(robot, "#status-proxy").equals("Stopped"));
        assertThat(canConnect(port)).isFalse();

        awaitFx(() -> !robot.lookup("#status-start-stop").queryButton().isDisabled());
        robot.clickOn("#status-start-stop");
        awaitFx(() -> text(robot, "#status-proxy").startsWith("Listening on http://"));
        assertThat(canConnect(harness.gateway.port())).isTrue();
    }

    private static boolean canConnect(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
