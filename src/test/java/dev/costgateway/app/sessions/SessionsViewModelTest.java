package dev.costgateway.app.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.app.testing.FakeGatewayControl;
import dev.costgateway.app.testing.SampleData;
import dev.costgateway.core.metrics.MetricsQueries.SessionRow;
import dev.costgateway.core.metrics.RequestRecord;
import dev.costgateway.core.session.CacheHealth;

class SessionsViewModelTest {
    static final Instant NOW = Instant.parse("2026-12-01T15:00:00Z");
    @TempDir
    Path dir;
    FakeGatewayControl control;
    SessionsViewModel vm;
    List<RequestRecord> history;

    @BeforeEach
    void setUp() throws Exception {
        control = new FakeGatewayControl(dir.resolve("config.yaml"));
        history = SampleData.sessions(NOW, 12, 5);
        control.store().addAll(history);
        vm = new SessionsViewModel(control, UiTasks.direct(), ZoneOffset.UTC);
        vm.refresh();
    }

    private SessionRow session(int index) {
        String id = history.stream().filter(r -> r.queryId().startsWith(String.format("s%03d-", index)))
                .findFirst().orElseThrow().session().id();
        return vm.sessions().stream().filter(s -> s.sessionId().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void listsEverySessionNewestFirstWithItsFigures() {
        assertThat(vm.sessions()).hasSize(12);
        assertThat(vm.sessions()).extracting(SessionRow::lastActivity)
                .isSortedAccordingTo(java.util.Comparator.reverseOrder());
        SessionRow s = session(0);
        List<RequestRecord> own = history.stream().filter(r -> r.session().id().equals(s.sessionId())).toList();
        assertThat(s.requests()).isEqualTo(own.size());
        assertThat(s.costUsd()).isCloseTo(own.stream().mapToDouble(RequestRecord::costUsd).sum(), within(1e-12));
        assertThat(vm.summaryLineProperty().get()).startsWith("12 sessions · " + history.size() + " requests · $");
    }

    @Test
    void searchMatchesProjectSessionIdAndModel() {
        String id = session(3).sessionId();
        vm.searchProperty().set("shop/api");
        assertThat(vm.sessions()).isNotEmpty().allMatch(s -> s.project().equals("/home/ana/src/shop/api"));
        vm.searchProperty().set("sonnet");
        assertThat(vm.sessions()).isNotEmpty().allMatch(s -> s.models().contains("claude-sonnet-4-6"));
        vm.searchProperty().set(id.toUpperCase(java.util.Locale.ROOT));
        assertThat(vm.sessions()).extracting(SessionRow::sessionId).containsExactly(id);
        vm.searchProperty().set("");
        assertThat(vm.sessions()).hasSize(12);
    }

    @Test
    void selectingASessionShowsItsRequestsInOrderItsCostPerTurnAndItsCacheProblems() {
        SessionRow idle = session(2); // every third session has a 12-minute gap half way
        vm.selectedProperty().set(idle);
        assertThat(vm.turns()).hasSize((int) idle.requests());
        assertThat(vm.turns()).extracting(RequestRecord::timestamp).isSorted();
        assertThat(vm.costPerTurn().stream().mapToDouble(Double::doubleValue).sum())
                .isCloseTo(idle.costUsd(), within(1e-12));
        assertThat(vm.warnings()).extracting(CacheHealth.Warning::kind)
                .containsExactly(CacheHealth.Kind.IDLE_REWRITE);
        assertThat(vm.healthLineProperty().get()).startsWith("Prompt cache: 1 problem costing $");
        assertThat(vm.detailTitleProperty().get()).startsWith("…/");
        assertThat(vm.detailLineProperty().get()).contains(idle.requests() + " requests");

        vm.selectedProperty().set(session(0));
        assertThat(vm.warnings()).isEmpty();
        assertThat(vm.healthLineProperty().get()).isEqualTo("Prompt cache: no problems found");
        vm.selectedProperty().set(session(4)); // moves to Sonnet half way
        assertThat(vm.warnings()).extracting(CacheHealth.Warning::kind)
                .containsExactly(CacheHealth.Kind.MODEL_SWITCH);
    }

    @Test
    void aRunningSessionGrowsOnRefreshAndStaysSelected() {
        SessionRow newest = vm.sessions().get(0);
        vm.selectedProperty().set(newest);
        RequestRecord last = vm.turns().get(vm.turns().size() - 1);
        List<RequestRecord> more = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            more.add(new RequestRecord("live-" + i, last.timestamp().plus(Duration.ofSeconds(30L * i)),
                    last.callerKeyHash(), last.requestedModel(), last.finalModel(), last.tier(),
                    last.classifierLayer(), last.classifierReason(), "none", 0, true, 200, null, last.usage(),
                    0.01, 0.02, 0.01, 900, 300, 890, "and the next step", "ok", last.attempts(), last.session()));
        }
        control.store().addAll(more);
        vm.refresh();
        assertThat(vm.selectedProperty().get().sessionId()).isEqualTo(newest.sessionId());
        assertThat(vm.selectedProperty().get().requests()).isEqualTo(newest.requests() + 3);
        assertThat(vm.selectedProperty().get().costUsd()).isCloseTo(newest.costUsd() + 0.03, within(1e-12));
        assertThat(vm.turns()).hasSize((int) newest.requests() + 3);
        assertThat(vm.turns().get(vm.turns().size() - 1).queryId()).isEqualTo("live-3");
    }

    @Test
    void projectsSumTheirSessionsAndOpenThemAsAFilter() {
        assertThat(vm.projects()).isNotEmpty();
        assertThat(vm.projects().stream().mapToLong(SessionsViewModel.ProjectRow::sessions).sum()).isEqualTo(12);
        assertThat(vm.projects().stream().mapToDouble(SessionsViewModel.ProjectRow::costUsd).sum()).isCloseTo(
                vm.sessions().stream().mapToDouble(SessionRow::costUsd).sum(), within(1e-9));
        SessionsViewModel.ProjectRow p = vm.projects().get(0);
        vm.groupingProperty().set(SessionsViewModel.Grouping.PROJECT);
        vm.showProject(p.project());
        assertThat(vm.groupingProperty().get()).isEqualTo(SessionsViewModel.Grouping.SESSION);
        assertThat(vm.sessions()).hasSize((int) p.sessions()).allMatch(s -> s.project().equals(p.project()));
    }

    @Test
    void openingARequestHandsItToTheInspector() {
        List<RequestRecord> opened = new ArrayList<>();
        vm.setOnOpenRequest(opened::add);
        vm.selectedProperty().set(session(1));
        vm.openRequest(vm.turns().get(2));
        assertThat(opened).extracting(RequestRecord::queryId).containsExactly("s001-02");
    }

    @Test
    void formats() {
        assertThat(SessionsViewModel.duration(Duration.ofSeconds(42))).isEqualTo("42s");
        assertThat(SessionsViewModel.duration(Duration.ofSeconds(725))).isEqualTo("12m 05s");
        assertThat(SessionsViewModel.duration(Duration.ofMinutes(200))).isEqualTo("3h 20m");
        assertThat(SessionsViewModel.shortId("5f0c3a1e-8d2b-4c7e-9a61-2b7d9e4f1c03")).isEqualTo("5f0c3a1e…");
        assertThat(SessionsViewModel.models(List.of("claude-opus-4-7", "claude-haiku-4-5-20251001")))
                .isEqualTo("haiku-4-5, opus-4-7");
    }
}
