package dev.costgateway.app.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.app.testing.FakeGatewayControl;
import dev.costgateway.app.testing.InMemoryMetrics;
import dev.costgateway.app.testing.SampleData;
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.core.session.CacheHealth;

class DashboardViewModelTest {
    static final Instant NOW = Instant.parse("2026-12-01T15:00:00Z");
    @TempDir
    Path dir;
    FakeGatewayControl control;
    DashboardViewModel vm;

    @BeforeEach
    void setUp() throws Exception {
        control = new FakeGatewayControl(dir.resolve("config.yaml"));
        vm = new DashboardViewModel(control, UiTasks.direct(), InstantSource.fixed(NOW), ZoneOffset.UTC);
    }

    @Test
    void kpisFollowTheChosenRange() {
        List<RequestRecord> traffic = SampleData.traffic(NOW, 30, 600, 1);
        control.store().addAll(traffic);
        long today = traffic.stream().filter(r -> !r.timestamp().isBefore(Instant.parse("2026-12-01T00:00:00Z")))
                .count();

        vm.refresh();
        assertThat(vm.requestsProperty().get()).isEqualTo(String.valueOf(today));

        vm.rangeProperty().set(DashboardRange.ALL);
        assertThat(vm.requestsProperty().get()).isEqualTo("600");
        assertThat(vm.timeline()).isNotEmpty();
        assertThat(vm.timeline().get(0).bucketStart()).isBefore(Instant.parse("2026-11-03T00:00:00Z"));
        assertThat(vm.savingsPercentProperty().get()).endsWith("%").isNotEqualTo("0.0%");
        assertThat(vm.requestsByModel()).containsKey("claude-haiku-4-5-20251001");
    }

    @Test
    void kpisChangeAfterNewTraffic() {
        vm.refresh();
        assertThat(vm.requestsProperty().get()).isEqualTo("0");
        assertThat(vm.spendProperty().get()).isEqualTo("$0.00");

        control.store().addAll(SampleData.traffic(NOW, 0, 20, 2));
        vm.refresh();

        assertThat(vm.requestsProperty().get()).isEqualTo("20");
        assertThat(vm.spendProperty().get()).isNotEqualTo("$0.00");
        assertThat(vm.cacheDetailProperty().get()).contains("exact").contains("semantic");
    }

    @Test
    void semanticHitsReportedWrongInTheRangeAreCountedOnTheCacheCard() {
        control.store().addAll(SampleData.traffic(NOW, 0, 20, 2));
        vm.refresh();
        assertThat(vm.cacheDetailProperty().get()).as("none reported").doesNotContain("reported wrong");

        control.store().addRejection(NOW.minusSeconds(600));
        control.store().addRejection(NOW.minusSeconds(60));
        control.store().addRejection(Instant.parse("2026-11-20T10:00:00Z")); // before today
        vm.refresh();
        assertThat(vm.cacheDetailProperty().get()).endsWith(" semantic · 2 reported wrong");

        vm.rangeProperty().set(DashboardRange.ALL);
        assertThat(vm.cacheDetailProperty().get()).endsWith(" semantic · 3 reported wrong");
    }

    @Test
    void chartsRedrawOncePerChangeAndNotOnAQuietTick() {
        control.store().addAll(SampleData.traffic(NOW, 0, 20, 2));
        vm.refresh();
        int afterFirst = vm.chartRevisionProperty().get();
        assertThat(afterFirst).isEqualTo(1);

        vm.refresh();
        assertThat(vm.chartRevisionProperty().get()).as("same data, no redraw").isEqualTo(afterFirst);

        control.store().addAll(SampleData.traffic(NOW, 0, 5, 3));
        vm.refresh();
        assertThat(vm.chartRevisionProperty().get()).isEqualTo(afterFirst + 1);
    }

    @Test
    void cacheWarningsCardCountsTheSessionsFindingsAndTheirMoney() {
        vm.rangeProperty().set(DashboardRange.ALL);
        vm.refresh();
        assertThat(vm.cacheWarningsProperty().get()).isEqualTo("none");
        assertThat(vm.cacheWarningsDetailProperty().get()).contains("no prompt-cache problems");

        List<RequestRecord> sessions = SampleData.sessions(NOW, 12, 5);
        control.store().addAll(sessions);
        vm.refresh();

        // judged here from the records, session by session, as the store's writer judges them
        var bySession = sessions.stream().collect(java.util.stream.Collectors.groupingBy(r -> r.session().id()));
        long withFindings = 0;
        long warnings = 0;
        double usd = 0;
        for (List<RequestRecord> rs : bySession.values()) {
            List<CacheHealth.Warning> found = CacheHealth.check(rs.stream()
                    .sorted(java.util.Comparator.comparing(RequestRecord::timestamp)).map(RequestRecord::cacheTurn)
                    .toList(), InMemoryMetrics.CACHE_HEALTH_PRICES);
            withFindings += found.isEmpty() ? 0 : 1;
            warnings += found.size();
            usd += CacheHealth.totalUsd(found);
        }
        assertThat(warnings).as("the sample has idle gaps and model switches").isPositive();
        assertThat(vm.cacheWarningsProperty().get())
                .isEqualTo(warnings + " costing " + dev.costgateway.app.fx.Money.usd(usd));
        assertThat(vm.cacheWarningsDetailProperty().get()).startsWith("in " + withFindings + " sessions of this range");
    }

    @Test
    void escalationCardShowsTheRateOfEachTierTheRouterStartedAt() {
        vm.rangeProperty().set(DashboardRange.ALL);
        vm.refresh();
        assertThat(vm.escalationDetailProperty().get()).isEqualTo(DashboardViewModel.NO_ESCALATION_DETAIL);

        Instant t = NOW.minusSeconds(600);
        // fast (Haiku): 2 escalated of 4; balanced (Sonnet, after a classifier call): 0 of 1
        control.store().addAll(List.of(
                dev.costgateway.core.metrics.Records.escalated("e1", t),
                dev.costgateway.core.metrics.Records.escalated("e2", t.plusSeconds(1)),
                dev.costgateway.core.metrics.Records.plain("p1", t.plusSeconds(2)),
                dev.costgateway.core.metrics.Records.plain("p2", t.plusSeconds(3)),
                dev.costgateway.core.metrics.Records.classified("c1", t.plusSeconds(4))));
        // another range is read at once, not after the burn rate's cadence
        vm.rangeProperty().set(DashboardRange.TODAY);
        vm.refresh();

        assertThat(vm.escalationDetailProperty().get()).isEqualTo("from fast 50.0% · balanced 0.0%");

        // all time reads the last day only, and says so
        vm.rangeProperty().set(DashboardRange.ALL);
        vm.refresh();
        assertThat(vm.escalationDetailProperty().get())
                .isEqualTo("24 h, from fast 50.0% · balanced 0.0%");
    }
}
