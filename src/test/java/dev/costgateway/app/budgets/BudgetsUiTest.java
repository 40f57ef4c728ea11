package dev.costgateway.app.budgets;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javafx.scene.Node;
import javafx.scene.control.Label;
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
import dev.costgateway.testing.Await;

/** Budgets as a person meets them: status bar, dashboard card, the banner and its override, the notification. */
@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class BudgetsUiTest {
    static final Instant NOW = Instant.parse("2026-12-01T15:00:00Z");
    @TempDir
    Path dir;
    FakeGatewayControl control;
    MainWindow window;
    Stage stage;
    final List<String> notified = new CopyOnWriteArrayList<>();

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                budgets:
                  - name: daily-all
                    period: day
                    limit_usd: 5.00
                    scope: all
                    action: block
                  - name: team-month
                    period: month
                    limit_usd: 100
                    scope: all
                budget_time_zone: UTC
                """);
        control = new FakeGatewayControl(config);
        control.setBudgetNow(NOW);
        control.store().addAll(SampleData.traffic(NOW, Duration.ofHours(10), 120, 3));
        MainWindow.Services services = new MainWindow.Services(control, new UiTasks(Runnable::run,
                FxThread.EXECUTOR), InstantSource.fixed(NOW), ZoneOffset.UTC, CsvFormatter.DEFAULT, false);
        AppTheme.LIGHT.apply();
        window = new MainWindow(services, name -> Optional.empty());
        window.setNotifier((title, text) -> notified.add(title + " | " + text));
        stage.setScene(window.createScene(1280, 800));
        window.showScreen(MainWindow.Screen.DASHBOARD);
        stage.show();
        window.activate();
    }

    /** Spends, then waits until the window shows the new total (its refresh runs off the FX thread). */
    void spend(double usd) throws Exception {
        control.budgetTracker().recordSpend(NOW, "hash", "abcd", "", usd);
        String expected = dev.costgateway.core.budget.BudgetState.usd(control.budgets().get(0).spentUsd())
                + " of $5.00";
        WaitForAsyncUtils.asyncFx(window::refreshVisible).get(5, TimeUnit.SECONDS);
        Await.until(Duration.ofSeconds(5), "the dashboard shows " + expected, () -> {
            try {
                return WaitForAsyncUtils.asyncFx(() -> window.budgets().rows().stream()
                        .anyMatch(r -> r.amounts().equals(expected))).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                return false;
            }
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    static String text(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }

    @Test
    void aPersonSeesTheBudgetRiseGetWarnedThenBlockedAndAllowsAnHour(FxRobot robot) throws Exception {
        spend(2.00);
        assertThat(text(robot, "#status-budget")).isEqualTo("Budget daily-all 40%");
        Node card = robot.lookup("#budgets-card").query();
        assertThat(card.isVisible()).isTrue();
        assertThat(robot.from(card).lookup(".budget-amounts").queryAllAs(Label.class)).extracting(Label::getText)
                .containsExactly("$2.00 of $5.00", "$2.00 of $100.00");
        assertThat(robot.lookup("#budget-banner").query().isVisible()).isFalse();
        assertThat(notified).isEmpty();

        spend(2.10); // 82 %: past the 80 % warning
        Await.until(Duration.ofSeconds(5), "warning notification", () -> notified.size() == 1);
        assertThat(notified.get(0)).startsWith("Budget \"daily-all\" at 82% | $4.10 of $5.00 daily");
        assertThat(robot.lookup("#status-budget").queryAs(Label.class).getStyleClass())
                .contains("budget-warning-text");

        spend(1.00); // past the limit
        Await.until(Duration.ofSeconds(5), "limit notification", () -> notified.size() == 2);
        assertThat(notified.get(1)).contains("reached", "new requests are refused");
        Node banner = robot.lookup("#budget-banner").query();
        assertThat(banner.isVisible()).isTrue();
        assertThat(text(robot, "#budget-banner-text")).contains("Budget \"daily-all\" reached ($5.10 of $5.00 daily",
                "refused until Dec 2 00:00", "cached answers are still served");
        assertThat(text(robot, "#status-budget")).isEqualTo("Budget daily-all: limit reached");
        assertThat(control.budgetTracker().blocking("hash", "")).isPresent();
        shoot("target/budgets-blocked.png");

        robot.clickOn("#budget-allow-hour");
        Await.until(Duration.ofSeconds(5), "banner gone", () -> !banner.isVisible());
        assertThat(control.budgetTracker().blocking("hash", "")).as("allowed for the next hour").isEmpty();
        assertThat(text(robot, "#status-budget")).endsWith("· allowed");
        assertThat(robot.from(card).lookup(".muted").queryAllAs(Label.class)).extracting(Label::getText)
                .anyMatch(t -> t.contains("allowed until Dec 1 16:00"));
    }

    void shoot(String file) throws Exception {
        var img = WaitForAsyncUtils.asyncFx(() -> stage.getScene().snapshot(null)).get(10, TimeUnit.SECONDS);
        Files.createDirectories(Path.of("target"));
        dev.costgateway.app.shell.ScreenshotRenderer.write(img, Path.of(file));
    }
}
