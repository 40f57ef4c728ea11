package dev.costgateway.app.team;

import static dev.costgateway.app.team.TeamViewUiTest.awaitText;
import static dev.costgateway.app.team.TeamViewUiTest.call;
import static dev.costgateway.app.team.TeamViewUiTest.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.util.WaitForAsyncUtils;

import dev.costgateway.app.fx.AppTheme;
import dev.costgateway.app.fx.FxThread;
import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.app.reports.CsvFormatter;
import dev.costgateway.app.shell.MainWindow;
import dev.costgateway.app.testing.FakeGatewayControl;
import dev.costgateway.app.testing.SampleData;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.metrics.MetricsStore;
import dev.costgateway.testing.Await;
import dev.costgateway.testing.PostgresServer;

/**
 * The team's database away: the bar says so plainly, the screens keep this gateway's data, and the FX thread is
 * never the one that waits. A real PostgreSQL is stopped under a connected team view, and a URL nothing listens on
 * is tried from the start.
 */
@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class TeamViewFailureUiTest {
    static final Instant NOW = Instant.parse("2026-12-01T16:30:00Z");
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    Stage stage;
    MainWindow window;
    ExecutorService background;
    PostgresServer server;

    /** Opens the window on a gateway with 12 requests of its own and {@code teamUrl} as its team view. */
    private void open(FxRobot robot, String teamUrl) throws Exception {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, "metrics:\n  team_view_jdbc_url: \"" + teamUrl + "\"\n", StandardCharsets.UTF_8);
        FakeGatewayControl control = new FakeGatewayControl(config);
        control.store().addAll(SampleData.traffic(NOW, Duration.ofHours(6), 12, 5));
        control.start();
        background = Executors.newSingleThreadExecutor(r -> new Thread(r, "ui-background-test"));
        MainWindow.Services services = new MainWindow.Services(control, new UiTasks(background, FxThread.EXECUTOR),
                InstantSource.fixed(NOW), ZoneOffset.UTC, CsvFormatter.DEFAULT, false);
        WaitForAsyncUtils.asyncFx(() -> {
            stage = new Stage();
            AppTheme.LIGHT.apply();
            window = new MainWindow(services, name -> Optional.empty());
            stage.setScene(window.createScene(1280, 820));
            window.showScreen(MainWindow.Screen.DASHBOARD);
            stage.show();
            window.activate(); // the 1 s poll, as in the app: it is what runs into the dead database
        }).get(10, TimeUnit.SECONDS);
        awaitText(robot, "#kpi-requests-value", "12");
    }

    @AfterEach
    void close() throws Exception {
        if (window != null) {
            WaitForAsyncUtils.asyncFx(() -> {
                window.deactivate();
                stage.close();
            }).get(10, TimeUnit.SECONDS);
        }
        if (background != null) {
            background.shutdown();
            background.awaitTermination(20, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aTeamDatabaseThatGoesAwayIsShownAsAnErrorAndTheLocalViewStays(FxRobot robot) throws Exception {
        server = PostgresServer.start();
        String url = server.freshDatabase();
        try (MetricsStore gateway = MetricsStore.open(new GatewayConfig.Metrics(url, false, 500, 90, 10_000),
                dir.resolve("other-gateway"), InstantSource.fixed(NOW))) {
            SampleData.traffic(NOW, Duration.ofHours(5), 30, 9).forEach(gateway::record);
            gateway.flush();
        }
        open(robot, url);
        robot.clickOn("#team-team");
        awaitText(robot, "#kpi-requests-value", "30");

        server.stop();
        Await.until(WAIT, "the bar to say the team view is unavailable",
                () -> text(robot, "#team-status").startsWith("Team view unavailable: "));
        String status = text(robot, "#team-status");
        assertThat(status).endsWith("Showing this gateway.").doesNotContain(server.password());
        assertThat(call(() -> robot.lookup("#team-status").queryAs(Label.class).getStyleClass())).contains("error");
        awaitText(robot, "#kpi-requests-value", "12");
        assertLocalViewIntact(robot);

        server.restart();
        robot.clickOn("#team-team");
        awaitText(robot, "#kpi-requests-value", "30");
        assertThat(text(robot, "#team-status")).startsWith("Team · ");
    }

    @Test
    void aTeamDatabaseNobodyAnswersIsReportedWithoutBlockingTheWindow(FxRobot robot) throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        open(robot, "jdbc:postgresql://127.0.0.1:" + closedPort + "/team?user=viewer&password=not-a-real-one");

        // the switch returns at once, still connecting: the connection is tried on the background executor
        TeamViewModel.State right = call(() -> {
            window.team().showTeam();
            return window.team().stateProperty().get();
        });
        assertThat(right).isEqualTo(TeamViewModel.State.CONNECTING);

        Await.until(WAIT, "the bar to say the team view is unavailable",
                () -> text(robot, "#team-status").startsWith("Team view unavailable: "));
        assertThat(text(robot, "#team-status")).contains("cannot reach").contains("127.0.0.1:" + closedPort)
                .doesNotContain("not-a-real-one");
        assertThat(call(() -> window.team().stateProperty().get())).isEqualTo(TeamViewModel.State.FAILED);
        assertLocalViewIntact(robot);
        assertThat(text(robot, "#kpi-requests-value")).isEqualTo("12");
        Files.createDirectories(Path.of("target", "screenshots"));
        WaitForAsyncUtils.waitForFxEvents(5);
        dev.costgateway.app.shell.ScreenshotRenderer.write(call(() -> stage.getScene().snapshot(null)),
                Path.of("target", "screenshots", "team-unavailable.png"));
    }

    private static void assertLocalViewIntact(FxRobot robot) throws Exception {
        assertThat(call(() -> robot.lookup("#team-local").queryAs(ToggleButton.class).isSelected())).isTrue();
        assertThat(call(() -> robot.lookup("#team-instance").query().isVisible())).isFalse();
        List<String> banners = call(() -> robot.lookup("#dashboard .banner").queryAll().stream()
                .filter(n -> n.isVisible()).map(n -> ((Label) n).getText()).toList());
        assertThat(banners).as("error banners on the dashboard").isEmpty();
    }
}
