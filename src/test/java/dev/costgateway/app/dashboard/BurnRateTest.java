package dev.costgateway.app.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.app.testing.FakeGatewayControl;
import dev.costgateway.app.testing.SampleData;
import dev.costgateway.core.metrics.RequestRecord;

class BurnRateTest {
    static final Instant NOW = Instant.parse("2026-12-10T12:00:00Z");
    @TempDir
    Path dir;

    private static double costBetween(List<RequestRecord> rs, Instant from) {
        return rs.stream().filter(r -> !r.timestamp().isBefore(from)).mapToDouble(r -> r.costUsd() == null ? 0
                : r.costUsd()).sum();
    }

    @Test
    void ratesAndTheMonthProjectionComeFromTheRightWindows() throws Exception {
        FakeGatewayControl control = new FakeGatewayControl(dir.resolve("config.yaml"));
        List<RequestRecord> traffic = SampleData.traffic(NOW, 12, 1500, 4);
        control.store().addAll(traffic);
        BurnRate b = BurnRate.read(control.metrics(), NOW, ZoneOffset.UTC);
        assertThat(b.perHour5m()).isCloseTo(12 * costBetween(traffic, NOW.minus(Duration.ofMinutes(5))),
                within(1e-12));
        assertThat(b.perHour60m()).isCloseTo(costBetween(traffic, NOW.minus(Duration.ofHours(1))), within(1e-12));
        assertThat(b.today()).isCloseTo(costBetween(traffic, Instant.parse("2026-12-10T00:00:00Z")), within(1e-12));
        double month = costBetween(traffic, Instant.parse("2026-12-01T00:00:00Z"));
        double daily = costBetween(traffic, NOW.minus(Duration.ofDays(7))) / 7;
        // 21.5 days left in December at noon on the 10th
        assertThat(b.monthProjected()).isCloseTo(month + daily * 21.5, within(1e-9));
        assertThat(b.dailyAverage()).isPositive();
    }

    @Test
    void theLatestSessionIsHighlightedWhileItRuns() throws Exception {
        FakeGatewayControl control = new FakeGatewayControl(dir.resolve("config.yaml"));
        List<RequestRecord> sessions = SampleData.sessions(NOW, 3, 9);
        control.store().addAll(sessions);
        RequestRecord last = sessions.get(sessions.size() - 1);
        Instant end = last.timestamp().plusMillis(last.latencyMillis());

        DashboardViewModel running = new DashboardViewModel(control, UiTasks.direct(),
                InstantSource.fixed(end.plusSeconds(60)), ZoneOffset.UTC);
        running.refresh();
        assertThat(running.activeSessionProperty().get()).isTrue();
        assertThat(running.sessionTitleProperty().get()).startsWith("…/");
        assertThat(running.sessionDetailProperty().get()).startsWith("active · $");
        assertThat(running.burnRateProperty().get()).endsWith("/h").isNotEqualTo("$0.00/h");

        DashboardViewModel later = new DashboardViewModel(control, UiTasks.direct(),
                InstantSource.fixed(end.plus(Duration.ofMinutes(30))), ZoneOffset.UTC);
        later.refresh();
        assertThat(later.activeSessionProperty().get()).isFalse();
        assertThat(later.sessionDetailProperty().get()).startsWith("last active ");
    }
}
