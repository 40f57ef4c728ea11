package dev.costgateway.app.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javafx.scene.control.Labeled;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
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
import dev.costgateway.app.shell.MainWindow;
import dev.costgateway.core.metrics.MetricsQueries.SessionRow;
import dev.costgateway.testing.ManualClock;
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.testing.ClaudeCodeSessions;
import dev.costgateway.testing.GatewayHarness;
import dev.costgateway.testing.PromptCacheSimulator;
import dev.costgateway.testing.SessionReplay;

/**
 * A Claude Code session running through the real gateway (prompt-cache simulator upstream) while the window shows
 * the Sessions screen: its row appears and its cost rises with the window's own 1 s poll, and one of its requests
 * opens in the request inspector.
 */
@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class LiveSessionUiTest {
    static final long WAIT_SECONDS = 15;
    static final Pattern FIGURES = Pattern.compile("(\\d+) requests · \\$([0-9.]+)");

    final ManualClock gatewayClock = new ManualClock(Instant.parse("2026-12-02T09:00:00Z"));
    GatewayHarness harness;
    MainWindow window;
    ExecutorService background;

    @Start
    void start(Stage stage) throws Exception {
        harness = GatewayHarness.start("routing:\n  mode: off\nmetrics:\n  store_text: true\n", gatewayClock);
        harness.upstream.setFallback(new PromptCacheSimulator(gatewayClock).answer("Done."));
        background = Executors.newFixedThreadPool(2, r -> new Thread(r, "ui-test-background"));
        MainWindow.Services services = new MainWindow.Services(harness.gateway, new UiTasks(background,
                FxThread.EXECUTOR), InstantSource.system(), ZoneId.of("UTC"), CsvFormatter.DEFAULT, false);
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

    static void awaitFx(Callable<Boolean> condition) throws Exception {
        WaitForAsyncUtils.waitFor(WAIT_SECONDS, TimeUnit.SECONDS, () -> fx(condition));
    }

    private static String text(FxRobot robot, String query) throws Exception {
        Labeled l = robot.lookup(query).queryLabeled();
        return fx(l::getText);
    }

    /** Requests and cost as the selected session's line shows them. */
    private static Object[] figures(FxRobot robot) throws Exception {
        Matcher m = FIGURES.matcher(text(robot, "#session-line"));
        return m.find() ? new Object[] {Integer.parseInt(m.group(1)), new BigDecimal(m.group(2))}
                : new Object[] {0, BigDecimal.ZERO};
    }

    @Test
    void aLiveSessionsCostRisesAndItsRequestsOpenInTheInspector(FxRobot robot) throws Exception {
        List<ClaudeCodeSessions.Turn> turns = ClaudeCodeSessions.generate(
                ClaudeCodeSessions.Spec.of(61, "sk-ant-test-ui").turns(6));
        List<SessionReplay.Result> first = SessionReplay.replay(harness, gatewayClock, turns.subList(0, 2));

        robot.clickOn("#nav-sessions");
        TableView<?> sessions = robot.lookup("#sessions-table").queryTableView();
        awaitFx(() -> sessions.getItems().size() == 1);
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn(robot.from(sessions).lookup(".table-row-cell")
                .match((TableRow<?> row) -> row.getItem() instanceof SessionRow).queryAs(TableRow.class));
        awaitFx(() -> robot.lookup("#session-line").queryLabeled().getText().contains("2 requests"));
        assertThat(text(robot, "#session-title")).isEqualTo("…/src/project-61 · " + SessionsViewModel.shortId(
                turns.get(0).sessionId()));
        BigDecimal before = (BigDecimal) figures(robot)[1];
        assertThat(before).isPositive();

        // the session goes on: no click, no F5, the window's poll brings the new figures in
        List<SessionReplay.Result> more = SessionReplay.replay(harness, gatewayClock, turns.subList(2, 6));
        awaitFx(() -> robot.lookup("#session-line").queryLabeled().getText().contains("6 requests"));
        BigDecimal after = (BigDecimal) figures(robot)[1];
        assertThat(after).isGreaterThan(before);
        TableView<?> requests = robot.lookup("#session-turns").queryTableView();
        awaitFx(() -> requests.getItems().size() == 6);
        assertThat(text(robot, "#session-health")).isEqualTo("Prompt cache: no problems found");

        // open the fourth request in the inspector
        String wanted = more.get(1).queryId();
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn(robot.from(requests).lookup(".table-row-cell")
                .match((TableRow<?> row) -> row.getItem() instanceof RequestRecord r && r.queryId().equals(wanted))
                .queryAs(TableRow.class));
        robot.clickOn("#session-open-request");
        awaitFx(() -> window.currentScreen() == MainWindow.Screen.REQUESTS);
        awaitFx(() -> robot.lookup("#request-detail .detail-title").queryLabeled().getText()
                .equals("Request " + wanted));
        // the inspector shows the person's prompt, not Claude Code's reminders
        String prompt = fx(() -> ((dev.costgateway.app.markdown.MarkdownView) robot.lookup("#request-prompt")
                .query()).text());
        assertThat(prompt).doesNotContain("system-reminder").isNotBlank();
        assertThat(first).hasSize(2);

        // a second session that comes back after an idle gap longer than the 5-minute TTL: its row warns
        List<ClaudeCodeSessions.Turn> idle = ClaudeCodeSessions.generate(ClaudeCodeSessions.Spec.of(62,
                "sk-ant-test-ui").project("/home/dev/src/project-62").turns(3).idle(2, Duration.ofMinutes(12)));
        SessionReplay.replay(harness, gatewayClock, idle);
        robot.clickOn("#nav-sessions");
        awaitFx(() -> sessions.getItems().size() == 2);
        assertThat(warningsCell(robot, idle.get(0).sessionId())).isEqualTo("⚠ 1");
        assertThat(warningsCell(robot, turns.get(0).sessionId())).as("the clean session shows nothing").isEmpty();
    }

    /** The Warnings cell of a session's row, as the table shows it. */
    private static String warningsCell(FxRobot robot, String sessionId) throws Exception {
        TableView<?> table = robot.lookup("#sessions-table").queryTableView();
        WaitForAsyncUtils.waitForFxEvents();
        return fx(() -> {
            int index = -1;
            for (int i = 0; i < table.getItems().size(); i++) {
                if (((SessionRow) table.getItems().get(i)).sessionId().equals(sessionId)) {
                    index = i;
                }
            }
            for (javafx.scene.Node n : table.lookupAll(".table-cell")) {
                if (n instanceof javafx.scene.control.TableCell<?, ?> c && c.getTableColumn() != null
                        && "sessions-warnings-column".equals(c.getTableColumn().getId()) && c.getIndex() == index) {
                    return c.getText() == null ? "" : c.getText();
                }
            }
            throw new AssertionError("no Warnings cell for row " + index);
        });
    }
}
