package dev.costgateway.app.dashboard;

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

import javafx.scene.chart.AreaChart;
import javafx.scene.chart.PieChart;
import javafx.scene.chart.XYChart;
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

/** A new user's first minutes: one request three minutes ago must be visible on every chart. */
@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class FirstDayDashboardUiTest {
    static final Instant NOW = Instant.parse("2026-12-01T15:07:00Z");
    @TempDir
    Path dir;
    Stage stage;

    @Start
    void start(Stage stage) throws Exception {
        this.stage = stage;
        FakeGatewayControl control = new FakeGatewayControl(dir.resolve("config.yaml"));
        List<RequestRecord> three = SampleData.traffic(NOW, Duration.ofMinutes(3), 1, 5);
        control.store().addAll(three);
        MainWindow.Services services = new MainWindow.Services(control, new UiTasks(Runnable::run,
                FxThread.EXECUTOR), InstantSource.fixed(NOW), ZoneOffset.UTC, CsvFormatter.DEFAULT, false);
        AppTheme.LIGHT.apply();
        MainWindow window = new MainWindow(services, name -> Optional.empty());
        stage.setScene(window.createScene(1280, 800));
        window.showScreen(MainWindow.Screen.DASHBOARD);
        stage.show();
        window.activate();
    }

    @Test
    void theFirstRequestShowsAsAPeakInMinuteBucketsAndTheLonePieSliceAsAWholeDisc(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitForFxEvents(5);
        @SuppressWarnings("unchecked")
        AreaChart<String, Number> money = (AreaChart<String, Number>) robot.lookup("#dashboard .chart-card")
                .match(n -> n.lookup(".chart") instanceof AreaChart).query().lookup(".chart");
        List<XYChart.Data<String, Number>> spend = money.getData().get(0).getData();
        assertThat(spend.size()).as("points drawn for one request").isGreaterThanOrEqualTo(6);
        assertThat(spend).extracting(XYChart.Data::getXValue).contains("15:04", "15:07")
                .allMatch(label -> label.matches("\\d\\d:\\d\\d"));
        assertThat(spend.stream().filter(d -> d.getYValue().doubleValue() > 0).count())
                .as("buckets with spend: the one request").isEqualTo(1);
        assertThat(spend.get(spend.size() - 1).getXValue()).as("the chart ends now").isEqualTo("15:07");

        PieChart pie = robot.lookup(".chart-pie").queryParent() instanceof PieChart p ? p
                : (PieChart) robot.lookup(n -> n instanceof PieChart).query();
        assertThat(pie.getData()).hasSize(1);
        assertThat(pie.getData().get(0).getNode().getStyle()).contains("-fx-border-color: transparent");

        var img = WaitForAsyncUtils.asyncFx(() -> stage.getScene().snapshot(null)).get(10, TimeUnit.SECONDS);
        Files.createDirectories(Path.of("target"));
        dev.costgateway.app.shell.ScreenshotRenderer.write(img, Path.of("target", "dashboard-first-day.png"));
    }
}
