package dev.costgateway.app.reports;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.app.testing.FakeGatewayControl;
import dev.costgateway.app.testing.SampleData;
import dev.costgateway.core.metrics.MetricsQueries.ReportGrouping;

class ReportsViewModelTest {
    static final Instant NOW = Instant.parse("2026-12-01T15:00:00Z");
    @TempDir
    Path dir;
    FakeGatewayControl control;
    ReportsViewModel vm;

    @BeforeEach
    void setUp() throws Exception {
        control = new FakeGatewayControl(dir.resolve("config.yaml"));
        control.store().addAll(SampleData.traffic(NOW, 10, 400, 4));
        vm = new ReportsViewModel(control, UiTasks.direct(), CsvFormatter.DEFAULT, InstantSource.fixed(NOW));
        vm.refresh();
    }

    @Test
    void previewsTheGroupedRows() {
        assertThat(vm.rows()).hasSize(11);
        vm.groupingProperty().set(ReportGrouping.TIER);
        assertThat(vm.rows()).extracting(r -> r.key()).containsExactly("balanced", "fast", "premium");
        assertThat(vm.totalsProperty().get()).startsWith("3 rows · 400 requests");
    }

    @Test
    void exportWritesTheRowsOnScreen() throws Exception {
        vm.groupingProperty().set(ReportGrouping.MODEL);
        Path target = dir.resolve("out.csv");
        vm.export(target);

        var lines = Files.readAllLines(target);
        assertThat(lines).hasSize(1 + vm.rows().size());
        assertThat(lines.get(0)).startsWith("model,requests,input_tokens");
        assertThat(lines.get(1)).startsWith(vm.rows().get(0).key() + "," + vm.rows().get(0).requests() + ",");
        assertThat(vm.messageProperty().get()).isEqualTo("Exported " + vm.rows().size() + " rows to " + target);
    }

    @Test
    void refusesARangeThatEndsBeforeItStarts() {
        vm.fromProperty().set(LocalDate.parse("2026-12-01"));
        vm.toProperty().set(LocalDate.parse("2026-11-01"));

        assertThat(vm.rangeErrorProperty().get()).isNotEmpty();
        assertThat(vm.rows()).isEmpty();
    }
}
