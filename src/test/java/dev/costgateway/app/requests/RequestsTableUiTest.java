package dev.costgateway.app.requests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import javafx.scene.Node;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.text.Text;
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

/** The request table in a 1280 px window: every default column readable, the full values in tooltips. */
@Tag("ui")
@ExtendWith(ApplicationExtension.class)
class RequestsTableUiTest {
    static final Instant NOW = Instant.parse("2026-12-01T15:00:00Z");
    @TempDir
    Path dir;
    MainWindow window;

    @Start
    void start(Stage stage) throws Exception {
        FakeGatewayControl control = new FakeGatewayControl(dir.resolve("config.yaml"));
        control.store().addAll(SampleData.traffic(NOW, Duration.ofHours(10), 200, 11));
        MainWindow.Services services = new MainWindow.Services(control, new UiTasks(Runnable::run,
                FxThread.EXECUTOR), InstantSource.fixed(NOW), ZoneOffset.UTC, CsvFormatter.DEFAULT, false);
        AppTheme.LIGHT.apply();
        window = new MainWindow(services, name -> Optional.empty());
        stage.setScene(window.createScene(1280, 800));
        window.showScreen(MainWindow.Screen.REQUESTS);
        stage.show();
    }

    @Test
    void noHeaderOrCellIsCutOffAt1280Pixels(FxRobot robot) throws Exception {
        TableView<?> table = robot.lookup("#requests-table").queryTableView();
        WaitForAsyncUtils.waitForFxEvents();

        List<String> cut = WaitForAsyncUtils.asyncFx(() -> table.lookupAll(".column-header .label, .table-cell")
                .stream().flatMap(n -> n.lookupAll(".text").stream()).filter(Node::isVisible)
                .map(n -> ((Text) n).getText()).filter(t -> t.endsWith("…") || t.endsWith("...")).toList())
                .get(5, TimeUnit.SECONDS);
        assertThat(cut).as("texts shown with an ellipsis").isEmpty();
        double columns = WaitForAsyncUtils.asyncFx(() -> table.getColumns().stream().filter(TableColumn::isVisible)
                .mapToDouble(TableColumn::getWidth).sum()).get(5, TimeUnit.SECONDS);
        assertThat(columns).as("default columns fit without scrolling sideways").isLessThanOrEqualTo(table.getWidth());
        assertThat(table.getColumns().stream().filter(TableColumn::isVisible).map(TableColumn::getText))
                .containsExactly("Time", "Model", "Tier", "Cache", "Tokens", "Cost", "Saved", "Latency", "HTTP");
        assertThat(table.isTableMenuButtonVisible()).as("column menu").isTrue();
    }

    @Test
    void aCellTooltipHoldsTheFullValue(FxRobot robot) throws Exception {
        TableView<?> table = robot.lookup("#requests-table").queryTableView();
        WaitForAsyncUtils.waitForFxEvents();
        RequestRecord first = (RequestRecord) table.getItems().get(0);

        TableCell<?, ?> cost = robot.from(table).lookup(".table-cell")
                .match((TableCell<?, ?> c) -> c.getIndex() == 0 && "Cost".equals(c.getTableColumn().getText()))
                .query();
        assertThat(cost.getTooltip()).isNotNull();
        assertThat(cost.getTooltip().getText()).startsWith(String.format(java.util.Locale.ROOT, "$%.6f",
                first.costUsd()));
        TableCell<?, ?> model = robot.from(table).lookup(".table-cell")
                .match((TableCell<?, ?> c) -> c.getIndex() == 0 && "Model".equals(c.getTableColumn().getText()))
                .query();
        assertThat(model.getTooltip().getText()).isEqualTo(first.requestedModel() + " → " + first.finalModel());
    }
}
