package dev.costgateway.app.team;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;

import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
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
import dev.costgateway.app.fx.Money;
import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.app.reports.CsvFormatter;
import dev.costgateway.app.shell.MainWindow;
import dev.costgateway.app.shell.ScreenshotRenderer;
import dev.costgateway.app.testing.FakeGatewayControl;
import dev.costgateway.app.testing.SampleData;
import dev.costgateway.core.GatewayStatus;
import dev.costgateway.core.config.GatewayConfig;
import dev.costgateway.core.metrics.MetricsStore;
import dev.costgateway.core.metrics.Records;
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.testing.Await;
import dev.costgateway.testing.PostgresServer;

/**
 * The team view as a person uses it: two gateways wrote a real PostgreSQL; this app's own gateway has its own
 * requests. Select Team, pick one instance, and the dashboard totals and the request rows are that instance's;
 * back on This gateway, its own again.
 */
@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class TeamViewUiTest {
    static final Instant NOW = Instant.parse("2026-12-01T16:30:00Z");
    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    Stage stage;
    MainWindow window;
    FakeGatewayControl control;
    ExecutorService background;
    String url;
    String instanceA;
    String instanceB;
    final List<RequestRecord> ofA = new ArrayList<>();
    final List<RequestRecord> ofB = new ArrayList<>();
    final List<RequestRecord> local = new ArrayList<>();

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        url = PostgresServer.shared().freshDatabase();
        for (RequestRecord r : SampleData.traffic(NOW, Duration.ofHours(8), 60, 3)) {
            ofA.add(Records.at(r, "alice-" + r.queryId(), r.timestamp()));
        }
        for (RequestRecord r : SampleData.traffic(NOW, Duration.ofHours(8), 40, 4)) {
            ofB.add(Records.at(r, "bob-" + r.queryId(), r.timestamp()));
        }
        for (RequestRecord r : SampleData.sessions(NOW, 2, 8)) { // bob also ran two Claude Code sessions
            ofB.add(Records.at(r, "bob-" + r.queryId(), r.timestamp()));
        }
        instanceA = writeAsGateway("alice", ofA);
        instanceB = writeAsGateway("bob", ofB);
        for (RequestRecord r : SampleData.traffic(NOW, Duration.ofHours(6), 12, 5)) {
            local.add(Records.at(r, "mine-" + r.queryId(), r.timestamp()));
        }
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, "metrics:\n  team_view_jdbc_url: \"" + url + "\"\n", StandardCharsets.UTF_8);
        control = new FakeGatewayControl(config);
        control.store().addAll(local);
        control.start();
        background = Executors.newSingleThreadExecutor(r -> new Thread(r, "ui-background-test"));
        MainWindow.Services services = new MainWindow.Services(control, new UiTasks(background, FxThread.EXECUTOR),
                InstantSource.fixed(NOW), ZoneOffset.UTC, CsvFormatter.DEFAULT, false);
        AppTheme.LIGHT.apply();
        window = new MainWindow(services, name -> Optional.empty());
        stage.setScene(window.createScene(1280, 820));
        window.showScreen(MainWindow.Screen.DASHBOARD);
        stage.show();
        window.activate();
    }

    /** One gateway of the team: its own data folder (so its own instance name), writing the shared database. */
    private String writeAsGateway(String name, List<RequestRecord> records) {
        try (MetricsStore gateway = MetricsStore.open(new GatewayConfig.Metrics(url, true, 500, 90, 10_000),
                dir.resolve(name), InstantSource.fixed(NOW))) {
            records.forEach(gateway::record);
            gateway.flush();
            return gateway.instance();
        }
    }

    @AfterEach
    void stop() throws Exception {
        WaitForAsyncUtils.asyncFx(() -> window.deactivate()).get(10, TimeUnit.SECONDS);
        background.shutdown();
        background.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void pickingTeamAndAnInstanceShowsThatInstancesTotalsAndRequests(FxRobot robot) throws Exception {
        awaitText(robot, "#kpi-requests-value", "12");
        assertThat(robot.lookup("#team-bar").query().isVisible()).isTrue();

        robot.clickOn("#team-team");
        awaitText(robot, "#kpi-requests-value", String.valueOf(ofA.size() + ofB.size()));
        String status = text(robot, "#team-status");
        assertThat(status).startsWith("Team · 127.0.0.1:").contains("read-only · 2 gateways")
                .doesNotContain(PostgresServer.shared().password());
        String detail = call(() -> robot.lookup("#team-status").queryAs(Label.class).getTooltip().getText());
        assertThat(detail).contains("jdbc:postgresql://127.0.0.1:").contains("password=***")
                .doesNotContain(PostgresServer.shared().password());
        assertThat(text(robot, "#kpi-spend-value")).isEqualTo(Money.usd(cost(ofA) + cost(ofB)));

        robot.clickOn("#team-instance");
        robot.clickOn(instanceA);
        awaitText(robot, "#kpi-requests-value", "60");
        assertThat(text(robot, "#kpi-spend-value")).isEqualTo(Money.usd(cost(ofA)));
        assertThat(text(robot, "#kpi-saved-value")).isEqualTo(Money.usd(saved(ofA)));
        assertThat(robot.lookup("#team-bar").query().getStyleClass()).contains("team-on");
        Files.createDirectories(Path.of("target", "screenshots"));
        WaitForAsyncUtils.waitForFxEvents(5);
        ScreenshotRenderer.write(call(() -> stage.getScene().snapshot(null)),
                Path.of("target", "screenshots", "team.png"));

        robot.clickOn("#nav-reports");
        Await.until(WAIT, "the report of " + instanceA, () -> call(() -> robot.lookup("#reports .label").queryAll()
                .stream().anyMatch(n -> ((Label) n).getText().contains(" · 60 requests · spent "
                        + Money.usd(cost(ofA))))));

        robot.clickOn("#nav-requests");
        TableView<RequestRecord> table = robot.lookup("#requests-table").queryTableView();
        Await.until(WAIT, "the request rows of " + instanceA, () -> call(() -> table.getItems().size()) == 60);
        assertThat(call(() -> table.getItems().stream().map(RequestRecord::queryId).toList()))
                .allMatch(id -> id.startsWith("alice-"));
        assertThat(robot.lookup(".table-row-cell").queryAll()).as("rows drawn").isNotEmpty();

        robot.clickOn("#team-instance");
        robot.clickOn(instanceB);
        Await.until(WAIT, "the request rows of " + instanceB, () -> call(() -> table.getItems().size())
                == ofB.size() && table.getItems().stream().allMatch(r -> r.queryId().startsWith("bob-")));

        // the team's semantic hits were served by other gateways: nothing to reject from here
        RequestRecord hit = call(() -> table.getItems().stream().filter(r -> "semantic".equals(r.cacheKind()))
                .findFirst().orElse(null));
        if (hit != null) {
            WaitForAsyncUtils.asyncFx(() -> table.getSelectionModel().select(hit)).get(5, TimeUnit.SECONDS);
            WaitForAsyncUtils.waitForFxEvents(5);
            assertThat(robot.lookup("#request-reject-semantic").query().isVisible()).isFalse();
        }

        robot.clickOn("#nav-sessions");
        TableView<?> sessions = robot.lookup("#sessions-table").queryTableView();
        Await.until(WAIT, "bob's two sessions", () -> call(() -> sessions.getItems().size()) == 2);
        robot.clickOn("#team-instance");
        robot.clickOn(instanceA);
        Await.until(WAIT, "no sessions on " + instanceA, () -> call(() -> sessions.getItems().isEmpty()));

        robot.clickOn("#nav-requests");
        robot.clickOn("#team-local");
        Await.until(WAIT, "this gateway's rows again", () -> call(() -> table.getItems().size()) == 12
                && table.getItems().stream().allMatch(r -> r.queryId().startsWith("mine-")));
        robot.clickOn("#nav-dashboard");
        awaitText(robot, "#kpi-requests-value", "12");
        assertThat(call(() -> ((ChoiceBox<?>) robot.lookup("#team-instance").query()).isVisible())).isFalse();
        assertThat(control.status().get().proxy()).as("this gateway kept serving")
                .isEqualTo(GatewayStatus.ProxyState.RUNNING);
    }

    private static double cost(List<RequestRecord> rs) {
        return rs.stream().mapToDouble(r -> r.costUsd() == null ? 0 : r.costUsd()).sum();
    }

    private static double saved(List<RequestRecord> rs) {
        return rs.stream().mapToDouble(r -> r.savedUsd() == null ? 0 : r.savedUsd()).sum();
    }

    static <T> T call(Callable<T> onFx) throws Exception {
        return WaitForAsyncUtils.asyncFx(onFx).get(10, TimeUnit.SECONDS);
    }

    static String text(FxRobot robot, String query) throws Exception {
        Label l = robot.lookup(query).queryAs(Label.class);
        return call(l::getText);
    }

    static void awaitText(FxRobot robot, String query, String expected) throws Exception {
        Await.until(WAIT, query + " to read " + expected + " (was " + text(robot, query) + ")",
                () -> expected.equals(text(robot, query)));
    }
}
