package dev.costgateway.app.requests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.costgateway.app.fx.UiTasks;
import dev.costgateway.app.testing.FakeGatewayControl;
import dev.costgateway.app.testing.SampleData;
import dev.costgateway.core.metrics.MetricsQueries.SortField;
import dev.costgateway.core.metrics.RequestRecord;

class RequestsViewModelTest {
    static final Instant NOW = Instant.parse("2026-12-01T15:00:00Z");
    @TempDir
    Path dir;
    FakeGatewayControl control;
    RequestsViewModel vm;

    @BeforeEach
    void setUp() throws Exception {
        control = new FakeGatewayControl(dir.resolve("config.yaml"));
        control.store().addAll(SampleData.traffic(NOW, 30, 900, 3));
        vm = new RequestsViewModel(control, UiTasks.direct(), () -> "http://127.0.0.1:8000", ZoneOffset.UTC);
        vm.refresh();
    }

    @Test
    void showsTheNewestFirstWindowOfTheHistory() {
        assertThat(vm.rows()).hasSize(RequestsViewModel.LIMIT);
        assertThat(vm.rows().get(0).queryId()).isEqualTo("q00899");
        assertThat(vm.summaryLineProperty().get()).isEqualTo("Showing the first 500 matches");
    }

    @Test
    void searchAndSortRunInTheQuery() {
        vm.searchProperty().set("semantic");
        assertThat(vm.rows()).isNotEmpty().allMatch(r -> "semantic".equals(r.cacheKind()));

        vm.sortBy(SortField.COST, true);
        List<Double> costs = vm.rows().stream().map(RequestRecord::costUsd).toList();
        assertThat(costs).isSortedAccordingTo(Comparator.reverseOrder());

        vm.searchProperty().set("q00042");
        assertThat(vm.rows()).extracting(RequestRecord::queryId).containsExactly("q00042");
    }

    @Test
    void selectingARowExplainsTheDecisionAndListsAttempts() {
        RequestRecord escalated = vm.rows().stream().filter(r -> r.escalations() > 0).findFirst().orElseThrow();
        vm.selectedProperty().set(escalated);

        assertThat(vm.detailProperty().get().attempts()).hasSize(2);
        assertThat(vm.decisionProperty().get())
                .contains(escalated.requestedModel() + " → " + escalated.attempts().get(0).model())
                .contains("decided by the " + escalated.classifierLayer() + " layer")
                .endsWith("Escalated 1 time; the final answer came from " + escalated.finalModel() + " ("
                        + escalated.tier() + " tier).");
        assertThat(RequestsViewModel.describe(escalated.attempts().get(1)))
                .containsAnyOf("previous answer was truncated", "answer contained \"I'm not sure\"");
    }

    @Test
    void aSemanticHitCanBeRejectedAndOnlyThat() {
        RequestRecord upstream = vm.rows().stream().filter(r -> "none".equals(r.cacheKind())).findFirst().orElseThrow();
        vm.selectedProperty().set(upstream);
        assertThat(vm.rejectableProperty().get()).isFalse();
        vm.rejectSemanticHit();
        assertThat(control.rejectedSemanticHits()).isEmpty();

        RequestRecord hit = vm.rows().stream().filter(r -> "semantic".equals(r.cacheKind())).findFirst().orElseThrow();
        vm.selectedProperty().set(hit);
        assertThat(vm.rejectableProperty().get()).isTrue();
        vm.rejectSemanticHit();
        assertThat(control.rejectedSemanticHits()).containsExactly(hit.queryId());
        assertThat(vm.rejectStatusProperty().get()).startsWith("Removed from the semantic cache");
        assertThat(vm.rejectableProperty().get()).isFalse();

        vm.selectedProperty().set(upstream);
        assertThat(vm.rejectStatusProperty().get()).isEmpty();
        vm.selectedProperty().set(hit);
        assertThat(vm.rejectableProperty().get()).as("not offered again").isFalse();
    }

    @Test
    void curlReplaysThroughTheGatewayWithoutTheKey() {
        RequestRecord r = vm.rows().get(0);
        String curl = vm.curl(r);

        assertThat(curl).startsWith("curl http://127.0.0.1:8000/v1/messages")
                .contains("x-api-key: $ANTHROPIC_API_KEY")
                .contains("\"model\": \"" + r.requestedModel() + "\"")
                .contains(r.promptPreview().replace("'", "'\\''"))
                .doesNotContain("k-3f9a");
    }

    private static RequestRecord scored(String layer, String tier, double premium, double balanced,
                                        double premiumThreshold, double fastThreshold, String ceiling) {
        return RequestRecord.builder().queryId("s").timestamp(NOW).requestedModel("claude-opus-4-7").tier(tier)
                .classifierLayer(layer).status(200)
                .routerScores(new dev.costgateway.core.metrics.RouterScores(premium, balanced, "embedding+features",
                        premiumThreshold, fastThreshold, "share", ceiling))
                .build();
    }

    @Test
    void theScoreVerdictNamesTheComparisonThatDecided() {
        assertThat(RequestsViewModel.scoreVerdict(scored("score", "fast", 0.08, 0.21, 0.55, 0.3, "premium")))
                .isEqualTo("0.080 < 0.550 and 0.210 < 0.300 → fast");
        assertThat(RequestsViewModel.scoreVerdict(scored("score", "balanced", 0.2, 0.6, 0.55, 0.3, "premium")))
                .isEqualTo("0.200 < 0.550 and 0.600 ≥ 0.300 → balanced");
        assertThat(RequestsViewModel.scoreVerdict(scored("score", "balanced", 0.9, 0.95, 0.55, 0.3, "balanced")))
                .isEqualTo("0.900 ≥ 0.550 → premium, capped at the ceiling (balanced)");
        assertThat(RequestsViewModel.scoreVerdict(scored("rule", "premium", 0.1, 0.2, 0.55, 0.3, "premium")))
                .endsWith("→ fast; not used: a rule kept the ceiling (premium)");
        assertThat(RequestsViewModel.scoreVerdict(scored("haiku", "balanced", 0.5, 0.6, 0.55, 0.3, "premium")))
                .endsWith("→ balanced; near a threshold: haiku broke the tie");
        assertThat(RequestsViewModel.scoreVerdict(scored("score", "balanced", 0.99, 0.99, Double.POSITIVE_INFINITY,
                0.3, "premium"))).startsWith("0.990 < ∞ (never) and");
    }

    @Test
    void thresholdsSayWhereTheyCameFrom() {
        RequestRecord r = scored("score", "fast", 0.08, 0.21, 0.55, Double.NEGATIVE_INFINITY, "premium");
        assertThat(RequestsViewModel.thresholds(r.routerScores()))
                .isEqualTo("premium ≥ 0.550 · fast < −∞ (never) · from the shares");
        assertThat(RequestsViewModel.scores(r.routerScores()))
                .isEqualTo("P(premium) 0.080 · P(≥ balanced) 0.210 · embedding+features");
    }
}
